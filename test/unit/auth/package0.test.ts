import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  DEFAULT_NONCE_ASCII,
  DEFAULT_NONCE_BYTES,
  buildPackage0,
  parsePackage0,
  sessionIdHex,
  verifyPackage0,
} from '../../../bridge/dm/syncml/package0.js';
import { BridgeError } from '../../../bridge/core/errors.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const V3 = {
  serverId: 'com.example.dm',
  serverSecret: 'srvsecret',
  nonce: Buffer.from('nonce123'),
  trigger: '02d800000012340e636f6d2e6578616d706c652e646d',
  digest: '41dadc415edf1e7af7f9d37a5be31d02',
};

function isMalformed(e: unknown): boolean {
  return e instanceof BridgeError && e.code === 'MESSAGE_MALFORMED';
}

describe('Package #0', () => {
  test('V3: build gives the exact trigger and digest', () => {
    const p = buildPackage0({ serverId: V3.serverId, serverSecret: V3.serverSecret, nonce: V3.nonce, version: 11, uiMode: 1, initiator: 1, sessionId: 0x1234 });
    assert.equal(hex(p), V3.digest + V3.trigger);
  });

  test('V3: parse the fields', () => {
    const p = parsePackage0(Buffer.from(V3.digest + V3.trigger, 'hex'));
    assert.equal(p.version, 11);
    assert.equal(p.uiMode, 1);
    assert.equal(p.initiator, 1);
    assert.equal(p.futureUse, 0);
    assert.equal(p.sessionId, 0x1234);
    assert.equal(p.serverId, 'com.example.dm');
    assert.equal(p.vendor.length, 0);
    assert.equal(hex(p.digest), V3.digest);
    assert.equal(hex(p.trigger), V3.trigger);
    assert.equal(sessionIdHex(p.sessionId), '1234');
  });

  test('V3: verify with the stored nonce', () => {
    const v = verifyPackage0(Buffer.from(V3.digest + V3.trigger, 'hex'), { serverId: V3.serverId, serverSecret: V3.serverSecret, nonce: V3.nonce });
    assert.equal(v.ok, true);
    assert.equal(v.ok && v.nonce, 'stored');
  });

  test('default-nonce fallback: 4 zero bytes and ASCII "0x00000000" (V3 digests)', () => {
    const cases: [string, string][] = [
      ['d694f533bbdb178ac64480e078526bec', 'default-bytes'],
      ['fd5a7daf56e3b8d2080b2abc69b78972', 'default-ascii'],
    ];
    for (const [digest, which] of cases) {
      const v = verifyPackage0(Buffer.from(digest + V3.trigger, 'hex'), { serverId: V3.serverId, serverSecret: V3.serverSecret, nonce: V3.nonce });
      assert.equal(v.ok, true);
      assert.equal(v.ok && v.nonce, which);
    }
    // and builds with those nonces reproduce them
    const b = (nonce: Buffer): string => hex(buildPackage0({ serverId: V3.serverId, serverSecret: V3.serverSecret, nonce, uiMode: 1, sessionId: 0x1234 }).subarray(0, 16));
    assert.equal(b(DEFAULT_NONCE_BYTES), 'd694f533bbdb178ac64480e078526bec');
    assert.equal(b(DEFAULT_NONCE_ASCII), 'fd5a7daf56e3b8d2080b2abc69b78972');
    // no stored nonce at all: still checks the defaults
    const v = verifyPackage0(Buffer.from('d694f533bbdb178ac64480e078526bec' + V3.trigger, 'hex'), { serverId: V3.serverId, serverSecret: V3.serverSecret, nonce: null });
    assert.equal(v.ok && v.nonce, 'default-bytes');
  });

  test('bad digest, wrong secret, unknown server id', () => {
    const bytes = Buffer.from(V3.digest + V3.trigger, 'hex');
    const wrong = verifyPackage0(bytes, { serverId: V3.serverId, serverSecret: 'nope', nonce: V3.nonce });
    assert.deepEqual([wrong.ok, !wrong.ok && wrong.reason], [false, 'bad-digest']);
    const tampered = Buffer.from(bytes);
    tampered.writeUInt8(tampered.readUInt8(tampered.length - 1) ^ 1, tampered.length - 1);
    const t = verifyPackage0(tampered, { serverId: 'com.example.dn', serverSecret: V3.serverSecret, nonce: V3.nonce });
    assert.deepEqual([t.ok, !t.ok && t.reason], [false, 'unknown-server']);
    const u = verifyPackage0(bytes, { serverId: 'other', serverSecret: V3.serverSecret, nonce: V3.nonce });
    assert.deepEqual([u.ok, !u.ok && u.reason], [false, 'unknown-server']);
  });

  test('version: 12 accepted, others rejected with the reason', () => {
    const p12 = buildPackage0({ serverId: 's', serverSecret: 'x', nonce: V3.nonce, sessionId: 1, version: 12 });
    assert.equal(parsePackage0(p12).version, 12);
    for (const version of [10, 13, 0, 1023]) {
      const p = buildPackage0({ serverId: 's', serverSecret: 'x', nonce: V3.nonce, sessionId: 1, version });
      assert.throws(() => parsePackage0(p), (e: unknown) => isMalformed(e) && new RegExp(`unsupported version ${version}`).test((e as Error).message));
    }
  });

  test('truncation and garbage -> MESSAGE_MALFORMED', () => {
    const full = Buffer.from(V3.digest + V3.trigger, 'hex');
    for (const n of [0, 1, 16, 23]) assert.throws(() => parsePackage0(full.subarray(0, n)), (e: unknown) => isMalformed(e) && /truncated:/.test((e as Error).message));
    assert.throws(() => parsePackage0(full.subarray(0, full.length - 1)), (e: unknown) => isMalformed(e) && /truncated server identifier/.test((e as Error).message));
    const noId = Buffer.from(full.subarray(0, 24));
    noId[23] = 0;
    assert.throws(() => parsePackage0(noId), (e: unknown) => isMalformed(e) && /empty server identifier/.test((e as Error).message));
    const badUtf8 = Buffer.concat([full.subarray(0, 23), Buffer.from([2, 0xff, 0xfe])]);
    assert.throws(() => parsePackage0(badUtf8), (e: unknown) => isMalformed(e) && /UTF-8/.test((e as Error).message));
    assert.throws(() => parsePackage0('abc' as unknown as Uint8Array), isMalformed);
  });

  test('vendor body and all header fields survive', () => {
    const vendor = Buffer.from('vendor-data');
    const p = buildPackage0({ serverId: 'dm.isp', serverSecret: 'k', nonce: V3.nonce, sessionId: 0xab, uiMode: 3, initiator: 0, vendor });
    const q = parsePackage0(p);
    assert.deepEqual([q.uiMode, q.initiator, q.sessionId, q.serverId, Buffer.from(q.vendor).toString()], [3, 0, 0xab, 'dm.isp', 'vendor-data']);
  });

  test('sessionIdHex: uppercase, no leading zeros', () => {
    assert.equal(sessionIdHex(0x00ab), 'AB');
    assert.equal(sessionIdHex(0), '0');
    assert.equal(sessionIdHex(0xffff), 'FFFF');
    assert.equal(sessionIdHex(0x0a0b), 'A0B');
    assert.throws(() => sessionIdHex(0x10000), BridgeError);
    assert.throws(() => sessionIdHex(-1), BridgeError);
  });

  test('build -> parse -> verify round trip (property)', () => {
    fc.assert(
      fc.property(
        fc.record({
          serverId: fc.string({ minLength: 1, maxLength: 60 }),
          serverSecret: fc.string(),
          nonce: fc.uint8Array({ maxLength: 32 }),
          sessionId: fc.integer({ min: 0, max: 0xffff }),
          version: fc.constantFrom(11, 12),
          uiMode: fc.constantFrom(0, 1, 2, 3) as fc.Arbitrary<0 | 1 | 2 | 3>,
          initiator: fc.constantFrom(0, 1) as fc.Arbitrary<0 | 1>,
          vendor: fc.uint8Array({ maxLength: 40 }),
        }),
        (o) => {
          const bytes = buildPackage0(o);
          const p = parsePackage0(bytes);
          assert.deepEqual([p.serverId, p.sessionId, p.version, p.uiMode, p.initiator, hex(p.vendor)], [o.serverId, o.sessionId, o.version, o.uiMode, o.initiator, hex(o.vendor)]);
          const v = verifyPackage0(bytes, { serverId: o.serverId, serverSecret: o.serverSecret, nonce: o.nonce });
          assert.equal(v.ok, true);
        },
      ),
    );
  });

  test('random bytes never throw anything but BridgeError (property)', () => {
    const arb = fc.oneof(
      fc.uint8Array({ maxLength: 80 }),
      // mostly-valid prefix: right version, random rest, to reach deeper checks
      fc.uint8Array({ minLength: 8, maxLength: 80 }).map((b) => {
        const out = Buffer.concat([Buffer.alloc(16), Buffer.from([0x02, 0xd8]), Buffer.from(b)]);
        return new Uint8Array(out);
      }),
    );
    fc.assert(
      fc.property(arb, (bytes) => {
        try {
          verifyPackage0(bytes, { serverId: 'x', serverSecret: 'y', nonce: null });
        } catch (e) {
          assert.ok(isMalformed(e), String(e));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
