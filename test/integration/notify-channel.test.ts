// The NAT-proof notify channel, DM 1.2: one outward WebSocket per MA, DMB-HMAC upgrade, Package #0
// starting sessions of that MA only, dead-peer detection, backoff, the manager following account changes.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { NotifyTrigger } from '../../bridge/authority/notify-channels.js';
import { get } from '../peers/dm12-script.js';
import { capture, channels, cleanup, dm12, FAST, patchAccount, stat, until } from './notify-harness.js';

afterEach(cleanup);

describe('notify channel: DM 1.2 Package #0 (binary frames)', () => {
  test('the channel opens with a valid DMB-HMAC header; a wrong secret gets 401 and keeps retrying with backoff', async () => {
    const h = await dm12();
    const isp = h.peers.get('isp')!.server;
    const oem = h.peers.get('oem')!.server;
    const c = channels(h, () => undefined);
    patchAccount(h, 'isp', (d) => ({ ...d, notifyUri: isp.notifyUri }));
    patchAccount(h, 'oem', (d) => ({ ...d, notifyUri: oem.notifyUri, auth: { ...d.auth, clientSecret: 'not-the-secret' } }));
    await isp.notify.waitForConnections(1);
    await until('isp open', () => stat(c, 'isp').state === 'open');
    assert.equal(isp.notify.refusals.length, 0);
    await oem.notify.waitForRefusals(2);
    assert.equal(oem.notify.connections, 0);
    assert.deepEqual(oem.notify.refusals[0], { status: 401, reason: 'MAC does not match' });
    const s = stat(c, 'oem');
    assert.ok(s.state === 'backoff' || s.state === 'connecting', s.state);
    assert.ok(s.reconnects >= 1);
    assert.match(s.lastError ?? '', /401/);
  });

  test('a Package #0 starts a session of that MA only; a replay, a forged digest and another MA\'s Package #0 start nothing', async () => {
    const h = await dm12();
    const isp = h.peers.get('isp')!.server;
    const oem = h.peers.get('oem')!.server;
    const triggers: Array<{ account: string; trigger: NotifyTrigger }> = [];
    const c = channels(h, (account, trigger) => {
      triggers.push({ account, trigger });
      return h.session(account, trigger);
    });
    patchAccount(h, 'isp', (d) => ({ ...d, notifyUri: isp.notifyUri }));
    patchAccount(h, 'oem', (d) => ({ ...d, notifyUri: oem.notifyUri }));
    await isp.notify.waitForConnections(1);
    await oem.notify.waitForConnections(1);

    isp.queue([get('./DevInfo/DevId')]);
    const bytes = isp.sendPackage0(0x1a2c);
    await isp.waitForSessions(1);
    assert.equal(isp.sessions[0]!.sessionId, '1A2C');
    assert.equal(isp.sessions[0]!.outcome, 'ok');
    assert.equal(isp.sessions[0]!.alerts[0]?.data, '1200', 'server-initiated session (Alert 1200)');
    assert.deepEqual(triggers, [{ account: 'isp', trigger: { kind: 'server', sessionId: '1A2C' } }]);

    isp.notify.sendBinary(bytes); // replay
    await until('replay dropped', () => stat(c, 'isp').framesDropped === 1);
    isp.sendPackage0(0x55, { secret: 'guessed' }); // forged digest
    await until('forgery dropped', () => stat(c, 'isp').framesDropped === 2);
    isp.notify.sendBinary(oem.package0(0x77)); // valid, but for the other MA: not on this channel
    await until('foreign dropped', () => stat(c, 'isp').framesDropped === 3);
    isp.notify.sendBinary(new Uint8Array([1, 2, 3])); // malformed
    await until('junk dropped', () => stat(c, 'isp').framesDropped === 4);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(isp.sessions.length, 1);
    assert.equal(oem.sessions.length, 0);
    assert.equal(triggers.length, 1);
    assert.equal(stat(c, 'isp').state, 'open', 'bad frames never close the channel');

    // the next genuine one (signed with whatever nonce the session left) starts one more session
    isp.sendPackage0(0x1a2d);
    await isp.waitForSessions(2);
    assert.equal(isp.sessions[1]!.sessionId, '1A2D');
    assert.equal(oem.sessions.length, 0);
    assert.equal(stat(c, 'isp').framesAccepted, 2);
  });

  test('a server that stops answering pings is detected and the channel reconnects', async () => {
    const h = await dm12();
    const isp = h.peers.get('isp')!.server;
    const { log, lines } = capture();
    const c = channels(h, () => undefined, { log, timings: { ...FAST, pingIntervalMs: 100, pongTimeoutMs: 150 } });
    patchAccount(h, 'isp', (d) => ({ ...d, notifyUri: isp.notifyUri }));
    await isp.notify.waitForConnections(1);
    await until('a ping answered', () => isp.notify.pingsSeen >= 2);
    assert.equal(isp.notify.connections, 1, 'a live peer keeps its connection');
    isp.notify.silent = true;
    await isp.notify.waitForConnections(2, 3000);
    isp.notify.silent = false;
    assert.match(stat(c, 'isp').lastError ?? '', /no pong within 150 ms/);
    assert.ok(lines.some((l) => l.msg === 'notify channel peer is dead: terminating' && l.authority === 'isp'));
    await until('open again', () => stat(c, 'isp').state === 'open');
    const n = isp.notify.connections;
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(isp.notify.connections, n, 'once pongs come back the connection stays');
  });

  test('the server going away and coming back: reconnect attempts follow the backoff, then the channel is open again', async () => {
    const h = await dm12();
    const isp = h.peers.get('isp')!.server;
    const timings = { ...FAST, backoff: { initialMs: 100, factor: 2, maxMs: 400, jitter: 0.25, jitterMode: 'down' as const } };
    const c = channels(h, (a, t) => h.session(a, t), { timings, random: () => 0 });
    patchAccount(h, 'isp', (d) => ({ ...d, notifyUri: isp.notifyUri }));
    await isp.notify.waitForConnections(1);
    const port = Number(new URL(isp.url).port);
    await isp.stop();
    const downAt = Date.now();
    await until('backoff', () => stat(c, 'isp').state === 'backoff');
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() - downAt)));
    const tried = stat(c, 'isp').reconnects;
    // random 0: delays 100, 200, 400, 400 ... -> attempts at ~100, 300, 700 ms while down
    assert.ok(tried >= 2 && tried <= 4, `reconnect attempts while down: ${tried}`);
    assert.match(stat(c, 'isp').lastError ?? '', /ECONNREFUSED/);
    await isp.start(port);
    const upAt = Date.now();
    await isp.notify.waitForConnections(2, 3000);
    const took = Date.now() - upAt;
    assert.ok(took <= 400 + 500, `reconnected ${took} ms after the server came back (cap 400 ms)`);
    await until('open', () => stat(c, 'isp').state === 'open');
    // and it works: a Package #0 on the new connection starts a session
    isp.queue([get('./DevInfo/DevId')]);
    isp.sendPackage0(0x99);
    await isp.waitForSessions(1);
    assert.equal(isp.sessions[0]!.sessionId, '99');
  });

  test('manager: settings changes reopen the channel, unrelated ones do not, a deleted account closes it; ws:// is warned about', async () => {
    const h = await dm12();
    const isp = h.peers.get('isp')!.server;
    const { log, lines } = capture();
    const c = channels(h, () => undefined, { log });
    assert.deepEqual(c.list(), [], 'no notifyUri, no channel');
    patchAccount(h, 'isp', (d) => ({ ...d, notifyUri: isp.notifyUri }));
    await isp.notify.waitForConnections(1);
    assert.ok(lines.some((l) => l.level === 40 && /plain ws:\/\//.test(String(l.msg))));
    patchAccount(h, 'isp', (d) => ({ ...d, pollSeconds: 3600 }));
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(isp.notify.connections, 1, 'pollSeconds does not touch the channel');
    patchAccount(h, 'isp', (d) => ({ ...d, notifyUri: `${isp.notifyUri}?v=2` }));
    await isp.notify.waitForConnections(2);
    assert.equal(c.list().length, 1);
    await until('old socket closed', () => isp.notify.clients.size === 1);
    const row = h.accounts.get('isp')!;
    h.accounts.delete('isp');
    h.events.emit('account.changed', { account: 'isp', serverId: row.serverId, op: 'Delete' });
    await until('closed', () => isp.notify.clients.size === 0);
    assert.deepEqual(c.list(), []);
    assert.ok(!lines.some((l) => JSON.stringify(l).includes(`secret-isp`)), 'no secret in the logs');
  });
});

