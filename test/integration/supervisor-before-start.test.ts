// Alerts queued before Authorities.start() wait for the boot session: a nudge before start opens no
// session, and each MA's single boot session carries its queued alerts and answers its script.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { get } from '../peers/dm12-script.js';
import { dm12Correlators, dm2Correlators, supervisorHarness, waitFor, type SupHarness } from './supervisor-harness.js';

let h: SupHarness;
after(async () => h?.close());

test('alerts queued before start: no session until start, then one boot session carries them', async () => {
  h = await supervisorHarness([{ account: 'isp', protocol: 'dm1.2' }, { account: 'sec', protocol: 'dm2.0' }]);
  const isp = h.dm12.get('isp')!;
  const sec = h.dm2.get('sec')!;
  isp.queue([get('./DMAcc/isp/ServerID')]);
  sec.queue([{ id: 1, cmd: 'GET', uri: './DMAcc/sec/ServerID' }]);
  h.asyncResult('isp', 'isp-1');
  h.asyncResult('sec', 'sec-1');
  await new Promise((r) => setTimeout(r, 150));
  assert.deepEqual(h.authorities.list().map((s) => [s.account, s.state, s.lastSession, s.queuedAlerts]), [['isp', 'idle', null, 1], ['sec', 'idle', null, 1]]);
  assert.equal(isp.sessions.length + sec.sessions.length, 0, 'no session before start()');

  h.authorities.start();
  await waitFor(() => h.authorities.list().every((s) => s.state === 'idle' && s.lastSession !== null), 10_000, 'boot sessions');
  assert.equal(isp.sessions.length, 1, 'one DM 1.2 session: the boot session');
  assert.equal(sec.sessions.length, 1, 'one DM 2.0 session: the boot session');
  assert.equal(isp.sessions[0]!.outcome, 'ok');
  assert.deepEqual(isp.sessions[0]!.results.flatMap((r) => r.items.map((i) => i.data)), ['isp.dm12.test']);
  assert.deepEqual(sec.sessions[0]!.results, [{ id: 1, status: 200, data: 'sec.dm2.test' }]);
  assert.equal(sec.sessions[0]!.trigger?.kind, 'client', 'a boot session, not an alert one');
  assert.deepEqual(dm12Correlators(isp), ['isp-1']);
  assert.deepEqual(dm2Correlators(sec), ['sec-1']);
  assert.deepEqual(h.authorities.list().map((s) => [s.lastSession?.outcome, s.queuedAlerts, s.nextSession]), [['ok', 0, null], ['ok', 0, null]]);
});
