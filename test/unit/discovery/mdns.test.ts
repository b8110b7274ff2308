import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { silentLogger } from '../../../bridge/core/logger.js';
import { MdnsBrowser, type MdnsTransport } from '../../../bridge/discovery/mdns-browser.js';
import { goodbyes, normalizeTxt, toMdnsService, type MdnsService } from '../../../bridge/discovery/mdns-records.js';

class FakeMdns extends EventEmitter implements MdnsTransport {
  queries: string[] = [];
  destroyed = false;
  query(name: string, type: string): void {
    this.queries.push(`${name} ${type}`);
  }
  destroy(cb?: () => void): void {
    this.destroyed = true;
    cb?.();
  }
}

const rinfo = { address: '10.0.0.9', family: 'IPv4', port: 5353, size: 100 };
function packet(name: string, opts: { ttl?: number; port?: number; txt?: Buffer[] } = {}) {
  const fqdn = `${name}._ipp._tcp.local`;
  const ttl = opts.ttl ?? 120;
  return {
    type: 'response',
    answers: [{ name: '_ipp._tcp.local', type: 'PTR', ttl, data: fqdn }],
    additionals: [
      { name: fqdn, type: 'SRV', ttl, data: { target: 'host-1.local', port: opts.port ?? 631 } },
      { name: fqdn, type: 'TXT', ttl, data: opts.txt ?? [Buffer.from('ty=Lab Printer'), Buffer.from('usb_MFG=Acme')] },
      { name: 'host-1.local', type: 'A', ttl, data: '10.0.0.9' },
    ],
  };
}

function harness() {
  const fake = new FakeMdns();
  const seen: MdnsService[] = [];
  const gone: string[] = [];
  const b = new MdnsBrowser({ service: (s) => seen.push(s), goodbye: (f) => gone.push(f) }, silentLogger(), () => fake);
  b.start([{ name: 'eth0', address: '10.0.0.1' }], ['_ipp._tcp']);
  return { fake, seen, gone, b };
}

describe('mDNS browsing through bonjour-service', () => {
  test('a response becomes a service with TXT, host and address; the goodbye is reported', async () => {
    const { fake, seen, gone, b } = harness();
    assert.ok(fake.queries.includes('_ipp._tcp.local PTR'));
    fake.emit('response', packet('Lab Printer'), rinfo);
    assert.equal(seen.length, 1);
    assert.deepEqual(seen[0], {
      fqdn: 'lab printer._ipp._tcp.local', address: '10.0.0.9', ttlSec: 120,
      details: { instance: 'Lab Printer', serviceType: '_ipp._tcp', host: 'host-1.local', port: 631, txt: { ty: 'Lab Printer', usb_mfg: 'Acme' } },
    });
    fake.emit('response', packet('Lab Printer', { ttl: 0 }), rinfo);
    assert.deepEqual(gone, ['lab printer._ipp._tcp.local']);
    await b.stop();
    assert.ok(fake.destroyed);
    assert.equal(fake.listenerCount('response'), 0, 'stop removes every listener');
  });

  test('every response reports its services (a refresh for the TTL cache); requery starts a fresh browser', () => {
    const { fake, seen, b } = harness();
    fake.emit('response', packet('A'), rinfo);
    fake.emit('response', packet('A'), rinfo);
    assert.equal(seen.length, 2, 'a repeated announcement is reported again (no O(n) known-service list in the library)');
    b.requery('_ipp._tcp');
    fake.emit('response', packet('A'), rinfo);
    assert.equal(seen.length, 3);
    assert.equal(fake.listenerCount('response'), 2, 'old browser detached: our tap + one browser');
  });

  test('port-0 placeholder services are ignored', () => {
    const { fake, seen } = harness();
    fake.emit('response', packet('LPD', { port: 0 }), rinfo);
    assert.equal(seen.length, 0);
  });

  test('malformed records are ignored without a throw (bounded: nothing is kept)', () => {
    const { fake, seen } = harness();
    const bad: unknown[] = [
      { answers: [{ name: '_ipp._tcp.local', type: 'PTR', ttl: 10, data: 'x._ipp._tcp.local' }], additionals: [{ name: 'x._ipp._tcp.local', type: 'SRV', ttl: 10, data: null }] },
      { answers: [{ name: '_ipp._tcp.local', type: 'PTR', ttl: 10, data: 42 }], additionals: [] },
      { answers: null, additionals: undefined },
      { answers: [{ name: '_ipp._tcp.local', type: 'PTR', ttl: 10, data: 'y._ipp._tcp.local' }], additionals: [{ name: 'y._ipp._tcp.local', type: 'SRV', ttl: 10, data: { target: 'h.local', port: 99999 } }] },
      { answers: [{ name: '_ipp._tcp.local', type: 'PTR', ttl: 10, data: 'z._ipp._tcp.local' }], additionals: [{ name: 'z._ipp._tcp.local', type: 'SRV', ttl: 10, data: { target: 'h.local', port: 1 } }] },
    ];
    for (const p of bad) assert.doesNotThrow(() => fake.emit('response', p, rinfo));
    assert.equal(seen.filter((s) => s.details.port === 99999).length, 0);
    fc.assert(fc.property(fc.anything(), (p) => {
      assert.doesNotThrow(() => fake.emit('response', p, rinfo));
    }), { numRuns: 500 });
  });

  test('toMdnsService validates every field', () => {
    const ok = { name: 'n', type: 'ipp', protocol: 'tcp', host: 'H.local.', port: 1, fqdn: 'n._ipp._tcp.local', addresses: ['fe80::1', '10.0.0.2'], ttl: 4500 };
    const r = toMdnsService(ok);
    assert.ok(r.ok && r.value.address === '10.0.0.2' && r.value.details.host === 'h.local' && r.value.ttlSec === 4500);
    assert.equal(toMdnsService({ ...ok, addresses: ['fe80::1'], referer: undefined }).ok, false);
    assert.ok(toMdnsService({ ...ok, addresses: [], referer: { address: '10.0.0.3' } }).ok);
    assert.equal(toMdnsService({ ...ok, type: 'a b' }).ok, false);
    assert.equal(toMdnsService({ ...ok, port: 1.5 }).ok, false);
    assert.equal(toMdnsService({ ...ok, host: 'x'.repeat(300) }).ok, false);
    fc.assert(fc.property(fc.record({ name: fc.anything(), type: fc.anything(), host: fc.anything(), port: fc.anything(), fqdn: fc.anything(), txt: fc.anything(), addresses: fc.anything() }), (s) => {
      const x = toMdnsService(s);
      if (x.ok) assert.ok(x.value.details.port > 0 && x.value.details.port < 65536);
    }));
  });

  test('TXT values are bounded strings', () => {
    const big = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, 'v'.repeat(1000)]));
    const t = normalizeTxt(big);
    assert.equal(Object.keys(t).length, 64);
    assert.ok(Object.values(t).every((v) => v.length <= 255));
    assert.deepEqual(normalizeTxt({ a: Buffer.from('x\u0001y'), b: true, c: { no: 1 }, ['__proto__']: 'p' }), { a: 'xy', b: 'true' });
    assert.deepEqual(goodbyes({ answers: [{ type: 'PTR', ttl: 0, data: 'A._x._tcp.local' }, { type: 'PTR', ttl: 5, data: 'b' }] }), ['a._x._tcp.local']);
    assert.deepEqual(goodbyes('garbage'), []);
  });
});
