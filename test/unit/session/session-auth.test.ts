import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { buildCred, hmacMac, md5Digest, nonceBytes, verifyHmac, formatHmacHeader } from '../../../bridge/dm/syncml/auth.js';
import { Driver, DEV_ID, b64, chal, get, hdrStatus, makeConfig, serverMsg, statuses } from './helpers.js';

const V2_NONCE = b64('Nonce');

describe('DM 1.2 session: authentication (§4.3 items 8-12)', () => {
  test('8: Basic challenge (407 + Chal auth-basic) -> Package #1 again with Cred QnJ1Y2UyOk9oQmVoYXZl -> 212', () => {
    const d = new Driver(makeConfig({ authType: 'NONE' }));
    const m1 = d.start();
    assert.equal(m1.header.cred, undefined);
    const r = d.receive(serverMsg(1, [hdrStatus('1', '1', '407', chal('syncml:auth-basic')), { cmd: 'Status', cmdId: '2', msgRef: '1', cmdRef: '1', refCmd: 'Alert', data: '407' }]));
    const m2 = r.send?.message;
    assert.ok(m2);
    assert.equal(m2.header.msgId, '2');
    assert.equal(m2.header.sessionId, '1');
    assert.deepEqual(m2.header.cred, { meta: { type: 'syncml:auth-basic', format: 'b64' }, data: 'QnJ1Y2UyOk9oQmVoYXZl' });
    assert.equal(m2.header.source.locName, 'Bruce2');
    assert.deepEqual(m2.commands.map((c) => (c.cmd === 'Status' ? `Status:${c.cmdRef}` : c.cmd === 'Alert' ? `Alert:${c.data}` : c.cmd)), ['Status:0', 'Alert:1201', 'Replace']);
    assert.equal(m2.final, true);
    // 212: authenticated for the session -> no more Cred
    const r3 = d.receive(serverMsg(2, [hdrStatus('1', '2', '212'), get('2', './DevInfo/Man')]));
    const m3 = d.execute(r3).send?.message;
    assert.ok(m3);
    assert.equal(m3.header.cred, undefined);
  });

  test('9: MD5 with stored nonce "Nonce" -> Cred Zz6EivR3yeaaENcRN6lpAQ==; NextNonce of the 212 is persisted for the next session', () => {
    const d = new Driver(makeConfig({ authType: 'DIGEST', clientNonce: V2_NONCE }));
    const m1 = d.start();
    assert.deepEqual(m1.header.cred, { meta: { type: 'syncml:auth-md5', format: 'b64' }, data: 'Zz6EivR3yeaaENcRN6lpAQ==' });
    assert.deepEqual(m1.header.source, { locUri: DEV_ID, locName: 'Bruce2' });
    const next = b64('next-session-nonce');
    const r = d.receive(serverMsg(1, [hdrStatus('1', '1', '212', chal('syncml:auth-md5', next))]));
    assert.equal(r.send, undefined, 'Final-only package 2 ends the session');
    assert.deepEqual(r.effects[0], { kind: 'persistNonce', direction: 'client', nonce: next });
    assert.equal(d.doneEffect()?.outcome, 'ok');
    // next session uses it
    const d2 = new Driver(makeConfig({ authType: 'DIGEST', clientNonce: next }));
    assert.equal(d2.start().header.cred?.data, md5Digest('Bruce2', 'OhBehave', Buffer.from('next-session-nonce')));
  });

  test('200 + Chal: credentials are sent again with the new nonce', () => {
    const d = new Driver(makeConfig({ authType: 'DIGEST', clientNonce: V2_NONCE }));
    d.start();
    const r = d.receive(serverMsg(1, [hdrStatus('1', '1', '200', chal('syncml:auth-md5', b64('n2'))), get('2', './A')]));
    const m2 = d.execute(r).send?.message;
    assert.equal(m2?.header.cred?.data, md5Digest('Bruce2', 'OhBehave', Buffer.from('n2')));
  });

  test('DIGEST without a stored nonce: no Cred first, then the challenge nonce', () => {
    const d = new Driver(makeConfig({ authType: 'DIGEST' }));
    assert.equal(d.start().header.cred, undefined);
    const m2 = d.receive(serverMsg(1, [hdrStatus('1', '1', '407', chal('syncml:auth-md5', b64('fresh')))])).send?.message;
    assert.equal(m2?.header.cred?.data, md5Digest('Bruce2', 'OhBehave', Buffer.from('fresh')));
  });

  test('10: wrong credentials -> 401 + new nonce -> exactly one retry; a second 401 ends the session (auth-failed)', () => {
    const d = new Driver(makeConfig({ authType: 'DIGEST', clientNonce: b64('stale') }));
    d.start();
    const r = d.receive(serverMsg(1, [hdrStatus('1', '1', '401', chal('syncml:auth-md5', b64('new1')))]));
    assert.deepEqual(r.effects, [{ kind: 'persistNonce', direction: 'client', nonce: b64('new1') }]);
    assert.equal(r.send?.message.header.cred?.data, md5Digest('Bruce2', 'OhBehave', Buffer.from('new1')));
    const r2 = d.receive(serverMsg(2, [hdrStatus('1', '2', '401', chal('syncml:auth-md5', b64('new2')))]));
    assert.equal(r2.send, undefined);
    assert.equal(d.doneEffect()?.outcome, 'auth-failed');
    assert.equal(d.sent.length, 2);
    // the newest nonce is still persisted (use the latest nonce received)
    assert.deepEqual(r2.effects[0], { kind: 'persistNonce', direction: 'client', nonce: b64('new2') });
  });

  test('401 without a Chal -> auth-failed; other SyncHdr errors -> error', () => {
    const d = new Driver(makeConfig({ authType: 'BASIC' }));
    d.start();
    assert.equal(d.receive(serverMsg(1, [hdrStatus('1', '1', '401')])).send, undefined);
    assert.equal(d.doneEffect()?.outcome, 'auth-failed');
    const e = new Driver(makeConfig());
    e.start();
    e.receive(serverMsg(1, [hdrStatus('1', '1', '500')]));
    assert.equal(e.doneEffect()?.outcome, 'error');
  });

  test('10 (server side): wrong server credentials -> our reply holds Status only (401 + Chal), nothing executed; twice -> auth-failed', () => {
    const cfg = makeConfig({ authType: 'DIGEST', clientNonce: V2_NONCE, serverSecret: 'srv', serverNonce: b64('sn') });
    const d = new Driver(cfg);
    d.start();
    const badCred = buildCred('DIGEST', 'dm.example', 'wrong', b64('sn'));
    const r = d.receive(serverMsg(1, [hdrStatus('1', '1', '212'), get('2', './A')], { cred: badCred }));
    assert.equal(r.effects.some((e) => e.kind === 'execute'), false);
    const m = r.send?.message;
    assert.ok(m);
    assert.equal(m.commands.every((c) => c.cmd === 'Status'), true);
    const st = statuses(m);
    assert.deepEqual(st.map((s) => `${s.cmdRef}:${s.data}`), ['0:401', '2:401']);
    assert.equal(st[0]?.chal?.meta.type, 'syncml:auth-md5');
    const issued = st[0]?.chal?.meta.nextNonce;
    assert.ok(issued);
    assert.deepEqual(r.effects.filter((e) => e.kind === 'persistNonce'), [{ kind: 'persistNonce', direction: 'server', nonce: issued }]);
    // correct creds with the issued nonce -> 212 and execution
    const good = buildCred('DIGEST', 'dm.example', 'srv', issued);
    const r2 = d.receive(serverMsg(2, [hdrStatus('1', '2', '200'), get('2', './A')], { cred: good }));
    assert.ok(r2.effects.some((e) => e.kind === 'execute'));
    const m3 = d.execute(r2).send?.message;
    assert.equal(statuses(m3!)[0]?.data, '212');
    // a second failure in another session ends it
    const d2 = new Driver(cfg);
    d2.start();
    d2.receive(serverMsg(1, [hdrStatus('1', '1', '212'), get('2', './A')]));
    assert.equal(statuses(d2.lastSent())[0]?.data, '407', 'missing creds -> 407');
    const r4 = d2.receive(serverMsg(2, [hdrStatus('1', '2', '200'), get('2', './A')], { cred: badCred }));
    assert.equal(r4.send, undefined);
    assert.equal(d2.doneEffect()?.outcome, 'auth-failed');
  });

  test('server MD5 Cred checked with our server nonce -> 212 + Chal NextNonce persisted when sent', () => {
    const d = new Driver(makeConfig({ authType: 'DIGEST', clientNonce: V2_NONCE, serverSecret: 'srv', serverNonce: b64('sn') }));
    d.start();
    const cred = buildCred('DIGEST', 'dm.example', 'srv', b64('sn'));
    const r = d.receive(serverMsg(1, [hdrStatus('1', '1', '212'), get('2', './A')], { cred }));
    const out = d.execute(r);
    const hdr = statuses(out.send!.message)[0];
    assert.equal(hdr?.data, '212');
    assert.equal(hdr?.chal?.meta.nextNonce, b64('nonce-1'));
    assert.deepEqual(out.effects, [{ kind: 'persistNonce', direction: 'server', nonce: b64('nonce-1') }]);
    // Final-only package with creds: the new server nonce is NOT persisted (never sent)
    const d2 = new Driver(makeConfig({ authType: 'DIGEST', clientNonce: V2_NONCE, serverSecret: 'srv', serverNonce: b64('sn') }));
    d2.start();
    const r2 = d2.receive(serverMsg(1, [hdrStatus('1', '1', '212')], { cred }));
    assert.equal(r2.send, undefined);
    assert.equal(r2.effects.some((e) => e.kind === 'persistNonce' && e.direction === 'server'), false);
  });

  test('11: HMAC: every message signed with the current nonce, NextNonce per message, SyncHdr 200, server MAC checked', () => {
    const cfg = makeConfig({ authType: 'HMAC', clientNonce: b64('c0'), serverSecret: 'srv', serverNonce: b64('s0') });
    const d = new Driver(cfg);
    d.start();
    const s1 = d.last?.send;
    assert.ok(s1);
    assert.equal(s1.message.header.cred, undefined, 'HMAC travels only in the transport header');
    assert.equal(s1.message.header.source.locName, 'Bruce2');
    assert.deepEqual(s1.hmacSign, { username: 'Bruce2', nonce: b64('c0') });
    assert.deepEqual(s1.hmacVerify, { username: 'dm.example', nonce: b64('s0') });
    // the transport can sign with what it is given
    const body = Buffer.from('<SyncML>1</SyncML>');
    const header = formatHmacHeader({ username: s1.hmacSign!.username, mac: hmacMac('Bruce2', 'OhBehave', nonceBytes(s1.hmacSign!.nonce), body) });
    assert.equal(verifyHmac(header, { username: 'Bruce2', secret: 'OhBehave', nonce: Buffer.from('c0'), body }), 'ok');

    const r = d.receive(serverMsg(1, [hdrStatus('1', '1', '200', chal('syncml:auth-MAC', b64('c1'))), get('2', './A')]), 'ok');
    const s2 = d.execute(r).send;
    assert.ok(s2);
    assert.deepEqual(s2.hmacSign, { username: 'Bruce2', nonce: b64('c1') });
    const hdr = statuses(s2.message)[0];
    assert.equal(hdr?.data, '200');
    assert.equal(hdr?.chal?.meta.type, 'syncml:auth-MAC');
    assert.equal(hdr?.chal?.meta.nextNonce, b64('nonce-1'));
    assert.deepEqual(s2.hmacVerify, { username: 'dm.example', nonce: b64('nonce-1') });

    const r3 = d.receive(serverMsg(2, [hdrStatus('1', '2', '200', chal('syncml:auth-MAC', b64('c2'))), get('2', './B')]), 'ok');
    const s3 = d.execute(r3).send;
    assert.deepEqual(s3?.hmacSign, { username: 'Bruce2', nonce: b64('c2') });
    assert.equal(statuses(s3!.message)[0]?.chal?.meta.nextNonce, b64('nonce-2'));
    assert.deepEqual(
      d.effects.filter((e) => e.kind === 'persistNonce').map((e) => e.kind === 'persistNonce' && `${e.direction}:${Buffer.from(e.nonce, 'base64').toString()}`),
      ['client:c1', 'server:nonce-1', 'client:c2', 'server:nonce-2'],
    );

    // a message without the header when expected -> 407 challenge; again -> auth-failed
    const r4 = d.receive(serverMsg(3, [hdrStatus('1', '3', '200'), get('2', './C')]), 'absent');
    assert.equal(r4.effects.some((e) => e.kind === 'execute'), false);
    assert.deepEqual(statuses(r4.send!.message).map((s) => s.data), ['407', '407']);
    const r5 = d.receive(serverMsg(4, [hdrStatus('1', '4', '200'), get('2', './C')]), 'bad');
    assert.equal(r5.send, undefined);
    assert.equal(d.doneEffect()?.outcome, 'auth-failed');
  });

  test('HMAC requested by a challenge (DIGEST configured) is followed and stays on', () => {
    const d = new Driver(makeConfig({ authType: 'DIGEST', clientNonce: V2_NONCE }));
    d.start();
    const r = d.receive(serverMsg(1, [hdrStatus('1', '1', '407', chal('syncml:auth-MAC', b64('m1')))]));
    assert.equal(r.send?.message.header.cred, undefined);
    assert.deepEqual(r.send?.hmacSign, { username: 'Bruce2', nonce: b64('m1') });
    const r2 = d.receive(serverMsg(2, [hdrStatus('1', '2', '212'), get('2', './A')]));
    assert.deepEqual(d.execute(r2).send?.hmacSign, { username: 'Bruce2', nonce: b64('m1') });
  });

  test('HMAC without a stored nonce: unsigned first, signed once a NextNonce arrives', () => {
    const d = new Driver(makeConfig({ authType: 'HMAC' }));
    d.start();
    assert.equal(d.last?.send?.hmacSign, undefined);
    const r = d.receive(serverMsg(1, [hdrStatus('1', '1', '407', chal('syncml:auth-MAC', b64('h1')))]));
    assert.deepEqual(r.send?.hmacSign, { username: 'Bruce2', nonce: b64('h1') });
  });

  test('12: challenge for a weaker or unsupported type -> session terminated (auth-failed), nothing sent', () => {
    for (const [configured, asked] of [
      ['DIGEST', 'syncml:auth-basic'],
      ['HMAC', 'syncml:auth-md5'],
      ['DIGEST', 'syncml:auth-X509'],
    ] as const) {
      const d = new Driver(makeConfig({ authType: configured, clientNonce: V2_NONCE }));
      d.start();
      const r = d.receive(serverMsg(1, [hdrStatus('1', '1', '401', chal(asked, b64('x')))]));
      assert.equal(r.send, undefined, `${configured} challenged with ${asked}`);
      const done = d.doneEffect();
      assert.equal(done?.outcome, 'auth-failed');
      assert.match(done?.reason ?? '', asked.endsWith('X509') ? /unsupported type/ : /refusing to downgrade/);
    }
    // NONE configured: any supported challenge is answered with that type
    const d = new Driver(makeConfig({ authType: 'NONE' }));
    d.start();
    const r = d.receive(serverMsg(1, [hdrStatus('1', '1', '407', chal('syncml:auth-md5', V2_NONCE))]));
    assert.equal(r.send?.message.header.cred?.data, 'Zz6EivR3yeaaENcRN6lpAQ==');
  });
});
