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
