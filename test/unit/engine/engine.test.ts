import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { Engine } from '../../../bridge/dm/engine.js';
import type { Command, Item, ItemCommand, StatusReply } from '../../../bridge/dm/message.js';
import type { Provider } from '../../../bridge/tree/provider.js';
import { authority, makeTree, treeConfig, type Fixture } from '../tree/helpers.js';

const A = 'dm.a.example';
const B = 'dm.b.example';
let f: Fixture;
afterEach(() => f?.close());

function setup() {
  f = makeTree(treeConfig([authority('a', A), authority('b', B)]));
  const execCalls: Array<{ data?: string; correlator?: string }> = [];
  const ops: Provider = {
    transactional: false,
    node: (segs) =>
      segs.length === 0
        ? { format: 'node', type: '', permanent: true, children: ['Reboot'] }
        : segs[0] === 'Reboot'
          ? { format: 'null', type: '', permanent: true, access: ['Get', 'Exec'], value: '' }
          : undefined,
    exec: async (_segs, data, ctx) => {
      execCalls.push({ ...(data === undefined ? {} : { data }), ...(ctx.correlator === undefined ? {} : { correlator: ctx.correlator }) });
      return ctx.correlator ? { status: 202 } : { status: 200 };
    },
  };
  f.tree.mount('./Ops', ops);
  f.tree.replace('.?prop=ACL', { data: 'Add=*&Delete=*&Get=*&Replace=*' }, null);
  f.tree.replace('./Ops?prop=ACL', { data: `Get=*&Exec=${A}` }, null);
  return { engine: new Engine({ tree: f.tree, maxObjSize: 1000 }), execCalls };
}

let id = 0;
const item = (target: string, data?: string, extra: Partial<Item> = {}): Item => ({ target: { locUri: target }, ...(data === undefined ? {} : { data }), ...extra });
const cmd = (name: ItemCommand['cmd'], items: Item[], extra: Partial<ItemCommand> = {}): ItemCommand => ({ cmd: name, cmdId: String(++id), items, ...extra });
const codes = (replies: { cmd: string; data?: string }[]) => replies.filter((r): r is StatusReply => r.cmd === 'Status').map((r) => Number(r.data));

describe('engine: one Status per command, Results for Get', () => {
  test('Get leaf and interior; refs are right; missing 404', async () => {
    const { engine } = setup();
    const s = engine.open(A);
    const get1 = cmd('Get', [item('./DevInfo/DevId')]);
    const get2 = cmd('Get', [item('./DevInfo')]);
    const get3 = cmd('Get', [item('./Nope')]);
    const r = await s.execute([get1, get2, get3]);
    assert.deepEqual(codes(r.replies), [200, 200, 404]);
    const st = r.replies[0] as StatusReply;
    assert.equal(st.cmdRef, get1.cmdId);
    assert.equal(st.refCmd, 'Get');
    assert.deepEqual(st.targetRefs, ['./DevInfo/DevId']);
    const res = r.replies.filter((x) => x.cmd === 'Results');
    assert.equal(res.length, 2);
    assert.equal(res[0]!.items[0]!.data, 'urn:dev:mac:0242ac110002');
    assert.equal(res[1]!.items[0]!.data, 'DevId/Man/Mod/DmV/Lang');
    assert.equal(res[1]!.items[0]!.meta?.format, 'node');
  });
  test('Add/Replace/Delete/Copy statuses; NoResp suppresses the Status', async () => {
    const { engine } = setup();
    const s = engine.open(A);
    const r = await s.execute([
      cmd('Add', [item('./X/Y', '1')], { meta: { format: 'int' } }),
      cmd('Add', [item('./X/Y', '1')]),
      cmd('Replace', [item('./X/Y', '2')]),
      cmd('Copy', [{ target: { locUri: './X/Z' }, source: { locUri: './DevInfo/Man' } }]),
      cmd('Delete', [item('./DevInfo/DevId')]),
      cmd('Replace', [item('./X/Y', '3')], { noResp: true }),
    ]);
    assert.deepEqual(codes(r.replies), [200, 418, 200, 200, 405]);
    const z = f.tree.get('./X/Z', null) as { value?: { value?: string } };
    assert.equal(z.value?.value, 'Acme');
  });
  test('two ServerIDs are isolated by ACLs (425)', async () => {
    const { engine } = setup();
    const r = await engine.open(B).execute([cmd('Get', [item('./DMAcc/a/ServerID')]), cmd('Replace', [item('./DMAcc/a/Name', 'x')])]);
    assert.deepEqual(codes(r.replies), [425, 425]);
    const ok = await engine.open(A).execute([cmd('Get', [item('./DMAcc/a/ServerID')])]);
    assert.deepEqual(codes(ok.replies), [200]);
  });
});

describe('engine: Atomic and Sequence', () => {
  test('Atomic all succeed -> 200 and everything committed', async () => {
    const { engine } = setup();
    const r = await engine.open(A).execute([{ cmd: 'Atomic', cmdId: 'a1', commands: [cmd('Add', [item('./At/1', 'x')]), cmd('Add', [item('./At/2', 'y')])] }]);
    assert.deepEqual(codes(r.replies), [200, 200, 200]);
    assert.equal((f.tree.get('./At/2', null) as { status: number }).status, 200);
  });
  test('Atomic with one failure -> 507, the failing one keeps its code, others 216, nothing kept', async () => {
    const { engine } = setup();
    f.tree.add('./Exists', { data: 'e' }, null);
    const r = await engine.open(A).execute([
      { cmd: 'Atomic', cmdId: 'a2', commands: [cmd('Add', [item('./Bt/1', 'x')]), cmd('Add', [item('./Exists', 'y')]), cmd('Replace', [item('./Exists', 'z')])] },
    ]);
    assert.deepEqual(codes(r.replies), [507, 216, 418, 216]);
    assert.equal((f.tree.get('./Bt', null) as { status: number }).status, 404);
    assert.equal((f.tree.get('./Exists', null) as { value?: { value?: string } }).value?.value, 'e');
  });
  test('nested Atomic or Get inside Atomic -> 500, nothing executed', async () => {
    const { engine } = setup();
    const r = await engine.open(A).execute([
      { cmd: 'Atomic', cmdId: 'a3', commands: [cmd('Add', [item('./Ct', 'x')]), cmd('Get', [item('./DevInfo')])] },
      { cmd: 'Atomic', cmdId: 'a4', commands: [{ cmd: 'Atomic', cmdId: 'a5', commands: [] }] },
    ]);
    assert.deepEqual(codes(r.replies), [500, 215, 215, 500, 215]);
    assert.equal((f.tree.get('./Ct', null) as { status: number }).status, 404);
  });
  test('an adapter-like (non-transactional) node inside Atomic fails it cleanly', async () => {
    const { engine } = setup();
    const r = await engine.open(A).execute([{ cmd: 'Atomic', cmdId: 'a6', commands: [cmd('Add', [item('./Dt', 'x')]), cmd('Add', [item('./Ops/New', 'x')])] }]);
    assert.equal(codes(r.replies)[0], 507);
    assert.equal((f.tree.get('./Dt', null) as { status: number }).status, 404);
  });
  test('Sequence keeps its order', async () => {
    const { engine } = setup();
    const r = await engine.open(A).execute([
      { cmd: 'Sequence', cmdId: 's1', commands: [cmd('Add', [item('./Sq', '1')]), cmd('Replace', [item('./Sq', '2')]), cmd('Get', [item('./Sq')])] },
    ]);
    assert.deepEqual(codes(r.replies), [200, 200, 200, 200]);
    assert.equal(r.replies.find((x) => x.cmd === 'Results')!.items[0]!.data, '2');
  });
});

describe('engine: large objects (MoreData)', () => {
  test('chunks get 213, the last one commits', async () => {
    const { engine } = setup();
    const s = engine.open(A);
    const r1 = await s.execute([cmd('Replace', [item('./Big', 'hello ', { moreData: true, meta: { size: 11 } })])]);
    assert.deepEqual(codes(r1.replies), [213]);
    f.tree.add('./Big', { data: '' }, null);
    const r2 = await s.execute([cmd('Replace', [item('./Big', 'world')])]);
    assert.deepEqual(codes(r2.replies), [200]);
    assert.equal((f.tree.get('./Big', null) as { value?: { value?: string } }).value?.value, 'hello world');
  });
  test('size mismatch -> 424 and nothing committed', async () => {
    const { engine } = setup();
    const s = engine.open(A);
    await s.execute([cmd('Add', [item('./Big2', 'abc', { moreData: true, meta: { size: 10 } })])]);
    const r = await s.execute([cmd('Add', [item('./Big2', 'de')])]);
    assert.deepEqual(codes(r.replies), [424]);
    assert.equal((f.tree.get('./Big2', null) as { status: number }).status, 404);
  });
  test('a new command before the last chunk -> Alert 1225, then the command runs', async () => {
    const { engine } = setup();
    const s = engine.open(A);
    await s.execute([cmd('Add', [item('./Big3', 'abc', { moreData: true, meta: { size: 10 } })])]);
    const r = await s.execute([cmd('Get', [item('./DevInfo/Man')])]);
    assert.equal(r.alerts.length, 1);
    assert.equal(r.alerts[0]!.data, '1225');
    assert.equal(r.alerts[0]!.items[0]!.target?.locUri, './Big3');
    assert.deepEqual(codes(r.replies), [200]);
  });
  test('declared size above MaxObjSize -> 413; a chunk without Size -> 412', async () => {
    const { engine } = setup();
    const s = engine.open(A);
    assert.deepEqual(codes((await s.execute([cmd('Add', [item('./Big4', 'a', { moreData: true, meta: { size: 5000 } })])])).replies), [413]);
    assert.deepEqual(codes((await s.execute([cmd('Add', [item('./Big4', 'a', { moreData: true })])])).replies), [412]);
  });
});

describe('engine: Exec and alerts', () => {
  test('Exec dispatches to the provider; with a Correlator 202; ACL 425; non-executable 405', async () => {
    const { engine, execCalls } = setup();
    const r = await engine.open(A).execute([
      cmd('Exec', [item('./Ops/Reboot', 'now')]),
      cmd('Exec', [item('./Ops/Reboot')], { correlator: 'c-1' }),
      cmd('Exec', [item('./DevInfo/DevId')]),
    ]);
    assert.deepEqual(codes(r.replies), [200, 202, 405]);
    assert.deepEqual(execCalls, [{ data: 'now' }, { correlator: 'c-1' }]);
    assert.deepEqual(codes((await engine.open(B).execute([cmd('Exec', [item('./Ops/Reboot')])])).replies), [425]);
  });
  test('UI alerts are answered headless: DR default, MAXDT timeout 408, else 215', async () => {
    const { engine } = setup();
    const alert = (code: string, opts: string): Command => ({ cmd: 'Alert', cmdId: String(++id), data: code, items: [{ data: opts }, { data: 'Question?' }] });
    const r = await engine.open(A).execute([
      alert('1100', 'MINDT=5'),
      alert('1101', 'DR=1'),
      alert('1101', 'DR=0'),
      alert('1101', 'MAXDT=30'),
      alert('1102', 'DR=hello+world'),
      alert('1103', ''),
      alert('1104', 'DR=2-3'),
      alert('1299', ''),
    ]);
    assert.deepEqual(codes(r.replies), [200, 200, 304, 408, 200, 215, 200, 406]);
    assert.equal((r.replies[4] as StatusReply).items?.[0]?.data, 'hello world');
    assert.equal((r.replies[6] as StatusReply).items?.[0]?.data, '2-3');
  });
});
