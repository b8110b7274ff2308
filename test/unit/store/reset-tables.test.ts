// Review finding 9: `dm-bridge reset` empties every table MAs fill, fan-outs included.
//
// Emptied (RESET_TABLES): nodes, acls, settings, accounts, auth_state, account_tombstones, outbox,
//   subscriptions, audit, sessions_log (all MA- or config-derived, rebuilt from the config at the next
//   start) and fanout_results, fanouts (MA-created ./GwMO/Fanout/<x>; their owner ACLs go with `acls`).
// Emptied only with --devices (DEVICE_TABLES): devices, device_keys (rediscovered on the LAN).
// Kept (KEPT_TABLES): meta (store bookkeeping), notify_nonces and notify_nonce_digests (a DM 2.0
//   notification seen before the reset must stay refused: the MAs keep their secrets, so an old frame
//   would verify again).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore, type Store } from '../../../bridge/store/db.js';
import { FanoutRepo } from '../../../bridge/store/fanout-repo.js';
import { NotifyNonceRepo } from '../../../bridge/store/notify-nonce-repo.js';
import { DEVICE_TABLES, KEPT_TABLES, RESET_TABLES, resetStore } from '../../../bridge/store/reset.js';

function withStore(fn: (store: Store) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'dmb-reset-'));
  const store = openStore(join(dir, 'bridge.db'));
  try {
    fn(store);
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const count = (store: Store, table: string) => store.db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM "${table}"`).get()!.n;

test('every table of the migrations is either reset, reset with --devices, or deliberately kept', () => {
  withStore((store) => {
    const tables = store.db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all()
      .map((r) => r.name)
      .sort();
    const classified = [...RESET_TABLES, ...DEVICE_TABLES, ...KEPT_TABLES];
    assert.equal(new Set(classified).size, classified.length, 'no table in two lists');
    assert.deepEqual([...classified].sort(), tables);
  });
});

test('reset empties fanouts and fanout_results; notify_nonces stay', () => {
  withStore((store) => {
    const fanouts = new FanoutRepo(store.db);
    fanouts.insert('f1', 'dm.isp', 1);
    fanouts.setField('f1', 'command', 'Get');
    fanouts.start('f1', 2, 'dm.isp', null, 2);
    fanouts.record('f1', [
      { devId: 'urn:dev:a', seq: 0, status: 200, data: 'v1', kind: 'ok' },
      { devId: 'urn:dev:b', seq: 1, status: 500, data: '', kind: 'failed' },
    ], { state: 'done', total: 2, ok: 1, failed: 1, timedOut: 0, finishedAt: 3 });
    fanouts.insert('f2', null, 4);
    new NotifyNonceRepo(store.db).record('isp', 'n-1', 5);
    assert.equal(count(store, 'fanout_results'), 2);

    const summary = resetStore(store);
    assert.equal(summary.deleted.fanouts, 2);
    assert.equal(summary.deleted.fanout_results, 2);
    assert.equal(count(store, 'fanouts'), 0);
    assert.equal(count(store, 'fanout_results'), 0);
    assert.equal(fanouts.countOwnedBy('dm.isp'), 0, 'a ServerID used again starts from no fan-out');
    assert.equal(new NotifyNonceRepo(store.db).seen('isp', 'n-1'), true, 'a notification seen before the reset stays refused');
  });
});
