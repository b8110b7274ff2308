/**
 * Package #0: the General Notification Initiated Session Alert (PROTOCOL.md §2.8,
 * OMA-TS-DM_Notification 1.2 §6.2). Pure functions: parse, verify the digest, build.
 *
 * Layout (big-endian): digest(16) | version(10 bits) ui-mode(2) initiator(1) future-use(27)
 * sessionid(16) length-identifier(8) | server-identifier(length) | vendor-specific(rest).
 *
 * Digest = H(B64(H(server-identifier ":" password)) ":" nonce ":" B64(H(trigger))), H = MD5,
 * trigger = everything after the digest. Credentials are the server->client ones (SRVCRED).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { BridgeError } from '../../core/errors.js';

export const PKG0_DIGEST_LEN = 16;
export const PKG0_HEADER_LEN = 8;
/** Versions accepted: 11 (= 1.1, what the spec mandates) and 12 (sent by some servers). */
export const PKG0_VERSIONS: readonly number[] = [11, 12];

/** 0 not specified, 1 background, 2 informative, 3 user interaction. */
export type UiMode = 0 | 1 | 2 | 3;

export interface Package0 {
  digest: Uint8Array; // 16 bytes
  trigger: Uint8Array; // everything after the digest (header + server id + vendor body)
  version: number; // e.g. 11 for 1.1
  uiMode: UiMode;
  initiator: 0 | 1; // 0 client/user, 1 server
  futureUse: number; // MUST be 0; kept (not enforced) for diagnostics
  sessionId: number; // 0..0xFFFF
  serverId: string;
  vendor: Uint8Array;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }); // a leading U+FEFF is data

function bad(reason: string): BridgeError {
  return new BridgeError('MESSAGE_MALFORMED', `Package #0: ${reason}`);
}

function asBytes(input: unknown): Uint8Array {
  if (!(input instanceof Uint8Array)) throw bad('input is not a byte array');
  return input;
}

/** Parse a Package #0. Throws BridgeError MESSAGE_MALFORMED (never anything else) on bad input. */
export function parsePackage0(input: Uint8Array): Package0 {
  const bytes = asBytes(input);
  const min = PKG0_DIGEST_LEN + PKG0_HEADER_LEN;
  if (bytes.length < min) throw bad(`truncated: ${bytes.length} bytes, at least ${min} needed`);
  const h = Buffer.from(bytes.buffer, bytes.byteOffset + PKG0_DIGEST_LEN, PKG0_HEADER_LEN).readBigUInt64BE(0);
  const version = Number(h >> 54n);
  const uiMode = Number((h >> 52n) & 0x3n) as UiMode;
  const initiator = Number((h >> 51n) & 0x1n) as 0 | 1;
  const futureUse = Number((h >> 24n) & 0x7ffffffn);
  const sessionId = Number((h >> 8n) & 0xffffn);
  const idLen = Number(h & 0xffn);
  if (!PKG0_VERSIONS.includes(version)) {
    throw bad(`unsupported version ${version} (${(version / 10).toFixed(1)}); accepted: ${PKG0_VERSIONS.join(', ')}`);
  }
  const idStart = min;
  if (bytes.length < idStart + idLen) {
    throw bad(`truncated server identifier: ${idLen} bytes announced, ${bytes.length - idStart} present`);
  }
  if (idLen === 0) throw bad('empty server identifier');
  let serverId: string;
  try {
    serverId = utf8.decode(bytes.subarray(idStart, idStart + idLen));
  } catch {
    throw bad('server identifier is not valid UTF-8');
  }
  return {
    digest: bytes.slice(0, PKG0_DIGEST_LEN),
    trigger: bytes.slice(PKG0_DIGEST_LEN),
    version,
    uiMode,
    initiator,
    futureUse,
    sessionId,
    serverId,
    vendor: bytes.slice(idStart + idLen),
  };
}

/** Digest = H(B64(H(serverId ":" secret)) ":" nonce ":" B64(H(trigger))). Raw 16 bytes. */
export function package0Digest(serverId: string, serverSecret: string, nonce: Uint8Array, trigger: Uint8Array): Buffer {
  const md5 = (d: string | Uint8Array): Buffer => createHash('md5').update(d).digest();
  const h = createHash('md5');
  h.update(`${md5(`${serverId}:${serverSecret}`).toString('base64')}:`);
  h.update(nonce);
  h.update(`:${md5(trigger).toString('base64')}`);
  return h.digest();
}

/** The two spellings of the resync nonce "0x00000000" (§2.8): 4 zero bytes, and the ASCII text. */
export const DEFAULT_NONCE_BYTES = Buffer.alloc(4);
export const DEFAULT_NONCE_ASCII = Buffer.from('0x00000000', 'latin1');

export type NonceUsed = 'stored' | 'default-bytes' | 'default-ascii';

export type Package0Verdict =
  | { ok: true; pkg: Package0; nonce: NonceUsed }
  | { ok: false; pkg: Package0; reason: 'unknown-server' | 'bad-digest' };

/**
 * Parse and check a Package #0 for one authority. The server identifier must equal `serverId`
 * (else `unknown-server`). The digest is tried with the stored nonce, then the default nonce as
 * 4 zero bytes, then as ASCII "0x00000000"; `nonce` says which matched. When a default nonce
 * matched, the caller should start the session anyway; the server then resyncs via Chal/NextNonce.
 * Malformed input throws BridgeError MESSAGE_MALFORMED.
 */
export function verifyPackage0(
  bytes: Uint8Array,
  opts: { serverId: string; serverSecret: string; nonce: Uint8Array | null | undefined },
): Package0Verdict {
  const pkg = parsePackage0(bytes);
  if (pkg.serverId !== opts.serverId) return { ok: false, pkg, reason: 'unknown-server' };
  const candidates: [NonceUsed, Uint8Array][] = [];
  if (opts.nonce) candidates.push(['stored', opts.nonce]);
  candidates.push(['default-bytes', DEFAULT_NONCE_BYTES], ['default-ascii', DEFAULT_NONCE_ASCII]);
  for (const [name, nonce] of candidates) {
    const d = package0Digest(opts.serverId, opts.serverSecret, nonce, pkg.trigger);
    if (timingSafeEqual(d, pkg.digest)) return { ok: true, pkg, nonce: name };
  }
  return { ok: false, pkg, reason: 'bad-digest' };
}

export interface BuildPackage0Options {
  serverId: string;
  serverSecret: string;
  nonce: Uint8Array;
  sessionId: number;
  version?: number; // default 11
  uiMode?: UiMode; // default 0
  initiator?: 0 | 1; // default 1 (server)
  vendor?: Uint8Array;
}

/** Build a Package #0 (reference server, tests). Throws BridgeError BAD_VALUE on out-of-range fields. */
export function buildPackage0(o: BuildPackage0Options): Uint8Array {
  const version = o.version ?? 11;
  const uiMode = o.uiMode ?? 0;
  const initiator = o.initiator ?? 1;
  const id = Buffer.from(o.serverId, 'utf8');
  if (!Number.isInteger(version) || version < 0 || version > 0x3ff) throw new BridgeError('BAD_VALUE', 'Package #0 version out of range');
  if (!Number.isInteger(o.sessionId) || o.sessionId < 0 || o.sessionId > 0xffff) {
    throw new BridgeError('BAD_VALUE', 'Package #0 session id must be 0..65535');
  }
  if (id.length === 0 || id.length > 0xff) throw new BridgeError('BAD_VALUE', 'Package #0 server id must be 1..255 bytes');
  const header =
    (BigInt(version) << 54n) |
    (BigInt(uiMode & 3) << 52n) |
    (BigInt(initiator & 1) << 51n) |
    (BigInt(o.sessionId) << 8n) |
    BigInt(id.length);
  const head = Buffer.alloc(PKG0_HEADER_LEN);
  head.writeBigUInt64BE(header);
  const trigger = Buffer.concat([head, id, o.vendor ?? new Uint8Array(0)]);
  const digest = package0Digest(o.serverId, o.serverSecret, o.nonce, trigger);
  return new Uint8Array(Buffer.concat([digest, trigger]));
}

/** SyncHdr SessionID for a Package #0 session id: uppercase hex, no leading zeros (0x00AB -> "AB"). */
export function sessionIdHex(n: number): string {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new BridgeError('BAD_VALUE', `session id ${n} out of range`);
  return n.toString(16).toUpperCase();
}
