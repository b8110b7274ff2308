import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { parseAuthHeader } from '../../bridge/dm/session/dm2/http-auth.js';
import { dm2Harness, type Dm2Harness } from './dm2-harness.js';

const SID = 'dm2.isp.example';
const OWN = `Add=${SID}&Delete=${SID}&Get=${SID}&Replace=${SID}`;
let h: Dm2Harness;
afterEach(async () => h?.close());

const nc = (header: string): string => parseAuthHeader(header)[0]?.params.get('nc') ?? '';

describe('DM 2.0 HTTP authentication', () => {
  test('Basic: credentials on every POST; a wrong password ends the session as auth-failed', async () => {
    h = await dm2Harness([
      { account: 'isp', serverId: SID, auth: { type: 'BASIC', username: 'gw-1', password: 'pw-1' } },
      { account: 'bad', serverId: 'dm2.bad.example', auth: { type: 'BASIC', username: 'gw-2', password: 'pw-2' }, bridgePassword: 'nope' },
    ]);
    h.dm2.get('isp')!.queue([{ id: 1, cmd: 'GET', uri: './DevInfo/Man' }]);
    const ok = await h.session('isp');
    assert.equal(ok.outcome, 'ok', ok.reason);
    const seen = h.dm2.get('isp')!.auth.seen;
    assert.equal(seen.length, 2); // #1, results after END
    assert.ok(seen.every((s) => s === `Basic ${Buffer.from('gw-1:pw-1').toString('base64')}`));
    const bad = await h.session('bad');
    assert.equal(bad.outcome, 'auth-failed');
    assert.equal(h.dm2.get('bad')!.sessions.length, 0);
  });

  for (const algorithm of ['MD5', 'SHA-256'] as const) {
    test(`Digest ${algorithm}: 401 answered by re-sending the same package, then nc increments on every POST and on the Data Repository`, async () => {
      h = await dm2Harness([{ account: 'isp', serverId: SID, auth: { type: 'DIGEST', username: 'gw-1', password: 'pw-1', algorithm } }]);
      const s = h.dm2.get('isp')!;
      const href = s.serve('t.json', { format: 'node', acl: OWN, children: { A: { format: 'int', value: 1 } } });
      s.queue([{ id: 1, cmd: 'HGET', uri: './T', href }], [{ id: 2, cmd: 'HPUT', uri: './T', href: s.href('up') }]);
      const r = await h.session('isp');
      assert.equal(r.outcome, 'ok', r.reason);
      assert.equal(r.messagesSent, 4); // #1 without creds (401), #1 again, results, results
      assert.equal(s.sessions.length, 1);
      assert.deepEqual(s.sessions[0]!.packages.map((p) => p.msg), [1, 2, 3]);
      assert.deepEqual(s.sessions[0]!.results.map((x) => x.status), [200, 200]);
      const seen = s.auth.seen;
      assert.equal(seen[0], '');
      assert.deepEqual(seen.slice(1).map(nc), ['00000001', '00000002', '00000003']);
      assert.ok(seen[1]!.includes(`algorithm=${algorithm}`));
      assert.equal(s.drRequests.length, 1);
      assert.equal(s.drAuth.seen.filter((x) => x.startsWith('Digest')).length, 2);
    });
  }

  test('Digest: a stale=true challenge mid-session is answered with the new nonce', async () => {
    h = await dm2Harness([{ account: 'isp', serverId: SID, auth: { type: 'DIGEST', username: 'gw-1', password: 'pw-1', staleOnce: true } }]);
    const s = h.dm2.get('isp')!;
    s.queue([{ id: 1, cmd: 'GET', uri: './DevInfo/Man' }], [{ id: 2, cmd: 'GET', uri: './DevInfo/Mod' }]);
    const r = await h.session('isp');
    assert.equal(r.outcome, 'ok', r.reason);
    assert.deepEqual(s.sessions[0]!.results.map((x) => x.status), [200, 200]);
    assert.equal(r.messagesSent, 5);
  });

  test('Digest with a wrong password: auth-failed after the retries, nothing executed', async () => {
    h = await dm2Harness([{ account: 'isp', serverId: SID, auth: { type: 'DIGEST', username: 'gw-1', password: 'pw-1' }, bridgePassword: 'wrong' }]);
    h.dm2.get('isp')!.queue([{ id: 1, cmd: 'DELETE', uri: './Ops' }]);
    const r = await h.session('isp');
    assert.equal(r.outcome, 'auth-failed');
    assert.equal(r.commandsExecuted, 0);
    assert.equal(h.dm2.get('isp')!.sessions.length, 0);
  });
});
