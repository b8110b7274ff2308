import { Status } from '../../core/status.js';
import { MAX_POLL_SECONDS } from '../../core/timers.js';
import type { Format, Outcome } from '../types.js';
import { DM12_AUTH, DM20_AUTH, type AccountData } from './dmacc-types.js';

/** A change to an account's settings, or the status that refuses it. */
export type Change = { data: AccountData } | { error: Outcome };
export type Apply = (v: string, d: AccountData) => Change;

/** One DMAcc leaf: how to read it, how a Replace changes it, how an Add (while building or when absent) sets it. */
export interface DmAccLeaf {
  path: string;
  format: Format;
  secret?: true;
  /** Which nonce a secret AAuthData holds (kept in the auth state, not in the settings). */
  nonce?: 'client' | 'server';
  get(d: AccountData): string;
  /** Replace on an existing leaf; absent: read-only (405). */
  replace?: Apply;
  /** Add of the leaf; absent: like replace; null: cannot be added. */
  add?: Apply | null;
}

/** Interior nodes of a DMAcc account (fixed names: one address, Client and Server credentials). */
export const DMACC_INTERIORS: ReadonlySet<string> = new Set([
  'AppAddr', 'AppAddr/1', 'AppAuth', 'AppAuth/Client', 'AppAuth/Server', 'Ext', 'Ext/Bridge', 'Ext/Bridge/TLS',
]);

const ALL_AUTH = new Set([...DM12_AUTH, ...DM20_AUTH]);
const bad = (reason: string): Change => ({ error: { status: Status.BAD_REQUEST, reason } });
const ok = (data: AccountData): Change => ({ data });
const fixed = (value: string): Apply => (v, d) => (v === value ? ok(d) : bad(`must be ${value}`));
const uri = (schemes: RegExp): ((v: string) => boolean) => (v) => schemes.test(v) && /^[a-z]+:\/\/[^\s/]+/.test(v);
const httpUri = uri(/^https?:/);
const wsUri = uri(/^wss?:/);
/** A ServerID is an ACL principal: printable ASCII without = & * + (PROTOCOL.md §2.10). */
const SERVER_ID = /^[!-~]{1,255}$/;

const authType: Apply = (v, d) => {
  if (!ALL_AUTH.has(v)) return bad(`unknown AAuthType ${v}`);
  return ok({ ...d, auth: { ...d.auth, type: v } });
};
const nonEmpty = (set: (d: AccountData, v: string) => AccountData): Apply => (v, d) => (v === '' ? bad('must not be empty') : ok(set(d, v)));
const optional = (set: (d: AccountData, v: string | null) => AccountData): Apply => (v, d) => ok(set(d, v === '' ? null : v));

export const DMACC_LEAVES: readonly DmAccLeaf[] = [
  { path: 'AppID', format: 'chr', get: () => 'w7', add: fixed('w7') },
  {
    path: 'ServerID',
    format: 'chr',
    get: (d) => d.serverId,
    add: (v, d) => (SERVER_ID.test(v) && !/[=&*+]/.test(v) ? ok({ ...d, serverId: v }) : bad('a ServerID is printable ASCII without = & * +')),
  },
  { path: 'Name', format: 'chr', get: (d) => d.name ?? d.account, replace: (v, d) => ok({ ...d, name: v }) },
  {
    path: 'AppAddr/1/Addr',
    format: 'chr',
    get: (d) => d.serverUri,
    replace: (v, d) => (httpUri(v) ? ok({ ...d, serverUri: v }) : bad('expected an absolute http(s):// URI')),
  },
  { path: 'AppAddr/1/AddrType', format: 'chr', get: () => 'URI', add: fixed('URI') },
  {
    path: 'AAuthPref',
    format: 'chr',
    get: (d) => d.aauthPref ?? d.auth.type,
    add: (v, d) => {
      const c = authType(v, d);
      if ('error' in c) return c;
      return ok({ ...d, aauthPref: v, auth: d.auth.type === '' ? c.data.auth : d.auth });
    },
  },
  { path: 'AppAuth/Client/AAuthLevel', format: 'chr', get: () => 'CLCRED', add: fixed('CLCRED') },
  { path: 'AppAuth/Client/AAuthType', format: 'chr', get: (d) => d.auth.type, add: authType },
  { path: 'AppAuth/Client/AAuthName', format: 'chr', get: (d) => d.auth.clientName, replace: nonEmpty((d, v) => ({ ...d, auth: { ...d.auth, clientName: v } })) },
  {
    path: 'AppAuth/Client/AAuthSecret',
    format: 'chr',
    secret: true,
    get: (d) => d.auth.clientSecret,
    replace: nonEmpty((d, v) => ({ ...d, auth: { ...d.auth, clientSecret: v } })),
  },
  { path: 'AppAuth/Client/AAuthData', format: 'bin', secret: true, nonce: 'client', get: () => '', add: (_v, d) => ok(d) },
  { path: 'AppAuth/Server/AAuthLevel', format: 'chr', get: () => 'SRVCRED', add: fixed('SRVCRED') },
  {
    path: 'AppAuth/Server/AAuthType',
    format: 'chr',
    get: (d) => d.auth.type,
    add: (v, d) => (d.auth.type === '' || d.auth.type === v ? authType(v, d) : bad(`the bridge uses one AAuthType both ways (${d.auth.type})`)),
  },
  {
    path: 'AppAuth/Server/AAuthName',
    format: 'chr',
    get: (d) => d.serverId,
    add: (v, d) => (d.serverId === '' || d.serverId === v ? ok({ ...d, serverId: v }) : bad('the server AAuthName is the ServerID')),
  },
  {
    path: 'AppAuth/Server/AAuthSecret',
    format: 'chr',
    secret: true,
    get: (d) => d.auth.serverSecret ?? '',
    replace: optional((d, v) => ({ ...d, auth: { ...d.auth, serverSecret: v } })),
  },
  { path: 'AppAuth/Server/AAuthData', format: 'bin', secret: true, nonce: 'server', get: () => '', add: (_v, d) => ok(d) },
  {
    path: 'Ext/Bridge/Protocol',
    format: 'chr',
    get: (d) => d.protocol,
    add: (v, d) => (v === 'dm1.2' || v === 'dm2.0' ? ok({ ...d, protocol: v }) : bad('expected dm1.2 or dm2.0')),
  },
  {
    path: 'Ext/Bridge/Encoding',
    format: 'chr',
    get: (d) => d.encoding,
    add: (v, d) => (v === 'xml' || v === 'wbxml' ? ok({ ...d, encoding: v }) : bad('expected xml or wbxml')),
  },
  {
    path: 'Ext/Bridge/NotifyURI',
    format: 'chr',
    get: (d) => d.notifyUri ?? '',
    replace: (v, d) => (v === '' || wsUri(v) ? ok({ ...d, notifyUri: v === '' ? null : v }) : bad('expected an absolute ws(s):// URI')),
  },
  {
    path: 'Ext/Bridge/PollSeconds',
    format: 'int',
    get: (d) => String(d.pollSeconds),
    replace: (v, d) =>
      /^\d{1,9}$/.test(v) && +v >= 60 && +v <= MAX_POLL_SECONDS
        ? ok({ ...d, pollSeconds: +v })
        : bad(`expected an integer from 60 to ${MAX_POLL_SECONDS} (one year)`),
  },
  {
    path: 'Ext/Bridge/Bootstrap',
    format: 'bool',
    get: (d) => String(d.bootstrap),
    add: (v, d) => (v === 'false' ? ok(d) : { error: { status: Status.COMMAND_NOT_ALLOWED, reason: 'bootstrap accounts come from the config file' } }),
  },
  {
    path: 'Ext/Bridge/DeviceEvents',
    format: 'bool',
    get: (d) => String(d.deviceEvents ?? true),
    replace: (v, d) => (v === 'true' || v === 'false' ? ok({ ...d, deviceEvents: v === 'true' }) : bad('expected true or false')),
  },
  { path: 'Ext/Bridge/TLS/CA', format: 'chr', get: (d) => d.tls.ca ?? '', add: optional((d, v) => ({ ...d, tls: { ...d.tls, ca: v } })) },
  {
    path: 'Ext/Bridge/TLS/PinSHA256',
    format: 'chr',
    get: (d) => d.tls.pinSha256 ?? '',
    add: (v, d) =>
      v === '' || /^(?:[A-Fa-f0-9]{64}|[A-Za-z0-9+/]{43}=)$/.test(v)
        ? ok({ ...d, tls: { ...d.tls, pinSha256: v === '' ? null : v } })
        : bad('expected a SHA-256 as 64 hex digits or base64'),
  },
  { path: 'Ext/Bridge/TLS/Cert', format: 'chr', get: (d) => d.tls.cert ?? '', add: optional((d, v) => ({ ...d, tls: { ...d.tls, cert: v } })) },
  { path: 'Ext/Bridge/TLS/Key', format: 'chr', secret: true, get: (d) => d.tls.key ?? '', add: optional((d, v) => ({ ...d, tls: { ...d.tls, key: v } })) },
];

export const DMACC_LEAF_BY_PATH: ReadonlyMap<string, DmAccLeaf> = new Map(DMACC_LEAVES.map((l) => [l.path, l]));

/** How an Add sets the leaf (null: it cannot be added). */
export function addOf(leaf: DmAccLeaf): Apply | null {
  return leaf.add === undefined ? (leaf.replace ?? null) : leaf.add;
}
