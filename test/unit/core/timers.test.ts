import assert from 'node:assert/strict';
import { test } from 'node:test';
import { longTimeout, MAX_TIMEOUT_MS } from '../../../bridge/core/timers.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('a delay beyond 2^31-1 ms does not fire early (plain setTimeout would fire after 1 ms)', async () => {
  let fired = 0;
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(w.name);
  process.on('warning', onWarning);
  try {
    const t30d = longTimeout(() => fired++, 2_592_000_000);
    const tMax = longTimeout(() => fired++, MAX_TIMEOUT_MS + 1);
    await sleep(60);
    assert.equal(fired, 0);
    t30d.clear();
    tMax.clear();
  } finally {
    process.off('warning', onWarning);
  }
  assert.ok(!warnings.includes('TimeoutOverflowWarning'), 'no overflow warning');
});

test('short delays fire once; clear() cancels; NaN/negative fire soon; Infinity never', async () => {
  const got: string[] = [];
  longTimeout(() => got.push('short'), 5);
  const cancelled = longTimeout(() => got.push('cancelled'), 5);
  cancelled.clear();
  longTimeout(() => got.push('nan'), Number.NaN);
  longTimeout(() => got.push('neg'), -10);
  const never = longTimeout(() => got.push('inf'), Infinity);
  await sleep(40);
  assert.deepEqual(got.sort(), ['nan', 'neg', 'short']);
  never.clear();
  cancelled.clear(); // idempotent
});

test('chained waits: fires exactly at the requested time, across several 2^31-1 ms segments', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let fired = 0;
  const total = 2 * MAX_TIMEOUT_MS + 1000;
  longTimeout(() => fired++, total);
  t.mock.timers.tick(MAX_TIMEOUT_MS);
  assert.equal(fired, 0);
  t.mock.timers.tick(MAX_TIMEOUT_MS);
  assert.equal(fired, 0);
  t.mock.timers.tick(999);
  assert.equal(fired, 0);
  t.mock.timers.tick(1);
  assert.equal(fired, 1);
  t.mock.timers.tick(10 * MAX_TIMEOUT_MS);
  assert.equal(fired, 1, 'fires once');
});

test('clear() between segments stops the chain', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let fired = 0;
  const h = longTimeout(() => fired++, MAX_TIMEOUT_MS + 10);
  t.mock.timers.tick(MAX_TIMEOUT_MS + 1);
  h.clear();
  t.mock.timers.tick(MAX_TIMEOUT_MS);
  assert.equal(fired, 0);
});
