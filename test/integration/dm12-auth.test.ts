// PROTOCOL.md §4.3 items 8-12 and vectors V1/V2 over the wire, against the reference server.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { basicCred, md5Digest, nonceBytes } from '../../bridge/dm/syncml/auth.js';
import { get } from '../peers/dm12-script.js';
import { harness, type Harness } from './dm12-harness.js';

let h: Harness;
afterEach(async () => h?.close());

const sent = (h: Harness, i = 0) => h.peers.get('isp')!.server.sessions[i]!;
const hdrCodes = (h: Harness, i = 0) =>
  sent(h, i).sent.map((m) => m.commands.find((c) => c.cmd === 'Status' && c.cmdRef === '0')).map((c) => (c && c.cmd === 'Status' ? c.data : '?'));

describe('DM 1.2 authentication', () => {
  test('8 / V1: Basic credentials Bruce2:OhBehave are QnJ1Y2UyOk9oQmVoYXZl and the server answers 212', async () => {
    h = await harness([{ account: 'isp', server: { serverId: 'dm.isp', authType: 'BASIC', clientName: 'Bruce2', clientSecret: 'OhBehave' } }]);
    h.peers.get('isp')!.server.queue([get('./DevInfo/DevId')]);
    const r = await h.session('isp');
    assert.equal(r.outcome, 'ok');
    const cred = sent(h).received[0]!.header.cred;
    assert.equal(cred?.meta.type, 'syncml:auth-basic');
    assert.equal(cred?.data, 'QnJ1Y2UyOk9oQmVoYXZl');
    assert.equal(basicCred('Bruce2', 'OhBehave'), 'QnJ1Y2UyOk9oQmVoYXZl');
    assert.equal(hdrCodes(h)[0], '212');
  });

  test('9 / V2: MD5 digest with the stored nonce; the NextNonce of the 212 is stored and used next session', async () => {
    const nonce = Buffer.from('Nonce').toString('base64');
    h = await harness([{ account: 'isp', server: { serverId: 'dm.isp', authType: 'DIGEST', clientName: 'Bruce2', clientSecret: 'OhBehave', initialClientNonce: nonce }, clientNonce: nonce }]);
    const r1 = await h.session('isp');
    assert.equal(r1.outcome, 'ok');
    const first = sent(h).received[0]!.header.cred;
    assert.equal(first?.meta.type, 'syncml:auth-md5');
    assert.equal(first?.data, 'Zz6EivR3yeaaENcRN6lpAQ==', 'vector V2');
    assert.equal(sent(h).received[0]!.header.source.locName, 'Bruce2');
    assert.equal(hdrCodes(h)[0], '212');
    const issued = h.peers.get('isp')!.server.clientNonce!;
    assert.equal(h.accounts.nonce('isp', 'client'), issued, 'NextNonce from the 212 Chal is persisted');
    await h.session('isp');
    const second = sent(h, 1).received[0]!.header.cred;
    assert.equal(second?.data, md5Digest('Bruce2', 'OhBehave', nonceBytes(issued)));
    assert.equal(sent(h, 1).authFailures, 0, 'accepted first time in the next session');
  });

  test('9: without a stored nonce the server challenges (407 + NextNonce) and the retry succeeds', async () => {
    h = await harness([{ account: 'isp', server: { serverId: 'dm.isp', authType: 'DIGEST' } }]);
    const r = await h.session('isp');
    assert.equal(r.outcome, 'ok');
    assert.deepEqual(hdrCodes(h).slice(0, 2), ['407', '212']);
    assert.equal(sent(h).received[0]!.header.cred, undefined);
    assert.ok(sent(h).received[1]!.header.cred);
  });

  test('10: a stale nonce gets exactly one re-challenge with a new nonce, then the session goes on', async () => {
    const nonce = Buffer.from('old-nonce').toString('base64');
    h = await harness([{ account: 'isp', server: { serverId: 'dm.isp', authType: 'DIGEST', staleNonceOnce: true, initialClientNonce: nonce }, clientNonce: nonce }]);
    h.peers.get('isp')!.server.queue([get('./DevInfo/Man')]);
    const r = await h.session('isp');
    assert.equal(r.outcome, 'ok');
    assert.deepEqual(hdrCodes(h).slice(0, 2), ['401', '212']);
    assert.equal(sent(h).authFailures, 1);
  });

  test('10: wrong credentials -> 401; the failure reply holds only Status commands; the client gives up after one retry', async () => {
    h = await harness([{ account: 'isp', server: { serverId: 'dm.isp', authType: 'BASIC' }, bridge: { auth: { clientSecret: 'wrong' } } }]);
    const r = await h.session('isp');
    assert.equal(r.outcome, 'auth-failed');
    const rec = sent(h);
    assert.ok(rec.sent.every((m) => m.commands.every((c) => c.cmd === 'Status')), 'auth failure replies hold Status only');
    assert.equal(hdrCodes(h)[0], '401');
    assert.ok(rec.received.length <= 2);
  });

  test('11: HMAC: every client message carries x-syncml-hmac with a fresh nonce; the server answers 200 per message', async () => {
    h = await harness([{ account: 'isp', server: { serverId: 'dm.isp', authType: 'HMAC' } }]);
    h.peers.get('isp')!.server.queue([get('./DevInfo/DevId')], [get('./DevInfo/Man')]);
    const r = await h.session('isp');
    assert.equal(r.outcome, 'ok', r.reason);
    const codes = hdrCodes(h);
    assert.equal(codes[0], '407', 'first message has no nonce yet: challenged');
    assert.ok(codes.slice(1).every((c) => c === '200'), `then 200 for every message: ${codes.join(',')}`);
    const nonces = sent(h).sent.map((m) => m.commands.find((c) => c.cmd === 'Status' && c.cmdRef === '0')).map((c) => (c && c.cmd === 'Status' ? c.chal?.meta.nextNonce : undefined));
    assert.equal(new Set(nonces).size, nonces.length, 'a new nonce in every message');
    assert.equal(sent(h).results.length, 2);
  });

  test('11: HMAC with a server secret: the client checks the server MAC on its messages', async () => {
    h = await harness([{ account: 'isp', server: { serverId: 'dm.isp', authType: 'HMAC', serverSecret: 'srv-secret' } }]);
    h.peers.get('isp')!.server.queue([get('./DevInfo/DevId')]);
    const r = await h.session('isp');
    assert.equal(r.outcome, 'ok', r.reason);
    assert.equal(sent(h).results.length, 1);
  });

  test('server credentials: accepted (212 to the server) when right, session refused when wrong', async () => {
    h = await harness([{ account: 'isp', server: { serverId: 'dm.isp', authType: 'DIGEST', serverSecret: 'srv-secret' } }]);
    h.peers.get('isp')!.server.queue([get('./DevInfo/DevId')]);
    assert.equal((await h.session('isp')).outcome, 'ok');
    assert.ok(sent(h).headerStatuses.includes('212'), 'the client accepted the server credentials');
    await h.close();
    h = await harness([{ account: 'isp', server: { serverId: 'dm.isp', authType: 'DIGEST', serverSecret: 'srv-secret', serverCredSecret: 'forged' } }]);
    h.peers.get('isp')!.server.queue([get('./DevInfo/DevId')]);
    const r = await h.session('isp');
    assert.equal(r.outcome, 'auth-failed');
    assert.equal(sent(h).results.length, 0, 'nothing executed for an unauthenticated server');
  });

  test('12: a challenge for a weaker type than configured terminates the session', async () => {
    h = await harness([{ account: 'isp', server: { serverId: 'dm.isp', authType: 'BASIC' }, bridge: { auth: { type: 'DIGEST' } } }]);
    const r = await h.session('isp');
    assert.equal(r.outcome, 'auth-failed');
    assert.equal(sent(h).received.length, 1, 'no answer to the mismatched challenge');
  });
});
