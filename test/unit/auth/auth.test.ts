import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  AuthTypeUri,
  authTypeFromUri,
  authTypeToUri,
  b64Equal,
  basicCred,
  buildCred,
  formatHmacHeader,
  generateNonce,
  hmacMac,
  md5Digest,
  nonceBytes,
  parseHmacHeader,
  verifyCred,
  verifyHmac,
} from '../../../bridge/dm/syncml/auth.js';
import { BridgeError } from '../../../bridge/core/errors.js';

describe('DM 1.2 credentials (PROTOCOL.md §5)', () => {
  test('V1 basic: Bruce2:OhBehave', () => {
    assert.equal(basicCred('Bruce2', 'OhBehave'), 'QnJ1Y2UyOk9oQmVoYXZl');
  });

  test('V2 md5: Bruce2/OhBehave/nonce "Nonce"', () => {
    assert.equal(md5Digest('Bruce2', 'OhBehave', Buffer.from('Nonce')), 'Zz6EivR3yeaaENcRN6lpAQ==');
    // the same through the NextNonce (b64 text) path
    assert.equal(md5Digest('Bruce2', 'OhBehave', nonceBytes(Buffer.from('Nonce').toString('base64'))), 'Zz6EivR3yeaaENcRN6lpAQ==');
  });

  test('buildCred gives the wire Cred per type', () => {
    assert.deepEqual(buildCred('BASIC', 'Bruce2', 'OhBehave', null), {
      meta: { type: 'syncml:auth-basic', format: 'b64' },
      data: 'QnJ1Y2UyOk9oQmVoYXZl',
    });
    assert.deepEqual(buildCred('DIGEST', 'Bruce2', 'OhBehave', Buffer.from('Nonce').toString('base64')), {
      meta: { type: 'syncml:auth-md5', format: 'b64' },
      data: 'Zz6EivR3yeaaENcRN6lpAQ==',
    });
    assert.equal(buildCred('HMAC', 'a', 'b', 'AAAA'), undefined);
    assert.equal(buildCred('NONE', 'a', 'b', 'AAAA'), undefined);
  });

  test('hmacMac follows the formula and depends on every input', () => {
    const H = (d: string | Buffer): Buffer => createHash('md5').update(d).digest();
    const body = Buffer.from('<SyncML/>');
    const expected = H(`${H('Robert Jordan:pw').toString('base64')}:nonce:${H(body).toString('base64')}`).toString('base64');
    assert.equal(hmacMac('Robert Jordan', 'pw', Buffer.from('nonce'), body), expected);
    assert.notEqual(hmacMac('Robert Jordan', 'pw', Buffer.from('nonce'), Buffer.from('<SyncML />')), expected);
    assert.notEqual(hmacMac('Robert Jordan', 'pw', Buffer.from('nonce2'), body), expected);
  });

  test('verifyCred: ok, bad, missing, wrong type; several nonce candidates', () => {
    const n = Buffer.from('Nonce');
    const md5 = buildCred('DIGEST', 'Bruce2', 'OhBehave', n.toString('base64'));
    assert.equal(verifyCred(md5, { type: 'DIGEST', name: 'Bruce2', secret: 'OhBehave', nonces: [n] }), 'ok');
    assert.equal(verifyCred(md5, { type: 'DIGEST', name: 'Bruce2', secret: 'OhBehave', nonces: [Buffer.from('x'), n] }), 'ok');
    assert.equal(verifyCred(md5, { type: 'DIGEST', name: 'Bruce2', secret: 'wrong', nonces: [n] }), 'bad');
    assert.equal(verifyCred(md5, { type: 'BASIC', name: 'Bruce2', secret: 'OhBehave' }), 'wrong-type');
    assert.equal(verifyCred(undefined, { type: 'BASIC', name: 'Bruce2', secret: 'OhBehave' }), 'missing');
    const basic = buildCred('BASIC', 'Bruce2', 'OhBehave', null);
    assert.equal(verifyCred(basic, { type: 'BASIC', name: 'Bruce2', secret: 'OhBehave' }), 'ok');
    assert.equal(verifyCred(basic, { type: 'BASIC', name: 'Bruce2', secret: 'OhBehav' }), 'bad');
    assert.equal(verifyCred({ meta: { type: 'syncml:auth-basic' }, data: '%%%' }, { type: 'BASIC', name: 'a', secret: 'b' }), 'bad');
  });

  test('b64Equal compares decoded bytes, rejects non-base64', () => {
    assert.equal(b64Equal('QUJD', 'QUJD'), true);
    assert.equal(b64Equal('QUJD', 'QUJE'), false);
    assert.equal(b64Equal('QUJD', 'QUJ'), false);
    assert.equal(b64Equal('QUJD', 'Q!JD'), false);
    assert.equal(b64Equal('QUI=', 'QUI'), true);
  });

  test('AuthType <-> Meta/Type mapping', () => {
    assert.equal(authTypeToUri('BASIC'), 'syncml:auth-basic');
    assert.equal(authTypeToUri('DIGEST'), 'syncml:auth-md5');
    assert.equal(authTypeToUri('HMAC'), 'syncml:auth-MAC');
    assert.equal(authTypeToUri('NONE'), undefined);
    for (const [k, v] of Object.entries(AuthTypeUri)) assert.equal(authTypeFromUri(v), k);
    assert.equal(authTypeFromUri('syncml:auth-mac'), 'HMAC');
    assert.equal(authTypeFromUri(' SYNCML:AUTH-MD5 '), 'DIGEST');
    assert.equal(authTypeFromUri('syncml:auth-X509'), undefined);
    assert.equal(authTypeFromUri(undefined), undefined);
  });

  test('generateNonce: 16 random bytes as base64', () => {
    const a = generateNonce();
    const b = generateNonce();
    assert.equal(Buffer.from(a, 'base64').length, 16);
    assert.match(a, /^[A-Za-z0-9+/]{22}==$/);
    assert.notEqual(a, b);
    assert.equal(nonceBytes(null).length, 0);
  });
});

describe('x-syncml-hmac header', () => {
  const V4 = 'algorithm=MD5, username="Robert Jordan", mac=NTI2OTJhMDAwNjYxODkwYmQ3NWUxN2RhN2ZmYmJlMzk';

  test('V4 syntax parses; format reproduces it', () => {
    const h = parseHmacHeader(V4);
    assert.deepEqual(h, { algorithm: 'MD5', username: 'Robert Jordan', mac: 'NTI2OTJhMDAwNjYxODkwYmQ3NWUxN2RhN2ZmYmJlMzk' });
    assert.equal(formatHmacHeader(h), V4);
  });

  test('tolerant forms', () => {
    assert.deepEqual(parseHmacHeader('username=bob,mac=QUJDRA=='), { algorithm: 'MD5', username: 'bob', mac: 'QUJDRA==' });
    assert.deepEqual(parseHmacHeader('  MAC = QUJDRA==  ,  Username = "a, \\"b\\"" , Algorithm="md5", extra=1 '), {
      algorithm: 'MD5',
      username: 'a, "b"',
      mac: 'QUJDRA==',
    });
  });

  test('strict validation with clear errors', () => {
    const cases: [string, RegExp][] = [
      ['username="x"', /mac missing/],
      ['mac=QUJD', /username missing/],
      ['algorithm=SHA1, username="x", mac=QUJD', /unsupported algorithm SHA1/],
      ['username="x", mac=@@@', /not base64/],
      ['username="x", username="y", mac=QUJD', /duplicate parameter username/],
      ['username="x, mac=QUJD', /unterminated/],
      ['username="x" junk, mac=QUJD', /expected ","/],
      ['=x', /unexpected text/],
      ['', /username missing/],
    ];
    for (const [v, re] of cases) {
      assert.throws(
        () => parseHmacHeader(v),
        (e: unknown) => e instanceof BridgeError && e.code === 'AUTH_FAILED' && re.test(e.message),
        v,
      );
    }
  });

  test('format/parse round trip (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.uint8Array({ minLength: 16, maxLength: 16 }), (username, raw) => {
        const mac = Buffer.from(raw).toString('base64');
        assert.deepEqual(parseHmacHeader(formatHmacHeader({ username, mac })), { algorithm: 'MD5', username, mac });
      }),
    );
  });

  test('parse never throws anything but BridgeError (property)', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          parseHmacHeader(s);
        } catch (e) {
          assert.ok(e instanceof BridgeError);
        }
      }),
    );
  });

  test('verifyHmac: ok, bad mac, wrong user, missing, malformed, hex variant', () => {
    const body = Buffer.from('<SyncML>x</SyncML>');
    const nonce = Buffer.from('abc');
    const mac = hmacMac('gw', 'pw', nonce, body);
    const exp = { username: 'gw', secret: 'pw', nonce, body };
    assert.equal(verifyHmac(formatHmacHeader({ username: 'gw', mac }), exp), 'ok');
    assert.equal(verifyHmac(formatHmacHeader({ username: 'gw', mac }), { ...exp, body: Buffer.from('<SyncML>y</SyncML>') }), 'bad');
    assert.equal(verifyHmac(formatHmacHeader({ username: 'gw', mac }), { ...exp, nonce: Buffer.from('abd') }), 'bad');
    assert.equal(verifyHmac(formatHmacHeader({ username: 'other', mac }), exp), 'wrong-user');
    assert.equal(verifyHmac(undefined, exp), 'missing');
    assert.equal(verifyHmac('garbage', exp), 'malformed');
    const hexForm = Buffer.from(Buffer.from(mac, 'base64').toString('hex')).toString('base64').replace(/=+$/, '');
    assert.equal(verifyHmac(formatHmacHeader({ username: 'gw', mac: hexForm }), exp), 'ok');
  });
});
