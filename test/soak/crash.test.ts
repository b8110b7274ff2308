// Soak: the real bridge process (`dm-bridge start`, discovery off) is SIGKILLed at random points
// during sessions 30 times; after each restart no acknowledged write (an Add the server got 200 for)
// or queued alert is lost and the store opens cleanly (PRAGMA integrity_check).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCrash } from '../integration/crash-scenario.js';

test('bridge SIGKILLed 30 times during sessions', { timeout: 300_000 }, async () => {
  const stats = await runCrash({ kills: 30 });
  console.log(`crash soak: ${JSON.stringify(stats)}`);
  assert.equal(stats.kills, 30);
  assert.ok(stats.ackedWrites >= 30);
});
