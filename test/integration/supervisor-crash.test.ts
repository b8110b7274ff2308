// Short crash test (the soak version, test/soak/crash.test.ts, kills 30 times): the real bridge
// process is SIGKILLed 3 times during sessions; acknowledged writes and queued alerts survive and the
// store passes PRAGMA integrity_check after every kill.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCrash } from './crash-scenario.js';

test('bridge SIGKILLed 3 times during sessions: nothing acknowledged is lost', { timeout: 120_000 }, async () => {
  const stats = await runCrash({ kills: 3 });
  assert.equal(stats.kills, 3);
  assert.ok(stats.ackedWrites > 0);
});
