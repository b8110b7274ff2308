import type { Awaitable } from './types.js';

/** Apply f now when v is a plain value, after it resolves when it is a promise. */
export function andThen<A, B>(v: Awaitable<A>, f: (a: A) => Awaitable<B>): Awaitable<B> {
  return v instanceof Promise ? v.then(f) : f(v);
}
