import { Status } from '../core/status.js';
import type { BridgeEvents, TypedEmitter } from '../core/events.js';
import type { Store } from '../store/db.js';
import type { Journal } from './journal.js';
import type { Awaitable, Outcome, Principal } from './types.js';

/** What an operation answers when its node cannot take part in Atomic. */
export const NOT_TRANSACTIONAL: Outcome = { status: Status.COMMAND_FAILED, reason: 'node cannot take part in Atomic' };

const ROLLBACK = Symbol('rollback');

export type ChangeOp = 'Add' | 'Replace' | 'Delete';

/**
 * Run fn as one all-or-nothing unit: store writes share one transaction and the in-memory caches
 * are journaled; when `keep` says no (or fn throws) everything is rolled back.
 */
export function runAtomic<T>(
  journal: Journal,
  store: Store,
  fn: () => T,
  keep: (result: T) => boolean,
): { result: T; committed: boolean } {
  journal.begin();
  let result: T | undefined;
  try {
    store.transaction(() => {
      result = fn();
      if (!keep(result)) throw ROLLBACK;
    });
    journal.commit();
    return { result: result as T, committed: true };
  } catch (err) {
    journal.rollback();
    if (err !== ROLLBACK) throw err;
    return { result: result as T, committed: false };
  }
}

/** A provider's answer; inside Atomic a pending one is observed (never left to reject unhandled) and answers 500. */
export function held<T extends Outcome>(journal: Journal, v: Awaitable<T>): Awaitable<T | Outcome> {
  if (!(v instanceof Promise) || !journal.active) return v;
  v.catch(() => undefined);
  return NOT_TRANSACTIONAL;
}

/** Emit tree.changed for a successful change (after commit when inside Atomic); answers `out`. */
export function changed(
  journal: Journal,
  events: TypedEmitter<BridgeEvents>,
  out: Outcome,
  uri: string,
  op: ChangeOp,
  by: Principal,
): Outcome {
  if (out.status === Status.OK) journal.defer(() => events.emit('tree.changed', { uri, op, by }));
  return out;
}
