import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { AccountsRepo, type AccountRow } from './accounts-repo.js';

/**
 * The accounts of a store file, read without changing anything (read-only connection, no
 * migration, the file is never created). WAL lets this read while a running bridge writes.
 * Returns null when the file does not exist; throws when it cannot be read.
 */
export function readAccountsReadOnly(path: string): AccountRow[] | null {
  if (path === ':memory:' || !existsSync(path)) return null;
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 2000');
    return new AccountsRepo(db).all();
  } finally {
    db.close();
  }
}
