// Three Management Authorities supervised at once (two DM 1.2, one DM 2.0), each against its own
// reference server on loopback: each gets its own boot session, its own scripted commands answered,
// and only its own alerts, in order.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { get } from '../peers/dm12-script.js';
import { dm12Correlators, dm2Correlators, FAST_BACKOFF, supervisorHarness, waitFor, type SupHarness } from './supervisor-harness.js';

let h: SupHarness;
after(async () => h?.close());

test('three MAs at once: own sessions, own commands, only own alerts', async () => {
  h = await supervisorHarness(
    [{ account: 'isp', protocol: 'dm1.2' }, { account: 'oem', protocol: 'dm1.2' }, { account: 'sec', protocol: 'dm2.0' }],
    { backoff: FAST_BACKOFF },
  );
  const isp = h.dm12.get('isp')!;
  const oem = h.dm12.get('oem')!;
  const sec = h.dm2.get('sec')!;
  isp.queue([get('./DMAcc/isp/ServerID')]);
  oem.queue([get('./DMAcc/oem/ServerID')]);
  sec.queue([{ id: 1, cmd: 'GET', uri: './DMAcc/sec/ServerID' }]);
  // alerts queued before start go out with the boot sessions
  h.asyncResult('isp', 'isp-1');
  h.asyncResult('oem', 'oem-1');
  h.asyncResult('sec', 'sec-1');
  h.authorities.start();
  await isp.waitForSessions(1);
  await oem.waitForSessions(1);
  await waitFor(() => sec.sessions.some((s) => s.ended), 10_000, 'DM 2.0 boot session');
  // exactly one session per MA so far (a nudge before start() opens none): it took the script
  assert.deepEqual([isp.sessions.length, oem.sessions.length, sec.sessions.length, isp.pendingSteps, oem.pendingSteps, sec.pendingSteps], [1, 1, 1, 0, 0, 0]);
  const got = (s: typeof isp): string[] => s.sessions.flatMap((x) => x.results.flatMap((r) => r.items.map((i) => i.data ?? '')));
  assert.deepEqual(got(isp), ['isp.dm12.test'], JSON.stringify(isp.sessions.map((x) => [x.outcome, x.statuses.map((t) => t.code)])));
  assert.deepEqual(got(oem), ['oem.dm12.test']);
  assert.deepEqual(sec.sessions[0]!.results, [{ id: 1, status: 200, data: 'sec.dm2.test' }]);

  // interleaved alerts while all three run: each server receives exactly its own, in order
  for (let i = 2; i <= 12; i++) for (const a of ['isp', 'oem', 'sec']) h.asyncResult(a, `${a}-${i}`);
  const want = (a: string) => Array.from({ length: 12 }, (_, i) => `${a}-${i + 1}`);
  await waitFor(() => ['isp', 'oem', 'sec'].every((a) => h.outbox.count(a) === 0) && h.authorities.list().every((s) => s.state === 'idle'), 10_000, 'outboxes drained');
  assert.deepEqual(dm12Correlators(isp), want('isp'));
  assert.deepEqual(dm12Correlators(oem), want('oem'));
  assert.deepEqual(dm2Correlators(sec), want('sec'));
  // sessions were coalesced per MA (never one per alert), and every session ended ok
  for (const s of [isp, oem]) {
    assert.ok(s.sessions.length >= 1 && s.sessions.length <= 12, `${s.sessions.length} sessions`);
    assert.ok(s.sessions.every((x) => x.outcome === 'ok'));
  }
  const list = h.authorities.list();
  assert.deepEqual(list.map((s) => [s.account, s.protocol, s.lastSession?.outcome, s.backoff, s.queuedAlerts, s.droppedAlerts]), [
    ['isp', 'dm1.2', 'ok', null, 0, 0], ['oem', 'dm1.2', 'ok', null, 0, 0], ['sec', 'dm2.0', 'ok', null, 0, 0],
  ]);
  assert.ok(list.every((s) => s.nextSession === null), 'pollSeconds 0: nothing scheduled');
});
