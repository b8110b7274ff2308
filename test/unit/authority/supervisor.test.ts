import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { backoffBounds, backoffDelay, baseDelay, DEFAULT_BACKOFF, pollDelay } from '../../../bridge/authority/backoff.js';
import type { SessionReport } from '../../../bridge/authority/connection.js';
import { Supervisor, type AnyTrigger, type ScheduleEvent, type Timers } from '../../../bridge/authority/supervisor.js';
import { silentLogger } from '../../../bridge/core/logger.js';

/** Virtual time: timers fire only when the test advances the clock. */
class FakeTime implements Timers {
  now = 1_000_000;
  private seq = 0;
  private readonly due = new Map<number, { at: number; fn: () => void }>();
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.due.set(id, { at: this.now + ms, fn });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.due.delete(h as number);
  }
  get pending(): number {
    return this.due.size;
  }
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      const next = [...this.due.entries()].sort((a, b) => a[1].at - b[1].at)[0];
      if (!next || next[1].at > end) break;
      this.due.delete(next[0]);
      this.now = next[1].at;
      next[1].fn();
      await flush();
    }
    this.now = end;
    await flush();
  }
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
};

const report = (outcome: SessionReport['outcome']): SessionReport => ({
  account: 'a', sessionId: '1', outcome, reason: '', messagesSent: 1, commandsExecuted: 0, alertsAcknowledged: 0, durationMs: 0,
});

function make(outcomes: Array<SessionReport['outcome'] | 'throw'>, poll = 0, random = () => 0.5) {
  const time = new FakeTime();
  const runs: Array<{ trigger: AnyTrigger; at: number }> = [];
  const schedules: ScheduleEvent[] = [];
  let pollSeconds: number | null = poll;
  let release: (() => void) | null = null;
  let hold = false;
  const sup = new Supervisor({
    account: 'a',
    run: async (trigger) => {
      runs.push({ trigger, at: time.now });
      if (hold) await new Promise<void>((r) => (release = r));
      const o = outcomes.shift() ?? 'ok';
      if (o === 'throw') throw new Error('connect ECONNREFUSED');
      return report(o);
    },
    pollSeconds: () => pollSeconds,
    timing: {
      backoff: DEFAULT_BACKOFF, pollJitter: 0.1, clock: { now: () => time.now }, timers: time, random,
      onSchedule: (e) => schedules.push(e),
    },
    log: silentLogger(),
  });
  return {
    sup, time, runs, schedules,
    setPoll: (s: number | null) => (pollSeconds = s),
    hold: (v: boolean) => (hold = v),
    release: () => release?.(),
  };
}

describe('backoff schedule', () => {
  test('5 s, x2, capped at 10 min; jitter stays within ±20 % and never above the cap', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 50].map((n) => baseDelay(DEFAULT_BACKOFF, n)), [5000, 10000, 20000, 40000, 80000, 160000, 320000, 600000, 600000, 600000]);
    fc.assert(fc.property(fc.integer({ min: 1, max: 1000 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (n, r) => {
      const d = backoffDelay(DEFAULT_BACKOFF, n, () => r);
      const b = backoffBounds(DEFAULT_BACKOFF, n);
      return d >= b.min && d <= b.max && d <= 600_000;
    }));
    assert.equal(backoffDelay(DEFAULT_BACKOFF, 1, () => 0), 4000);
    assert.equal(backoffDelay(DEFAULT_BACKOFF, 1, () => 0.999999), 6000);
  });

  test('poll delay spreads by ±jitter', () => {
    assert.equal(pollDelay(60_000, 0.1, () => 0), 54_000);
    assert.equal(pollDelay(60_000, 0.1, () => 0.5), 60_000);
    assert.ok(pollDelay(60_000, 0.1, () => 0.999999) <= 66_000);
  });
});

describe('Supervisor', () => {
  test('failed sessions are retried after 5 s, 10 s, 20 s ...; a success resets the backoff', async () => {
    const h = make(['error', 'throw', 'auth-failed', 'ok', 'error']);
    await h.sup.request({ kind: 'client' }, 'boot', { force: true, wait: true })!;
    await flush();
    assert.equal(h.runs.length, 1);
    assert.deepEqual(h.sup.status().backoff?.failures, 1);
    await h.time.advance(4999);
    assert.equal(h.runs.length, 1, 'not before 5 s');
    await h.time.advance(1);
    assert.equal(h.runs.length, 2);
    await h.time.advance(10_000);
    assert.equal(h.runs.length, 3);
    await h.time.advance(20_000);
    assert.equal(h.runs.length, 4, 'the 4th session succeeds');
    assert.equal(h.sup.status().backoff, null);
    assert.equal(h.time.pending, 0, 'pollSeconds 0: no poll timer');
    await h.sup.request({ kind: 'client' }, 'manual', { force: true, wait: true })!;
    await flush();
    assert.deepEqual(h.schedules.map((s) => [s.reason, s.delayMs, s.failures]), [
      ['retry', 5000, 1], ['retry', 10000, 2], ['retry', 20000, 3], ['retry', 5000, 1],
    ]);
  });

  test('a nudge waits for the retry while backing off; a manual trigger runs at once', async () => {
    const h = make(['error']);
    await h.sup.request({ kind: 'client' }, 'boot', { force: true, wait: true })!;
    await flush();
    assert.equal(h.sup.request({ kind: 'alert' }, 'alert', { force: false, wait: false }), null);
    await flush();
    assert.equal(h.runs.length, 1, 'nudge deferred to the retry');
    const r = await h.sup.request({ kind: 'client' }, 'manual', { force: true, wait: true })!;
    assert.equal(r.outcome, 'ok');
    assert.equal(h.runs.length, 2);
    await flush();
    assert.equal(h.sup.status().backoff, null);
  });

  test('triggers during a session coalesce into one more; a server trigger wins', async () => {
    const h = make([]);
    h.hold(true);
    const first = h.sup.request({ kind: 'client' }, 'boot', { force: true, wait: true })!;
    await flush();
    const a = h.sup.request({ kind: 'alert' }, 'alert', { force: false, wait: true })!;
    const b = h.sup.request({ kind: 'server', sessionId: 'AB12' }, 'notification', { force: true, wait: true })!;
    h.sup.request({ kind: 'alert' }, 'alert', { force: false, wait: false });
    h.hold(false);
    h.release();
    await first;
    const [ra, rb] = await Promise.all([a, b]);
    assert.equal(ra, rb, 'one session served both');
    assert.deepEqual(h.runs.map((r) => r.trigger), [{ kind: 'client' }, { kind: 'server', sessionId: 'AB12' }]);
  });

  test('polls every pollSeconds ± jitter after the last session; reschedule() applies a new interval', async () => {
    const h = make([], 3600, () => 0); // jitter low end: 0.9 x
    await h.sup.request({ kind: 'client' }, 'boot', { force: true, wait: true })!;
    await flush();
    assert.equal(h.sup.status().nextSession?.reason, 'poll');
    await h.time.advance(3240_000);
    assert.equal(h.runs.length, 2);
    h.setPoll(60);
    h.sup.reschedule();
    assert.equal(h.schedules.at(-1)!.delayMs, 54_000);
    await h.time.advance(54_000);
    assert.equal(h.runs.length, 3);
    h.setPoll(null); // account gone: the supervisor stops by itself after its session
    await h.time.advance(60_000);
    await flush();
    assert.equal(h.sup.isStopped, true);
    assert.equal(h.time.pending, 0);
  });

  test('stop() aborts the running session and rejects waiting requests', async () => {
    const h = make([]);
    h.hold(true);
    h.sup.request({ kind: 'client' }, 'boot', { force: true, wait: true })!.catch(() => undefined);
    await flush();
    const waiting = h.sup.request({ kind: 'client' }, 'manual', { force: true, wait: true })!;
    const stopped = h.sup.stop();
    await assert.rejects(waiting, /stopped/);
    h.release();
    await stopped;
    assert.throws(() => h.sup.request({ kind: 'client' }, 'manual', { force: true, wait: true }), /stopped/);
    assert.equal(h.runs.length, 1);
  });
});
