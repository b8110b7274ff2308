import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { backoffBounds, backoffDelay, baseDelay, NOTIFY_BACKOFF, type BackoffPolicy } from '../../../bridge/authority/backoff.js';

/** The notify channel counts attempts from 0 (the first reconnect); the shared schedule from 1. */
const nominalDelay = (attempt: number): number => baseDelay(NOTIFY_BACKOFF, attempt + 1);
const delay = (attempt: number, p: BackoffPolicy, random: () => number): number => backoffDelay(p, attempt + 1, random);

describe('notify channel reconnect schedule', () => {
  test('5 s, x2, capped at 10 min, and it stays there for ever', () => {
    const seq = Array.from({ length: 10 }, (_, i) => nominalDelay(i));
    assert.deepEqual(seq, [5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 320_000, 600_000, 600_000, 600_000]);
    assert.equal(nominalDelay(10_000), 600_000);
    assert.equal(nominalDelay(Number.MAX_SAFE_INTEGER), 600_000, 'no overflow to Infinity or NaN');
    assert.equal(nominalDelay(-3), 5_000);
  });

  test('jitter takes off at most a quarter: random 0 gives the nominal delay, random ~1 three quarters', () => {
    assert.equal(delay(0, NOTIFY_BACKOFF, () => 0), 5_000);
    assert.equal(delay(0, NOTIFY_BACKOFF, () => 0.999999), 3_750);
    assert.equal(delay(7, NOTIFY_BACKOFF, () => 0.5), 525_000);
  });

  test('property: every delay lies in [0.75 nominal, nominal] and never above the cap', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 200 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
      const d = delay(attempt, NOTIFY_BACKOFF, () => r);
      const n = nominalDelay(attempt);
      assert.ok(d >= Math.floor(n * 0.75) && d <= n, `${d} outside [${n * 0.75}, ${n}]`);
      assert.ok(d <= NOTIFY_BACKOFF.maxMs);
      const b = backoffBounds(NOTIFY_BACKOFF, attempt + 1);
      assert.ok(d >= b.min && d <= b.max, `${d} outside backoffBounds [${b.min}, ${b.max}]`);
    }));
  });

  test('an injected policy (tests use short timings) follows the same rule', () => {
    const p: BackoffPolicy = { initialMs: 100, factor: 3, maxMs: 1000, jitter: 0 };
    assert.deepEqual([0, 1, 2, 3].map((a) => delay(a, p, () => 0.9)), [100, 300, 900, 1000]);
  });

  test('a factor of 1 with a huge attempt count returns at once (no loop per attempt)', () => {
    const p: BackoffPolicy = { initialMs: 100, factor: 1, maxMs: 1000, jitter: 0 };
    assert.equal(baseDelay(p, Number.MAX_SAFE_INTEGER), 100);
  });
});
