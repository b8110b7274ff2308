/**
 * The notify WebSocket's upgrade credentials (ARCHITECTURE.md "Notify channel"):
 * `Authorization: DMB-HMAC name="<clientName>", ts="<unix seconds>", mac="<b64 HMAC-SHA256(clientSecret, name '\n' ts)>"`.
 * Pure functions: the bridge formats the header, the MA (reference server) parses and checks it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { BridgeError } from '../core/errors.js';

export const NOTIFY_AUTH_SCHEME = 'DMB-HMAC';

export interface NotifyAuthFields {
  name: string;
  /** Unix seconds, as the decimal text that was MACed. */
  ts: string;
  /** base64 HMAC-SHA256. */
  mac: string;
}

/** b64 HMAC-SHA256(secret, name '\n' ts). */
export function notifyAuthMac(secret: string, name: string, ts: string): string {
  return createHmac('sha256', secret).update(`${name}\n${ts}`).digest('base64');
}

/** A name we can put between double quotes without escaping rules (no quote, backslash, control character). */
function safeName(name: string): boolean {
  if (name.length === 0 || name.length > 256) return false;
  for (const ch of name) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\' || c < 0x20 || c === 0x7f) return false;
  }
  return true;
}

/** The header value for `name`/`secret` at `nowMs` (epoch ms). Throws BAD_VALUE for a name that cannot be quoted. */
export function formatNotifyAuth(name: string, secret: string, nowMs: number): string {
  if (!safeName(name)) throw new BridgeError('BAD_VALUE', 'notify channel: the client name cannot go in a DMB-HMAC header');
  const ts = String(Math.floor(nowMs / 1000));
  return `${NOTIFY_AUTH_SCHEME} name="${name}", ts="${ts}", mac="${notifyAuthMac(secret, name, ts)}"`;
}

/** Parse a DMB-HMAC header value; null when it is not one (wrong scheme, missing or repeated field). */
export function parseNotifyAuth(header: string | undefined): NotifyAuthFields | null {
  if (header === undefined || header.length > 2048) return null;
  const m = /^\s*DMB-HMAC\s+(.*)$/i.exec(header);
  if (!m) return null;
  const fields = new Map<string, string>();
  const param = /\s*([A-Za-z]+)\s*=\s*"([^"]*)"\s*(?:,|$)/y;
  const rest = m[1]!;
  let at = 0;
  while (at < rest.length) {
    param.lastIndex = at;
    const p = param.exec(rest);
    if (!p) return null;
    const key = p[1]!.toLowerCase();
    if (fields.has(key)) return null;
    fields.set(key, p[2]!);
    at = param.lastIndex;
  }
  const name = fields.get('name');
  const ts = fields.get('ts');
  const mac = fields.get('mac');
  if (!name || !ts || !mac) return null;
  return { name, ts, mac };
}

export type NotifyAuthCheck = { ok: true; name: string } | { ok: false; reason: string };

/**
 * Check a header against the expected client credentials: scheme and fields, name, timestamp
 * within `maxSkewSeconds` of `nowMs` (default 300), MAC (constant time). Never throws.
 */
export function verifyNotifyAuth(
  header: string | undefined,
  o: { name: string; secret: string; nowMs: number; maxSkewSeconds?: number },
): NotifyAuthCheck {
  const f = parseNotifyAuth(header);
  if (!f) return { ok: false, reason: header === undefined ? 'no Authorization header' : 'not a DMB-HMAC header' };
  if (f.name !== o.name) return { ok: false, reason: 'unknown client name' };
  if (!/^\d{1,12}$/.test(f.ts)) return { ok: false, reason: 'ts is not unix seconds' };
  const skew = Math.abs(Number(f.ts) - Math.floor(o.nowMs / 1000));
  if (skew > (o.maxSkewSeconds ?? 300)) return { ok: false, reason: `ts off by ${skew} s` };
  const want = Buffer.from(notifyAuthMac(o.secret, f.name, f.ts), 'base64');
  const got = Buffer.from(f.mac, 'base64');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return { ok: false, reason: 'MAC does not match' };
  return { ok: true, name: f.name };
}
