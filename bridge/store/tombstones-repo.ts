import type { Db } from './db.js';

/**
 * Accounts deleted through DM: a config-file account deleted by an MA stays deleted across
 * restarts (the config file only seeds the factory state) until `dm-bridge reset`.
 */
export class TombstonesRepo {
  private readonly sHas;
  private readonly sAdd;
  private readonly sDel;

  constructor(db: Db) {
    this.sHas = db.prepare<[string], { n: number }>('SELECT 1 AS n FROM account_tombstones WHERE account = ?');
    this.sAdd = db.prepare<[string, string, number]>(
      `INSERT INTO account_tombstones (account, server_id, deleted_at) VALUES (?, ?, ?)
       ON CONFLICT(account) DO UPDATE SET server_id = excluded.server_id, deleted_at = excluded.deleted_at`,
    );
    this.sDel = db.prepare<[string]>('DELETE FROM account_tombstones WHERE account = ?');
  }

  has(account: string): boolean {
    return this.sHas.get(account) !== undefined;
  }

  add(account: string, serverId: string, at: number): void {
    this.sAdd.run(account, serverId, at);
  }

  remove(account: string): void {
    this.sDel.run(account);
  }
}
