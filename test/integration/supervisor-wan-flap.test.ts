// Short WAN flap (the soak version, test/soak/wan-flap.test.ts, flaps 50 times): both reference
// servers stop and restart 5 times while alerts are produced; every alert arrives exactly once, in
// order, and the supervisors reconnect within the backoff bounds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runWanFlap } from './flap-scenario.js';

test('WAN flap x5: alerts exactly once and in order, retries within backoff bounds', async () => {
  const stats = await runWanFlap({ flaps: 5, backoff: { initialMs: 20, factor: 2, maxMs: 300, jitter: 0.2 }, downMs: [50, 400] });
  assert.equal(stats.flaps, 5);
  assert.ok(stats.alerts > 0);
});
