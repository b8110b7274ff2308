/**
 * Reconnect and polling schedules: exponential backoff with jitter after failed sessions (per-MA
 * supervisors) and after a closed notify channel, and jittered poll intervals so that many gateways
 * do not call an MA at once. Pure functions of (policy, attempt, random): tests check the bounds
 * without waiting.
 */

export interface BackoffPolicy {
  /** Delay before the first retry (ms). */
  initialMs: number;
  /** Growth per further failure. */
  factor: number;
  /** No retry waits longer than this (ms), jitter included. */
  maxMs: number;
  /** Relative jitter in [0, 1): the delay is base * (1 ± jitter), then capped at maxMs. */
  jitter: number;
  /** 'down': jitter only shortens, the delay lies in [base * (1 - jitter), base]. Default: both ways. */
  jitterMode?: 'both' | 'down';
}

/** 5 s, x2 per failure, ±20 %, capped at 10 min. */
export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 5_000, factor: 2, maxMs: 600_000, jitter: 0.2 };

/** Notify channel reconnects (ARCHITECTURE.md: 5 s, x2, capped at 10 min, never gives up); up to a quarter off. */
export const NOTIFY_BACKOFF: BackoffPolicy = { initialMs: 5_000, factor: 2, maxMs: 600_000, jitter: 0.25, jitterMode: 'down' };

/** Relative jitter of the poll interval (pollSeconds * (1 ± POLL_JITTER)). */
export const DEFAULT_POLL_JITTER = 0.1;

/** The un-jittered delay before retry number `attempt` (1 = after the first failure), capped. */
export function baseDelay(policy: BackoffPolicy, attempt: number): number {
  const n = Math.max(1, Math.floor(attempt));
  const d = policy.initialMs * Math.pow(policy.factor, n - 1);
  // no Infinity/NaN for large attempt counts: past the cap it stays at the cap
  return Number.isFinite(d) ? Math.min(d, policy.maxMs) : policy.maxMs;
}

/** The jittered delay before retry number `attempt`; `random` in [0, 1). */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const base = baseDelay(policy, attempt);
  const r = Math.min(1, Math.max(0, random()));
  const spread = base * Math.min(1, Math.max(0, policy.jitter)) * (policy.jitterMode === 'down' ? -r : 2 * r - 1);
  return Math.max(0, Math.min(policy.maxMs, Math.round(base + spread)));
}

/** The inclusive bounds backoffDelay can return for `attempt` (tests assert observed delays against them). */
export function backoffBounds(policy: BackoffPolicy, attempt: number): { min: number; max: number } {
  const base = baseDelay(policy, attempt);
  return {
    min: Math.max(0, Math.floor(base * (1 - policy.jitter))),
    max: policy.jitterMode === 'down' ? base : Math.min(policy.maxMs, Math.ceil(base * (1 + policy.jitter))),
  };
}

/** A poll interval of `pollMs` spread by ±jitter. */
export function pollDelay(pollMs: number, jitter: number, random: () => number = Math.random): number {
  return Math.max(0, Math.round(pollMs * (1 + jitter * (2 * random() - 1))));
}

/** Failure counter of one supervisor: fail() returns the next delay, reset() after a success. */
export class Backoff {
  private n = 0;

  constructor(
    private readonly policy: BackoffPolicy,
    private readonly random: () => number = Math.random,
  ) {}

  get failures(): number {
    return this.n;
  }

  fail(): number {
    this.n++;
    return backoffDelay(this.policy, this.n, this.random);
  }

  reset(): void {
    this.n = 0;
  }
}
