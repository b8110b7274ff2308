import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { fetchDescription, fetchText, parseDescription } from '../../../bridge/inventory/description.js';
import { xmlRejection } from '../../../bridge/inventory/xml-guard.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
function desc(f: { name: string; man: string; model: string; type?: string; udn?: string }): string {
  return `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>0</minor></specVersion>
<device><deviceType>${f.type ?? 'urn:schemas-upnp-org:device:MediaServer:1'}</deviceType><friendlyName>${esc(f.name)}</friendlyName>
<manufacturer>${esc(f.man)}</manufacturer><modelName>${esc(f.model)}</modelName><modelNumber>1.3.0</modelNumber>
<UDN>uuid:${f.udn ?? '4D696E69-444C-164E-9D41-0A0B0C0D0E01'}</UDN>
<serviceList><service><serviceType>urn:schemas-upnp-org:service:ContentDirectory:1</serviceType><serviceId>urn:upnp-org:serviceId:ContentDirectory</serviceId>
<controlURL>/ctl/ContentDir</controlURL><eventSubURL>/evt/ContentDir</eventSubURL><SCPDURL>/ContentDir.xml</SCPDURL></service></serviceList>
<deviceList><device><UDN>uuid:embedded-1</UDN></device></deviceList></device></root>`;
}

describe('UPnP description parser', () => {
  test('a minidlna-like description', () => {
    const r = parseDescription(desc({ name: 'LabMediaServer', man: 'Justin Maggard', model: 'MiniDLNA' }), 'http://10.0.0.5:8200/rootDesc.xml');
    assert.ok(r.ok);
    assert.equal(r.value.udn, '4d696e69-444c-164e-9d41-0a0b0c0d0e01');
    assert.equal(r.value.friendlyName, 'LabMediaServer');
    assert.equal(r.value.deviceType, 'urn:schemas-upnp-org:device:MediaServer:1');
    assert.deepEqual(r.value.services[0], {
      serviceType: 'urn:schemas-upnp-org:service:ContentDirectory:1', serviceId: 'urn:upnp-org:serviceId:ContentDirectory',
      controlUrl: 'http://10.0.0.5:8200/ctl/ContentDir', eventSubUrl: 'http://10.0.0.5:8200/evt/ContentDir', scpdUrl: 'http://10.0.0.5:8200/ContentDir.xml',
    });
    assert.deepEqual(r.value.embedded, ['embedded-1']);
  });

  test('property: any text is parsed or rejected with a reason, never a throw', () => {
    fc.assert(fc.property(fc.string({ maxLength: 3000 }), (t) => {
      const r = parseDescription(t, 'http://10.0.0.1/');
      assert.equal(typeof r.ok, 'boolean');
    }), { numRuns: 1500 });
    const frag = fc.constantFrom('<root>', '</root>', '<device>', '</device>', '<friendlyName>', '</friendlyName>', '&amp;', '&#x41;', '<![CDATA[x]]>', '<!-- c -->', '<a/>', 'text', '<', '>', '&');
    fc.assert(fc.property(fc.array(frag, { maxLength: 60 }), (parts) => {
      const r = parseDescription(parts.join(''), 'http://10.0.0.1/');
      if (r.ok) assert.ok(r.value.friendlyName.length <= 256);
    }), { numRuns: 1500 });
  });

  test('property: generated descriptions round-trip their fields', () => {
    const field = fc.string({ minLength: 1, maxLength: 60 }).map((s) => s.replace(/[\u0000-\u001f\u007f\ud800-\udfff\ufffe\uffff]/g, '').trim()).filter((s) => s !== '');
    fc.assert(fc.property(field, field, field, (name, man, model) => {
      const r = parseDescription(desc({ name, man, model }), 'http://10.0.0.1/');
      assert.ok(r.ok, r.ok ? '' : r.reason);
      assert.deepEqual([r.value.friendlyName, r.value.manufacturer, r.value.modelName], [name, man, model]);
    }), { numRuns: 500 });
  });

  test('hostile XML is rejected cleanly: entity expansion, external entities, deep nesting, floods, size', () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
      <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><root><device><friendlyName>&lol3;</friendlyName></device></root>`;
    const xxe = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><root><device><friendlyName>&x;</friendlyName></device></root>';
    const deep = `<root>${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}</root>`;
    const flood = `<root><device>${'<x/>'.repeat(10_000)}</device></root>`;
    const huge = `<root><device><friendlyName>${'A'.repeat(300 * 1024)}</friendlyName></device></root>`;
    for (const [name, xml, why] of [['laughs', laughs, /DTD/], ['xxe', xxe, /DTD/], ['deep', deep, /nested deeper/], ['flood', flood, /more than/], ['huge', huge, /larger than/]] as const) {
      const t0 = performance.now();
      const r = parseDescription(xml, 'http://10.0.0.1/');
      assert.equal(r.ok, false, name);
      assert.match(r.ok ? '' : r.reason, why, name);
      assert.ok(performance.now() - t0 < 200, `${name} rejected quickly`);
    }
    assert.equal(xmlRejection('<root><device></root>'), undefined, 'the guard is structural; the parser decides well-formedness');
    assert.equal(parseDescription('<root><device></root>', 'http://x/').ok, false);
    assert.equal(parseDescription('<root><nodevice/></root>', 'http://x/').ok, false);
  });
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; close(): Promise<void> }> {
  const s: Server = createServer(handler);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/rootDesc.xml`,
    close: () => new Promise((r) => { s.closeAllConnections(); s.close(() => r()); }),
  };
}

describe('description fetch limits (loopback server)', () => {
  test('a good description is fetched and parsed', async () => {
    const srv = await serve((_q, res) => res.end(desc({ name: 'N', man: 'M', model: 'X' })));
    try {
      const r = await fetchDescription(srv.url);
      assert.ok(r.ok && r.value.friendlyName === 'N');
    } finally {
      await srv.close();
    }
  });

  test('a slow server (headers then a byte a second) is cut off at the deadline', async () => {
    const srv = await serve((_q, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      const t = setInterval(() => res.write('<'), 100);
      res.on('close', () => clearInterval(t));
    });
    try {
      const t0 = Date.now();
      const r = await fetchText(srv.url, { timeoutMs: 400, maxBytes: 1 << 20 });
      assert.equal(r.ok, false);
      assert.match(r.ok ? '' : r.reason, /within 400 ms/);
      assert.ok(Date.now() - t0 < 1500);
    } finally {
      await srv.close();
    }
  });

  test('an endless body stops at the size cap; a large Content-Length is refused up front; errors are reasons', async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    const srv = await serve((q, res) => {
      if (q.url === '/big') { res.writeHead(200, { 'content-length': String(1 << 30) }); res.end(); return; }
      if (q.url === '/404') { res.writeHead(404); res.end(); return; }
      if (q.url === '/redirect') { res.writeHead(302, { location: 'http://127.0.0.1:1/' }); res.end(); return; }
      res.writeHead(200);
      const pump = (): void => { while (res.write(chunk)); };
      res.on('drain', pump);
      pump();
    });
    try {
      const before = process.memoryUsage().rss;
      const r = await fetchText(srv.url, { timeoutMs: 3000, maxBytes: 256 * 1024 });
      assert.match(r.ok ? '' : r.reason, /larger than/);
      assert.ok(process.memoryUsage().rss - before < 64 * 1024 * 1024, 'memory stays bounded');
      const base = srv.url.replace('/rootDesc.xml', '');
      assert.match((await fetchText(`${base}/big`)) .ok ? '' : 'refused', /refused/);
      const nf = await fetchText(`${base}/404`);
      assert.ok(!nf.ok && nf.reason === 'HTTP 404');
      assert.equal((await fetchText(`${base}/redirect`)).ok, false, 'redirects are not followed');
    } finally {
      await srv.close();
    }
  });
});
