import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { authority, makeTree, treeConfig } from './helpers.js';

const A = 'dm.a.example';
const val = (o: unknown) => (o as { value?: { value?: string } }).value?.value;

describe('persistence through the tree', () => {
  test('values, properties, ACLs, settings and account changes survive close and reopen', () => {
    let f = makeTree(treeConfig([authority('a', A)]));
    try {
      f.tree.add('./Keep/Leaf', { format: 'int', data: '0042' }, A);
      f.tree.replace('./Keep/Leaf?prop=Title', { data: 'answer' }, null);
      f.tree.replace('./Keep?prop=ACL', { data: `Get=${A}&Replace=${A}` }, null);
      f.tree.replace('./Bridge/Log/Level', { data: 'debug' }, A);
      f.tree.replace('./DMAcc/a/Ext/Bridge/PollSeconds', { data: '3600' }, A);
      f = f.reopen();
      assert.equal(val(f.tree.get('./Keep/Leaf', A)), '0042');
      assert.equal(val(f.tree.get('./Keep/Leaf?prop=Format', A)), 'int');
      assert.equal(val(f.tree.get('./Keep/Leaf?prop=Title', A)), 'answer');
      assert.equal(val(f.tree.get('./Keep?prop=ACL', A)), `Get=${A}&Replace=${A}`);
      assert.equal(val(f.tree.get('./Bridge/Log/Level', A)), 'debug');
      assert.equal(val(f.tree.get('./DMAcc/a/Ext/Bridge/PollSeconds', A)), '3600');
      assert.equal(f.settings.get('log.level'), 'debug');
    } finally {
      f.close();
    }
  });

  test('a process killed inside an Atomic keeps every committed write and none of the uncommitted ones', () => {
    const f = makeTree(treeConfig());
    const file = f.file;
    f.store.close();
    const child = fileURLToPath(new URL('./kill-in-atomic.child.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', child, file], { encoding: 'utf8' });
    assert.equal(r.signal, 'SIGKILL', r.stderr);
    const g = f.reopen();
    try {
      assert.equal(val(g.tree.get('./Committed', null)), 'yes');
      assert.equal((g.tree.get('./Uncommitted', null) as { status: number }).status, 404);
      assert.equal(val(g.tree.get('./Committed', null)), 'yes');
    } finally {
      g.close();
    }
  });
});
