import { Status } from '../../core/status.js';
import { checkDepth, Dm2Error, isObj, malformed, onlyKeys, optStr, posInt, str, tooLarge, type Obj } from './errors.js';
import { parseJson } from './tree-json.js';
import {
  DEFAULT_DM2_LIMITS, SUB_EVENTS, type ClientPackage, type Dm2Alert, type Dm2Command, type Dm2Entry, type Dm2Limits,
  type Dm2Mo, type Dm2Result, type JsonValue, type ServerPackage, type SubEvent, type TriggerKind,
} from './types.js';

const SID = /^[0-9A-Fa-f]{1,32}$/;
const SERVER_KEYS = new Set(['dm', 'sid', 'msg', 'cmds']);
const CLIENT_KEYS = new Set(['dm', 'sid', 'msg', 'devId', 'trigger', 'mos', 'devInfo', 'results', 'alerts']);
const KEYS: Record<Dm2Command['cmd'], ReadonlySet<string>> = {
  GET: new Set(['id', 'cmd', 'uri']),
  DELETE: new Set(['id', 'cmd', 'uri']),
  UNSUB: new Set(['id', 'cmd', 'uri']),
  EXEC: new Set(['id', 'cmd', 'uri', 'data', 'correlator']),
  HGET: new Set(['id', 'cmd', 'uri', 'href']),
  HPUT: new Set(['id', 'cmd', 'uri', 'href']),
  HPOST: new Set(['id', 'cmd', 'uri', 'href']),
  SUB: new Set(['id', 'cmd', 'uri', 'events']),
  SHOW: new Set(['id', 'cmd', 'href']),
  CONT: new Set(['id', 'cmd']),
  END: new Set(['id', 'cmd']),
};

function header(v: unknown, keys: ReadonlySet<string>, what: string): Obj & { sid: string; msg: number } {
  if (!isObj(v)) throw malformed(`${what} must be a JSON object`);
  onlyKeys(v, keys, what);
  if (v.dm !== '2.0') throw malformed(`${what}: "dm" must be "2.0"`);
  const sid = v.sid;
  if (typeof sid !== 'string' || !SID.test(sid)) throw malformed(`${what}: "sid" must be 1-32 hex digits`);
  const msg = posInt(v, 'msg', what);
  if (msg < 1) throw malformed(`${what}: "msg" starts at 1`);
  return Object.assign(v, { sid, msg });
}

function list(v: unknown, key: string, what: string, limits: Dm2Limits): unknown[] {
  if (!Array.isArray(v)) throw malformed(`${what}: "${key}" must be an array`);
  if (v.length > limits.maxEntries) throw tooLarge(`${what}: more than ${limits.maxEntries} ${key}`);
  return v;
}

function href(o: Obj, where: string, limits: Dm2Limits): string {
  const h = str(o, 'href', where, limits.maxField);
  let u: URL;
  try {
    u = new URL(h);
  } catch {
    throw malformed(`${where}: "href" is not a URL`);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw malformed(`${where}: "href" must be http(s)`);
  return h;
}

/** One server command; never throws: what cannot be accepted becomes an INVALID entry with its status. */
export function decodeCommand(v: unknown, limits: Dm2Limits = DEFAULT_DM2_LIMITS): Dm2Entry {
  let id: number | undefined;
  try {
    if (!isObj(v)) throw malformed('a command must be an object');
    if (v.id !== undefined) id = posInt(v, 'id', 'command');
    const where = `command ${id ?? '(no id)'}`;
    const name = v.cmd;
    if (typeof name !== 'string') throw malformed(`${where}: "cmd" must be a string`);
    if (!Object.hasOwn(KEYS, name)) return { cmd: 'INVALID', ...(id === undefined ? {} : { id }), status: Status.OPTIONAL_FEATURE_NOT_SUPPORTED, reason: `unknown cmd ${JSON.stringify(name.slice(0, 40))}` };
    const cmd = name as Dm2Command['cmd'];
    onlyKeys(v, KEYS[cmd], where);
    if (cmd === 'CONT' || cmd === 'END') return id === undefined ? { cmd } : { cmd, id };
    if (id === undefined) throw malformed(`${where}: "id" is required`);
    if (cmd === 'SHOW') return { cmd, id, href: href(v, where, limits) };
    const uri = str(v, 'uri', where, limits.maxField);
    switch (cmd) {
      case 'GET':
      case 'DELETE':
      case 'UNSUB':
        return { cmd, id, uri };
      case 'HGET':
      case 'HPUT':
      case 'HPOST':
        return { cmd, id, uri, href: href(v, where, limits) };
      case 'EXEC': {
        const out: Dm2Command = { cmd, id, uri };
        const data = v.data;
        if (data !== undefined) {
          if (typeof data !== 'string') throw malformed(`${where}: "data" must be a string`);
          if (data.length > limits.maxBytes) throw tooLarge(`${where}: "data" too large`);
          out.data = data;
        }
        const c = optStr(v, 'correlator', where, limits.maxField);
        if (c !== undefined) out.correlator = c;
        return out;
      }
      case 'SUB':
        return { cmd, id, uri, events: events(v.events, where) };
    }
  } catch (err) {
    if (!(err instanceof Dm2Error)) throw err;
    return { cmd: 'INVALID', ...(id === undefined ? {} : { id }), status: err.status, reason: err.message };
  }
}

function events(v: unknown, where: string): SubEvent[] {
  if (v === undefined) return [...SUB_EVENTS];
  if (!Array.isArray(v) || v.length > SUB_EVENTS.length * 4) throw malformed(`${where}: "events" must be an array of event names`);
  const out = new Set<SubEvent>();
  for (const e of v) {
    if (!(SUB_EVENTS as readonly unknown[]).includes(e)) throw malformed(`${where}: unknown event ${JSON.stringify(e)}`);
    out.add(e as SubEvent);
  }
  return out.size === 0 ? [...SUB_EVENTS] : [...out];
}

/**
 * Decode a server package. Package-level problems throw Dm2Error (413 oversize, 400 otherwise);
 * a bad command only turns that command into an INVALID entry (400, or 406 for an unknown cmd).
 */
export function decodeServerPackage(body: Uint8Array | string, limits: Dm2Limits = DEFAULT_DM2_LIMITS): ServerPackage {
  const h = header(parseJson(body, limits, 'server package'), SERVER_KEYS, 'server package');
  const cmds = list(h.cmds, 'cmds', 'server package', limits).map((c) => decodeCommand(c, limits));
  const seen = new Set<number>();
  for (let i = 0; i < cmds.length; i++) {
    const c = cmds[i]!;
    if (c.id === undefined) continue;
    if (seen.has(c.id)) cmds[i] = { cmd: 'INVALID', status: Status.BAD_REQUEST, reason: `duplicate id ${c.id}` };
    seen.add(c.id);
  }
  return { dm: '2.0', sid: h.sid, msg: h.msg, cmds };
}

/** Decode a client package (used by the reference server, and to check what the client sends). */
export function decodeClientPackage(body: Uint8Array | string, limits: Dm2Limits = DEFAULT_DM2_LIMITS): ClientPackage {
  const what = 'client package';
  const h = header(parseJson(body, limits, what), CLIENT_KEYS, what);
  const p: ClientPackage = { dm: '2.0', sid: h.sid, msg: h.msg };
  const devId = optStr(h, 'devId', what, limits.maxField);
  if (devId !== undefined) p.devId = devId;
  if (h.trigger !== undefined) {
    const t = h.trigger;
    if (!isObj(t) || !['server', 'client', 'alert'].includes(t.kind as string)) throw malformed(`${what}: bad "trigger"`);
    onlyKeys(t, new Set(['kind', 'nid']), `${what} trigger`);
    p.trigger = { kind: t.kind as TriggerKind };
    const nid = optStr(t, 'nid', `${what} trigger`, limits.maxField);
    if (nid !== undefined) p.trigger.nid = nid;
  }
  if (h.mos !== undefined) p.mos = list(h.mos, 'mos', what, limits).map((m): Dm2Mo => {
    if (!isObj(m)) throw malformed(`${what}: a mos entry must be an object`);
    onlyKeys(m, new Set(['moid', 'uri']), `${what} mos`);
    return { moid: str(m, 'moid', `${what} mos`, limits.maxField), uri: str(m, 'uri', `${what} mos`, limits.maxField) };
  });
  if (h.devInfo !== undefined) {
    if (!isObj(h.devInfo)) throw malformed(`${what}: "devInfo" must be an object`);
    const d: Record<string, string> = {};
    for (const k of Object.keys(h.devInfo)) d[k] = str(h.devInfo, k, `${what} devInfo`, limits.maxField);
    p.devInfo = d;
  }
  if (h.results !== undefined) p.results = list(h.results, 'results', what, limits).map((r) => result(r, limits));
  if (h.alerts !== undefined) p.alerts = list(h.alerts, 'alerts', what, limits).map((a) => alert(a, limits));
  return p;
}

function result(r: unknown, limits: Dm2Limits): Dm2Result {
  if (!isObj(r)) throw malformed('a result must be an object');
  onlyKeys(r, new Set(['id', 'status', 'data']), 'result');
  const out: Dm2Result = { id: posInt(r, 'id', 'result'), status: posInt(r, 'status', 'result') };
  if (r.data !== undefined) {
    checkDepth(r.data, limits.maxDepth, `result ${out.id}`);
    out.data = r.data as JsonValue;
  }
  return out;
}

export function alert(a: unknown, limits: Dm2Limits = DEFAULT_DM2_LIMITS): Dm2Alert {
  if (!isObj(a)) throw malformed('an alert must be an object');
  onlyKeys(a, new Set(['type', 'source', 'data', 'correlator']), 'alert');
  const out: Dm2Alert = { type: str(a, 'type', 'alert', limits.maxField), correlator: null };
  const source = optStr(a, 'source', 'alert', limits.maxField);
  if (source !== undefined) out.source = source;
  if (a.data !== undefined) {
    checkDepth(a.data, limits.maxDepth, 'alert');
    out.data = a.data as JsonValue;
  }
  if (a.correlator !== undefined && a.correlator !== null) out.correlator = str(a, 'correlator', 'alert', limits.maxField);
  return out;
}
