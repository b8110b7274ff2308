import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SessionReport } from '../../../bridge/authority/connection.js';
import { DEFAULT_TIMING, Supervisor, type ScheduleEvent } from '../../../bridge/authority/supervisor.js';
import { silentLogger } from '../../../bridge/core/logger.js';

// Review finding 3: a PollSeconds above ~24.8 days overflowed setTimeout (fires after 1 ms), and every
// successful session scheduled the next poll the same way: hundreds of sessions a second. The real
// timers (DEFAULT_TIMING.timers) now chain waits.

const report: SessionReport = {
  account: 'isp', sessionId: 'x', outcome: 'ok', reason: '', messagesSent: 1, commandsExecuted: 0, alertsAcknowledged: 0, durationMs: 0,
};

test('PollSeconds 2,592,000 (30 days) with the real timers: one session, the next one due in 30 days', async () => {
  let sessions = 0;
  const schedules: ScheduleEvent[] = [];
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(w.name);
  process.on('warning', onWarning);
  const sup = new Supervisor({
    account: 'isp',
    log: silentLogger(),
    timing: { ...DEFAULT_TIMING, pollJitter: 0, onSchedule: (e) => void schedules.push(e) },
    pollSeconds: () => 2_592_000,
    run: () => {
      sessions++;
      return Promise.resolve(report);
    },
  });
  try {
    sup.request({ kind: 'client' }, 'boot', { force: true, wait: false });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(sessions, 1, 'no session storm');
    assert.equal(schedules.length, 1);
    assert.equal(schedules[0]!.reason, 'poll');
    assert.ok(Math.abs(schedules[0]!.delayMs - 2_592_000_000) < 1000, `delay ${schedules[0]!.delayMs}`);
    const next = sup.status().nextSession;
    assert.ok(next !== null && Date.parse(next.at) - Date.now() > 29 * 86_400_000);
    assert.ok(!warnings.includes('TimeoutOverflowWarning'));
  } finally {
    process.off('warning', onWarning);
    await sup.stop();
  }
});
