import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { notificationMac, verifyNotification } from '../../../bridge/dm/dm2/notification.js';

const SERVER = 'dm.isp.example';
const SECRET = 'server-secret';
const base = { dm: '2.0', type: 'notify', serverId: SERVER, sid: '1A2C', nid: 'n-42', nonce: 'bm9uY2UtMQ==' };
const frame = (f: Record<string, unknown> = base, secret = SECRET): string =>
  JSON.stringify({ ...f, mac: notificationMac(secret, f as typeof base) });

describe('DM 2.0 notification verifier', () => {
  const seenNone = { serverId: SERVER, serverSecret: SECRET, seen: () => false };

  test('MAC = b64 HMAC-SHA256(secret, serverId \\n sid \\n nid \\n nonce)', () => {
    // printf 'dm.isp.example\n1A2C\nn-42\nbm9uY2UtMQ==' | openssl dgst -sha256 -hmac server-secret -binary | base64
    assert.equal(notificationMac(SECRET, base), 'pATdCWyTfYSRgIj89e8sP1qsY0t3ijQ8lbB9haTodgc=');
    assert.deepEqual(verifyNotification(frame(), seenNone), { ok: true, sid: '1A2C', nid: 'n-42', nonce: 'bm9uY2UtMQ==' });
  });

  test('dropped with a reason: bad MAC, other serverId, replayed nonce, no secret, malformed', () => {
    const cases: Array<[string, Parameters<typeof verifyNotification>[1], RegExp]> = [
      [frame(base, 'other'), seenNone, /MAC/],
      [JSON.stringify({ ...JSON.parse(frame()), nid: 'n-43' }), seenNone, /MAC/],
      [frame({ ...base, serverId: 'dm.evil.example' }), seenNone, /not this channel/],
      [frame(), { ...seenNone, seen: (n) => n === base.nonce }, /replay/],
      [frame(), { ...seenNone, serverSecret: null }, /serverSecret/],
      ['{', seenNone, /not JSON/],
      ['[1]', seenNone, /object/],
      [JSON.stringify({ ...base, type: 'other' }), seenNone, /notification/],
      [frame({ ...base, sid: 'zz' }), seenNone, /sid/],
      [JSON.stringify({ ...base, mac: 5 }), seenNone, /mac/],
      ['x'.repeat(10_000), seenNone, /longer/],
    ];
    for (const [f, ctx, why] of cases) {
      const r = verifyNotification(f, ctx);
      assert.equal(r.ok, false, f.slice(0, 80));
      if (!r.ok) assert.match(r.reason, why);
    }
  });
});
