// HTTPS toward the authority: the MA's CA, a SHA-256 certificate pin, a client certificate (TRANSPORT).
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, afterEach, describe, test } from 'node:test';
import { fingerprintSha256 } from '../../bridge/authority/http-transport.js';
import { get } from '../peers/dm12-script.js';
import { harness, type Harness } from './dm12-harness.js';
import { makePki } from './pki.js';

const pki = makePki();
after(() => rmSync(pki.dir, { recursive: true, force: true }));
let h: Harness;
afterEach(async () => h?.close());

const tlsNone: { ca: string | null; pinSha256: string | null; cert: string | null; key: string | null } = { ca: null, pinSha256: null, cert: null, key: null };

async function tlsSession(bridgeTls: typeof tlsNone, clientCa?: string) {
  h = await harness([
    {
      account: 'isp',
      server: { serverId: 'dm.isp', authType: 'NONE', tls: { key: pki.serverKey, cert: pki.serverCert, ...(clientCa ? { clientCa } : {}) } },
      bridge: { tls: bridgeTls },
    },
  ]);
  h.peers.get('isp')!.server.queue([get('./DevInfo/DevId')]);
  return h.session('isp');
}

describe('DM 1.2 over HTTPS', () => {
  test('the MA\'s CA (a file path) is trusted: the session runs', async () => {
    const r = await tlsSession({ ...tlsNone, ca: pki.caCertPath });
    assert.equal(r.outcome, 'ok', r.reason);
    assert.ok(h.peers.get('isp')!.server.url.startsWith('https://'));
    assert.equal(h.peers.get('isp')!.server.sessions[0]!.results.length, 1);
  });

  test('an untrusted server certificate stops the session before anything is sent', async () => {
    const r = await tlsSession({ ...tlsNone, ca: pki.otherCaCertPath });
    assert.equal(r.outcome, 'error');
    assert.match(r.reason, /certificate|self-signed|issuer/i);
    assert.equal(h.peers.get('isp')!.server.sessions.length, 0);
  });

  test('a matching SHA-256 pin passes, a wrong pin is refused', async () => {
    const pin = fingerprintSha256(pki.serverCert);
    assert.equal((await tlsSession({ ...tlsNone, ca: pki.caCert, pinSha256: pin })).outcome, 'ok');
    await h.close();
    const r = await tlsSession({ ...tlsNone, ca: pki.caCert, pinSha256: 'ab'.repeat(32) });
    assert.equal(r.outcome, 'error');
    assert.match(r.reason, /pin/);
  });

  test('TRANSPORT: the client certificate is presented when the server requires one', async () => {
    const ok = await tlsSession({ ca: pki.caCertPath, pinSha256: null, cert: pki.clientCertPath, key: pki.clientKeyPath }, pki.caCert);
    assert.equal(ok.outcome, 'ok', ok.reason);
    await h.close();
    const refused = await tlsSession({ ...tlsNone, ca: pki.caCertPath }, pki.caCert);
    assert.equal(refused.outcome, 'error');
  });
});
