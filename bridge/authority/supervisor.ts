import { BridgeError } from '../core/errors.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { longTimeout, type LongTimeout } from '../core/timers.js';
import { Backoff, DEFAULT_BACKOFF, DEFAULT_POLL_JITTER, pollDelay, type BackoffPolicy } from './backoff.js';
import type { SessionReport } from './connection.js';
import type { Dm2SessionTrigger } from './dm2-connection.js';

/** Why a session runs on the wire: DM 1.2 treats `alert` as client-initiated. */
export type AnyTrigger = { kind: 'client' } | Dm2SessionTrigger;

/** What caused a session (logged, shown in list()). */
export type SessionCause = 'boot' | 'poll' | 'retry' | 'notification' | 'alert' | 'manual';

/** Injectable timers (tests drive them fast); handles are opaque. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Real timers, unref'd: a scheduled poll never keeps the process alive on its own. Delays beyond
 * setTimeout's 2^31-1 ms (a PollSeconds over ~24.8 days) are chained, never cut to 1 ms.
 */
export const systemTimers: Timers = {
  setTimeout: (fn, ms) => longTimeout(fn, ms),
  clearTimeout: (h) => (h as LongTimeout).clear(),
};

export interface ScheduleEvent {
  account: string;
  reason: 'poll' | 'retry';
  delayMs: number;
  /** Epoch ms the session is due. */
  at: number;
  /** Consecutive failed sessions so far (0 for a poll). */
  failures: number;
}

export interface SupervisorTiming {
  backoff: BackoffPolicy;
  /** Relative jitter of the poll interval. */
  pollJitter: number;
  clock: Clock;
  timers: Timers;
  random: () => number;
  /** Observes every scheduled session (tests, metrics). */
  onSchedule?: (e: ScheduleEvent) => void;
}

export const DEFAULT_TIMING: SupervisorTiming = {
  backoff: DEFAULT_BACKOFF, pollJitter: DEFAULT_POLL_JITTER, clock: systemClock, timers: systemTimers, random: Math.random,
};

export interface SupervisorStatus {
  state: 'idle' | 'in-session';
  lastSession: SessionReport | null;
  /** The message of the last session that threw (cleared by a successful one). */
  lastError: string | null;
  /** Present while failed sessions are being retried. */
  backoff: { failures: number; retryAt: string } | null;
  nextSession: { at: string; reason: 'poll' | 'retry' } | null;
}

export interface SupervisorDeps {
  account: string;
  /** Run one session (protocol chosen by the caller from the account's current settings). */
  run(trigger: AnyTrigger, signal: AbortSignal): Promise<SessionReport>;
  /** The account's current pollSeconds (0 = no polling), or null once the account is gone. */
  pollSeconds(): number | null;
  /**
   * Does the outbox still hold alerts for the account? A session delivers at most one batch (100);
   * after a session that got alerts acknowledged, another one follows at once while this says so.
   */
  alertsPending?(): boolean;
  timing: SupervisorTiming;
  log: Logger;
}

interface Waiter {
  resolve(r: SessionReport): void;
  reject(e: unknown): void;
}

interface Pending {
  trigger: AnyTrigger;
  cause: SessionCause;
  /** Runs even while backing off (manual, notification, boot). */
  force: boolean;
  waiters: Waiter[];
}

/**
 * One Management Authority's supervisor: at most one session at a time; sessions on boot, on the
 * poll timer (pollSeconds ± jitter), on a server notification, for pending alerts (nudge) and on
 * demand. A failed session (outcome error/auth-failed, or a thrown error) is retried after an
 * exponential, jittered, capped backoff; a success resets it. While backing off, a nudge waits
 * for the retry; manual and notification triggers run at once. Nothing stops it but stop().
 */
export class Supervisor {
  private running: Promise<void> | null = null;
  private abort: AbortController | null = null;
  private pending: Pending | null = null;
  private timer: unknown = null;
  private next: { at: number; reason: 'poll' | 'retry' } | null = null;
  private readonly backoff: Backoff;
  private last: SessionReport | null = null;
  private lastError: string | null = null;
  private lastEnd: number | null = null;
  private stopped = false;

  constructor(private readonly d: SupervisorDeps) {
    this.backoff = new Backoff(d.timing.backoff, d.timing.random);
  }

  get account(): string {
    return this.d.account;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Ask for a session. Returns the promise of the session that serves the request when `wait`, else null. */
  request(trigger: AnyTrigger, cause: SessionCause, opts: { force: boolean; wait: boolean }): Promise<SessionReport> | null {
    if (this.stopped) throw new BridgeError('NOT_ALLOWED', `the supervisor of "${this.d.account}" is stopped`);
    const waiters: Waiter[] = [];
    const p = opts.wait ? new Promise<SessionReport>((resolve, reject) => waiters.push({ resolve, reject })) : null;
    if (this.running) {
      this.merge({ trigger, cause, force: opts.force, waiters });
    } else if (!opts.force && this.backingOff()) {
      this.d.log.debug({ authority: this.d.account, cause, retryAt: this.next?.at }, 'backing off: the retry will serve this request');
    } else {
      this.launch({ trigger, cause, force: opts.force, waiters });
    }
    return p;
  }

  /** Settings changed (Replace): the next poll is computed from the new pollSeconds. */
  reschedule(): void {
    if (this.stopped || this.running || this.backingOff()) return;
    this.schedulePoll();
  }

  /** Abort the running session, cancel timers, fail waiting requests; resolves once the session ended. */
  async stop(): Promise<void> {
    if (this.stopped) return this.running ?? undefined;
    this.stopped = true;
    this.clearTimer();
    this.abort?.abort();
    const p = this.pending;
    this.pending = null;
    for (const w of p?.waiters ?? []) w.reject(new BridgeError('NOT_ALLOWED', `the supervisor of "${this.d.account}" stopped`));
    await this.running;
  }

  status(): SupervisorStatus {
    const iso = (ms: number): string => new Date(ms).toISOString();
    const retry = this.backingOff() && this.next ? this.next : null;
    return {
      state: this.running ? 'in-session' : 'idle',
      lastSession: this.last,
      lastError: this.lastError,
      backoff: this.backoff.failures > 0 ? { failures: this.backoff.failures, retryAt: retry ? iso(retry.at) : '' } : null,
      nextSession: this.next ? { at: iso(this.next.at), reason: this.next.reason } : null,
    };
  }

  private backingOff(): boolean {
    return this.backoff.failures > 0 && this.next?.reason === 'retry';
  }

  private merge(req: Pending): void {
    const p = this.pending;
    if (!p) {
      this.pending = req;
      return;
    }
    // a server notification carries the session id the MA waits for: the latest one wins; a
    // client trigger outranks an alert one (DM 2.0 tells the server why the session runs)
    if (req.trigger.kind === 'server' || (p.trigger.kind === 'alert' && req.trigger.kind === 'client')) p.trigger = req.trigger;
    if (req.trigger.kind === 'server' || (req.force && !p.force)) p.cause = req.cause;
    p.force ||= req.force;
    p.waiters.push(...req.waiters);
  }

  private launch(req: Pending): void {
    this.clearTimer();
    const abort = new AbortController();
    this.abort = abort;
    const { account } = this.d;
    this.d.log.debug({ authority: account, cause: req.cause, trigger: req.trigger.kind }, 'session due');
    let failed = false;
    let done: SessionReport | null = null;
    let session: Promise<SessionReport>;
    try {
      session = this.d.run(req.trigger, abort.signal);
    } catch (err) {
      session = Promise.reject(err);
    }
    // the waiters learn the outcome once the next session is scheduled (list() is then current)
    let settle: () => void = () => undefined;
    this.running = session.then(
      (report) => {
        this.last = report;
        done = report;
        this.lastError = null;
        failed = report.outcome === 'error' || report.outcome === 'auth-failed';
        settle = () => req.waiters.forEach((w) => w.resolve(report));
      },
      (err: unknown) => {
        failed = true;
        this.lastError = err instanceof Error ? err.message : String(err);
        this.d.log.error({ err, authority: account, cause: req.cause }, 'session failed');
        settle = () => req.waiters.forEach((w) => w.reject(err));
      },
    ).then(() => {
      this.after(failed, done);
      settle();
    });
  }

  /**
   * A session ended: schedule the retry or the next poll, then serve what was asked meanwhile, or
   * drain the outbox: a session that got alerts acknowledged while more remain is followed by
   * another one at once (bounded: only while each session makes progress).
   */
  private after(failed: boolean, report: SessionReport | null): void {
    this.running = null;
    this.abort = null;
    this.lastEnd = this.d.timing.clock.now();
    if (this.stopped) return;
    if (this.d.pollSeconds() === null) {
      // the account is gone (its Delete event was not seen): nothing left to supervise
      this.d.log.info({ authority: this.d.account }, 'account gone: supervisor stops');
      this.stopped = true;
      this.clearTimer();
      for (const w of this.pending?.waiters ?? []) w.reject(new BridgeError('NODE_NOT_FOUND', `no authority "${this.d.account}"`));
      this.pending = null;
      return;
    }
    try {
      if (failed) {
        const delay = this.backoff.fail();
        this.schedule('retry', delay);
        this.d.log.warn({ authority: this.d.account, failures: this.backoff.failures, retryInMs: delay }, 'session failed: retrying later');
      } else {
        this.backoff.reset();
        this.schedulePoll();
      }
      const p = this.pending;
      this.pending = null;
      if (p && (p.force || !failed)) this.launch(p);
      else if (!failed && this.drainMore(report)) this.launch({ trigger: { kind: 'alert' }, cause: 'alert', force: false, waiters: [] });
    } catch (err) {
      this.d.log.error({ err, authority: this.d.account }, 'supervisor scheduling failed');
    }
  }

  /** More queued alerts, and the last session got some acknowledged (no loop with a server that never does). */
  private drainMore(report: SessionReport | null): boolean {
    if (report === null || report.outcome !== 'ok' || report.alertsAcknowledged <= 0) return false;
    const more = this.d.alertsPending?.() === true;
    if (more) this.d.log.debug({ authority: this.d.account, acknowledged: report.alertsAcknowledged }, 'alerts remain queued: another session');
    return more;
  }

  private schedulePoll(): void {
    const seconds = this.d.pollSeconds();
    if (seconds === null || seconds <= 0) {
      this.clearTimer();
      return;
    }
    const now = this.d.timing.clock.now();
    const at = (this.lastEnd ?? now) + pollDelay(seconds * 1000, this.d.timing.pollJitter, this.d.timing.random);
    this.schedule('poll', Math.max(0, at - now));
  }

  private schedule(reason: 'poll' | 'retry', delayMs: number): void {
    this.clearTimer();
    const at = this.d.timing.clock.now() + delayMs;
    this.next = { at, reason };
    this.timer = this.d.timing.timers.setTimeout(() => this.fire(reason), delayMs);
    this.d.timing.onSchedule?.({ account: this.d.account, reason, delayMs, at, failures: this.backoff.failures });
  }

  private fire(reason: 'poll' | 'retry'): void {
    this.timer = null;
    if (this.stopped || this.running) return;
    // keep `next` (a retry stays "backing off") until the session starts
    this.launch({ trigger: { kind: 'client' }, cause: reason, force: true, waiters: [] });
  }

  private clearTimer(): void {
    if (this.timer !== null) this.d.timing.timers.clearTimeout(this.timer);
    this.timer = null;
    this.next = null;
  }
}
