import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { formatSsdp, parseSsdpText, safeLocation, toAnnouncement, uuidOfUsn } from '../../../bridge/discovery/ssdp-headers.js';

const UUID_RE = /^[a-z0-9._~-]{1,100}$/;
const headerName = fc.stringMatching(/^[A-Z][A-Z0-9-]{0,15}$/);
const headerValue = fc.stringMatching(/^[ -~]{0,40}$/).map((s) => s.trim());

describe('SSDP message parser', () => {
  test('property: any text parses or is rejected with a reason, never throws', () => {
    fc.assert(fc.property(fc.string({ maxLength: 2000 }), (t) => {
      const r = parseSsdpText(t);
      assert.equal(typeof r.ok, 'boolean');
      if (!r.ok) assert.ok(r.reason.length > 0);
    }), { numRuns: 2000 });
  });

  test('property: a formatted message parses back to the same headers', () => {
    fc.assert(fc.property(fc.uniqueArray(fc.tuple(headerName, headerValue), { selector: (x) => x[0], maxLength: 20 }), (pairs) => {
      const headers = Object.fromEntries(pairs);
      const r = parseSsdpText(formatSsdp('NOTIFY * HTTP/1.1', headers));
      assert.ok(r.ok);
      assert.equal(r.value.kind, 'notify');
      assert.deepEqual({ ...r.value.headers }, headers);
    }));
  });

  test('malformed and oversized messages are rejected', () => {
    assert.equal(parseSsdpText('GET / HTTP/1.1\r\n\r\n').ok, false);
    assert.equal(parseSsdpText('NOTIFY * HTTP/1.1\r\nno colon here\r\n\r\n').ok, false);
    assert.equal(parseSsdpText(`NOTIFY * HTTP/1.1\r\nX: ${'a'.repeat(9000)}\r\n`).ok, false);
    const many = Array.from({ length: 100 }, (_, i) => `H${i}: v`).join('\r\n');
    assert.equal(parseSsdpText(`NOTIFY * HTTP/1.1\r\n${many}\r\n`).ok, false);
    const r = parseSsdpText('HTTP/1.1 200 OK\r\nST: ssdp:all\r\nst: second\r\n\r\n');
    assert.ok(r.ok && r.value.kind === 'response' && r.value.status === 200 && r.value.headers.ST === 'ssdp:all');
  });
});

describe('SSDP announcements', () => {
  const alive = {
    NT: 'upnp:rootdevice', NTS: 'ssdp:alive', USN: 'uuid:4D696E69-444C::upnp:rootdevice',
    LOCATION: 'http://10.0.0.5:8200/rootDesc.xml', 'CACHE-CONTROL': 'max-age=1810', SERVER: 'Linux UPnP/1.0',
  };

  test('an alive NOTIFY becomes an announcement of its uuid', () => {
    const r = toAnnouncement(alive, 'notify', '10.0.0.5');
    assert.ok(r.ok);
    assert.deepEqual(r.value, {
      nts: 'alive', uuid: '4d696e69-444c', usn: alive.USN, target: 'upnp:rootdevice',
      location: 'http://10.0.0.5:8200/rootDesc.xml', maxAgeSec: 1810, server: 'Linux UPnP/1.0',
    });
  });

  test('byebye, responses, and what is refused', () => {
    const bye = toAnnouncement({ ...alive, NTS: 'ssdp:byebye' }, 'notify', '10.0.0.5');
    assert.ok(bye.ok && bye.value.nts === 'byebye' && bye.value.location === '');
    const resp = toAnnouncement({ ST: 'ssdp:all', USN: 'uuid:abc', LOCATION: alive.LOCATION }, 'response', '10.0.0.5');
    assert.ok(resp.ok && resp.value.nts === 'alive' && resp.value.maxAgeSec === 1800);
    assert.equal(toAnnouncement({ ...alive, NTS: 'ssdp:update' }, 'notify', '10.0.0.5').ok, false);
    assert.equal(toAnnouncement({ ...alive, USN: 'no-uuid' }, 'notify', '10.0.0.5').ok, false);
    assert.equal(toAnnouncement({ ...alive, USN: 'uuid:a/b' }, 'notify', '10.0.0.5').ok, false);
    assert.equal(toAnnouncement({ NTS: 'ssdp:alive' }, 'notify', '10.0.0.5').ok, false);
    // LOCATION elsewhere than the sender (SSRF), non-http, credentials: dropped, sighting kept
    for (const loc of ['http://10.0.0.6/d.xml', 'file:///etc/passwd', 'http://u:p@10.0.0.5/', 'gopher://10.0.0.5/', 'not a url']) {
      const x = toAnnouncement({ ...alive, LOCATION: loc }, 'notify', '10.0.0.5');
      assert.ok(x.ok && x.value.location === '', loc);
    }
    const huge = toAnnouncement({ ...alive, 'CACHE-CONTROL': 'max-age=999999999' }, 'notify', '10.0.0.5');
    assert.ok(huge.ok && huge.value.maxAgeSec === 86_400);
  });

  test('property: any header record yields a valid announcement or a reason, never a throw', () => {
    const key = fc.constantFrom('USN', 'NTS', 'NT', 'ST', 'LOCATION', 'CACHE-CONTROL', 'SERVER', '__proto__', 'constructor');
    const val = fc.oneof(fc.string({ maxLength: 200 }), fc.constant('uuid:x'), fc.constant('ssdp:alive'), fc.integer(), fc.constant(null), fc.constant(undefined));
    fc.assert(fc.property(fc.dictionary(key, val), fc.constantFrom('notify', 'response') as fc.Arbitrary<'notify' | 'response'>, (h, kind) => {
      const r = toAnnouncement(h as Record<string, unknown>, kind, '10.1.2.3');
      if (!r.ok) return;
      assert.match(r.value.uuid, UUID_RE);
      assert.ok(r.value.maxAgeSec >= 1 && r.value.maxAgeSec <= 86_400);
      assert.ok(r.value.location === '' || r.value.location.startsWith('http://10.1.2.3'));
      assert.ok(!/[\u0000-\u001f]/.test(r.value.server + r.value.target));
    }), { numRuns: 3000 });
  });

  test('uuidOfUsn and safeLocation', () => {
    assert.equal(uuidOfUsn('uuid:ABC-1::urn:schemas-upnp-org:device:MediaServer:1'), 'abc-1');
    assert.equal(uuidOfUsn('urn:x'), undefined);
    assert.equal(safeLocation('http://10.0.0.5:80/x', '10.0.0.5'), 'http://10.0.0.5/x');
    assert.equal(safeLocation(`http://10.0.0.5/${'a'.repeat(2000)}`, '10.0.0.5'), '');
  });
});
