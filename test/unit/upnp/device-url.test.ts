import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { deviceAddressProblem, deviceUrlProblem } from '../../../adapters/upnp/device-url.js';
import { createUpnpAdapter } from '../../../adapters/upnp/index.js';
import type { DeviceRecord } from '../../../adapters/sdk/index.js';
import { silentLogger } from '../../../bridge/core/logger.js';

const noOwn = { ownAddresses: (): string[] => ['10.0.0.1', 'fe80::1'] };

describe('deviceUrlProblem', () => {
  const table: Array<[string, string, boolean]> = [
    ['http://10.0.0.9:8200/rootDesc.xml', '10.0.0.9', true],
    ['https://10.0.0.9/x', '10.0.0.9', true],
    ['http://[fe80::9]:80/d.xml', 'fe80::9', true],
    ['http://169.254.3.4/d.xml', '169.254.3.4', true],
    ['http://10.0.0.10/d.xml', '10.0.0.9', false], // another LAN host
    ['http://127.0.0.1:7800/api/v1/authorities/isp/session', '10.0.0.9', false],
    ['http://127.0.0.1:7800/api/v1/tree', '127.0.0.1', false], // a device "on" loopback
    ['http://10.0.0.1:7800/api/v1/tree', '10.0.0.1', false], // the bridge's own LAN address
    ['http://[::ffff:10.0.0.1]:7800/', '10.0.0.1', false],
    ['http://0.0.0.0:7800/', '0.0.0.0', false],
    ['http://239.255.255.250:1900/', '239.255.255.250', false],
    ['http://printer.local/d.xml', '10.0.0.9', false], // names are not resolved: never equal to the address
    ['http://u:p@10.0.0.9/d.xml', '10.0.0.9', false],
    ['ftp://10.0.0.9/d.xml', '10.0.0.9', false],
    ['not a url', '10.0.0.9', false],
    ['http://10.0.0.9/d.xml', 'printer.local', false],
  ];
  for (const [url, addr, ok] of table) test(`${url} for ${addr} -> ${ok ? 'ok' : 'refused'}`, () => assert.equal(deviceUrlProblem(url, addr, noOwn) === null, ok));

  test('property: a URL is accepted exactly when its host is the device address (ordinary LAN addresses)', () => {
    const lan = fc.tuple(fc.integer({ min: 1, max: 126 }), fc.nat(255), fc.nat(255), fc.integer({ min: 2, max: 254 })).map((o) => o.join('.'));
    fc.assert(fc.property(lan, lan, fc.integer({ min: 1, max: 65535 }), fc.webPath(), (dev, host, port, path) => {
      const ok = deviceUrlProblem(`http://${host}:${port}${path}`, dev, { ownAddresses: () => [] }) === null;
      return ok === (host === dev);
    }));
  });

  test('allowLocal lets a loopback device through but still ties URLs to its address', () => {
    assert.equal(deviceAddressProblem('127.0.0.1', { allowLocal: true }), null);
    assert.equal(deviceUrlProblem('http://127.0.0.1:1/x', '127.0.0.1', { allowLocal: true }), null);
    assert.notEqual(deviceUrlProblem('http://127.0.0.2:1/x', '127.0.0.1', { allowLocal: true }), null);
    assert.notEqual(deviceUrlProblem('http://localhost:1/x', '127.0.0.1', { allowLocal: true }), null);
  });
});

const SCPD = `<?xml version="1.0"?><scpd xmlns="urn:schemas-upnp-org:service-1-0"><actionList/>
<serviceStateTable><stateVariable sendEvents="no"><name>Level</name><dataType>ui4</dataType></stateVariable></serviceStateTable></scpd>`;
const desc = (evil: string): string => `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0"><device><deviceType>urn:x:device:Lab:1</deviceType><friendlyName>Lab</friendlyName><UDN>uuid:lab</UDN>
<serviceList>
 <service><serviceType>urn:x:service:Good:1</serviceType><serviceId>urn:x:serviceId:Good</serviceId>
  <controlURL>/ctl/good</controlURL><SCPDURL>/good.xml</SCPDURL></service>
 <service><serviceType>urn:x:service:Evil:1</serviceType><serviceId>urn:x:serviceId:Evil</serviceId>
  <controlURL>${evil}</controlURL><SCPDURL>/evil.xml</SCPDURL></service>
</serviceList></device></root>`;

describe('UPnP adapter: device URLs', () => {
  test('a loopback device is refused before any request; a service whose controlURL leaves the device is skipped', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(req.url === '/desc.xml' ? desc('http://127.0.0.2:7800/api/v1/authorities/isp/session') : SCPD);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const d: DeviceRecord = { devId: 'upnp-lab', name: 'Lab', type: 'x', manufacturer: '', model: '', protocols: ['upnp'], address: '127.0.0.1',
      services: [], location: `http://127.0.0.1:${port}/desc.xml` };
    const ctx = { authority: null, signal: AbortSignal.timeout(3000), log: silentLogger() };
    try {
      await assert.rejects(createUpnpAdapter({ gena: false }).attach(d, ctx), /LOCATION refused: .*loopback/);
      await assert.rejects(createUpnpAdapter({ gena: false, allowLocal: true }).attach({ ...d, address: '127.0.0.3' }, ctx), /not the device address/);
      assert.deepEqual(seen, [], 'nothing was fetched');
      const h = await createUpnpAdapter({ gena: false, allowLocal: true }).attach(d, ctx);
      const paths = h.describe().map((s) => s.path);
      assert.ok(paths.some((p) => p.startsWith('Services/Good/')), paths.join(','));
      assert.equal(paths.some((p) => p.includes('Evil')), false);
      assert.deepEqual(seen.sort(), ['/desc.xml', '/good.xml']);
      await h.detach();
    } finally {
      server.close();
    }
  });
});
