import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BridgeError } from '../../../bridge/core/errors.js';
import { decodeMessage, decodeWbxml, decodeXml, encodingOf } from '../../../bridge/dm/syncml/index.js';

const HDR = '<SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>007</SessionID><MsgID>01</MsgID>'
  + '<Target><LocURI>a</LocURI></Target><Source><LocURI>b</LocURI></Source></SyncHdr>';
const doc = (body: string): string => `<SyncML xmlns='SYNCML:SYNCML1.2'>${HDR}<SyncBody>${body}</SyncBody></SyncML>`;
const data = (xml: string): string | undefined => {
  const c = decodeXml(doc(`<Replace><CmdID>1</CmdID><Item><Target><LocURI>x</LocURI></Target>${xml}</Item></Replace>`)).message.commands[0];
  assert.ok(c?.cmd === 'Replace');
  return c.items[0]?.data;
};
const malformed = (fn: () => unknown, re: RegExp): void => {
  assert.throws(fn, (e: unknown) => e instanceof BridgeError && e.code === 'MESSAGE_MALFORMED' && re.test(e.message));
};

describe('SyncML XML decoding details', () => {
  test('identifiers keep leading zeros; Final absent means final=false', () => {
    const m = decodeXml(doc('')).message;
    assert.equal(m.header.sessionId, '007');
    assert.equal(m.header.msgId, '01');
    assert.equal(m.final, false);
  });

  test('entities, numeric references, CDATA and whitespace in Data', () => {
    assert.equal(data('<Data>&lt;a&gt; &amp; &quot;&apos; &#65;&#x42;&#x1F600;</Data>'), '<a> & "\' AB😀');
    assert.equal(data('<Data><![CDATA[<raw> & ]]>tail</Data>'), '<raw> & tail');
    assert.equal(data('<Data>  \n 00 \t</Data>'), '  \n 00 \t');
    assert.equal(data('<Data>a\r\nb\rc</Data>'), 'a\nb\nc');
    assert.equal(data('<Data/>'), '');
    assert.equal(data(''), undefined);
  });

  test('nested XML in Data is kept as XML text', () => {
    assert.equal(data('<Data> <A x="1&amp;2"><B>t&lt;</B><C/></A></Data>'), ' <A x="1&#38;2"><B>t&lt;</B><C/></A>');
  });

  test('Meta accepted bare, with xmlns, with a prefix, or wrapped in MetInf', () => {
    for (const meta of [
      '<Meta><Format>b64</Format><Size>12</Size></Meta>',
      '<Meta><Format xmlns="syncml:metinf">b64</Format><Size xmlns="syncml:metinf">12</Size></Meta>',
      '<Meta xmlns:m="syncml:metinf"><m:Format>b64</m:Format><m:Size> 12 </m:Size></Meta>',
      '<Meta><MetInf xmlns="syncml:metinf"><Format>b64</Format><Size>12</Size><Anchor/></MetInf></Meta>',
    ]) {
      const c = decodeXml(doc(`<Get><CmdID>1</CmdID>${meta}<Item><Target><LocURI>x</LocURI></Target></Item></Get>`)).message.commands[0];
      assert.ok(c?.cmd === 'Get');
      assert.deepEqual(c.meta, { format: 'b64', size: 12 });
    }
  });

  test('comments, processing instructions and a DOCTYPE are skipped', () => {
    const xml = `<?xml version="1.0"?><!DOCTYPE SyncML PUBLIC "-//SYNCML//DTD SyncML 1.2//EN" "x.dtd"><!-- c -->${doc('<!-- in --><Final/>')}<!-- end -->`;
    assert.equal(decodeXml(xml).message.final, true);
  });

  test('ISO-8859-1 declared encoding is honoured; invalid UTF-8 is rejected', () => {
    const latin = Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?>${doc('<Alert><CmdID>1</CmdID><Data>1201</Data><Item><Data>caf\xe9</Data></Item></Alert>')}`, 'latin1');
    const a = decodeXml(latin).message.commands[0];
    assert.ok(a?.cmd === 'Alert');
    assert.equal(a.items[0]?.data, 'café');
    malformed(() => decodeXml(new Uint8Array([...Buffer.from(doc('')).subarray(0, 30), 0xff, 0xfe])), /UTF-8/);
  });

  test('structural errors are MESSAGE_MALFORMED with a clear message', () => {
    malformed(() => decodeXml('<SyncML><SyncBody/></SyncML>'), /without <SyncHdr>/);
    malformed(() => decodeXml('<Foo/>'), /root element is <Foo>/);
    malformed(() => decodeXml(doc('<Get><Item/></Get>')), /<Get> without CmdID/);
    malformed(() => decodeXml(doc('<Get><CmdID>1</CmdID></Got>')), /does not match/);
    malformed(() => decodeXml(doc('<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Data>200</Data></Status>')), /without <Cmd>/);
    malformed(() => decodeXml(doc('<Get><CmdID>1</CmdID><Meta><Size>-1</Size></Meta></Get>')), /not a non-negative integer/);
    malformed(() => decodeXml(doc('<Get><CmdID>1<X/></CmdID></Get>')), /unexpected <X>/);
    malformed(() => decodeXml(doc('') + '<SyncML/>'), /more than one root/);
    malformed(() => decodeXml(doc('<Data>a & b</Data>')), /reference/);
    malformed(() => decodeXml(doc('<Data>&#0;</Data>')), /character reference/);
    malformed(() => decodeXml(''), /no root element/);
  });

  test('content type selects the codec, parameters tolerated', () => {
    assert.equal(encodingOf('application/vnd.syncml.dm+xml'), 'xml');
    assert.equal(encodingOf('Application/VND.SYNCML.DM+WBXML ; charset=utf-8'), 'wbxml');
    assert.throws(() => decodeMessage(new Uint8Array(), 'text/plain'), (e: unknown) => e instanceof BridgeError && e.code === 'BAD_FORMAT');
  });
});

describe('SyncML WBXML decoding details', () => {
  const enc = new TextEncoder();
  const str = (s: string): number[] => [0x03, ...enc.encode(s), 0x00];
  const leaf = (tok: number, s: string): number[] => [tok | 0x40, ...str(s), 0x01];
  const hdrBody = (pre: number[]): number[] => [
    0x6c, ...leaf(0x31, '1.2'), ...leaf(0x32, 'DM/1.2'), ...pre, ...leaf(0x1b, '1'),
    0x6e, ...leaf(0x17, 'a'), 0x01, 0x67, ...leaf(0x17, 'b'), 0x01, 0x01,
  ];

  test('string-table public id, STR_T, ENTITY, LITERAL tags and OPAQUE data', () => {
    const fpi = '-//SYNCML//DTD SyncML 1.2//EN';
    const table = [...enc.encode(fpi), 0, ...enc.encode('S-42'), 0, ...enc.encode('Xyz'), 0];
    const sess = fpi.length + 1;
    const lit = sess + 5;
    const bytes = new Uint8Array([
      0x03, 0x00, 0x00, 0x6a, table.length, ...table,
      0x6d, ...hdrBody([0x65, 0x83, sess, 0x01]),
      0x6b,
      0x60, ...leaf(0x0b, '7'),
      0x54, 0x6e, ...leaf(0x17, './x'), 0x01,
      0x4f, 0xc3, 0x02, ...enc.encode('é'), ...str('A'), 0x02, 0x42, 0x01, // Data: OPAQUE "é" + STR_I "A" + ENTITY 'B'
      0x01, 0x01, // end Item, end Replace
      0x44, lit, ...leaf(0x0b, '8'), 0x01, // <Xyz> (LITERAL_C): an unknown command
      0x12, 0x01, 0x01,
    ]);
    const r = decodeWbxml(bytes);
    assert.equal(r.message.header.sessionId, 'S-42');
    const c = r.message.commands[0];
    assert.ok(c?.cmd === 'Replace');
    assert.equal(c.items[0]?.data, 'éAB');
    assert.deepEqual(r.unknown, [{ name: 'Xyz', cmdId: '8', position: 1 }]);
    assert.equal(r.message.final, true);
  });

  test('a non-SyncML public id is rejected', () => {
    assert.throws(() => decodeWbxml(new Uint8Array([0x03, 0x05, 0x6a, 0x00, 0x6d, 0x01])),
      (e: unknown) => e instanceof BridgeError && e.code === 'MESSAGE_MALFORMED' && /public id 0x5/.test(e.message));
  });
});
