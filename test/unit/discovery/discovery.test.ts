import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, test } from 'node:test';
import { silentLogger } from '../../../bridge/core/logger.js';
import { createDiscovery } from '../../../bridge/discovery/discovery.js';
import { multicastInterfaces } from '../../../bridge/discovery/interfaces.js';
import type { MdnsTransport } from '../../../bridge/discovery/mdns-browser.js';
import { runSelftest } from '../../../bridge/discovery/selftest.js';
import type { SsdpClientLike } from '../../../bridge/discovery/ssdp-browser.js';
import { SightingCache } from '../../../bridge/discovery/ttl-cache.js';
import type { Sighting } from '../../../bridge/discovery/types.js';

class FakeMdns extends EventEmitter implements MdnsTransport {
  queries = 0;
  destroyed = false;
  query(): void { this.queries++; }
  destroy(cb?: () => void): void { this.destroyed = true; cb?.(); }
}
class FakeSsdp extends EventEmitter implements SsdpClientLike {
  searches = 0;
  stopped = false;
  async start(): Promise<void> {}
  search(): void { this.searches++; }
  stop(): void { this.stopped = true; }
}

const IFACE = { name: 'eth0', address: '10.0.0.1' };
const alive = (uuid: string, extra: Record<string, string> = {}) => ({
  NT: 'upnp:rootdevice', NTS: 'ssdp:alive', USN: `uuid:${uuid}::upnp:rootdevice`, LOCATION: 'http://10.0.0.7:80/d.xml', 'CACHE-CONTROL': 'max-age=1800', ...extra,
});
const from = { address: '10.0.0.7', port: 1900, family: 'IPv4', size: 1 };

function setup(ttlSeconds = 60) {
  const mdns = new FakeMdns();
  const ssdp = new FakeSsdp();
  const d = createDiscovery(
    { mdns: true, ssdp: true, interfaces: [], ttlSeconds, serviceTypes: ['_ipp._tcp'] },
    { log: silentLogger(), listInterfaces: () => [IFACE], openMdns: () => mdns, openSsdp: () => ssdp },
  );
  const log: string[] = [];
  d.events.on('up', (s) => log.push(`up ${s.key}`));
  d.events.on('refresh', (s) => log.push(`refresh ${s.key}`));
  d.events.on('down', (e) => log.push(`down ${e.sighting.key} ${e.reason}`));
  return { d, mdns, ssdp, log };
}

describe('discovery', () => {
  test('SSDP alive -> up, repeated -> refresh, byebye -> down; malformed ignored', async () => {
    const { d, ssdp, log } = setup();
    await d.start();
    assert.equal(ssdp.searches, 1, 'M-SEARCH at start');
    ssdp.emit('advertise-alive', alive('u1'), from);
    ssdp.emit('response', { ST: 'urn:x', USN: 'uuid:u1::urn:x', LOCATION: 'http://10.0.0.7:80/d.xml' }, 200, from);
    ssdp.emit('advertise-alive', { NTS: 'ssdp:alive', USN: 'garbage' }, from);
    ssdp.emit('advertise-alive', null, undefined);
    ssdp.emit('advertise-bye', { ...alive('u1'), NTS: 'ssdp:byebye' }, from);
    assert.deepEqual(log, ['up u1', 'refresh u1', 'down u1 byebye']);
    assert.equal(d.sightings().length, 0);
    await d.stop();
    assert.ok(ssdp.stopped);
  });

  test('a sighting not confirmed within the TTL expires (after a re-query)', async () => {
    const { d, ssdp, log } = setup(1);
    await d.start();
    ssdp.emit('advertise-alive', alive('u2'), from);
    const searches = ssdp.searches;
    await new Promise((r) => setTimeout(r, 1400));
    assert.ok(ssdp.searches > searches, 're-queried before expiry');
    assert.deepEqual(log, ['up u2', 'down u2 expired']);
    await d.stop();
  });

  test('live settings: SSDP off drops its sightings, service types change, mDNS off closes the socket', async () => {
    const { d, mdns, ssdp, log } = setup();
    await d.start();
    ssdp.emit('advertise-alive', alive('u3'), from);
    await d.apply({ ssdp: false });
    assert.deepEqual(log, ['up u3', 'down u3 disabled']);
    assert.ok(ssdp.stopped);
    assert.equal(d.status().ssdp, false);
    await d.apply({ serviceTypes: ['_ipp._tcp', '_http._tcp'] });
    assert.ok(mdns.queries >= 2);
    await d.apply({ mdns: false });
    assert.ok(mdns.destroyed);
    assert.equal(d.status().mdns, false);
    await d.stop();
  });

  test('SSDP that could not start is retried on the next settings change; the problem clears once it runs', async () => {
    let starts = 0;
    const ssdp = new FakeSsdp();
    ssdp.start = async () => {
      if (++starts === 1) throw new Error('EADDRINUSE');
    };
    const d = createDiscovery(
      { mdns: false, ssdp: true, interfaces: [], ttlSeconds: 60, serviceTypes: ['_ipp._tcp'] },
      { log: silentLogger(), listInterfaces: () => [IFACE], openMdns: () => new FakeMdns(), openSsdp: () => ssdp },
    );
    await d.start();
    assert.equal(d.status().ssdp, false);
    assert.match(d.status().problem ?? '', /SSDP could not start: EADDRINUSE/);
    await d.apply({ ttlSeconds: 30 });
    assert.equal(starts, 2);
    assert.equal(d.status().ssdp, true);
    assert.equal(d.status().problem, null);
    await d.stop();
  });

  test('no multicast-capable interface: starts, reports the problem, opens nothing', async () => {
    let opened = false;
    const d = createDiscovery(
      { mdns: true, ssdp: true, interfaces: [], ttlSeconds: 60, serviceTypes: ['_ipp._tcp'] },
      { log: silentLogger(), listInterfaces: () => [], openMdns: () => { opened = true; return new FakeMdns(); }, openSsdp: () => { opened = true; return new FakeSsdp(); } },
    );
    await d.start();
    assert.equal(opened, false);
    assert.match(d.status().problem ?? '', /no multicast-capable interface/);
    await d.stop();
    const r = await runSelftest({ list: () => [] });
    assert.equal(r.ok, false);
    assert.match(r.problem ?? '', /host networking or macvlan/);
  });

  test('interface selection: up + multicast + IPv4, not loopback, config filter', () => {
    const v4 = (address: string, internal = false) => [{ address, family: 'IPv4' as const, internal, netmask: '255.255.255.0', mac: '00:00:00:00:00:00', cidr: null }];
    const list = { lo: v4('127.0.0.1', true), eth0: v4('10.0.0.1'), wlan0: v4('10.0.1.1'), tun0: v4('10.8.0.1'), down0: v4('10.9.0.1') };
    const flags: Record<string, number> = { lo: 0x9, eth0: 0x1003, wlan0: 0x1003, tun0: 0x91, down0: 0x1002 };
    assert.deepEqual(multicastInterfaces([], list, (n) => flags[n]).map((i) => i.name), ['eth0', 'wlan0']);
    assert.deepEqual(multicastInterfaces(['wlan0'], list, (n) => flags[n]), [{ name: 'wlan0', address: '10.0.1.1' }]);
  });
});

describe('TTL cache', () => {
  const s = (key: string, ttlMs: number, address = '10.0.0.1'): Sighting => ({ source: 'mdns', key, address, ttlMs, seenAt: 0, mdns: { instance: key, serviceType: '_ipp._tcp', host: 'h', port: 1, txt: {} } });

  test('re-query at 75 % of the TTL, expiry at 100 %, refresh resets both', () => {
    let now = 0;
    const events: string[] = [];
    const c = new SightingCache({ expired: (x) => events.push(`expired ${x.key}`), requery: (src, t) => events.push(`requery ${src} ${t}`) }, () => now);
    assert.equal(c.upsert(s('a', 1000)), 'new');
    now = 700; c.tick();
    assert.deepEqual(events, []);
    now = 760; c.tick();
    assert.deepEqual(events, ['requery mdns _ipp._tcp']);
    assert.equal(c.upsert(s('a', 1000)), 'refresh');
    assert.equal(c.upsert(s('a', 1000, '10.0.0.2')), 'changed');
    now = 1520; c.tick();
    assert.equal(c.size, 1);
    now = 1800; c.tick();
    assert.deepEqual(events, ['requery mdns _ipp._tcp', 'requery mdns _ipp._tcp', 'expired a']);
  });

  test('bounded: beyond maxEntries the soonest-expiring entry is dropped', () => {
    const expired: string[] = [];
    const c = new SightingCache({ expired: (x) => expired.push(x.key), requery: () => undefined }, () => 0, 100);
    for (let i = 0; i < 150; i++) c.upsert(s(`k${i}`, 1000 + i));
    assert.equal(c.size, 100);
    assert.equal(expired.length, 50);
    assert.equal(expired[0], 'k0');
  });
});
