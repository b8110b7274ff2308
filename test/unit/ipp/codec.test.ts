import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ippAdapter } from '../../../adapters/ipp/index.js';
import { attr, decodeIpp, encodeIpp, Group, IppDecodeError, ippRequest, Op, Tag, type IppAttribute, type IppMessage } from '../../../adapters/ipp/codec.js';
import { silentLogger } from '../../../bridge/core/logger.js';

const name = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
const attribute: fc.Arbitrary<IppAttribute> = fc.oneof(
  fc.record({ name, tag: fc.constantFrom(Tag.INTEGER, Tag.ENUM), values: fc.array(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { minLength: 1, maxLength: 4 }) }),
  fc.record({ name, tag: fc.constant(Tag.BOOLEAN), values: fc.array(fc.boolean(), { minLength: 1, maxLength: 3 }) }),
  fc.record({ name, tag: fc.constantFrom(Tag.KEYWORD, Tag.TEXT, Tag.NAME, Tag.URI), values: fc.array(fc.string({ maxLength: 40 }), { minLength: 1, maxLength: 4 }) }),
);
const message: fc.Arbitrary<IppMessage> = fc.record({
  version: fc.constant<[number, number]>([1, 1]),
  code: fc.integer({ min: 0, max: 0xffff }),
  requestId: fc.integer({ min: 0, max: 2 ** 31 }),
  groups: fc.array(fc.record({ tag: fc.constantFrom(Group.OPERATION, Group.PRINTER, Group.JOB), attributes: fc.array(attribute, { maxLength: 6 }) }), { maxLength: 3 }),
  data: fc.uint8Array({ maxLength: 16 }),
});

describe('IPP codec', () => {
  test('a Get-Printer-Attributes request has the RFC 8010 layout', () => {
    const b = ippRequest(Op.GET_PRINTER_ATTRIBUTES, 7, 'ipp://10.0.0.9:631/ipp/print');
    assert.deepEqual([...b.subarray(0, 9)], [1, 1, 0x00, 0x0b, 0, 0, 0, 7, 0x01]);
    assert.deepEqual([...b.subarray(9, 12)], [0x47, 0, 18]);
    assert.equal(Buffer.from(b.subarray(12, 30)).toString(), 'attributes-charset');
    assert.equal(b.at(-1), 0x03);
    const back = decodeIpp(b);
    assert.deepEqual(attr(back, 'printer-uri', Group.OPERATION), ['ipp://10.0.0.9:631/ipp/print']);
  });

  test('property: encode then decode gives the message back', () => {
    fc.assert(fc.property(message, (m) => {
      const plain = (x: unknown) => JSON.stringify(x, (_k, v: unknown) => (v instanceof Uint8Array ? [...v] : v));
      assert.equal(plain(decodeIpp(encodeIpp(m))), plain(m));
    }), { numRuns: 300 });
  });

  test('property: every truncation is a typed TRUNCATED error; random bytes never crash', () => {
    fc.assert(fc.property(message, fc.nat(), (m, k) => {
      const full = encodeIpp({ ...m, data: new Uint8Array() });
      const cutAt = k % full.length;
      assert.throws(() => decodeIpp(full.subarray(0, cutAt)), (e) => e instanceof IppDecodeError && e.kind === 'TRUNCATED');
    }), { numRuns: 300 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      try {
        decodeIpp(bytes);
      } catch (e) {
        assert.ok(e instanceof IppDecodeError, String(e));
      }
    }), { numRuns: 1000 });
  });

  test('oversize input, collections and textWithLanguage', () => {
    assert.throws(() => decodeIpp(new Uint8Array(65), 64), (e) => e instanceof IppDecodeError && e.kind === 'TOO_LARGE');
    // media-col = { media-size-name: "a4" } then printer-info (textWithLanguage "en" "Lab")
    const b = Buffer.from([
      1, 1, 0, 0, 0, 0, 0, 1, 0x04,
      0x34, 0, 9, ...Buffer.from('media-col'), 0, 0,
      0x4a, 0, 0, 0, 15, ...Buffer.from('media-size-name'), 0x44, 0, 0, 0, 2, ...Buffer.from('a4'),
      0x37, 0, 0, 0, 0,
      0x35, 0, 12, ...Buffer.from('printer-info'), 0, 9, 0, 2, ...Buffer.from('en'), 0, 3, ...Buffer.from('Lab'),
      0x03,
    ]);
    const m = decodeIpp(b);
    assert.deepEqual(attr(m, 'printer-info'), ['Lab']);
    assert.equal(attr(m, 'media-col').length, 1);
    assert.throws(() => decodeIpp(Buffer.from([1, 1, 0, 0, 0, 0, 0, 1, 0x04, 0x37, 0, 0, 0, 0, 0x03])), (e) => e instanceof IppDecodeError && e.kind === 'MALFORMED');
  });
});

describe('IPP adapter against a loopback IPP printer', () => {
  test('attach reads the printer MO; Identify-Printer is executable when listed', async () => {
    const ops: number[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const r = decodeIpp(Buffer.concat(chunks));
        ops.push(r.code);
        assert.equal(req.headers['content-type'], 'application/ipp');
        const printer: IppAttribute[] = [
          { name: 'printer-state', tag: Tag.ENUM, values: [4] },
          { name: 'printer-state-reasons', tag: Tag.KEYWORD, values: ['media-low', 'toner-low'] },
          { name: 'printer-info', tag: Tag.TEXT, values: ['Lab IPP'] },
          { name: 'printer-make-and-model', tag: Tag.TEXT, values: ['LabCorp Lab IPP'] },
          { name: 'marker-names', tag: Tag.NAME, values: ['Black', 'Cyan'] },
          { name: 'marker-levels', tag: Tag.INTEGER, values: [80, 5] },
          { name: 'marker-types', tag: Tag.KEYWORD, values: ['toner', 'toner'] },
          { name: 'operations-supported', tag: Tag.ENUM, values: [0x02, 0x0b, 0x3c] },
        ];
        const out = encodeIpp({ version: [1, 1], code: 0, requestId: r.requestId, groups: [
          { tag: Group.OPERATION, attributes: [{ name: 'attributes-charset', tag: Tag.CHARSET, values: ['utf-8'] }] },
          ...(r.code === Op.GET_PRINTER_ATTRIBUTES ? [{ tag: Group.PRINTER, attributes: printer }] : []),
        ] });
        res.writeHead(200, { 'content-type': 'application/ipp' });
        res.end(out);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const d = { devId: 'mdns-lab', name: 'Lab', type: 'Printer', manufacturer: '', model: '', protocols: ['mdns'], address: '127.0.0.1',
        services: [{ protocol: 'mdns' as const, type: '_printer._tcp', id: 'x', port: 0 }, { protocol: 'mdns' as const, type: '_ipp._tcp', id: 'Lab', port }] };
      assert.equal(ippAdapter.matches(d), true);
      assert.equal(ippAdapter.matches({ ...d, services: [d.services[0]!] }), false, 'port-0 placeholder ignored');
      const ctx = { authority: null, signal: AbortSignal.timeout(2000), log: silentLogger() };
      const h = await ippAdapter.attach(d, ctx);
      const paths = h.describe().map((s) => s.path);
      assert.ok(paths.includes('Printer/Markers/2/Level') && paths.includes('Printer/Identify'));
      assert.equal(await h.get('Printer/State', ctx), 'processing');
      assert.equal(await h.get('Printer/StateReasons', ctx), 'media-low,toner-low');
      assert.equal(await h.get('Printer/MakeModel', ctx), 'LabCorp Lab IPP');
      assert.equal(await h.get('Printer/Uri', ctx), `ipp://127.0.0.1:${port}/ipp/print`);
      assert.equal(await h.get('Printer/Markers/2/Name', ctx), 'Cyan');
      assert.equal(await h.get('Printer/Markers/2/Level', ctx), '5');
      assert.deepEqual(await h.exec!('Printer/Identify', undefined, ctx), { done: true });
      assert.deepEqual(ops, [Op.GET_PRINTER_ATTRIBUTES, Op.IDENTIFY_PRINTER]);
      await h.detach();
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
