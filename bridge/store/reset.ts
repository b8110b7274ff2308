import type { Store } from './db.js';

/**
 * Tables holding what the management authorities changed or accumulated: emptied by a reset so the
 * next start rebuilds everything from the config file (accounts, factory ACLs, settings defaults).
 * Kept: `meta`, and `notify_nonces` (a replayed DM 2.0 notification must stay refused).
 */
export const RESET_TABLES: readonly string[] = [
  'nodes', 'acls', 'settings', 'accounts', 'auth_state', 'account_tombstones',
  'outbox', 'subscriptions', 'audit', 'sessions_log',
];
/** The device inventory, emptied only on request (devices are rediscovered). */
export const DEVICE_TABLES: readonly string[] = ['device_keys', 'devices'];

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
