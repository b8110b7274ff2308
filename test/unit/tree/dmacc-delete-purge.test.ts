// Deleting an account purges its scoped state (here: its outbox) through createTree's purge hook in
// the same transaction as the account itself: a rolled-back Atomic keeps both, a committed one drops both.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../../bridge/store/db.js';
import { OutboxRepo } from '../../../bridge/store/outbox-repo.js';
import { createTree } from '../../../bridge/tree/index.js';
import { authority, treeConfig } from './helpers.js';

test('account Delete purges the outbox with it, atomically', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dmb-purge-'));
  const store = openStore(join(dir, 'b.db'));
  try {
    const outbox = new OutboxRepo(store.db);
    const config = treeConfig([authority('isp', 'dm.isp', { bootstrap: true }), authority('oem', 'dm.oem')]);
    const { tree, accounts } = createTree({ store, config, purge: (a) => outbox.purge(a) });
    outbox.add('oem', '{"a":1}', 1);
    outbox.add('isp', '{"b":2}', 1);
    // Delete of oem, then a Delete that fails (permanent node): the Atomic rolls back, the outbox row stays
    const failed = tree.atomic(() => [tree.delete('./DMAcc/oem', 'dm.isp'), tree.delete('./DevInfo', 'dm.isp')], (rs) => rs.every((r) => 'status' in r && r.status === 200));
    assert.equal(failed.committed, false);
    assert.ok(accounts.get('oem'), 'account kept');
    assert.equal(outbox.count('oem'), 1, 'outbox kept with the account');
    const ok = tree.atomic(() => tree.delete('./DMAcc/oem', 'dm.isp'), (r) => 'status' in r && r.status === 200);
    assert.equal(ok.committed, true);
    assert.equal(accounts.get('oem'), undefined);
    assert.equal(outbox.count('oem'), 0, 'outbox purged with the account');
    assert.equal(outbox.count('isp'), 1, 'other authorities untouched');
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
