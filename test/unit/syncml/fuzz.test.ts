import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { BridgeError } from '../../../bridge/core/errors.js';
import { decodeWbxml, decodeXml, encodeWbxml, type DecodeResult } from '../../../bridge/dm/syncml/index.js';

/** Every input either decodes or throws a BridgeError (never a TypeError, RangeError, hang ...). */
function decodesOrBridgeError(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof BridgeError)) throw e;
    assert.ok(e.code === 'MESSAGE_MALFORMED' || e.code === 'MESSAGE_TOO_LARGE', e.code);
  }
}

const dir = fileURLToPath(new URL('../../golden/syncml/', import.meta.url));
const names = readdirSync(dir).filter((f) => f.endsWith('.xml'));
const xmlSeeds = names.map((f) => new Uint8Array(readFileSync(dir + f)));
const wbSeeds = names.map((f) => encodeWbxml((JSON.parse(readFileSync(dir + f.replace(/xml$/, 'json'), 'utf8')) as DecodeResult).message));

/** A valid message with a few random byte edits: overwrite, delete, duplicate, truncate. */
function mutated(seeds: Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const edit = fc.tuple(fc.constantFrom('set', 'del', 'dup', 'cut', 'ins'), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 40 }));
  return fc.tuple(fc.constantFrom(...seeds), fc.array(edit, { minLength: 1, maxLength: 6 })).map(([seed, edits]) => {
    let b = Array.from(seed);
    for (const [op, at, v, n] of edits) {
      const i = at % Math.max(1, b.length);
      if (op === 'set') b[i] = v;
      else if (op === 'del') b.splice(i, n);
      else if (op === 'dup') b.splice(i, 0, ...b.slice(i, i + n));
      else if (op === 'cut') b = b.slice(0, i);
      else b.splice(i, 0, ...Array.from('<>&;/![]"\'?='.slice(0, n % 12 + 1), (c) => c.charCodeAt(0)));
    }
    return new Uint8Array(b);
  });
}

describe('SyncML decoder fuzzing', () => {
  test('random bytes: XML and WBXML decoders return or throw BridgeError', () => {
    const t0 = performance.now();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        decodesOrBridgeError(() => decodeXml(b));
        decodesOrBridgeError(() => decodeWbxml(b));
      }),
      { numRuns: 2000 },
    );
    assert.ok(performance.now() - t0 < 20_000);
  });

  test('random WBXML-looking bytes (valid header, random body)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        decodesOrBridgeError(() => decodeWbxml(new Uint8Array([0x02, 0xa4, 0x01, 0x6a, 0x00, 0x6d, ...b])));
      }),
      { numRuns: 2000 },
    );
  });

  test('mutated valid XML messages', () => {
    let decoded = 0;
    fc.assert(
      fc.property(mutated(xmlSeeds), (b) => {
        try {
          decodeXml(b);
          decoded++;
        } catch (e) {
          if (!(e instanceof BridgeError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
    assert.ok(decoded > 0, 'some mutations still decode');
  });

  test('mutated valid WBXML messages', () => {
    fc.assert(fc.property(mutated(wbSeeds), (b) => decodesOrBridgeError(() => decodeWbxml(b))), { numRuns: 2000 });
  });

  test('random XML-ish text built from SyncML pieces', () => {
    const piece = fc.constantFrom('<SyncML>', '</SyncML>', '<SyncHdr>', '</SyncHdr>', '<SyncBody>', '</SyncBody>', '<CmdID>1</CmdID>',
      '<Get>', '</Get>', '<Item>', '</Item>', '<Data>', '</Data>', '<![CDATA[', ']]>', '&amp;', '&#x41;', '&#0;', '<!--', '-->',
      '<!DOCTYPE x [', ']>', '<?pi?>', 'text', ' ', '<Final/>', '<Meta>', '</Meta>', '<m:Type xmlns:m="syncml:metinf">', '</m:Type>');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), (parts) => decodesOrBridgeError(() => decodeXml(parts.join('')))),
      { numRuns: 2000 },
    );
  });
});
