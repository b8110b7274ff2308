import { createHash } from 'node:crypto';

/**
 * HTTP authentication for DM 2.0 (DM2-BINDING.md "Transport"): Basic, and Digest per RFC 7616 with
 * MD5 or SHA-256 and qop=auth. Pure functions; the cnonce comes from the caller.
 */

export type DigestAlgorithm = 'MD5' | 'SHA-256';

export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque?: string;
  algorithm: DigestAlgorithm;
  stale: boolean;
}

/** Client state for one challenge: the nonce count goes up with every request that uses it. */
export interface DigestState {
  challenge: DigestChallenge;
  nc: number;
}

export interface DigestParams {
  username: string;
  password: string;
  method: string;
  /** The request-target as sent (path and query). */
  uri: string;
  cnonce: string;
}

/** `Authorization: Basic …` */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

const TOKEN = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;

/** Parse auth-params (`a=b, c="d"`) and, on the way, the schemes before them: [scheme, params][]. */
export function parseAuthHeader(value: string): Array<{ scheme: string; params: Map<string, string> }> {
  const out: Array<{ scheme: string; params: Map<string, string> }> = [];
  let i = 0;
  const skip = (): void => {
    while (i < value.length && (value[i] === ' ' || value[i] === '\t' || value[i] === ',')) i++;
  };
  const token = (): string | undefined => {
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(value);
    if (!m) return undefined;
    i = TOKEN.lastIndex;
    return m[0];
  };
  while (i < value.length) {
    skip();
    const start = i;
    const t = token();
    if (t === undefined) {
      i++;
      continue;
    }
    let j = i;
    while (value[j] === ' ') j++;
    if (value[j] === '=' && out.length > 0) {
      i = j + 1;
      while (value[i] === ' ') i++;
      let v = '';
      if (value[i] === '"') {
        i++;
        while (i < value.length && value[i] !== '"') {
          if (value[i] === '\\' && i + 1 < value.length) i++;
          v += value[i++];
        }
        i++;
      } else {
        const s = i;
        while (i < value.length && value[i] !== ',' && value[i] !== ' ') i++;
        v = value.slice(s, i);
      }
      out[out.length - 1]!.params.set(t.toLowerCase(), v);
    } else if (value[j] === '=') {
      return out; // params before any scheme: not a valid header
    } else {
      if (i === start) i++;
      out.push({ scheme: t, params: new Map() });
    }
  }
  return out;
}

/** The best Digest challenge of a WWW-Authenticate header (SHA-256 before MD5, qop must offer auth). */
export function parseDigestChallenge(header: string | readonly string[] | undefined): DigestChallenge | undefined {
  if (header === undefined) return undefined;
  const all = (typeof header === 'string' ? [header] : header).flatMap((h) => parseAuthHeader(h));
  const found: DigestChallenge[] = [];
  for (const c of all) {
    if (c.scheme.toLowerCase() !== 'digest') continue;
    const realm = c.params.get('realm');
    const nonce = c.params.get('nonce');
    const alg = (c.params.get('algorithm') ?? 'MD5').toUpperCase();
    const qop = (c.params.get('qop') ?? '').split(',').map((q) => q.trim().toLowerCase());
    if (realm === undefined || !nonce || !qop.includes('auth') || (alg !== 'MD5' && alg !== 'SHA-256')) continue;
    const ch: DigestChallenge = { realm, nonce, algorithm: alg, stale: (c.params.get('stale') ?? '').toLowerCase() === 'true' };
    const opaque = c.params.get('opaque');
    if (opaque !== undefined) ch.opaque = opaque;
    found.push(ch);
  }
  return found.find((c) => c.algorithm === 'SHA-256') ?? found[0];
}

function h(alg: DigestAlgorithm, s: string): string {
  return createHash(alg === 'MD5' ? 'md5' : 'sha256').update(s, 'utf8').digest('hex');
}

/** The RFC 7616 `response` for qop=auth. */
export function digestResponse(alg: DigestAlgorithm, p: { username: string; realm: string; password: string; method: string; uri: string; nonce: string; nc: string; cnonce: string }): string {
  const ha1 = h(alg, `${p.username}:${p.realm}:${p.password}`);
  const ha2 = h(alg, `${p.method}:${p.uri}`);
  return h(alg, `${ha1}:${p.nonce}:${p.nc}:${p.cnonce}:auth:${ha2}`);
}

const quote = (s: string): string => `"${s.replace(/(["\\])/g, '\\$1')}"`;

/** The Authorization header for the next request under `state`, and the state after it (nc + 1). */
export function digestAuthorization(state: DigestState, p: DigestParams): { header: string; state: DigestState } {
  const nc = state.nc.toString(16).padStart(8, '0');
  const c = state.challenge;
  const response = digestResponse(c.algorithm, { ...p, realm: c.realm, nonce: c.nonce, nc });
  const parts = [
    `username=${quote(p.username)}`, `realm=${quote(c.realm)}`, `uri=${quote(p.uri)}`, `algorithm=${c.algorithm}`,
    `nonce=${quote(c.nonce)}`, `nc=${nc}`, `cnonce=${quote(p.cnonce)}`, `qop=auth`, `response=${quote(response)}`,
  ];
  if (c.opaque !== undefined) parts.push(`opaque=${quote(c.opaque)}`);
  return { header: `Digest ${parts.join(', ')}`, state: { challenge: c, nc: state.nc + 1 } };
}
