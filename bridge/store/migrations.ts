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
];
