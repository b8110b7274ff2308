// The notify channel, DM 2.0 notifications (text frames) and TLS (wss: CA, pin, client certificate).
import { rmSync } from 'node:fs';
import assert from 'node:assert/strict';
import { after, afterEach, describe, test } from 'node:test';
import { fingerprintSha256 } from '../../bridge/authority/http-transport.js';
import { get } from '../peers/dm12-script.js';
import { dm2Harness, type Dm2Harness } from './dm2-harness.js';
import { capture, channels, cleanup, dm12, onCleanup, patchAccount, stat, until } from './notify-harness.js';
import { makePki } from './pki.js';

const pki = makePki();
after(() => rmSync(pki.dir, { recursive: true, force: true }));
afterEach(cleanup);

describe('notify channel: DM 2.0 notifications (text frames)', () => {
  async function two(): Promise<Dm2Harness> {
    const h = await dm2Harness([
      { account: 'isp', serverId: 'dm2.isp', auth: { type: 'BASIC', username: 'gw-isp', password: 'pw-isp' } },
      { account: 'oem', serverId: 'dm2.oem', auth: { type: 'BASIC', username: 'gw-oem', password: 'pw-oem' } },
    ]);
    onCleanup(() => h.close());
    return h;
  }

  test('a notification starts a session (its sid and nid) toward that MA only; replayed, forged and foreign frames start nothing', async () => {
    const h = await two();
    const isp = h.dm2.get('isp')!;
    const oem = h.dm2.get('oem')!;
    const sessions: Array<Promise<unknown>> = [];
    const c = channels(h, (a, t) => {
      const p = h.session(a, t);
      sessions.push(p);
      return p;
    });
    patchAccount(h, 'isp', (d) => ({ ...d, notifyUri: isp.notifyUri }));
    patchAccount(h, 'oem', (d) => ({ ...d, notifyUri: oem.notifyUri }));
    await isp.notify.waitForConnections(1);
    await oem.notify.waitForConnections(1);

    isp.queue([{ id: 1, cmd: 'GET', uri: './DevInfo/DevId' }]);
    const frame = isp.sendNotification('1A2C', { nid: 'n-42' });
    await until('session', () => isp.sessions.some((s) => s.ended));
    await Promise.all(sessions);
    assert.equal(isp.sessions[0]!.sid, '1A2C');
    assert.deepEqual(isp.sessions[0]!.trigger, { kind: 'server', nid: 'n-42' });
    assert.equal(isp.sessions[0]!.results[0]?.status, 200);

    isp.notify.sendText(frame); // replay: same nonce
    await until('replay dropped', () => stat(c, 'isp').framesDropped === 1);
    isp.sendNotification('BEEF', { secret: 'guessed' });
    await until('forgery dropped', () => stat(c, 'isp').framesDropped === 2);
    isp.notify.sendText(oem.notification('CAFE')); // valid for oem, not for this channel
    await until('foreign dropped', () => stat(c, 'isp').framesDropped === 3);
    isp.notify.sendText('{"not": "a notification"');
    await until('junk dropped', () => stat(c, 'isp').framesDropped === 4);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(isp.sessions.length, 1);
    assert.equal(oem.sessions.length, 0);
    assert.equal(sessions.length, 1);

    // the replayed nonce stays refused after a reconnect (persisted), a fresh one works
    isp.notify.terminateAll();
    await isp.notify.waitForConnections(2);
    isp.notify.sendText(frame);
    await until('replay after reconnect dropped', () => stat(c, 'isp').framesDropped === 5);
    isp.queue([]);
    isp.sendNotification('1A2D');
    await until('second session', () => isp.sessions.filter((s) => s.ended).length === 2);
    assert.equal(isp.sessions[1]!.sid, '1A2D');
    assert.equal(oem.sessions.length, 0);
  });

  test('a frame over the size limit closes that connection (not the bridge) and the channel comes back', async () => {
    const h = await two();
    const isp = h.dm2.get('isp')!;
    const c = channels(h, () => undefined);
    patchAccount(h, 'isp', (d) => ({ ...d, notifyUri: isp.notifyUri }));
    await isp.notify.waitForConnections(1);
    isp.notify.sendText('x'.repeat(64 * 1024));
    await isp.notify.waitForConnections(2);
    assert.match(stat(c, 'isp').lastError ?? '', /Max payload size exceeded/);
    await until('open', () => stat(c, 'isp').state === 'open');
  });
});

describe('notify channel over TLS (wss)', () => {
  test('the MA\'s CA and a matching pin connect; a wrong pin is refused with a clear log line', async () => {
    const pin = fingerprintSha256(pki.serverCert);
    const h = await dm12({ pki }, { ca: pki.caCertPath, pinSha256: pin, cert: null, key: null });
    const isp = h.peers.get('isp')!.server;
    assert.ok(isp.notifyUri.startsWith('wss://'));
    const { log, lines } = capture();
    const c = channels(h, (a, t) => h.session(a, t), { log });
    patchAccount(h, 'isp', (d) => ({ ...d, notifyUri: isp.notifyUri }));
    await isp.notify.waitForConnections(1);
    isp.queue([get('./DevInfo/DevId')]);
    isp.sendPackage0(0x42);
    await isp.waitForSessions(1);
    assert.equal(isp.sessions[0]!.outcome, 'ok');

    patchAccount(h, 'isp', (d) => ({ ...d, tls: { ...d.tls, pinSha256: 'ab'.repeat(32) } }));
    await until('pin error', () => /pin mismatch/.test(stat(c, 'isp').lastError ?? ''));
    assert.equal(isp.notify.connections, 1, 'the refused channel never reached the WebSocket endpoint');
    const line = lines.find((l) => l.msg === 'notify channel error' && /certificate pin mismatch/.test(String(l.err)));
    assert.ok(line, 'a log line names the pin mismatch');
    assert.equal(line.authority, 'isp');
    assert.equal(line.uri, isp.notifyUri);
  });

  test('an untrusted CA is refused; TRANSPORT auth: the client certificate alone opens the channel', async () => {
    const h = await dm12({ pki, clientCa: true }, { ca: pki.otherCaCertPath, pinSha256: null, cert: pki.clientCertPath, key: pki.clientKeyPath });
    const isp = h.peers.get('isp')!.server;
    const c = channels(h, () => undefined);
    patchAccount(h, 'isp', (d) => ({ ...d, notifyUri: isp.notifyUri }));
    await until('CA error', () => /certificate|self-signed|issuer/i.test(stat(c, 'isp').lastError ?? ''));
    assert.equal(isp.notify.connections, 0);
    patchAccount(h, 'isp', (d) => ({ ...d, tls: { ...d.tls, ca: pki.caCertPath } }));
    await isp.notify.waitForConnections(1);
    assert.equal(isp.notify.refusals.length, 0);
    patchAccount(h, 'isp', (d) => ({ ...d, tls: { ...d.tls, cert: null, key: null } }));
    await until('no client cert: refused', () => stat(c, 'isp').reconnects >= 1 && stat(c, 'isp').state !== 'open');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(isp.notify.connections, 1);
  });
});
