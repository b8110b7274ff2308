import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BridgeError } from '../../../bridge/core/errors.js';
import { decodeWbxml, decodeXml, encodeWbxml, encodeXml } from '../../../bridge/dm/syncml/index.js';
import type { Message } from '../../../bridge/dm/message.js';

const HDR = '<SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>'
  + '<Target><LocURI>a</LocURI></Target><Source><LocURI>b</LocURI></Source></SyncHdr>';
const doc = (body: string, prolog = ''): string => `${prolog}<SyncML>${HDR}<SyncBody>${body}<Final/></SyncBody></SyncML>`;

function rejects(fn: () => unknown, code: string, re?: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof BridgeError && e.code === code && (re === undefined || re.test(e.message)));
}

const msg = (data: string): Message => ({
  header: { verDTD: '1.2', verProto: 'DM/1.2', sessionId: '1', msgId: '1', target: { locUri: 'a' }, source: { locUri: 'b' } },
  commands: [{ cmd: 'Replace', cmdId: '1', items: [{ target: { locUri: './x' }, data }] }],
  final: true,
});

describe('SyncML decode limits', () => {
  test('input over maxInputBytes is MESSAGE_TOO_LARGE before parsing', () => {
    const big = doc(`<Replace><CmdID>1</CmdID><Item><Data>${'x'.repeat(1024 * 1024)}</Data></Item></Replace>`);
    rejects(() => decodeXml(new TextEncoder().encode(big)), 'MESSAGE_TOO_LARGE', /exceeds the limit of 1048576/);
    rejects(() => decodeXml(doc(''), { maxInputBytes: 100 }), 'MESSAGE_TOO_LARGE');
    rejects(() => decodeWbxml(encodeWbxml(msg('y'.repeat(300))), { maxInputBytes: 200 }), 'MESSAGE_TOO_LARGE');
    assert.equal(decodeXml(big, { maxInputBytes: 2 * 1024 * 1024 }).message.commands.length, 1);
  });

  test('nesting deeper than maxDepth is rejected (XML and WBXML)', () => {
    const deep = doc(`<Sequence><CmdID>1</CmdID>${'<a>'.repeat(40)}${'</a>'.repeat(40)}</Sequence>`);
    rejects(() => decodeXml(deep), 'MESSAGE_TOO_LARGE', /nesting deeper than 32/);
    const wb = new Uint8Array([0x02, 0xa4, 0x01, 0x6a, 0x00, 0x6d, ...new Array<number>(100).fill(0x74)]);
    rejects(() => decodeWbxml(wb), 'MESSAGE_TOO_LARGE', /nesting/);
    // A legitimately nested Sequence/Atomic message decodes.
    const nested = doc('<Sequence><CmdID>1</CmdID><Atomic><CmdID>2</CmdID><Add><CmdID>3</CmdID><Item><Target><LocURI>x</LocURI></Target></Item></Add></Atomic></Sequence>');
    assert.equal(decodeXml(nested).message.commands[0]?.cmd, 'Sequence');
  });

  test('more elements than maxElements is rejected', () => {
    const many = doc(`<Replace><CmdID>1</CmdID><Item><Data>${'<e/>'.repeat(60_000)}</Data></Item></Replace>`);
    rejects(() => decodeXml(many), 'MESSAGE_TOO_LARGE', /more than 50000 elements/);
    rejects(() => decodeXml(doc(''), { maxElements: 5 }), 'MESSAGE_TOO_LARGE');
    rejects(() => decodeWbxml(encodeWbxml(msg('x')), { maxElements: 5 }), 'MESSAGE_TOO_LARGE');
  });

  test('a string longer than maxStringLength is rejected', () => {
    rejects(() => decodeXml(encodeXml(msg('z'.repeat(5000))), { maxStringLength: 4096 }), 'MESSAGE_TOO_LARGE');
    rejects(() => decodeXml(doc(`<Replace><CmdID>1</CmdID><Item><Data><![CDATA[${'z'.repeat(5000)}]]></Data></Item></Replace>`), { maxStringLength: 4096 }), 'MESSAGE_TOO_LARGE');
    rejects(() => decodeWbxml(encodeWbxml(msg('z'.repeat(5000))), { maxStringLength: 4096 }), 'MESSAGE_TOO_LARGE');
    assert.equal(decodeXml(encodeXml(msg('z'.repeat(4000))), { maxStringLength: 4096 }).message.commands.length, 1);
  });

  test('billion laughs fails fast and nothing is expanded', () => {
    let dtd = '<!DOCTYPE SyncML [<!ENTITY lol "lol">';
    for (let i = 1; i <= 9; i++) dtd += `<!ENTITY lol${i} "${`&lol${i - 1 === 0 ? '' : i - 1};`.repeat(10)}">`;
    dtd += ']>';
    const bomb = doc('<Replace><CmdID>1</CmdID><Item><Target><LocURI>x</LocURI></Target><Data>&lol9;</Data></Item></Replace>', dtd);
    const t0 = performance.now();
    rejects(() => decodeXml(bomb), 'MESSAGE_MALFORMED', /entity &lol9; is not supported/);
    assert.ok(performance.now() - t0 < 50);
    // The same DOCTYPE without a reference decodes; entity declarations are ignored.
    const quiet = doc('<Replace><CmdID>1</CmdID><Item><Target><LocURI>x</LocURI></Target><Data>lol</Data></Item></Replace>', dtd);
    assert.equal(decodeXml(quiet).message.commands.length, 1);
  });

  test('an external entity reference is not resolved', () => {
    const xxe = doc('<Replace><CmdID>1</CmdID><Item><Data>&xxe;</Data></Item></Replace>', '<!DOCTYPE SyncML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>');
    rejects(() => decodeXml(xxe), 'MESSAGE_MALFORMED');
  });

  test('truncated messages are MESSAGE_MALFORMED at every cut', () => {
    const xml = encodeXml(msg('hello'));
    for (let cut = 1; cut < xml.length - 1; cut += 7) rejects(() => decodeXml(xml.slice(0, cut)), 'MESSAGE_MALFORMED');
    const wb = encodeWbxml(msg('hello'));
    for (let cut = 0; cut < wb.length - 1; cut++) rejects(() => decodeWbxml(wb.subarray(0, cut)), 'MESSAGE_MALFORMED');
  });

  test('invalid limit values are a config error', () => {
    rejects(() => decodeXml(doc(''), { maxDepth: 0 }), 'CONFIG_INVALID');
  });
});
