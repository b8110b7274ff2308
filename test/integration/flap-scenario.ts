/**
 * WAN flap scenario (used by test/integration/supervisor-wan-flap.test.ts with a few flaps and by
 * test/soak/wan-flap.test.ts with 50): both reference servers (DM 1.2 and DM 2.0) are stopped and
 * restarted on the same ports while async Exec results keep entering the outboxes through the app's
 * path. Checks: every alert arrives exactly once and in order; every retry waited within the
 * backoff bounds; after each restart each MA reconnects within the backoff cap.
 */
import assert from 'node:assert/strict';
import { backoffBounds, type BackoffPolicy } from '../../bridge/authority/backoff.js';
import { dm12Correlators, dm2Correlators, supervisorHarness } from './supervisor-harness.js';
import { waitFor } from './util.js';

export interface FlapStats {
  flaps: number;
  alerts: number;
  retries: number;
  maxReconnectMs: number;
  durationMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const between = (a: number, b: number): number => a + Math.floor(Math.random() * (b - a + 1));

export async function runWanFlap(opts: { flaps: number; backoff: BackoffPolicy; downMs: [number, number] }): Promise<FlapStats> {
  const started = Date.now();
  const h = await supervisorHarness([{ account: 'isp', protocol: 'dm1.2' }, { account: 'sec', protocol: 'dm2.0' }], { backoff: opts.backoff });
  const isp = h.dm12.get('isp')!;
  const sec = h.dm2.get('sec')!;
  const ports = { isp: Number(new URL(h.uris.get('isp')!).port), sec: Number(new URL(h.uris.get('sec')!).port) };
  const okSessions = { isp: () => isp.sessions.filter((s) => s.outcome === 'ok').length, sec: () => sec.sessions.filter((s) => s.ended).length };
  let seq = 0;
  const producer = setInterval(() => {
    seq++;
    h.asyncResult('isp', `isp-${seq}`);
    h.asyncResult('sec', `sec-${seq}`);
  }, 7);
  let maxReconnectMs = 0;
  try {
    h.authorities.start();
    await waitFor(() => okSessions.isp() > 0 && okSessions.sec() > 0, 10_000, 'boot sessions');
    for (let i = 0; i < opts.flaps; i++) {
      await sleep(between(20, 120));
      await isp.stop();
      await sec.stop();
      await sleep(between(opts.downMs[0], opts.downMs[1]));
      const before = { isp: okSessions.isp(), sec: okSessions.sec() };
      await isp.start(ports.isp);
      await sec.start(ports.sec);
      const t0 = Date.now();
      // a successful session after the restart: the retry timer (<= cap) or a nudge brings it
      const slack = 2000;
      await waitFor(() => okSessions.isp() > before.isp && okSessions.sec() > before.sec, opts.backoff.maxMs + slack, `reconnect after flap ${i + 1}`);
      maxReconnectMs = Math.max(maxReconnectMs, Date.now() - t0);
    }
  } finally {
    clearInterval(producer);
  }
  try {
    const n = seq;
    // the last alerts go out with the sessions they nudge
    await waitFor(() => h.outbox.count('isp') === 0 && h.outbox.count('sec') === 0 && h.authorities.list().every((s) => s.state === 'idle'), 20_000, 'outboxes drained');
    const want = (a: string) => Array.from({ length: n }, (_, i) => `${a}-${i + 1}`);
    const got12 = dm12Correlators(isp);
    const got2 = dm2Correlators(sec);
    assert.equal(got12.length, n, `DM 1.2: ${got12.length} alerts received for ${n} queued (duplicates: ${got12.length - new Set(got12).size})`);
    assert.deepEqual(got12, want('isp'), 'DM 1.2 alerts exactly once, in order');
    assert.equal(got2.length, n, `DM 2.0: ${got2.length} alerts received for ${n} queued`);
    assert.deepEqual(got2, want('sec'), 'DM 2.0 alerts exactly once, in order');
    const retries = h.schedules.filter((s) => s.reason === 'retry');
    assert.ok(retries.length >= opts.flaps, `the supervisors retried (${retries.length})`);
    for (const r of retries) {
      const b = backoffBounds(opts.backoff, r.failures);
      assert.ok(r.delayMs >= b.min && r.delayMs <= b.max, `retry #${r.failures} waited ${r.delayMs} ms, not in [${b.min}, ${b.max}]`);
    }
    assert.ok(h.authorities.list().every((s) => s.droppedAlerts === 0));
    return { flaps: opts.flaps, alerts: 2 * n, retries: retries.length, maxReconnectMs, durationMs: Date.now() - started };
  } finally {
    await h.close();
  }
}
