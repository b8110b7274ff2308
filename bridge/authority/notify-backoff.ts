/** Reconnect schedule of the notify channel: jittered exponential backoff that never gives up. */

export interface BackoffPolicy {
  /** First delay (ms). */
  baseMs: number;
  /** Growth per failed attempt. */
  factor: number;
  /** Cap (ms). */
  maxMs: number;
  /** Fraction (0..1) taken off at random: the delay lies in [nominal * (1 - jitter), nominal]. */
  jitter: number;
}

/** ARCHITECTURE.md: 5 s, x2, capped at 10 min. */
export const NOTIFY_BACKOFF: BackoffPolicy = { baseMs: 5_000, factor: 2, maxMs: 600_000, jitter: 0.25 };

/** Delay before attempt `attempt` (0 = the first reconnect) without jitter: min(max, base * factor^attempt). */
export function nominalDelay(attempt: number, p: BackoffPolicy = NOTIFY_BACKOFF): number {
  const n = Math.max(0, Math.floor(attempt));
  const d = p.baseMs * Math.pow(p.factor, n);
  return Number.isFinite(d) ? Math.min(p.maxMs, d) : p.maxMs;
}

/** The jittered delay: in [nominal * (1 - jitter), nominal]; `random` returns [0, 1). Never above the cap. */
export function backoffDelay(attempt: number, p: BackoffPolicy = NOTIFY_BACKOFF, random: () => number = Math.random): number {
  const nominal = nominalDelay(attempt, p);
  const j = Math.min(1, Math.max(0, p.jitter));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(nominal * (1 - j * r));
}
