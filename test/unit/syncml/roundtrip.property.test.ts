import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeWbxml, decodeXml, encodeWbxml, encodeXml, envelopeSize, estimateCommandSize } from '../../../bridge/dm/syncml/index.js';
import { message } from './arbitraries.js';

describe('SyncML codec round trips (fast-check)', () => {
  test('XML: encode then decode gives the same Message', () => {
    fc.assert(
      fc.property(message, (m) => {
        assert.deepStrictEqual(decodeXml(encodeXml(m)), { message: m, unknown: [] });
      }),
      { numRuns: 400 },
    );
  });

  test('XML bytes: decoding from UTF-8 bytes equals decoding the string', () => {
    fc.assert(
      fc.property(message, (m) => {
        const s = encodeXml(m);
        assert.deepStrictEqual(decodeXml(new TextEncoder().encode(s)), decodeXml(s));
      }),
      { numRuns: 100 },
    );
  });

  test('WBXML: encode then decode gives the same Message', () => {
    fc.assert(
      fc.property(message, (m) => {
        assert.deepStrictEqual(decodeWbxml(encodeWbxml(m)), { message: m, unknown: [] });
      }),
      { numRuns: 400 },
    );
  });

  test('a string that starts with U+FEFF keeps it, in XML and WBXML (found by the property above)', () => {
    const m = {
      header: { verDTD: '1.2', verProto: 'DM/1.2', sessionId: '1', msgId: '1', target: { locUri: 'a' }, source: { locUri: 'b' } },
      commands: [{ cmd: 'Replace' as const, cmdId: '1', items: [{ target: { locUri: './X' }, data: '\uFEFFv' }] }],
      final: true,
    };
    assert.deepStrictEqual(decodeWbxml(encodeWbxml(m)).message, m);
    assert.deepStrictEqual(decodeXml(encodeXml(m)).message, m);
  });

  test('XML size accounting is exact', () => {
    fc.assert(
      fc.property(message, (m) => {
        const sum = m.commands.reduce((n, c) => n + estimateCommandSize(c), 0);
        assert.equal(envelopeSize(m.header, m.final) + sum, Buffer.byteLength(encodeXml(m)));
      }),
      { numRuns: 200 },
    );
  });
});
