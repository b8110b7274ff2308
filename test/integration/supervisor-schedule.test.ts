// Supervisor schedules against real reference servers: failed sessions (server down, wrong password)
// back off within bounds and recover; polling with jitter (timers scaled 1000x down).
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { backoffBounds, DEFAULT_BACKOFF } from '../../bridge/authority/backoff.js';
import { scaledTimers, supervisorHarness, waitFor, type SupHarness } from './supervisor-harness.js';

let h: SupHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

test('backoff: server down -> retries at 5 s, 10 s, 20 s ... (±20 %, scaled), manual runs at once, recovery resets', async () => {
  h = await supervisorHarness([{ account: 'isp', protocol: 'dm1.2', pollSeconds: 3600 }, { account: 'sec', protocol: 'dm2.0', wrongPassword: true }], {
    backoff: DEFAULT_BACKOFF, timers: scaledTimers(0.001),
  });
  const isp = h.dm12.get('isp')!;
  const port = Number(new URL(h.uris.get('isp')!).port);
  await isp.stop();
  h.authorities.start();
  await waitFor(() => h!.schedules.filter((s) => s.account === 'isp' && s.reason === 'retry').length >= 6, 10_000, 'six retries');
  const retries = h.schedules.filter((s) => s.account === 'isp' && s.reason === 'retry');
  retries.slice(0, 6).forEach((r, i) => {
    assert.equal(r.failures, i + 1);
    const b = backoffBounds(DEFAULT_BACKOFF, i + 1);
    assert.ok(r.delayMs >= b.min && r.delayMs <= b.max, `retry ${i + 1}: ${r.delayMs} not in [${b.min}, ${b.max}]`);
  });
  assert.ok(retries[5]!.delayMs >= 128_000, 'the 6th retry waits 160 s ± 20 %');
  const st = h.authorities.list().find((s) => s.account === 'isp')!;
  assert.ok(st.backoff && st.backoff.failures >= 6 && st.nextSession?.reason === 'retry');
  assert.equal(st.lastSession?.outcome, 'error');
  // auth-failed counts as a failure too
  const sec = h.authorities.list().find((s) => s.account === 'sec')!;
  assert.equal(sec.lastSession?.outcome, 'auth-failed');
  assert.ok(sec.backoff && sec.backoff.failures >= 1);

  // a manual trigger runs at once, whatever the backoff says
  const before = h.schedules.length;
  const r = await h.authorities.trigger('isp');
  assert.equal(r.outcome, 'error');
  assert.ok(h.schedules.length > before);

  await isp.start(port);
  isp.queue([]);
  const ok = await h.authorities.trigger('isp');
  assert.equal(ok.outcome, 'ok');
  await waitFor(() => h!.authorities.list().find((s) => s.account === 'isp')!.backoff === null, 2000, 'backoff reset');
  const after = h.authorities.list().find((s) => s.account === 'isp')!;
  assert.equal(after.nextSession?.reason, 'poll');
  const last = h.schedules.filter((s) => s.account === 'isp').at(-1)!;
  assert.equal(last.reason, 'poll');
  assert.ok(last.delayMs >= 3_240_000 && last.delayMs <= 3_960_000, `poll ${last.delayMs}`);
});

test('polling: each MA polls every pollSeconds ± 10 %, spread apart, without triggers', async () => {
  h = await supervisorHarness(
    [{ account: 'a', protocol: 'dm1.2', pollSeconds: 60 }, { account: 'b', protocol: 'dm1.2', pollSeconds: 60 }, { account: 'c', protocol: 'dm2.0', pollSeconds: 90 }],
    { timers: scaledTimers(0.001) },
  );
  h.authorities.start();
  await waitFor(() => h!.dm12.get('a')!.sessions.length >= 5 && h!.dm12.get('b')!.sessions.length >= 5 && h!.dm2.get('c')!.sessions.length >= 4, 15_000, 'polled sessions');
  const polls = h.schedules.filter((s) => s.reason === 'poll');
  for (const p of polls) {
    const base = p.account === 'c' ? 90_000 : 60_000;
    assert.ok(p.delayMs >= base * 0.9 - 1 && p.delayMs <= base * 1.1 + 1, `${p.account} poll ${p.delayMs}`);
  }
  const delays = new Set(polls.map((p) => p.delayMs));
  assert.ok(delays.size > polls.length / 2, 'jitter spreads the polls');
  assert.ok(h.dm12.get('a')!.sessions.every((s) => s.outcome === 'ok'));
  assert.ok(h.authorities.list().every((s) => s.backoff === null && s.lastSession?.outcome === 'ok'));
});
