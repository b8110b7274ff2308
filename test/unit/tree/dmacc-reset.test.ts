// Issue 5 item 5: `dm-bridge reset` returns the store to the config file's factory state.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuditRepo } from '../../../bridge/store/audit-repo.js';
import { OutboxRepo } from '../../../bridge/store/outbox-repo.js';
import { resetStore } from '../../../bridge/store/reset.js';
import { authority, makeTree, treeConfig } from './helpers.js';

test('reset: nodes, ACL and settings overrides, DM accounts and deletions, outbox, audit are gone; the next start equals the config', () => {
  const cfg = treeConfig([authority('boot', 'dm.boot', { bootstrap: true }), authority('isp', 'dm.isp')]);
  let f = makeTree(cfg);
  try {
    const fresh = {
      accounts: f.accounts.all(),
      acl: (f.tree.get('./DMAcc?prop=ACL', null) as { value?: { value?: string } }).value?.value,
      mdns: f.settings.get('discovery.mdns'),
    };
    const B = 'dm.boot';
    f.tree.add('./Mine', { format: 'node' }, B);
    f.tree.replace('./DMAcc?prop=ACL', { data: 'Get=*' }, null);
    f.tree.replace('./Bridge/Discovery/MDNS', { data: 'false', format: 'bool' }, B);
    f.tree.replace('./DMAcc/isp/Name', { data: 'renamed' }, B);
    f.tree.delete('./DMAcc/isp', B);
    new OutboxRepo(f.store.db).add('boot', '{}', 1);
    new AuditRepo(f.store.db).record(B, [{ cmd: 'Add', uri: './Mine', status: 200 }], 1);
    f.accounts.setNonce('boot', 'client', 'bm9uY2U=', 1);
    f = f.reopen();
    assert.equal(f.accounts.get('isp'), undefined, 'the deletion survived the restart');
    assert.equal(f.settings.get('discovery.mdns'), 'false');
    assert.equal((f.tree.get('./Mine?prop=ACL', null) as { status: number }).status, 200);
    const summary = resetStore(f.store);
    assert.ok((summary.deleted.nodes ?? 0) > 0 && summary.deleted.account_tombstones === 1 && summary.deleted.audit === 1, JSON.stringify(summary));
    f = f.reopen();
    assert.deepEqual(
      f.accounts.all().map((r) => [r.account, r.serverId, r.origin, r.data]),
      fresh.accounts.map((r) => [r.account, r.serverId, r.origin, r.data]),
    );
    assert.equal((f.tree.get('./Mine', null) as { status: number }).status, 404);
    assert.equal((f.tree.get('./DMAcc?prop=ACL', null) as { value?: { value?: string } }).value?.value, fresh.acl);
    assert.equal(f.settings.get('discovery.mdns'), fresh.mdns);
    assert.equal(new OutboxRepo(f.store.db).count('boot'), 0);
    assert.equal(f.accounts.nonce('boot', 'client'), undefined);
  } finally {
    f.close();
  }
});
