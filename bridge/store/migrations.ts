/**
 * Numbered schema migrations. Append only: never edit a migration that has shipped.
 * Each runs in its own transaction; `PRAGMA user_version` records the last one applied.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'tree-and-settings',
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE nodes (
        path TEXT PRIMARY KEY,
        parent TEXT NOT NULL,
        format TEXT NOT NULL,
        type TEXT NOT NULL DEFAULT '',
        value TEXT,
        title TEXT,
        tstamp INTEGER NOT NULL,
        verno INTEGER NOT NULL DEFAULT 0,
        permanent INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID;
      CREATE INDEX nodes_parent ON nodes(parent);
      CREATE TABLE acls (path TEXT PRIMARY KEY, acl TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
      CREATE TABLE accounts (
        account TEXT PRIMARY KEY,
        server_id TEXT NOT NULL UNIQUE,
        origin TEXT NOT NULL CHECK (origin IN ('config', 'dm')),
        data TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE auth_state (
        account TEXT NOT NULL,
        direction TEXT NOT NULL CHECK (direction IN ('client', 'server')),
        nonce TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (account, direction)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    name: 'outbox',
    sql: `
      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE INDEX outbox_account ON outbox(account, id);
    `,
  },
  {
    version: 3,
    name: 'dm2-subscriptions-and-notify-nonces',
    sql: `
      CREATE TABLE subscriptions (
        account TEXT NOT NULL,
        uri TEXT NOT NULL,
        events TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (account, uri)
      ) WITHOUT ROWID;
      CREATE TABLE notify_nonces (
        account TEXT NOT NULL,
        nonce TEXT NOT NULL,
        seen_at INTEGER NOT NULL,
        PRIMARY KEY (account, nonce)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    name: 'devices',
    sql: `
      CREATE TABLE devices (
        dev_id TEXT PRIMARY KEY,
        name TEXT NOT NULL DEFAULT '',
        type TEXT NOT NULL DEFAULT '',
        manufacturer TEXT NOT NULL DEFAULT '',
        model TEXT NOT NULL DEFAULT '',
        protocols TEXT NOT NULL DEFAULT '[]',
        address TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL DEFAULT 'offline' CHECK (status IN ('online', 'offline')),
        last_seen INTEGER NOT NULL DEFAULT 0,
        adapter TEXT NOT NULL DEFAULT '',
        services TEXT NOT NULL DEFAULT '[]',
        announced TEXT NOT NULL DEFAULT '',
        created_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE device_keys (
        key TEXT PRIMARY KEY,
        dev_id TEXT NOT NULL REFERENCES devices(dev_id) ON DELETE CASCADE
      ) WITHOUT ROWID;
      CREATE INDEX device_keys_dev ON device_keys(dev_id);
    `,
  },
  {
    version: 5,
    name: 'audit-sessions-log-account-tombstones',
    sql: `
      CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL,
        server_id TEXT NOT NULL,
        cmd TEXT NOT NULL,
        uri TEXT NOT NULL,
        status INTEGER NOT NULL,
        at INTEGER NOT NULL
      );
      CREATE INDEX audit_account ON audit(account, id);
      CREATE TABLE sessions_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL,
        session_id TEXT NOT NULL,
        protocol TEXT NOT NULL,
        trigger TEXT NOT NULL,
        outcome TEXT NOT NULL,
        reason TEXT NOT NULL DEFAULT '',
        started_at INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL,
        commands INTEGER NOT NULL
      );
      CREATE INDEX sessions_log_account ON sessions_log(account, id);
      CREATE TABLE account_tombstones (
        account TEXT PRIMARY KEY,
        server_id TEXT NOT NULL,
        deleted_at INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 6,
    name: 'fanouts',
    sql: `
      CREATE TABLE fanouts (
        name TEXT PRIMARY KEY,
        owner TEXT,
        command TEXT,
        target TEXT,
        path TEXT,
        data TEXT,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'running', 'done', 'interrupted')),
        total INTEGER NOT NULL DEFAULT 0,
        ok INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        timed_out INTEGER NOT NULL DEFAULT 0,
        run_by TEXT,
        correlator TEXT,
        started_at INTEGER NOT NULL DEFAULT 0,
        finished_at INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE fanout_results (
        name TEXT NOT NULL REFERENCES fanouts(name) ON DELETE CASCADE,
        dev_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        status INTEGER NOT NULL,
        data TEXT NOT NULL DEFAULT '',
        kind TEXT NOT NULL CHECK (kind IN ('ok', 'failed', 'timeout')),
        PRIMARY KEY (name, dev_id)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 7,
    name: 'notify-nonce-digests',
    sql: `
      CREATE TABLE notify_nonce_digests (
        account TEXT PRIMARY KEY,
        bits BLOB NOT NULL,
        folded INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
];
