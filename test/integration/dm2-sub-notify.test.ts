import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, test } from 'node:test';
import { acceptDm2Notification } from '../../bridge/authority/dm2-notify.js';
import { silentLogger } from '../../bridge/core/logger.js';
import { notificationMac } from '../../bridge/dm/dm2/notification.js';
import { NotifyNonceRepo } from '../../bridge/store/notify-nonce-repo.js';
import { openStore } from '../../bridge/store/db.js';
import { SubscriptionsRepo } from '../../bridge/store/subscriptions-repo.js';
import { dm2Harness, type Dm2Harness } from './dm2-harness.js';

const ISP = 'dm2.isp.example';
const SEC = 'dm2.sec.example';
let h: Dm2Harness;
afterEach(async () => h?.close());

describe('DM 2.0 SUB/UNSUB: changes become alerts in the next session', () => {
  test('SUB, then changes by anyone (the MA itself included) -> one alert per change, next session; UNSUB stops them', async () => {
    h = await dm2Harness([{ account: 'isp', serverId: ISP }, { account: 'sec', serverId: SEC }]);
    h.tree.add('./Watch', { format: 'node' }, null);
    h.tree.replace('./Watch?prop=ACL', { data: 'Add=*&Delete=*&Get=*&Replace=*' }, null);
    h.tree.add('./Watch/A', { format: 'chr', data: '1' }, null);
    const isp = h.dm2.get('isp')!;
    isp.queue([
      { id: 1, cmd: 'SUB', uri: './Watch', events: ['joined', 'left', 'changed'] },
      { id: 2, cmd: 'SUB', uri: 'Watch/A' }, // overlapping: still one alert per change
      { id: 3, cmd: 'SUB', uri: './Nope' },
    ]);
    const r1 = await h.session('isp');
    assert.deepEqual(isp.sessions[0]!.results.map((x) => x.status), [200, 200, 404]);
    assert.equal(r1.outcome, 'ok');
    assert.deepEqual(h.subscriptions.list('isp').map((s) => s.uri), ['./Watch', './Watch/A']);

    h.tree.replace('./Watch/A', { format: 'chr', data: '2' }, null); // local
    h.tree.add('./Watch/B', { format: 'int', data: '5' }, SEC); // another MA
    isp.queue([{ id: 1, cmd: 'DELETE', uri: './Watch/B' }]); // the MA itself
    h.tree.add('./Elsewhere', { format: 'chr', data: 'x' }, null); // not subscribed
    assert.equal(h.outbox.count('isp'), 2);
    assert.equal(h.outbox.count('sec'), 0);
    await h.session('isp');
    const alerts = isp.sessions[1]!.alerts;
    assert.deepEqual(alerts, [
      { type: 'org.dmbridge.node.changed', source: './Watch/A', data: { op: 'Replace' }, correlator: null },
      { type: 'org.dmbridge.node.joined', source: './Watch/B', data: { op: 'Add' }, correlator: null },
    ]);
    assert.equal(h.outbox.count('isp'), 1, 'the MA\'s own DELETE is queued for the next session');
    isp.queue([{ id: 1, cmd: 'UNSUB', uri: './Watch' }, { id: 2, cmd: 'UNSUB', uri: './Watch/A' }, { id: 3, cmd: 'UNSUB', uri: './Watch' }]);
    await h.session('isp');
    assert.deepEqual(isp.sessions[2]!.alerts.map((a) => [a.type, a.source]), [['org.dmbridge.node.left', './Watch/B']]);
    assert.deepEqual(isp.sessions[2]!.results.map((x) => x.status), [200, 200, 404]);
    h.tree.replace('./Watch/A', { format: 'chr', data: '3' }, null);
    assert.equal(h.outbox.count('isp'), 0);
  });

  test('events filter, Get rights checked, subscriptions persist across a reopen', async () => {
    h = await dm2Harness([{ account: 'isp', serverId: ISP }]);
    h.tree.add('./W', { format: 'node' }, null);
    h.tree.replace('./W?prop=ACL', { data: 'Add=*&Get=*&Replace=*&Delete=*' }, null);
    h.dm2.get('isp')!.queue([{ id: 1, cmd: 'SUB', uri: './W', events: ['left'] }]);
    await h.session('isp');
    h.tree.add('./W/X', { format: 'chr', data: '' }, null);
    assert.equal(h.outbox.count('isp'), 0);
    h.tree.add('./W/P', { format: 'node' }, null);
    h.tree.replace('./W/P?prop=ACL', { data: 'Get=nobody.example&Delete=*' }, null);
    h.tree.delete('./W/P', null); // no Get right for isp on ./W/P: checked against its ACL as it was before the delete
    h.tree.delete('./W/X', null);
    assert.deepEqual(h.outbox.list('isp').map((r) => (JSON.parse(r.payload) as { source: string }).source), ['./W/X'], 'the hidden ./W/P leaves unseen');
    const again = new SubscriptionsRepo(openStore(h.store.path).db);
    assert.deepEqual(again.list('isp').map((s) => [s.uri, s.events]), [['./W', ['left']]]);
  });
});

describe('DM 2.0 notifications (Package #0 text frames)', () => {
  test('a valid frame opens a session with its sid and nid; replayed, forged and foreign frames are dropped', async () => {
    h = await dm2Harness([{ account: 'isp', serverId: ISP }]);
    const nonces = new NotifyNonceRepo(h.store.db);
    const ctx = { account: 'isp', serverId: ISP, serverSecret: 'ss-isp', nonces, clock: { now: () => Date.now() }, log: silentLogger() };
    const frame = (over: Record<string, string> = {}, secret = 'ss-isp'): string => {
      const f = { dm: '2.0', type: 'notify', serverId: ISP, sid: '1A2C', nid: 'n-42', nonce: randomBytes(12).toString('base64'), ...over };
      return JSON.stringify({ ...f, mac: over.mac ?? notificationMac(secret, f) });
    };
    const good = frame();
    const t = acceptDm2Notification(good, ctx);
    assert.deepEqual(t, { kind: 'server', sessionId: '1A2C', nid: 'n-42' });
    assert.equal(acceptDm2Notification(good, ctx), null, 'replay');
    assert.equal(acceptDm2Notification(frame({}, 'wrong-secret'), ctx), null, 'forged');
    assert.equal(acceptDm2Notification(frame({ serverId: SEC }), ctx), null, 'other MA');
    assert.equal(acceptDm2Notification('{"dm":', ctx), null, 'garbage');
    const reopened = new NotifyNonceRepo(openStore(h.store.path).db);
    assert.equal(acceptDm2Notification(good, { ...ctx, nonces: reopened }), null, 'replay after a restart');
    h.dm2.get('isp')!.queue([{ id: 1, cmd: 'GET', uri: './DevInfo/DevId' }]);
    const r = await h.session('isp', t!);
    assert.equal(r.sessionId, '1A2C');
    const p1 = h.dm2.get('isp')!.sessions[0]!.packages[0]!;
    assert.equal(p1.sid, '1A2C');
    assert.deepEqual(p1.trigger, { kind: 'server', nid: 'n-42' });
  });
});
