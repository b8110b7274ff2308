import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  CONTENT_TYPE_WBXML, CONTENT_TYPE_XML, commandSize, decodeMessage, decodeWbxml, decodeXml, encodeMessage, encodeWbxml,
  encodeXml, envelopeSize, estimateCommandSize, messageEnvelopeSize,
} from '../../../bridge/dm/syncml/index.js';
import type { DecodeResult } from '../../../bridge/dm/syncml/index.js';

const dir = fileURLToPath(new URL('../../golden/syncml/', import.meta.url));
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.xml')).map((f) => f.slice(0, -4));

function load(name: string): { xml: Buffer; expected: DecodeResult } {
  return {
    xml: readFileSync(dir + name + '.xml'),
    expected: JSON.parse(readFileSync(dir + name + '.json', 'utf8')) as DecodeResult,
  };
}

describe('SyncML golden fixtures', () => {
  test('there are fixtures', () => assert.ok(fixtures.length >= 5));
  for (const name of fixtures) {
    test(`${name}: XML decodes to the expected message`, () => {
      const { xml, expected } = load(name);
      assert.deepStrictEqual(decodeXml(xml), expected);
      assert.deepStrictEqual(decodeMessage(xml, 'application/vnd.syncml.dm+xml; charset=UTF-8'), expected);
    });
    test(`${name}: re-encodes to XML and WBXML that decode to the same message`, () => {
      const { expected } = load(name);
      const m = expected.message;
      assert.deepStrictEqual(decodeXml(encodeXml(m)).message, m);
      assert.deepStrictEqual(decodeWbxml(encodeWbxml(m)).message, m);
      assert.deepStrictEqual(decodeMessage(encodeMessage(m, 'wbxml'), CONTENT_TYPE_WBXML).message, m);
      assert.deepStrictEqual(decodeMessage(encodeMessage(m, 'xml'), CONTENT_TYPE_XML).message, m);
    });
    test(`${name}: envelope + command sizes give the exact XML size, an upper bound for WBXML`, () => {
      const m = load(name).expected.message;
      const xmlSize = Buffer.byteLength(encodeXml(m));
      const sum = m.commands.reduce((n, c) => n + estimateCommandSize(c), 0);
      assert.equal(envelopeSize(m.header, m.final) + sum, xmlSize);
      const wb = encodeWbxml(m).length;
      const wbBound = messageEnvelopeSize(m.header, 'wbxml') + m.commands.reduce((n, c) => n + commandSize(c, 'wbxml'), 0);
      assert.ok(wb <= wbBound && wbBound - wb <= 4 + 2 * m.commands.length, `${wb} vs ${wbBound}`);
      assert.ok(wb < xmlSize);
    });
  }

  test('the encoder writes the documented XML shape', () => {
    const m = load('status-chal').expected.message;
    const xml = encodeXml(m);
    assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?><SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD>'));
    assert.match(xml, /<Status><CmdID>1<\/CmdID><MsgRef>1<\/MsgRef><CmdRef>0<\/CmdRef><Cmd>SyncHdr<\/Cmd><TargetRef>https:\/\/dm.example.com\/dm<\/TargetRef><SourceRef>IMEI:493005100592800<\/SourceRef><Chal><Meta><Format xmlns="syncml:metinf">b64<\/Format><Type xmlns="syncml:metinf">syncml:auth-md5<\/Type><NextNonce xmlns="syncml:metinf">Tm9uY2UtMDAx<\/NextNonce><\/Meta><\/Chal><Data>401<\/Data><\/Status>/);
    assert.ok(xml.endsWith('<Final/></SyncBody></SyncML>'));
  });

  test('the WBXML encoder writes the SyncML 1.2 header and switches to MetInf for Meta', () => {
    const m = load('pkg1-client-init').expected.message;
    const b = encodeWbxml(m);
    assert.deepEqual([...b.subarray(0, 5)], [0x02, 0xa4, 0x01, 0x6a, 0x00]);
    assert.equal(b[5], 0x6d); // SyncML with content
    const i = b.indexOf(0x1a + 0x40); // first Meta (in Cred)
    assert.deepEqual([...b.subarray(i + 1, i + 3)], [0x00, 0x01]);
  });

  test('text escaping survives: & < > and CR in data and identifiers', () => {
    const m = load('pkg1-client-init').expected.message;
    const odd = structuredClone(m);
    const first = odd.commands[1];
    assert.ok(first && first.cmd === 'Replace' && first.items[0]);
    first.items[0].data = 'a&b<c>d\r\ne ]]> f';
    first.cmdId = 'x&<>y';
    const xml = encodeXml(odd);
    assert.ok(xml.includes('<Data>a&amp;b&lt;c&gt;d&#13;\ne ]]&gt; f</Data>'));
    assert.deepStrictEqual(decodeXml(xml).message, odd);
    assert.deepStrictEqual(decodeWbxml(encodeWbxml(odd)).message, odd);
  });
});
