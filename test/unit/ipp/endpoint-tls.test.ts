import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { encodeIpp, decodeIpp, Group, Op, Tag } from '../../../adapters/ipp/codec.js';
import { DEFAULT_RP, endpoints, resourcePath } from '../../../adapters/ipp/endpoint.js';
import { ippAdapter } from '../../../adapters/ipp/index.js';
import { CertPin } from '../../../adapters/ipp/transport.js';
import type { DeviceRecord, DeviceServiceRecord, Logger } from '../../../adapters/sdk/index.js';

// Two self-signed test certificates (P-256, valid until 2125) standing in for LAN printers' own certificates.
const CERT_A = {
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgQ0xR0aNr+NgTUR5E
hatyZeTIWJtQzHQ7QAXaXFq0OfOhRANCAASEL2yUwlwUGw+kazz7sxdHDd5Vei/a
/s7OmarEPkczbGomwGd0bsi4NI8ARrO7MxZFzZKM8VqRYsgLqxpqm5Yy
-----END PRIVATE KEY-----`,
  cert: `-----BEGIN CERTIFICATE-----
MIIBjzCCATWgAwIBAgIUfXvzg9zr5/2syTGtoBuPgDMJoRAwCgYIKoZIzj0EAwIw
HDEaMBgGA1UEAwwRbGFicHJpbnRlcmEubG9jYWwwIBcNMjYxMTI0MTgwMTUxWhgP
MjEyNjEwMzExODAxNTFaMBwxGjAYBgNVBAMMEWxhYnByaW50ZXJhLmxvY2FsMFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEhC9slMJcFBsPpGs8+7MXRw3eVXov2v7O
zpmqxD5HM2xqJsBndG7IuDSPAEazuzMWRc2SjPFakWLIC6saapuWMqNTMFEwHQYD
VR0OBBYEFPVWr6++hy8ciZHHyQa29gblmgssMB8GA1UdIwQYMBaAFPVWr6++hy8c
iZHHyQa29gblmgssMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIg
CmsX63j9Gu3Zr8KBnonov7vtLf9Be8gsRWfJlhOF4KwCIQDPXP/Mvfvcj2PxXXrl
dq5uRoxXiuTEiGRmFUiq1OShqg==
-----END CERTIFICATE-----`,
};
const CERT_B = {
  key: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgMC3Hu+qRpq8SOaQi
PcI5zEg9E0sVqwaw4vszG6a5IJGhRANCAASWNh4rdny2CTF7KYvq0cspL2znGO6s
MCS0QjZ74kaR/EEz8ET16zQG9MVo02cBrJrTkkqTRdzzCL4s/f+cGNi1
-----END PRIVATE KEY-----`,
  cert: `-----BEGIN CERTIFICATE-----
MIIBjjCCATWgAwIBAgIUZzADjaQ9PpOx64me+SqyWgNpopUwCgYIKoZIzj0EAwIw
HDEaMBgGA1UEAwwRbGFicHJpbnRlcmIubG9jYWwwIBcNMjYxMTI0MTgwMTUxWhgP
MjEyNjEwMzExODAxNTFaMBwxGjAYBgNVBAMMEWxhYnByaW50ZXJiLmxvY2FsMFkw
EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEljYeK3Z8tgkxeymL6tHLKS9s5xjurDAk
tEI2e+JGkfxBM/BE9es0BvTFaNNnAaya05JKk0Xc8wi+LP3/nBjYtaNTMFEwHQYD
VR0OBBYEFIY4D5fZ/WGdL3vHoQf23NuC9M5SMB8GA1UdIwQYMBaAFIY4D5fZ/WGd
L3vHoQf23NuC9M5SMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDRwAwRAIg
Cueb1p2ys1VNYj5ha73Y1+dHEDOxFGWmVVevF3D/RxYCIF/ThnJqcU1rLOTs0ovo
T0XpGfgxX0zpPuAiFV443NNP
-----END CERTIFICATE-----`,
};

const svc = (type: string, port: number, rp?: string, id = 'P'): DeviceServiceRecord =>
  ({ protocol: 'mdns', type, id, port, ...(rp === undefined ? {} : { txt: { rp } }) });
const dev = (services: DeviceServiceRecord[], address = '10.0.0.9'): DeviceRecord =>
  ({ devId: 'mdns-p', name: 'P', type: 'Printer', manufacturer: '', model: '', protocols: ['mdns'], address, services });

function recorder(): Logger & { warns: string[] } {
  const warns: string[] = [];
  return { warns, debug() {}, info() {}, error() {}, warn(_o: object, msg?: string) { warns.push(msg ?? ''); } };
}

/** An ipps printer on loopback answering Get-Printer-Attributes; counts the requests it received. */
async function tlsPrinter(tls: { key: string; cert: string }, port = 0): Promise<{ server: Server; port: number; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer(tls, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = decodeIpp(Buffer.concat(chunks));
      requests.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/ipp' });
      res.end(encodeIpp({ version: [1, 1], code: 0, requestId: r.requestId, groups: [
        { tag: Group.OPERATION, attributes: [{ name: 'attributes-charset', tag: Tag.CHARSET, values: ['utf-8'] }] },
        { tag: Group.PRINTER, attributes: [
          { name: 'printer-state', tag: Tag.ENUM, values: [3] },
          { name: 'printer-uri-supported', tag: Tag.URI, values: ['ipp://p.local/x', 'ipps://p.local/x'] },
          { name: 'operations-supported', tag: Tag.ENUM, values: [Op.GET_PRINTER_ATTRIBUTES] },
        ] },
      ] }));
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, requests };
}
const close = (s: Server): Promise<void> => new Promise((r) => {
  s.closeAllConnections();
  s.close(() => r());
});

describe('IPP endpoints from the DeviceRecord', () => {
  test('ipps first, then ipp; port 0 placeholders ignored; TXT rp is the resource path', () => {
    const eps = endpoints(dev([svc('_printer._tcp', 0), svc('_ipp._tcp', 631, 'printers/lab'), svc('_ipps._tcp', 443, 'ipp/secure')]));
    assert.deepEqual(eps.map((e) => e.ippUri), ['ipps://10.0.0.9:443/ipp/secure', 'ipp://10.0.0.9:631/printers/lab']);
    assert.deepEqual(eps.map((e) => [e.secure, e.path]), [[true, '/ipp/secure'], [false, '/printers/lab']]);
    assert.deepEqual(endpoints(dev([svc('_printer._tcp', 0), svc('_ipp._tcp', 0)])), []);
    assert.equal(ippAdapter.matches(dev([svc('_printer._tcp', 0)])), false);
    assert.equal(ippAdapter.matches(dev([svc('_ipp._tcp', 631)], '')), false, 'no address');
  });

  test('rp absent or unusable falls back to ipp/print; "" is the root; IPv6 is bracketed', () => {
    assert.equal(endpoints(dev([svc('_ipp._tcp', 631)]))[0]!.path, '/ipp/print');
    assert.equal(endpoints(dev([svc('_ipp._tcp', 631, '')]))[0]!.path, '/');
    for (const bad of ['../etc', 'a/../b', '/abs', 'a?b', 'a#b', 'a//b', 'x'.repeat(256)]) assert.equal(resourcePath(bad), DEFAULT_RP, bad);
    assert.equal(endpoints(dev([svc('_ipp._tcp', 631, 'ipp/print')], 'fe80::1'))[0]!.ippUri, 'ipp://[fe80::1]:631/ipp/print');
  });

  test('property: any rp gives a path of plain segments (no dot segments, query or fragment)', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.stringMatching(/^[a-z./]{0,20}$/)), (rp) => {
      const p = resourcePath(rp);
      assert.match(p, /^(?:[A-Za-z0-9._~-]+(?:\/[A-Za-z0-9._~-]+)*)?$/);
      assert.ok(!p.split('/').some((s) => s === '.' || s === '..'), p);
      assert.ok(p === rp || p === DEFAULT_RP);
    }));
  });
});

describe('ipps: self-signed certificate pinned on first use for the attachment', () => {
  test('CertPin pins the first fingerprint, warns once, refuses another', () => {
    const log = recorder();
    const pin = new CertPin(log, 'ipps://x/ipp/print');
    assert.equal(pin.check('AA:BB', false, 'DEPTH_ZERO_SELF_SIGNED_CERT'), undefined);
    assert.equal(pin.check('AA:BB', false, 'DEPTH_ZERO_SELF_SIGNED_CERT'), undefined);
    assert.match(pin.check('CC:DD', false, null) ?? '', /certificate changed/);
    assert.match(pin.check(undefined, false, null) ?? '', /no certificate/);
    assert.equal(log.warns.length, 1);
  });

  test('attach over ipps accepts a self-signed certificate; a different one later is refused before any request', async () => {
    const a = await tlsPrinter(CERT_A);
    const log = recorder();
    const ctx = () => ({ authority: null, signal: AbortSignal.timeout(3000), log });
    const d = dev([svc('_ipps._tcp', a.port, 'ipp/lab')], '127.0.0.1');
    let b: Awaited<ReturnType<typeof tlsPrinter>> | undefined;
    try {
      const h = await ippAdapter.attach(d, ctx());
      assert.equal(await h.get('Printer/State', ctx()), 'idle');
      assert.equal(await h.get('Printer/Uri', ctx()), 'ipps://p.local/x', 'the ipps URI the printer lists');
      assert.deepEqual(a.requests, ['/ipp/lab']);
      assert.deepEqual(log.warns.filter((w) => w.includes('unverified TLS certificate')).length, 1);
      // the printer is replaced by an impostor with another certificate on the same port
      await close(a.server);
      b = await tlsPrinter(CERT_B, a.port);
      await new Promise((r) => setTimeout(r, 2100)); // past the attribute cache
      await assert.rejects(h.get('Printer/State', ctx()), /certificate changed/);
      assert.deepEqual(b.requests, [], 'nothing was sent to the impostor');
      // a new attachment trusts (and pins) the new certificate
      const h2 = await ippAdapter.attach(d, ctx());
      assert.equal(await h2.get('Printer/State', ctx()), 'idle');
      assert.equal(log.warns.filter((w) => w.includes('unverified TLS certificate')).length, 2);
    } finally {
      await close(a.server);
      if (b) await close(b.server);
    }
  });

  test('an ipps endpoint that fails the handshake falls back to the plain ipp one', async () => {
    const { createServer: plainServer } = await import('node:http');
    const { createServer: tcpServer } = await import('node:net');
    const reset = tcpServer((s) => s.destroy());
    await new Promise<void>((r) => reset.listen(0, '127.0.0.1', r));
    const ipp = plainServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r = decodeIpp(Buffer.concat(chunks));
        res.writeHead(200, { 'content-type': 'application/ipp' });
        res.end(encodeIpp({ version: [1, 1], code: 0, requestId: r.requestId, groups: [
          { tag: Group.PRINTER, attributes: [{ name: 'printer-state', tag: Tag.ENUM, values: [5] }] },
        ] }));
      });
    });
    await new Promise<void>((r) => ipp.listen(0, '127.0.0.1', r));
    try {
      const d = dev([svc('_ipp._tcp', (ipp.address() as AddressInfo).port), svc('_ipps._tcp', (reset.address() as AddressInfo).port)], '127.0.0.1');
      const ctx = { authority: null, signal: AbortSignal.timeout(3000), log: recorder() };
      const h = await ippAdapter.attach(d, ctx);
      assert.equal(await h.get('Printer/State', ctx), 'stopped');
      assert.match(String(await h.get('Printer/Uri', ctx)), /^ipp:\/\/127\.0\.0\.1:\d+\/ipp\/print$/);
    } finally {
      ipp.closeAllConnections();
      ipp.close();
      reset.close();
    }
  });
});
