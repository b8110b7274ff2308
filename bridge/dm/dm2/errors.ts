import { BridgeError } from '../../core/errors.js';
import { Status } from '../../core/status.js';

/** A DM 2.0 package or JSON tree the codec refuses; `status` is what the peer should be told (400, 406, 413). */
export class Dm2Error extends BridgeError {
  constructor(status: number, message: string) {
    super(status === Status.REQUEST_ENTITY_TOO_LARGE ? 'MESSAGE_TOO_LARGE' : 'MESSAGE_MALFORMED', message, { status });
    this.name = 'Dm2Error';
  }
}

export const malformed = (message: string): Dm2Error => new Dm2Error(Status.BAD_REQUEST, message);
export const tooLarge = (message: string): Dm2Error => new Dm2Error(Status.REQUEST_ENTITY_TOO_LARGE, message);

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Only the listed keys may appear (strict binding). */
export function onlyKeys(o: Obj, allowed: ReadonlySet<string>, where: string): void {
  for (const k in o) if (!allowed.has(k)) throw malformed(`${where}: unknown field "${k}"`);
}

export function str(o: Obj, key: string, where: string, max: number): string {
  const v = o[key];
  if (typeof v !== 'string') throw malformed(`${where}: "${key}" must be a string`);
  if (v.length === 0) throw malformed(`${where}: "${key}" is empty`);
  if (v.length > max) throw tooLarge(`${where}: "${key}" longer than ${max} characters`);
  return v;
}

export function optStr(o: Obj, key: string, where: string, max: number): string | undefined {
  return o[key] === undefined ? undefined : str(o, key, where, max);
}

export function posInt(o: Obj, key: string, where: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw malformed(`${where}: "${key}" must be a non-negative integer`);
  return v;
}

/** Depth of a free JSON value (results data, alert data), refused beyond `max`. */
export function checkDepth(v: unknown, max: number, where: string): void {
  const stack: Array<[unknown, number]> = [[v, 1]];
  while (stack.length > 0) {
    const [x, d] = stack.pop()!;
    if (typeof x !== 'object' || x === null) continue;
    if (d > max) throw malformed(`${where}: nested deeper than ${max}`);
    for (const c of Array.isArray(x) ? x : Object.values(x)) if (typeof c === 'object' && c !== null) stack.push([c, d + 1]);
  }
}
