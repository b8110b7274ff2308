/**
 * DM 1.2 authentication primitives (PROTOCOL.md §2.9, OMA-TS-DM_Security 1.2 §5.1.3-5.1.4).
 * Pure functions over node:crypto; no I/O, no state.
 *
 * - Basic:  Cred/Data = B64(name ":" secret)
 * - MD5:    Cred/Data = B64(H(B64(H(name ":" secret)) ":" nonce))
 * - HMAC:   mac = B64(H(B64(H(name ":" secret)) ":" nonce ":" B64(H(body)))), sent only in the
 *           transport header `x-syncml-hmac: algorithm=MD5, username="<name>", mac=<mac>`.
 * H = MD5 (raw 16 bytes), B64 = base64. A nonce is raw bytes; on the wire (NextNonce) it is b64 text.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { BridgeError } from '../../core/errors.js';
import type { Cred } from '../message.js';

/** DMAcc AAuthType values the DM 1.2 session uses. `NONE` = no SyncML-level credentials. */
export type AuthType = 'BASIC' | 'DIGEST' | 'HMAC' | 'NONE';

export const AuthTypeUri = {
  BASIC: 'syncml:auth-basic',
  DIGEST: 'syncml:auth-md5',
  HMAC: 'syncml:auth-MAC',
} as const;
export type AuthTypeUriValue = (typeof AuthTypeUri)[keyof typeof AuthTypeUri];

/** The Meta/Type string for an AuthType (`undefined` for NONE). */
export function authTypeToUri(type: AuthType): AuthTypeUriValue | undefined {
  return type === 'NONE' ? undefined : AuthTypeUri[type];
}

/**
 * The AuthType for a Meta/Type string, or `undefined` for types we do not implement
 * (auth-X509, auth-securid, ...). Matching is case-insensitive: servers spell `auth-MAC` both ways.
 */
export function authTypeFromUri(uri: string | undefined): Exclude<AuthType, 'NONE'> | undefined {
  switch (uri?.trim().toLowerCase()) {
    case 'syncml:auth-basic':
      return 'BASIC';
    case 'syncml:auth-md5':
      return 'DIGEST';
    case 'syncml:auth-mac':
      return 'HMAC';
    default:
      return undefined;
  }
}

function md5(data: string | Uint8Array): Buffer {
  return createHash('md5').update(data).digest();
}

/** B64(H(name ":" secret)) — the shared first stage of MD5 and HMAC credentials. */
function userHash(name: string, secret: string): string {
  return md5(`${name}:${secret}`).toString('base64');
}

/** syncml:auth-basic Cred/Data: B64(name ":" secret). */
export function basicCred(name: string, secret: string): string {
  return Buffer.from(`${name}:${secret}`, 'utf8').toString('base64');
}

/** syncml:auth-md5 Cred/Data: B64(H(B64(H(name ":" secret)) ":" nonce)). */
export function md5Digest(name: string, secret: string, nonce: Uint8Array): string {
  const h = createHash('md5');
  h.update(`${userHash(name, secret)}:`);
  h.update(nonce);
  return h.digest().toString('base64');
}

/** syncml:auth-MAC value: B64(H(B64(H(name ":" secret)) ":" nonce ":" B64(H(body)))). */
export function hmacMac(name: string, secret: string, nonce: Uint8Array, body: Uint8Array): string {
  const h = createHash('md5');
  h.update(`${userHash(name, secret)}:`);
  h.update(nonce);
  h.update(`:${md5(body).toString('base64')}`);
  return h.digest().toString('base64');
}

/** A fresh 16-byte nonce as base64 text (the form it takes in Meta/NextNonce and in AAuthData). */
export function generateNonce(): string {
  return randomBytes(16).toString('base64');
}

/** The raw bytes of a nonce given as base64 text (NextNonce). Empty/absent -> empty buffer. */
export function nonceBytes(b64: string | null | undefined): Buffer {
  return b64 ? Buffer.from(b64, 'base64') : Buffer.alloc(0);
}

/** Decode base64 text (padded or not) strictly; `undefined` when it is not base64. */
function decodeB64Strict(text: string): Buffer | undefined {
  const t = text.trim();
  if (t.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(t)) return undefined;
  const unpadded = t.replace(/=+$/, '');
  if (unpadded.length % 4 === 1) return undefined;
  return Buffer.from(unpadded, 'base64');
}

/** Constant-time comparison of two base64 credentials (by their decoded bytes). */
export function b64Equal(expected: string, received: string): boolean {
  const a = decodeB64Strict(expected);
  const b = decodeB64Strict(received);
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

/** Build a SyncHdr Cred for BASIC or DIGEST (HMAC travels in the transport header, NONE has none). */
export function buildCred(
  type: AuthType,
  name: string,
  secret: string,
  nonceB64: string | null | undefined,
): Cred | undefined {
  switch (type) {
    case 'BASIC':
      return { meta: { type: AuthTypeUri.BASIC, format: 'b64' }, data: basicCred(name, secret) };
    case 'DIGEST':
      return {
        meta: { type: AuthTypeUri.DIGEST, format: 'b64' },
        data: md5Digest(name, secret, nonceBytes(nonceB64)),
      };
    default:
      return undefined;
  }
}

export type CredCheck = 'ok' | 'missing' | 'wrong-type' | 'bad';

/**
 * Check a peer's SyncHdr Cred against what we expect (`type` BASIC or DIGEST).
 * Basic: Data must decode to `name:secret`. MD5: Data must equal md5Digest with `nonce`.
 * `nonce` may list several candidates (e.g. the stored one and the default); any match passes.
 */
export function verifyCred(
  cred: Cred | undefined,
  expected: { type: 'BASIC' | 'DIGEST'; name: string; secret: string; nonces?: Uint8Array[] },
): CredCheck {
  if (!cred) return 'missing';
  if (authTypeFromUri(cred.meta.type ?? AuthTypeUri.BASIC) !== expected.type) return 'wrong-type';
  if (expected.type === 'BASIC') {
    return b64Equal(basicCred(expected.name, expected.secret), cred.data) ? 'ok' : 'bad';
  }
  for (const n of expected.nonces ?? []) {
    if (b64Equal(md5Digest(expected.name, expected.secret, n), cred.data)) return 'ok';
  }
  return 'bad';
}

// ---------------------------------------------------------------------------------------------
// x-syncml-hmac header

export const HMAC_HEADER = 'x-syncml-hmac';

export interface HmacHeader {
  algorithm: 'MD5';
  username: string;
  mac: string;
}

/** `algorithm=MD5, username="<name>", mac=<b64>` (the username quoted, `"` and `\` escaped). */
export function formatHmacHeader(h: { username: string; mac: string; algorithm?: 'MD5' }): string {
  const user = h.username.replace(/["\\]/g, (c) => `\\${c}`);
  return `algorithm=${h.algorithm ?? 'MD5'}, username="${user}", mac=${h.mac}`;
}

function malformed(reason: string): BridgeError {
  return new BridgeError('AUTH_FAILED', `x-syncml-hmac header: ${reason}`);
}

/**
 * Parse an `x-syncml-hmac` value. Tolerant in form (any order, spaces, case of keys, quoted or bare
 * values, unknown parameters ignored, algorithm optional = MD5), strict in content: username and
 * mac required and single, no duplicate parameter, algorithm only MD5, mac valid base64.
 * Throws BridgeError AUTH_FAILED with the reason.
 */
export function parseHmacHeader(value: string): HmacHeader {
  const params = new Map<string, string>();
  let i = 0;
  const s = value;
  const skip = (): void => {
    while (i < s.length && /[\s,]/.test(s[i] ?? '')) i++;
  };
  skip();
  while (i < s.length) {
    const keyMatch = /^([A-Za-z][A-Za-z0-9_-]*)\s*=\s*/.exec(s.slice(i));
    if (!keyMatch || keyMatch[1] === undefined) throw malformed(`unexpected text at offset ${i}`);
    const key = keyMatch[1].toLowerCase();
    i += keyMatch[0].length;
    let val = '';
    if (s[i] === '"') {
      i++;
      let closed = false;
      while (i < s.length) {
        const c = s[i] ?? '';
        if (c === '\\' && i + 1 < s.length) {
          val += s[i + 1];
          i += 2;
        } else if (c === '"') {
          i++;
          closed = true;
          break;
        } else {
          val += c;
          i++;
        }
      }
      if (!closed) throw malformed(`unterminated quoted value for ${key}`);
    } else {
      const m = /^[^,\s]*/.exec(s.slice(i));
      val = m?.[0] ?? '';
      i += val.length;
    }
    if (params.has(key)) throw malformed(`duplicate parameter ${key}`);
    params.set(key, val);
    const rest = /^\s*/.exec(s.slice(i));
    i += rest?.[0].length ?? 0;
    if (i < s.length && s[i] !== ',') throw malformed(`expected "," at offset ${i}`);
    skip();
  }
  const algorithm = params.get('algorithm') ?? 'MD5';
  if (algorithm.toUpperCase() !== 'MD5') throw malformed(`unsupported algorithm ${algorithm}`);
  const username = params.get('username');
  if (username === undefined || username === '') throw malformed('username missing');
  const mac = params.get('mac');
  if (mac === undefined || mac === '') throw malformed('mac missing');
  // The spec's own example (V4) carries B64 of the *hex* digest (32 bytes), so only base64-ness is
  // checked here; verifyHmac accepts both the raw (16-byte) and the hex (32-byte) digest forms.
  if (decodeB64Strict(mac) === undefined) throw malformed('mac is not base64');
  return { algorithm: 'MD5', username, mac };
}

export type HmacCheck = 'ok' | 'missing' | 'malformed' | 'wrong-user' | 'bad';

/**
 * Verify a received message's `x-syncml-hmac` header (value or undefined when absent) against the
 * expected username, secret and nonce over the exact body bytes. Never throws. The mac may be the
 * base64 of the raw 16-byte digest (the formula) or of its 32-char lowercase hex (the V4 example).
 */
export function verifyHmac(
  headerValue: string | undefined,
  expected: { username: string; secret: string; nonce: Uint8Array; body: Uint8Array },
): HmacCheck {
  if (headerValue === undefined || headerValue.trim() === '') return 'missing';
  let h: HmacHeader;
  try {
    h = parseHmacHeader(headerValue);
  } catch {
    return 'malformed';
  }
  if (h.username !== expected.username) return 'wrong-user';
  const mac = hmacMac(expected.username, expected.secret, expected.nonce, expected.body);
  if (b64Equal(mac, h.mac)) return 'ok';
  // Variant seen in the spec example: B64 of the lowercase hex digest.
  const hexForm = Buffer.from(Buffer.from(mac, 'base64').toString('hex'), 'latin1').toString('base64');
  return b64Equal(hexForm, h.mac) ? 'ok' : 'bad';
}
