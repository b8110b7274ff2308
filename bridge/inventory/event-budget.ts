/**
 * Device events (joined/left/changed) queued to authorities are rate-limited for the whole
 * inventory by a token bucket: a burst of DEVICE_EVENT_BURST, then DEVICE_EVENTS_PER_MINUTE. Events
 * over it are deferred (first come, first served), never dropped; a deferred device is re-evaluated
 * when its turn comes, so a spoofed device that vanished meanwhile costs no alert at all. A flood
 * of spoofed devices therefore cannot push an MA's genuine alerts out of its outbox cap faster than
 * this rate. A global rate (not per source address) because spoofed packets choose their source.
 */
export const DEVICE_EVENT_BURST = 500;
export const DEVICE_EVENTS_PER_MINUTE = 120;

export interface EventBudgetOptions {
  burst?: number;
  perMinute?: number;
}

export class EventBudget {
  /** Milliseconds of refill one event costs. */
  private readonly costMs: number;
  private readonly maxCredit: number;
  /** Saved-up refill time, in ms (a whole token = costMs). */
  private credit: number;
  private at: number;

  constructor(o: EventBudgetOptions, private readonly now: () => number) {
    this.costMs = 60_000 / Math.max(1, o.perMinute ?? DEVICE_EVENTS_PER_MINUTE);
    this.maxCredit = Math.max(1, o.burst ?? DEVICE_EVENT_BURST) * this.costMs;
    this.credit = this.maxCredit;
    this.at = now();
  }

  /** Spend one event: 0 when allowed now, else the milliseconds until one is available. */
  take(): number {
    const t = this.now();
    this.credit = Math.min(this.maxCredit, this.credit + Math.max(0, t - this.at));
    this.at = t;
    if (this.credit >= this.costMs) {
      this.credit -= this.costMs;
      return 0;
    }
    return Math.max(1, Math.ceil(this.costMs - this.credit));
  }
}
