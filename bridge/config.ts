import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { BridgeError } from './core/errors.js';
import { MAX_POLL_SECONDS } from './core/timers.js';

/**
 * The bridge configuration: one JSON file (`--config FILE` or `DM_BRIDGE_CONFIG`), merged key by
 * key over the embedded defaults in `config/default.json`, validated once here. Unknown keys are
 * errors that name the key path. Every key is read at start (a restart applies a change); the keys
 * in LIVE_KEYS can also be changed at run time through `./Bridge` in the tree.
 */

const SEGMENT = /^[A-Za-z0-9._~-]+$/;
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const DM12_AUTH = ['BASIC', 'DIGEST', 'HMAC', 'TRANSPORT'] as const;
const DM20_AUTH = ['HTTP-BASIC', 'HTTP-DIGEST', 'TRANSPORT'] as const;

/** Keys that the running bridge applies live (through `./Bridge`); every other key needs a restart. */
export const LIVE_KEYS: readonly string[] = [
  'log.level', 'discovery.mdns', 'discovery.ssdp', 'discovery.ttlSeconds', 'discovery.serviceTypes',
];

const nonEmpty = z.string().min(1);
const nullableString = nonEmpty.nullable();
const count = (max: number) => z.number().int().min(0).max(max);

const tlsSchema = z.strictObject({
  ca: nullableString,
  pinSha256: z
    .string()
    .regex(/^(?:[A-Fa-f0-9]{64}|[A-Za-z0-9+/]{43}=)$/, 'expected a SHA-256 as 64 hex digits or base64')
    .nullable(),
  cert: nullableString,
  key: nullableString,
});

const authoritySchema = z.strictObject({
  account: z.string().regex(SEGMENT, 'expected a URI segment of [A-Za-z0-9._~-]'),
  serverId: nonEmpty,
  protocol: z.enum(['dm1.2', 'dm2.0']),
  serverUri: nonEmpty,
  notifyUri: nullableString,
  encoding: z.enum(['xml', 'wbxml']),
  auth: z.strictObject({
    type: nonEmpty, // checked against the protocol in crossCheck
    clientName: nonEmpty,
    clientSecret: nonEmpty,
    serverSecret: nullableString,
  }),
  pollSeconds: z.number().int().min(0).max(MAX_POLL_SECONDS), // at most one year
  tls: tlsSchema,
  bootstrap: z.boolean(),
});

const configSchema = z.strictObject({
  device: z.strictObject({ devId: nonEmpty, man: nonEmpty, mod: nonEmpty, lang: nonEmpty }),
  store: z.strictObject({ path: nonEmpty }),
  api: z.strictObject({ host: nonEmpty, port: count(65535), token: nullableString }),
  log: z.strictObject({ level: z.enum(LOG_LEVELS) }),
  tree: z.strictObject({ maxDepth: count(1_000_000), maxTotLen: count(1_000_000), maxSegLen: count(1_000_000) }),
  discovery: z.strictObject({
    mdns: z.boolean(),
    ssdp: z.boolean(),
    interfaces: z.array(nonEmpty),
    ttlSeconds: z.number().int().min(1),
    serviceTypes: z.array(z.string().regex(/^_[A-Za-z0-9-]+\._(?:tcp|udp)$/, 'expected a service type like _ipp._tcp')),
  }),
  authorities: z.array(authoritySchema),
});

export type BridgeConfig = z.infer<typeof configSchema>;
export type AuthorityConfig = z.infer<typeof authoritySchema>;

/** Values an authority takes for the keys it leaves out (account, serverId, protocol, serverUri and auth names are required). */
const AUTHORITY_DEFAULTS = {
  notifyUri: null,
  encoding: 'xml',
  auth: { serverSecret: null },
  pollSeconds: 86400,
  tls: { ca: null, pinSha256: null, cert: null, key: null },
  bootstrap: false,
};

export class ConfigError extends BridgeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG_INVALID', `config: ${message}`, options);
    this.name = 'ConfigError';
  }
}

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Merge `over` onto `base` key by key (objects recurse; arrays and scalars replace). */
function merge(base: unknown, over: unknown): unknown {
  if (!isPlain(base) || !isPlain(over)) return over === undefined ? base : over;
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

function pathText(path: readonly PropertyKey[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? String(p) : `.${String(p)}`;
  return s === '' ? '(root)' : s;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return JSON.stringify(v);
}

function issueText(issue: z.core.$ZodIssue): string {
  const at = pathText(issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((k) => `${pathText([...issue.path, k])}: unknown key`).join('; ');
    case 'invalid_value':
      return `${at}: expected one of ${issue.values.map(String).join('|')}, got ${describe(issue.input)}`;
    case 'invalid_type':
      return issue.input === undefined
        ? `${at}: required (${issue.expected})`
        : `${at}: expected ${issue.expected}, got ${describe(issue.input)}`;
    case 'too_small':
      return issue.origin === 'string'
        ? `${at}: expected a non-empty string`
        : `${at}: expected ${issue.origin === 'array' ? 'at least ' : '>= '}${String(issue.minimum)}, got ${describe(issue.input)}`;
    case 'too_big':
      return `${at}: expected at most ${String(issue.maximum)}, got ${describe(issue.input)}`;
    default:
      return `${at}: ${issue.message}${issue.input === undefined ? '' : `, got ${describe(issue.input)}`}`;
  }
}

/** URI scheme check; returns an error text or null. */
function checkUri(value: string, secure: string, plain: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `expected an absolute ${secure}// URI, got ${JSON.stringify(value)}`;
  }
  if (url.protocol !== secure && url.protocol !== plain) {
    return `expected a ${secure}// or ${plain}// URI, got ${JSON.stringify(value)}`;
  }
  if (url.hostname === '') return `missing host in ${JSON.stringify(value)}`;
  return null;
}

/** Rules across fields that the schema cannot state; returns the first violation. */
function crossCheck(cfg: BridgeConfig): string | null {
  const accounts = new Set<string>();
  const serverIds = new Set<string>();
  for (const [i, a] of cfg.authorities.entries()) {
    const at = `authorities[${i}]`;
    if (accounts.has(a.account)) return `${at}.account: duplicate account ${JSON.stringify(a.account)}`;
    if (serverIds.has(a.serverId)) return `${at}.serverId: duplicate serverId ${JSON.stringify(a.serverId)}`;
    accounts.add(a.account);
    serverIds.add(a.serverId);
    const allowed: readonly string[] = a.protocol === 'dm1.2' ? DM12_AUTH : DM20_AUTH;
    if (!allowed.includes(a.auth.type)) {
      return `${at}.auth.type: expected one of ${allowed.join('|')}, got ${JSON.stringify(a.auth.type)}`;
    }
    if (a.protocol === 'dm2.0' && a.encoding !== 'xml') {
      return `${at}.encoding: "wbxml" applies to dm1.2 only`;
    }
    const bad = checkUri(a.serverUri, 'https:', 'http:');
    if (bad !== null) return `${at}.serverUri: ${bad}`;
    if (a.notifyUri !== null) {
      const badN = checkUri(a.notifyUri, 'wss:', 'ws:');
      if (badN !== null) return `${at}.notifyUri: ${badN}`;
    }
    if ((a.tls.cert === null) !== (a.tls.key === null)) return `${at}.tls: cert and key go together`;
    if (a.auth.type === 'TRANSPORT') {
      if (a.tls.cert === null) return `${at}.tls.cert: TRANSPORT auth needs a client certificate (tls.cert, tls.key)`;
      if (!a.serverUri.startsWith('https:')) return `${at}.serverUri: TRANSPORT auth needs an https:// URI`;
    }
  }
  return null;
}

function validate(merged: unknown): BridgeConfig {
  const res = configSchema.safeParse(merged, { reportInput: true });
  if (!res.success) {
    const [first, ...rest] = res.error.issues;
    const more = rest.length > 0 ? ` (and ${rest.length} more)` : '';
    throw new ConfigError(`${first ? issueText(first) : 'invalid'}${more}`);
  }
  const bad = crossCheck(res.data);
  if (bad !== null) throw new ConfigError(bad);
  return res.data;
}

let cachedDefaults: Plain | undefined;

/** The embedded defaults (config/default.json), validated on first use. */
export function defaultConfig(): BridgeConfig {
  if (!cachedDefaults) {
    const raw = readJson(new URL('../config/default.json', import.meta.url), 'config/default.json');
    validate(raw);
    cachedDefaults = raw as Plain;
  }
  return structuredClone(cachedDefaults) as BridgeConfig;
}

function readJson(file: string | URL, label: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(`cannot read ${label} (${code})`, { cause: err });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new ConfigError(`${label} is not valid JSON: ${(err as Error).message.split('\n')[0]}`, { cause: err });
  }
}

/** Validate a partial config object merged over the embedded defaults. */
export function parseConfig(obj: unknown): BridgeConfig {
  if (obj === undefined || obj === null) return validate(defaultConfig());
  if (!isPlain(obj)) throw new ConfigError(`(root): expected an object, got ${describe(obj)}`);
  const merged = merge(defaultConfig(), obj) as Plain;
  if (Array.isArray(obj.authorities)) {
    merged.authorities = obj.authorities.map((a: unknown) => merge(AUTHORITY_DEFAULTS, a));
  }
  return validate(merged);
}

/**
 * Load the config: `file` (from `--config`), else `env.DM_BRIDGE_CONFIG`, else the defaults only.
 * `env.DM_BRIDGE_LOG_LEVEL`, when set, overrides `log.level`.
 */
export function loadConfig(opts: { file?: string; env?: NodeJS.ProcessEnv } = {}): BridgeConfig {
  const env = opts.env ?? process.env;
  const file = opts.file ?? (env.DM_BRIDGE_CONFIG || undefined);
  const raw = file === undefined ? {} : readJson(file, file);
  const level = env.DM_BRIDGE_LOG_LEVEL;
  const withEnv = level && isPlain(raw) ? merge(raw, { log: { level } }) : raw;
  return parseConfig(withEnv);
}

/** Plain-text transports the operator configured (logged as warnings at start). */
export function configWarnings(cfg: BridgeConfig): string[] {
  const out: string[] = [];
  for (const [i, a] of cfg.authorities.entries()) {
    if (a.serverUri.startsWith('http:')) out.push(`authorities[${i}].serverUri uses plain http:// (${a.account})`);
    if (a.notifyUri?.startsWith('ws:')) out.push(`authorities[${i}].notifyUri uses plain ws:// (${a.account})`);
  }
  if (cfg.api.token === null && !isLoopback(cfg.api.host)) {
    out.push(`api.host ${cfg.api.host} is not loopback and api.token is not set`);
  }
  return out;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}
