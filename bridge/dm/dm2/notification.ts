import { createHmac, timingSafeEqual } from 'node:crypto';
import { isObj } from './errors.js';

/** A DM 2.0 Package #0 (notify WebSocket text frame, DM2-BINDING.md last section). */
export interface Dm2Notification {
  dm: '2.0';
  type: 'notify';
  serverId: string;
  sid: string;
  nid: string;
  nonce: string;
  mac: string;
}

export type NotificationCheck =
  | { ok: true; sid: string; nid: string; nonce: string }
  | { ok: false; reason: string };

export interface NotificationContext {
  /** The ServerID of the MA this channel belongs to. */
  serverId: string;
  /** That MA's auth.serverSecret (null: no MAC can be checked, every frame is dropped). */
  serverSecret: string | null;
  /** Has this nonce been accepted before for this MA? (a persistent store; the caller records accepted ones) */
  seen: (nonce: string) => boolean;
}

const MAX_FRAME = 4096;
const SID = /^[0-9A-Fa-f]{1,32}$/;

/** b64 HMAC-SHA256(serverSecret, serverId '\n' sid '\n' nid '\n' nonce), over the fields as they appear. */
export function notificationMac(secret: string, n: Pick<Dm2Notification, 'serverId' | 'sid' | 'nid' | 'nonce'>): string {
  return createHmac('sha256', secret).update(`${n.serverId}\n${n.sid}\n${n.nid}\n${n.nonce}`).digest('base64');
}

/**
 * Check a notification frame: shape, serverId of this channel, MAC, then nonce freshness.
 * Pure apart from the `seen` lookup; never throws. A frame that passes must have its nonce recorded
 * by the caller before the session opens.
 */
export function verifyNotification(frame: string, ctx: NotificationContext): NotificationCheck {
  if (frame.length > MAX_FRAME) return { ok: false, reason: `frame longer than ${MAX_FRAME} characters` };
  let v: unknown;
  try {
    v = JSON.parse(frame);
  } catch {
    return { ok: false, reason: 'frame is not JSON' };
  }
  if (!isObj(v)) return { ok: false, reason: 'frame is not a JSON object' };
  if (v.dm !== '2.0' || v.type !== 'notify') return { ok: false, reason: 'not a DM 2.0 notification' };
  for (const k of ['serverId', 'sid', 'nid', 'nonce', 'mac'] as const) {
    const f = v[k];
    if (typeof f !== 'string' || f.length === 0) return { ok: false, reason: `"${k}" missing or not a string` };
  }
  const n = v as unknown as Dm2Notification;
  if (!SID.test(n.sid)) return { ok: false, reason: '"sid" must be 1-32 hex digits' };
  if (n.serverId !== ctx.serverId) return { ok: false, reason: `serverId "${n.serverId.slice(0, 80)}" is not this channel's MA` };
  if (!ctx.serverSecret) return { ok: false, reason: 'no serverSecret configured: notifications cannot be checked' };
  const want = Buffer.from(notificationMac(ctx.serverSecret, n), 'base64');
  const got = Buffer.from(n.mac, 'base64');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return { ok: false, reason: 'MAC does not match' };
  if (ctx.seen(n.nonce)) return { ok: false, reason: 'nonce seen before (replay)' };
  return { ok: true, sid: n.sid, nid: n.nid, nonce: n.nonce };
}
