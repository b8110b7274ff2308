// PROTOCOL.md §2.4: our large Results go in MoreData chunks, every message under the server's
// MaxMsgSize; an item over the server's MaxObjSize is not sent (the Get gets 413).
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { Message } from '../../bridge/dm/message.js';
import { encodeMessage } from '../../bridge/dm/syncml/index.js';
import { get } from '../peers/dm12-script.js';
import { harness, type Harness } from './dm12-harness.js';

let h: Harness;
afterEach(async () => h?.close());

const MAX_MSG = 2048;

/** ~20 KB of text with 1-, 2-, 3- and 4-byte UTF-8 characters and XML specials. */
function bigValue(kb: number): string {
  const parts = ['abcdefghij', 'é', '€', '😀', '<&>', '"\'', 'KLMNOPQRST'];
  let s = '';
  for (let i = 0; s.length < kb * 1024; i++) s += parts[i % parts.length];
  return s;
}

const setup = async (server: { maxMsgSize?: number; maxObjSize?: number }, encoding: 'xml' | 'wbxml' = 'xml') => {
  h = await harness([{ account: 'isp', server: { serverId: 'dm.isp', authType: 'NONE', ...server }, bridge: { encoding } }]);
  h.tree.replace('.?prop=ACL', { data: 'Add=*&Get=*&Replace=*' }, null);
  return h.peers.get('isp')!.server;
};

const isChunked = (m: Message): boolean => m.commands.some((c) => c.cmd === 'Results' && c.items.some((i) => i.moreData));

describe('large Results from the client', () => {
  for (const encoding of ['xml', 'wbxml'] as const) {
    test(`a 20 KB leaf is sent in MoreData chunks, every message <= MaxMsgSize ${MAX_MSG} (${encoding})`, async () => {
      const srv = await setup({ maxMsgSize: MAX_MSG }, encoding);
      const big = bigValue(20);
      h.tree.add('./Big', { data: big }, null);
      srv.queue([get('./Big', './DevInfo/Man')]);
      const r = await h.session('isp');
      assert.equal(r.outcome, 'ok', r.reason);
      const rec = srv.sessions[0]!;
      assert.deepEqual(rec.chunkErrors, []);
      // every message body the server received, and every message re-encoded, is within the limit
      assert.ok(rec.bodySizes.every((n) => n <= MAX_MSG), `body sizes ${rec.bodySizes.join(',')}`);
      assert.ok(rec.received.every((m) => encodeMessage(m, encoding).length <= MAX_MSG));
      // the object really was chunked: several messages, MoreData on all chunks but the last
      const chunks = rec.rawResults.filter((x) => x.cmdRef === rec.rawResults[0]!.cmdRef);
      assert.ok(chunks.length >= 10, `${chunks.length} chunks`);
      const bigChunks = chunks.flatMap((x) => x.items).filter((i) => i.source?.locUri === './Big');
      assert.ok(bigChunks.slice(0, -1).every((i) => i.moreData === true));
      assert.equal(bigChunks.at(-1)!.moreData, undefined);
      // Meta/Size (UTF-8 bytes of the whole value) on the first chunk only
      assert.equal(bigChunks[0]!.meta?.size, Buffer.byteLength(big, 'utf8'));
      assert.ok(bigChunks.slice(1).every((i) => i.meta?.size === undefined));
      // chunks go in contiguous messages with nothing else but the statuses for the server's message
      const withChunks = rec.received.filter((m) => m.commands.some((c) => c.cmd === 'Results'));
      for (const m of withChunks.slice(1, -1)) assert.deepEqual(m.commands.map((c) => c.cmd).filter((c) => c !== 'Status'), ['Results']);
      assert.ok(rec.received.filter(isChunked).every((m) => !m.final));
      // the server asked for each next chunk with Alert 1222 (no Status for Results)
      assert.ok(rec.sent.filter((m) => m.commands.some((c) => c.cmd === 'Alert' && c.data === '1222')).length >= chunks.length - 1);
      // reassembled: one Results with both items, the big one equal to the value
      assert.equal(rec.results.length, 1);
      assert.deepEqual(rec.results[0]!.items.map((i) => i.data), [big, 'Acme']);
      assert.deepEqual(rec.statuses.filter((s) => s.cmd !== 'Alert').map((s) => [s.cmd, s.code]), [['Get', 200]]);
      assert.ok(rec.statuses.every((s) => s.matched));
    });
  }

  test('a value over the server MaxObjSize is not sent: the Get gets 413 and no Results', async () => {
    const srv = await setup({ maxMsgSize: MAX_MSG, maxObjSize: 8 * 1024 });
    const big = bigValue(20);
    h.tree.add('./Big', { data: big }, null);
    h.tree.add('./Small', { data: 'ok' }, null);
    srv.queue([get('./Big'), get('./Small')]);
    const r = await h.session('isp');
    assert.equal(r.outcome, 'ok', r.reason);
    const rec = srv.sessions[0]!;
    assert.deepEqual(rec.statuses.filter((s) => s.cmd !== 'Alert').map((s) => [s.cmd, s.code]), [['Get', 413], ['Get', 200]]);
    assert.deepEqual(rec.results.map((x) => x.items.map((i) => i.data)), [['ok']]);
    assert.ok(rec.bodySizes.every((n) => n <= MAX_MSG));
    assert.equal(rec.rawResults.length, 1);
  });
});
