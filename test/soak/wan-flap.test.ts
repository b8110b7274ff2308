// Soak: the reference DM 1.2 and DM 2.0 servers are stopped and restarted 50 times while async Exec
// results keep entering the outboxes. Every alert arrives exactly once and in order; every retry
// waits within the (short, injected) backoff bounds; each MA reconnects within the cap.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runWanFlap } from '../integration/flap-scenario.js';

test('WAN flap x50', { timeout: 300_000 }, async () => {
  const stats = await runWanFlap({ flaps: 50, backoff: { initialMs: 20, factor: 2, maxMs: 500, jitter: 0.2 }, downMs: [50, 1200] });
  console.log(`wan-flap soak: ${JSON.stringify(stats)}`);
  assert.equal(stats.flaps, 50);
  assert.ok(stats.maxReconnectMs <= 500 + 2000);
});
