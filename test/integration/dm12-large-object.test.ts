// PROTOCOL.md §4.3 items 31-34: large objects from the server, in chunks over several messages.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { ItemCommand } from '../../bridge/dm/message.js';
import { get, replace } from '../peers/dm12-script.js';
import { harness, type Harness } from './dm12-harness.js';

let h: Harness;
afterEach(async () => h?.close());

const setup = async (chunkSize?: number) => {
  h = await harness([{ account: 'isp', server: { serverId: 'dm.isp', authType: 'NONE', ...(chunkSize ? { chunkSize } : {}) } }]);
  h.tree.replace('.?prop=ACL', { data: 'Add=*&Get=*&Replace=*' }, null);
  h.tree.add('./Blob', { data: '' }, null);
  return h.peers.get('isp')!.server;
};

const chunk = (data: string, more: boolean, size?: number): ItemCommand => ({
  cmd: 'Replace',
  cmdId: '',
  items: [{ target: { locUri: './Blob' }, data, ...(more ? { moreData: true } : {}), ...(size === undefined ? {} : { meta: { size } }) }],
});
const value = () => (h.tree.get('./Blob', null) as { value?: { value?: string } }).value?.value;

describe('large objects', () => {
  test('31: MoreData chunks in consecutive messages get 213 each; the last one commits the whole value', async () => {
    const srv = await setup(1000);
    const big = Array.from({ length: 5000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    srv.queue([replace('./Blob', big)], [get('./Blob')]);
    const r = await h.session('isp');
    assert.equal(r.outcome, 'ok', r.reason);
    const rec = srv.sessions[0]!;
    assert.deepEqual(rec.statuses.map((s) => s.code), [213, 213, 213, 213, 200, 200]);
    assert.equal(value(), big);
    assert.equal(rec.results[0]!.items[0]!.data, big);
    // the client asked for each next chunk with Alert 1222
    assert.ok(rec.alerts.filter((a) => a.data === '1222').length >= 4);
  });

  test('32: a size mismatch on the last chunk -> 424, nothing committed', async () => {
    const srv = await setup();
    srv.queue([chunk('hello ', true, 20), chunk('world', false)]);
    const r = await h.session('isp');
    assert.equal(r.outcome, 'ok', r.reason);
    assert.deepEqual(srv.sessions[0]!.statuses.map((s) => s.code), [213, 424]);
    assert.equal(value(), '');
  });

  test('33: a new command before the last chunk -> Alert 1225 to the server, then the command runs', async () => {
    const srv = await setup();
    srv.queue([chunk('part one', true, 20), get('./DevInfo/Man')]);
    const r = await h.session('isp');
    assert.equal(r.outcome, 'ok', r.reason);
    const rec = srv.sessions[0]!;
    assert.deepEqual(rec.statuses.map((s) => s.code), [213, 200]);
    const a = rec.alerts.find((x) => x.data === '1225');
    assert.ok(a, 'Alert 1225 sent');
    assert.equal(a.items[0]!.target?.locUri, './Blob');
    assert.equal(value(), '');
  });

  test('34: an object larger than our MaxObjSize -> 413 on its first chunk', async () => {
    const srv = await setup();
    srv.queue([chunk('x', true, 5 * 1024 * 1024)]);
    const r = await h.session('isp');
    assert.equal(r.outcome, 'ok', r.reason);
    assert.deepEqual(srv.sessions[0]!.statuses.filter((s) => s.cmd !== 'Alert').map((s) => s.code), [413]);
    // the client states its MaxObjSize in every SyncHdr
    assert.equal(srv.sessions[0]!.received[0]!.header.meta?.maxObjSize, 4 * 1024 * 1024);
  });
});
