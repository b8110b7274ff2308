/**
 * Checking the server (PROTOCOL.md §2.9, "Layering": both sides authenticate each other).
 * Only when a serverSecret is configured; the name is the ServerID.
 *
 * - BASIC / DIGEST: the server's SyncHdr Cred, checked once. Success -> our SyncHdr Status 212
 *   (DIGEST: + Chal with a fresh NextNonce for the server's next session). Missing -> 407,
 *   wrong -> 401, each with a Chal of the configured type (DIGEST: fresh NextNonce).
 * - HMAC: every server message must carry a valid x-syncml-hmac (checked by the transport, reported
 *   as `mac`). Success -> 200 + Chal with a fresh NextNonce (a new nonce per message, §2.9);
 *   absent -> 407, bad -> 401, with a Chal and fresh nonce.
 * A second failure in the session is fatal (the session ends as auth-failed, nothing is sent).
 */
import type { Chal, Message } from '../message.js';
import { AuthTypeUri, generateNonce as defaultNonce, nonceBytes, verifyCred } from '../syncml/auth.js';
import type { MacCheck, SessionConfig, SessionState } from './types.js';

export interface ServerCheck {
  /** SyncHdr Status code to send. */
  code: '200' | '212' | '401' | '407';
  chal?: Chal;
  /** State with serverNonce / serverAuthenticated / serverAuthFailures updated. */
  state: SessionState;
  /** The server failed authentication twice: end the session. */
  fatal: boolean;
  reason?: string;
}

export function checkServer(config: SessionConfig, s: SessionState, m: Message, mac: MacCheck | undefined): ServerCheck {
  const secret = config.serverSecret;
  const type = config.authType;
  if (secret === null || type === 'NONE') return { code: '200', state: s, fatal: false };
  const fresh = (): string => (config.newNonce ?? defaultNonce)();

  if (type === 'HMAC') {
    const nonce = fresh();
    const chal: Chal = { meta: { type: AuthTypeUri.HMAC, format: 'b64', nextNonce: nonce } };
    if (mac === 'ok') return { code: '200', chal, state: { ...s, serverNonce: nonce, serverAuthenticated: true }, fatal: false };
    return failure(s, mac === 'bad' ? '401' : '407', chal, nonce, `server x-syncml-hmac ${mac ?? 'absent'}`);
  }

  if (s.serverAuthenticated) return { code: '200', state: s, fatal: false };
  const check = verifyCred(m.header.cred, {
    type,
    name: config.serverId,
    secret,
    nonces: [nonceBytes(s.serverNonce)],
  });
  const nonce = type === 'DIGEST' ? fresh() : undefined;
  const chal: Chal = {
    meta: nonce === undefined ? { type: AuthTypeUri[type], format: 'b64' } : { type: AuthTypeUri[type], format: 'b64', nextNonce: nonce },
  };
  const nextServerNonce = nonce ?? s.serverNonce;
  if (check === 'ok') {
    return {
      code: '212',
      ...(nonce === undefined ? {} : { chal }),
      state: { ...s, serverAuthenticated: true, serverNonce: nextServerNonce },
      fatal: false,
    };
  }
  return failure(s, check === 'missing' ? '407' : '401', chal, nextServerNonce, `server credentials ${check}`);
}

function failure(s: SessionState, code: '401' | '407', chal: Chal, nonce: string | null, reason: string): ServerCheck {
  const failures = s.serverAuthFailures + 1;
  return {
    code,
    chal,
    state: { ...s, serverNonce: nonce, serverAuthFailures: failures },
    fatal: failures >= 2,
    reason,
  };
}
