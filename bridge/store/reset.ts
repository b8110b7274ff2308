import type { Store } from './db.js';

/**
 * Tables holding what the management authorities changed or accumulated: emptied by a reset so the
 * next start rebuilds everything from the config file (accounts, factory ACLs, settings defaults).
 * Fan-outs (./GwMO/Fanout/<x>, their results: device values) are MA-created: their owner ACLs live
 * in `acls`, so keeping them would leave definitions nobody owns (results before their fan-outs).
 * Every table of migrations.ts is in exactly one of RESET_TABLES, DEVICE_TABLES and KEPT_TABLES
 * (test/unit/store/reset-tables.test.ts checks it).
 */
export const RESET_TABLES: readonly string[] = [
  'nodes', 'acls', 'settings', 'accounts', 'auth_state', 'account_tombstones',
  'outbox', 'subscriptions', 'audit', 'sessions_log', 'fanout_results', 'fanouts',
];
/** The device inventory, emptied only on request (devices are rediscovered). */
export const DEVICE_TABLES: readonly string[] = ['device_keys', 'devices'];
/**
 * Never emptied: `meta` (the store's own bookkeeping), `notify_nonces` and `notify_nonce_digests`
 * (a replayed DM 2.0 notification must stay refused after a reset: the MAs keep their secrets).
 */
export const KEPT_TABLES: readonly string[] = ['meta', 'notify_nonces', 'notify_nonce_digests'];

export interface ResetSummary {
  /** Rows deleted per table. */
  deleted: Record<string, number>;
}

/** Return the store to the factory state in one transaction (the bridge must not be running). */
export function resetStore(store: Store, opts: { devices?: boolean } = {}): ResetSummary {
  const present = new Set(
    store.db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'").all().map((r) => r.name),
  );
  const tables = [...RESET_TABLES, ...(opts.devices === true ? DEVICE_TABLES : [])].filter((t) => present.has(t));
  const deleted: Record<string, number> = {};
  store.transaction(() => {
    for (const t of tables) deleted[t] = store.db.prepare(`DELETE FROM "${t}"`).run().changes;
  });
  return { deleted };
}
