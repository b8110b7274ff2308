// account.changed drives the supervisors: Add starts one (boot session), Replace reschedules the poll
// with the new pollSeconds, Delete (through the real ./DMAcc provider) aborts and stops it.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { scaledTimers, supervisorHarness, waitFor, type SupHarness } from './supervisor-harness.js';

let h: SupHarness;
after(async () => h?.close());

test('account Add starts a supervisor and a session; Replace reschedules; Delete stops it', async () => {
  h = await supervisorHarness([{ account: 'isp', protocol: 'dm1.2' }], { timers: scaledTimers(0.001) });
  h.authorities.start();
  await h.dm12.get('isp')!.waitForSessions(1);

  // Add (as the DMAcc Add through DM emits it): a new MA gets its supervisor and a boot session
  const s = await h.newPeer({ account: 'oem', protocol: 'dm2.0', pollSeconds: 0 });
  h.accounts.insert({ account: 'oem', serverId: s.serverId, origin: 'dm', data: JSON.stringify(s), updatedAt: Date.now() });
  h.events.emit('account.changed', { account: 'oem', serverId: s.serverId, op: 'Add' });
  const oem = h.dm2.get('oem')!;
  // the server marks a session ended on the client's last package, before the client has read the
  // answer and its supervisor has recorded the session: wait for the supervisor too
  const oemStatus = () => h.authorities.list().find((x) => x.account === 'oem');
  await waitFor(() => oem.sessions.some((x) => x.ended) && oemStatus()?.state === 'idle' && oemStatus()?.lastSession != null, 10_000, 'boot session of the added MA');
  assert.equal(h.authorities.list().find((x) => x.account === 'oem')?.lastSession?.outcome, 'ok');
  assert.equal(h.authorities.list().find((x) => x.account === 'oem')?.nextSession, null);

  // Replace of PollSeconds through the tree: the poll is scheduled with the new interval
  const rep = await h.tree.replace('./DMAcc/oem/Ext/Bridge/PollSeconds', { data: '120' }, null);
  assert.equal(rep.status, 200);
  await waitFor(() => h.schedules.some((e) => e.account === 'oem' && e.reason === 'poll'), 5000, 'poll scheduled');
  const poll = h.schedules.filter((e) => e.account === 'oem' && e.reason === 'poll')[0];
  assert.ok(poll && poll.delayMs >= 108_000 * 0.5 && poll.delayMs <= 132_000, `poll ${poll?.delayMs}`);
  assert.equal(h.authorities.list().find((x) => x.account === 'oem')?.nextSession?.reason, 'poll');
  await waitFor(() => oem.sessions.filter((x) => x.ended).length >= 2, 10_000, 'polled session with the new interval');

  // Delete through the real DMAcc provider: its supervisor stops, no further session
  const del = await h.tree.delete('./DMAcc/oem', null);
  assert.equal(del.status, 200);
  await new Promise((r) => setTimeout(r, 400)); // > 3 scaled poll intervals
  const count = oem.sessions.length;
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(oem.sessions.length, count, 'no session after Delete');
  assert.deepEqual(h.authorities.list().map((x) => x.account), ['isp']);
  assert.throws(() => h.authorities.trigger('oem'), /no authority/);
  // the remaining MA is unaffected
  assert.equal((await h.authorities.trigger('isp')).outcome, 'ok');
});
