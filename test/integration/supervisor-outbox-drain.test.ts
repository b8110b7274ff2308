// Review finding 6: a session delivers at most 100 queued alerts, and nothing started another session
// while alerts remained: the rest waited for the next poll (a day). Now a session that got alerts
// acknowledged is followed by another one at once while the outbox still holds alerts, and only
// then (a server that acknowledges nothing causes no loop).
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { execResultAlert } from '../../bridge/authority/generic-alert.js';
import { dm12Correlators, dm2Correlators, supervisorHarness, waitFor, type SupHarness } from './supervisor-harness.js';

let h: SupHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Queue `n` Generic Alerts (async Exec results) for the account, without nudging. */
function queue(harness: SupHarness, account: string, n: number): string[] {
  const correlators: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = `c-${String(i).padStart(3, '0')}`;
    correlators.push(c);
    harness.outbox.add(account, JSON.stringify(execResultAlert({ uri: './Ops/Job', correlator: c, status: 200 })), Date.now());
  }
  return correlators;
}

test('DM 1.2: 250 queued alerts all reach the server in back-to-back sessions, not one poll later', async () => {
  h = await supervisorHarness([{ account: 'isp', protocol: 'dm1.2', pollSeconds: 86400 }]);
  const expected = queue(h, 'isp', 250);
  h.authorities.start();
  const server = h.dm12.get('isp')!;
  await waitFor(() => h!.outbox.count('isp') === 0, 15_000, 'the outbox drained');
  await sleep(100);
  assert.deepEqual([...new Set(dm12Correlators(server))].sort(), expected);
  assert.equal(server.sessions.length, 3, 'boot session (100) + two follow-ups (100, 50), then nothing');
  const polls = h.schedules.filter((s) => s.account === 'isp');
  assert.ok(polls.every((s) => s.reason === 'poll' && s.delayMs > 77_000_000), 'the next session is the daily poll');
});

test('DM 1.2: a server that acknowledges no alert gets no follow-up session (no loop)', async () => {
  h = await supervisorHarness([{ account: 'isp', protocol: 'dm1.2', pollSeconds: 86400 }]);
  const server = h.dm12.get('isp')!;
  server.opts.genericAlertStatus = () => 500;
  queue(h, 'isp', 150);
  h.authorities.start();
  await waitFor(() => server.sessions.length >= 1 && h!.authorities.list()[0]!.state === 'idle' && h!.authorities.list()[0]!.lastSession !== null, 10_000, 'the boot session');
  await sleep(500);
  assert.equal(server.sessions.length, 1);
  assert.equal(h.outbox.count('isp'), 150);
  assert.equal(h.authorities.list()[0]!.lastSession?.alertsAcknowledged, 0);
});

test('DM 2.0: 230 queued alerts are all delivered without waiting for the poll', async () => {
  h = await supervisorHarness([{ account: 'sec', protocol: 'dm2.0', pollSeconds: 86400 }]);
  const expected = queue(h, 'sec', 230);
  h.authorities.start();
  await waitFor(() => h!.outbox.count('sec') === 0, 15_000, 'the outbox drained');
  const server = h.dm2.get('sec')!;
  assert.deepEqual([...new Set(dm2Correlators(server))].sort(), expected);
  assert.equal(server.sessions.length, 3);
});
