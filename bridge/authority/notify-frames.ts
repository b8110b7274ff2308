import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { AccountsRepo } from '../store/accounts-repo.js';
import type { NotifyNonceRepo } from '../store/notify-nonce-repo.js';
import type { AccountData } from '../tree/providers/dmacc-provider.js';
import type { Dm2SessionTrigger } from './dm2-connection.js';
import { acceptDm2Notification } from './dm2-notify.js';
import type { Package0Gate } from './package0-gate.js';

/** What a verified notification asks for: a server-initiated session toward that MA (DM 2.0 adds the nid). */
export type NotifyTrigger = Extract<Dm2SessionTrigger, { kind: 'server' }>;

export interface FrameDeps {
  accounts: AccountsRepo;
  nonces: NotifyNonceRepo;
  gate: Package0Gate;
  clock: Clock;
  log: Logger;
}

export type FrameVerdict = { ok: true; trigger: NotifyTrigger } | { ok: false; reason: string };

/**
 * One frame from `account`'s notify channel. Binary: a DM 1.2 Package #0 (Package0Gate: ServerID of
 * this MA, digest with serverSecret and the stored nonce, a session id seen recently starts nothing).
 * Text: a DM 2.0 notification (acceptDm2Notification: serverId, MAC, persisted nonce).
 * The account is re-read for every frame, so a changed serverSecret applies at once. Never throws.
 */
export function checkFrame(account: string, data: Uint8Array, isBinary: boolean, d: FrameDeps): FrameVerdict {
  const row = d.accounts.get(account);
  if (!row) return { ok: false, reason: 'the account no longer exists' };
  if (isBinary) {
    const p0 = d.gate.accept(data, account);
    if (!p0) return { ok: false, reason: 'Package #0 rejected (malformed, not this MA, bad digest or session id already seen)' };
    return { ok: true, trigger: { kind: 'server', sessionId: p0.sessionId } };
  }
  let acc: AccountData;
  try {
    acc = JSON.parse(row.data) as AccountData;
  } catch {
    return { ok: false, reason: 'the account settings are unreadable' };
  }
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
  const t = acceptDm2Notification(text, {
    account,
    serverId: row.serverId,
    serverSecret: acc.auth.serverSecret,
    nonces: d.nonces,
    clock: d.clock,
    log: d.log,
  });
  if (!t) return { ok: false, reason: 'DM 2.0 notification rejected (see the previous log line)' };
  return { ok: true, trigger: t };
}
