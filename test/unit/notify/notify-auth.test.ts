import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { formatNotifyAuth, notifyAuthMac, parseNotifyAuth, verifyNotifyAuth } from '../../../bridge/authority/notify-auth.js';

const NOW = 1_700_000_000_123;

describe('DMB-HMAC header of the notify channel', () => {
  test('the header has the documented form and the MAC is HMAC-SHA256(secret, name \\n ts) in base64', () => {
    const h = formatNotifyAuth('gw-isp', 's3cret', NOW);
    const want = createHmac('sha256', 's3cret').update('gw-isp\n1700000000').digest('base64');
    assert.equal(h, `DMB-HMAC name="gw-isp", ts="1700000000", mac="${want}"`);
    assert.equal(notifyAuthMac('s3cret', 'gw-isp', '1700000000'), want);
  });

  test('a header verifies with the right credentials only', () => {
    const h = formatNotifyAuth('gw-isp', 's3cret', NOW);
    assert.deepEqual(verifyNotifyAuth(h, { name: 'gw-isp', secret: 's3cret', nowMs: NOW }), { ok: true, name: 'gw-isp' });
    assert.deepEqual(verifyNotifyAuth(h, { name: 'gw-isp', secret: 'wrong', nowMs: NOW }), { ok: false, reason: 'MAC does not match' });
    assert.deepEqual(verifyNotifyAuth(h, { name: 'gw-oem', secret: 's3cret', nowMs: NOW }), { ok: false, reason: 'unknown client name' });
    assert.deepEqual(verifyNotifyAuth(undefined, { name: 'gw-isp', secret: 's3cret', nowMs: NOW }), { ok: false, reason: 'no Authorization header' });
    assert.equal(verifyNotifyAuth('Basic Z3c6cHc=', { name: 'gw-isp', secret: 's3cret', nowMs: NOW }).ok, false);
  });

  test('a stale or future timestamp is refused (default window 300 s)', () => {
    const h = formatNotifyAuth('gw', 'pw', NOW - 301_000);
    const r = verifyNotifyAuth(h, { name: 'gw', secret: 'pw', nowMs: NOW });
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.reason, /ts off by 30[12] s/);
    assert.equal(verifyNotifyAuth(formatNotifyAuth('gw', 'pw', NOW + 200_000), { name: 'gw', secret: 'pw', nowMs: NOW }).ok, true);
    assert.equal(verifyNotifyAuth(formatNotifyAuth('gw', 'pw', NOW + 200_000), { name: 'gw', secret: 'pw', nowMs: NOW, maxSkewSeconds: 100 }).ok, false);
  });

  test('parsing tolerates field order, spacing and scheme case; refuses duplicates, junk and missing fields', () => {
    assert.deepEqual(parseNotifyAuth('dmb-hmac mac="bWFj" ,ts="12",  name="a b"'), { name: 'a b', ts: '12', mac: 'bWFj' });
    assert.equal(parseNotifyAuth('DMB-HMAC name="a", name="b", ts="1", mac="m"'), null);
    assert.equal(parseNotifyAuth('DMB-HMAC name="a", ts="1"'), null);
    assert.equal(parseNotifyAuth('DMB-HMAC name="a" ts="1" mac="m" junk'), null);
    assert.equal(parseNotifyAuth('DMB-HMACname="a", ts="1", mac="m"'), null);
    assert.equal(parseNotifyAuth(`DMB-HMAC name="${'a'.repeat(3000)}", ts="1", mac="m"`), null);
  });

  test('a client name that cannot be quoted is refused when formatting', () => {
    assert.throws(() => formatNotifyAuth('a"b', 'pw', NOW), /client name/);
    assert.throws(() => formatNotifyAuth('a\nb', 'pw', NOW), /client name/);
    assert.throws(() => formatNotifyAuth('', 'pw', NOW), /client name/);
  });

  test('property: format then verify round-trips for any quotable name and secret; the parser never throws', () => {
    const name = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !/["\\\u0000-\u001f\u007f]/.test(s));
    fc.assert(fc.property(name, fc.string(), fc.integer({ min: 0, max: 4_000_000_000 }), (n, secret, sec) => {
      const now = sec * 1000;
      const h = formatNotifyAuth(n, secret, now);
      assert.deepEqual(parseNotifyAuth(h), { name: n, ts: String(sec), mac: notifyAuthMac(secret, n, String(sec)) });
      assert.equal(verifyNotifyAuth(h, { name: n, secret, nowMs: now }).ok, true);
      assert.equal(verifyNotifyAuth(h, { name: n, secret: `${secret}x`, nowMs: now }).ok, false);
    }));
    fc.assert(fc.property(fc.string({ maxLength: 300 }), (junk) => {
      const r = verifyNotifyAuth(junk, { name: 'gw', secret: 'pw', nowMs: NOW });
      assert.equal(r.ok, false);
      const p = parseNotifyAuth(`DMB-HMAC ${junk}`);
      assert.ok(p === null || (typeof p.name === 'string' && typeof p.mac === 'string'));
    }));
  });
});
