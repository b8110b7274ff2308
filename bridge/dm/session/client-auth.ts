/**
 * Our own authentication: reading the server's Status for our SyncHdr (PROTOCOL.md §2.9).
 *
 * - 212: authenticated for the session; BASIC/DIGEST stop sending Cred (HMAC keeps signing).
 * - 200: if we sent credentials, send them again (with the newest nonce).
 * - 401/407 + Chal: resend Package #1 with the challenged type and the Chal's NextNonce. At most
 *   one such retry per session; a second failure ends the session (auth-failed).
 * - Any NextNonce in a Chal is stored at once (persistNonce client) and used from then on: the
 *   latest nonce received is used even from a peer not yet authenticated (§2.9 "Nonce rules").
 *
 * Type mismatch policy (§2.9 "Mismatch": challenged for X, answer with X or the session ends):
 * we answer a challenge for X only if X is at least as strong as the configured type
 * (NONE < BASIC < DIGEST < HMAC). A challenge asking for a weaker type (e.g. Basic when DIGEST is
 * configured, which would send the secret almost in clear) or for a type we do not implement
 * (X509, SecurID, ...) ends the session as auth-failed without answering.
 */
import type { StatusCommand } from '../message.js';
import { authTypeFromUri, type AuthType } from '../syncml/auth.js';
import type { Effect, SessionState } from './types.js';

const RANK: Record<AuthType, number> = { NONE: 0, BASIC: 1, DIGEST: 2, HMAC: 3 };

export type ClientAuthVerdict =
  | { kind: 'continue'; state: SessionState; effects: Effect[] }
  | { kind: 'retry'; state: SessionState; effects: Effect[] }
  | { kind: 'fail'; outcome: 'auth-failed' | 'error'; reason: string; effects: Effect[] };

/** `hdr` = the server's Status for our SyncHdr (undefined if it sent none). */
export function onHeaderStatus(configured: AuthType, s: SessionState, hdr: StatusCommand | undefined): ClientAuthVerdict {
  const effects: Effect[] = [];
  let state = s;
  const nextNonce = hdr?.chal?.meta.nextNonce;
  if (nextNonce !== undefined && nextNonce !== '') {
    // HMAC signs every message once a nonce is known
    state = { ...state, clientNonce: nextNonce, sendCred: state.sendCred || state.authType === 'HMAC' };
    effects.push({ kind: 'persistNonce', direction: 'client', nonce: nextNonce });
  }
  if (!hdr) return { kind: 'continue', state, effects };
  const code = Number.parseInt(hdr.data.trim(), 10);
  if (code === 212) {
    return { kind: 'continue', state: { ...state, sendCred: state.authType === 'HMAC' && state.sendCred }, effects };
  }
  if (code >= 200 && code < 300) return { kind: 'continue', state, effects };
  if (code !== 401 && code !== 407) {
    return { kind: 'fail', outcome: 'error', reason: `server answered our SyncHdr with ${hdr.data}`, effects };
  }
  if (state.authRetries >= 1) {
    return { kind: 'fail', outcome: 'auth-failed', reason: `credentials refused again (${code}) after one retry`, effects };
  }
  if (!hdr.chal) return { kind: 'fail', outcome: 'auth-failed', reason: `${code} without a challenge`, effects };
  const asked = authTypeFromUri(hdr.chal.meta.type ?? 'syncml:auth-basic');
  if (asked === undefined) {
    return { kind: 'fail', outcome: 'auth-failed', reason: `challenge for unsupported type ${hdr.chal.meta.type ?? ''}`, effects };
  }
  if (RANK[asked] < RANK[configured]) {
    return {
      kind: 'fail',
      outcome: 'auth-failed',
      reason: `challenged for ${asked} but ${configured} is configured: refusing to downgrade`,
      effects,
    };
  }
  return { kind: 'retry', state: { ...state, authType: asked, sendCred: true, authRetries: state.authRetries + 1 }, effects };
}
