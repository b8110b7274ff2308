import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { BridgeError } from '../core/errors.js';
import { migrations, type Migration } from './migrations.js';

export type Db = Database.Database;

export interface Store {
  readonly db: Db;
  readonly path: string;
  /** Run fn in one transaction (nested calls become savepoints). */
  transaction<T>(fn: () => T): T;
  close(): void;
}

/**
 * Open (or create) the SQLite file: WAL, synchronous=NORMAL (durable across a process kill),
 * foreign keys on, then apply pending migrations.
 */
export function openStore(path: string, list: readonly Migration[] = migrations): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: Db;
  try {
    db = new Database(path);
  } catch (err) {
    throw new BridgeError('STORE_FAILURE', `cannot open store ${path}: ${(err as Error).message}`, { cause: err });
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, list);
  let closed = false;
  return {
    db,
    path,
    transaction: <T>(fn: () => T): T => db.transaction(fn)(),
    close() {
      if (closed) return;
      closed = true;
      try {
        db.pragma('wal_checkpoint(TRUNCATE)');
      } finally {
        db.close();
      }
    },
  };
}

export function migrate(db: Db, list: readonly Migration[]): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const pending = [...list].sort((a, b) => a.version - b.version).filter((m) => m.version > current);
  for (const m of pending) {
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return db.pragma('user_version', { simple: true }) as number;
}
