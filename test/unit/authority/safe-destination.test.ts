import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { httpCall } from '../../../bridge/authority/http-transport.js';
import { createDestinationGuard, isOwnAddress, originOf, specialAddress, type Resolver } from '../../../bridge/authority/safe-destination.js';
import { displayUrl } from '../../../bridge/core/display-url.js';
import { BridgeError } from '../../../bridge/core/errors.js';

const refused = (e: unknown): boolean => e instanceof BridgeError && e.code === 'DESTINATION_REFUSED' && e.status === 403;
const fixed = (map: Record<string, string[]>): Resolver => async (host) => {
  const a = map[host];
  if (!a) throw new Error(`ENOTFOUND ${host}`);
  return a.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

describe('specialAddress', () => {
  const table: Array<[string, string | null]> = [
    ['127.0.0.1', 'loopback'], ['127.255.1.2', 'loopback'], ['::1', 'loopback'], ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'], ['[::1]', 'loopback'], ['0.0.0.0', 'unspecified'], ['0.1.2.3', 'unspecified'], ['::', 'unspecified'],
    ['169.254.169.254', 'link-local'], ['fe80::1', 'link-local'], ['fe80::1%eth0', 'link-local'], ['febf::1', 'link-local'],
    ['224.0.0.251', 'multicast'], ['239.255.255.250', 'multicast'], ['ff02::fb', 'multicast'], ['255.255.255.255', 'broadcast'],
    ['8.8.8.8', null], ['10.0.0.1', null], ['192.168.1.10', null], ['2001:db8::1', null], ['fec0::1', null], ['128.0.0.1', null],
    ['example.com', 'not an IP address'],
  ];
  for (const [ip, want] of table) test(`${ip} -> ${want}`, () => assert.equal(specialAddress(ip), want));

  test('property: every 127/8, 169.254/16, 224/4 address is special, also IPv4-mapped', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    fc.assert(fc.property(fc.constantFrom(127, 169, 224, 239), octet, octet, octet, (a, b, c, d) => {
      const ip = `${a}.${a === 169 ? 254 : b}.${c}.${d}`;
      return specialAddress(ip) !== null && specialAddress(`::ffff:${ip}`) === specialAddress(ip);
    }));
  });

  test('property: 1.0.0.0 .. 126.255.255.255 is ordinary', () => {
    const octet = fc.integer({ min: 0, max: 255 });
    fc.assert(fc.property(fc.integer({ min: 1, max: 126 }), octet, octet, octet, (a, b, c, d) => specialAddress(`${a}.${b}.${c}.${d}`) === null));
  });

  test('own addresses match, also IPv4-mapped', () => {
    assert.equal(isOwnAddress('192.168.1.1', ['192.168.1.1', 'fe80::1']), true);
    assert.equal(isOwnAddress('::ffff:192.168.1.1', ['192.168.1.1']), true);
    assert.equal(isOwnAddress('192.168.1.2', ['192.168.1.1']), false);
    assert.equal(isOwnAddress('2001:db8::1', ['2001:db8:0:0::1']), true);
  });
});

describe('createDestinationGuard', () => {
  const own = (): string[] => ['192.168.1.1', '2001:db8::7'];
  const guard = createDestinationGuard({
    allowOrigin: 'http://127.0.0.1:4000', ownAddresses: own,
    resolver: fixed({ 'dr.example': ['203.0.113.5'], 'evil.example': ['127.0.0.1'], 'mixed.example': ['203.0.113.5', '::1'],
      'gw.example': ['192.168.1.1'], 'meta.example': ['169.254.169.254'] }),
  });

  test('loopback, link-local, the bridge own addresses, multicast are refused: by literal or by name', async () => {
    for (const u of ['http://127.0.0.1:7800/api/v1/tree', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/', 'http://0.0.0.0:7800/',
      'http://localhost.:1/', 'http://2130706433/', 'http://evil.example/', 'https://mixed.example/', 'http://gw.example/', 'http://192.168.1.1:7800/',
      'http://[2001:db8::7]/', 'http://meta.example/latest', 'http://169.254.169.254/', 'http://239.255.255.250:1900/', 'http://127.0.0.1:4001/']) {
      const g = u.startsWith('http://localhost') ? createDestinationGuard({ allowOrigin: null, ownAddresses: own, resolver: fixed({ 'localhost.': ['127.0.0.1', '::1'] }) }) : guard;
      await assert.rejects(g(new URL(u)), refused, u);
    }
  });

  test('an ordinary host passes and the lookup answers the checked address', async () => {
    const d = await guard(new URL('https://dr.example/x?sig=1'));
    assert.deepEqual([d.address, d.family], ['203.0.113.5', 4]);
    const got = await new Promise<unknown[]>((r) => d.lookup('dr.example', { all: true }, (...a) => r(a)));
    assert.deepEqual(got, [null, [{ address: '203.0.113.5', family: 4 }]]);
  });

  test('the serverUri origin is allowed even on loopback; the same host on another port or scheme is not', async () => {
    assert.equal((await guard(new URL('http://127.0.0.1:4000/dr/x.json'))).address, '127.0.0.1');
    await assert.rejects(guard(new URL('https://127.0.0.1:4000/dr/x.json')), refused);
    await assert.rejects(guard(new URL('http://127.0.0.1:4002/dr/x.json')), refused);
  });

  test('a name that does not resolve is unreachable (500), not refused', async () => {
    await assert.rejects(guard(new URL('http://nowhere.example/')), (e) => e instanceof BridgeError && e.code === 'DEVICE_UNREACHABLE');
  });

  test('rebinding: the name is resolved once and httpCall connects to that address, never asking DNS again', async () => {
    const server = createServer((_q, s) => s.end('pinned'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    let calls = 0;
    // the first answer is the one checked; any later answer would be a rebinding attempt
    const g = createDestinationGuard({ allowOrigin: `http://dr.invalid:${port}`, ownAddresses: own,
      resolver: async () => (calls++ === 0 ? [{ address: '127.0.0.1', family: 4 }] : [{ address: '10.255.255.1', family: 4 }]) });
    try {
      const u = new URL(`http://dr.invalid:${port}/doc`);
      const d = await g(u);
      const r = await httpCall('GET', u.href, undefined, { headers: {}, timeoutMs: 2000, maxBytes: 1024, lookup: d.lookup });
      assert.equal(r.body.toString(), 'pinned', '"dr.invalid" only resolves through the pinned lookup');
      assert.equal(calls, 1);
    } finally {
      server.close();
    }
  });
});

test('displayUrl and originOf drop userinfo, query and fragment', () => {
  assert.equal(displayUrl('https://u:p@dr.example:8443/a/b?X-Amz-Signature=abc#f'), 'https://dr.example:8443/a/b');
  assert.equal(displayUrl('not a url'), '(invalid URL)');
  assert.equal(originOf('https://u:p@ma.example/dm?x=1'), 'https://ma.example');
  assert.equal(originOf('nope'), null);
});
