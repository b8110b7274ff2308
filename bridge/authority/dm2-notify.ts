import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { verifyNotification } from '../dm/dm2/notification.js';
import type { NotifyNonceRepo } from '../store/notify-nonce-repo.js';
import type { Dm2SessionTrigger } from './dm2-connection.js';

export interface Dm2NotifyContext {
  account: string;
  serverId: string;
  serverSecret: string | null;
  nonces: NotifyNonceRepo;
  clock: Clock;
  log: Logger;
}

/**
 * A DM 2.0 notification text frame from this MA's notify channel: verified (serverId, MAC, nonce
 * never accepted before for this MA, persisted), then the trigger of the session to open toward
 * that MA only. A frame that fails is dropped with a logged reason (null).
 */
export function acceptDm2Notification(frame: string, c: Dm2NotifyContext): Extract<Dm2SessionTrigger, { kind: 'server' }> | null {
  const check = verifyNotification(frame, { serverId: c.serverId, serverSecret: c.serverSecret, seen: (n) => c.nonces.seen(c.account, n) });
  if (!check.ok) {
    c.log.warn({ authority: c.account, reason: check.reason }, 'DM 2.0 notification dropped');
    return null;
  }
  if (!c.nonces.record(c.account, check.nonce, c.clock.now())) {
    c.log.warn({ authority: c.account, reason: 'nonce seen before (replay)' }, 'DM 2.0 notification dropped');
    return null;
  }
  c.log.info({ authority: c.account, sid: check.sid, nid: check.nid }, 'DM 2.0 notification accepted');
  return { kind: 'server', sessionId: check.sid, nid: check.nid };
}
