import type { Db } from './db.js';

export interface AccountRow {
  account: string;
  serverId: string;
  origin: 'config' | 'dm';
  /** The authority's settings as JSON (the config's authority object). */
  data: string;
  updatedAt: number;
}

/** DMAcc accounts (from the config file at first start, or created through DM) and their nonces. */
export class AccountsRepo {
  private readonly sAll;
  private readonly sGet;
  private readonly sInsert;
  private readonly sUpdate;
  private readonly sDelete;
  private readonly sNonceGet;
  private readonly sNonceSet;
  private readonly sNonceDel;

  constructor(db: Db) {
    const cols = 'account, server_id AS serverId, origin, data, updated_at AS updatedAt';
    this.sAll = db.prepare<[], AccountRow>(`SELECT ${cols} FROM accounts ORDER BY account`);
    this.sGet = db.prepare<[string], AccountRow>(`SELECT ${cols} FROM accounts WHERE account = ?`);
    this.sInsert = db.prepare<AccountRow>(
      'INSERT INTO accounts (account, server_id, origin, data, updated_at) VALUES (@account, @serverId, @origin, @data, @updatedAt)',
    );
    this.sUpdate = db.prepare<[string, string, string, number, string]>(
      'UPDATE accounts SET server_id = ?, origin = ?, data = ?, updated_at = ? WHERE account = ?',
    );
    this.sDelete = db.prepare<[string]>('DELETE FROM accounts WHERE account = ?');
    this.sNonceGet = db.prepare<[string, string], { nonce: string }>(
      'SELECT nonce FROM auth_state WHERE account = ? AND direction = ?',
    );
    this.sNonceSet = db.prepare<[string, string, string, number]>(
      `INSERT INTO auth_state (account, direction, nonce, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(account, direction) DO UPDATE SET nonce = excluded.nonce, updated_at = excluded.updated_at`,
    );
    this.sNonceDel = db.prepare<[string]>('DELETE FROM auth_state WHERE account = ?');
  }

  all(): AccountRow[] {
    return this.sAll.all();
  }

  get(account: string): AccountRow | undefined {
    return this.sGet.get(account);
  }

  insert(row: AccountRow): void {
    this.sInsert.run(row);
  }

  update(row: AccountRow): void {
    this.sUpdate.run(row.serverId, row.origin, row.data, row.updatedAt, row.account);
  }

  delete(account: string): void {
    this.sDelete.run(account);
    this.sNonceDel.run(account);
  }

  /** The current nonce (base64 text) for one direction: client = ours toward the MA, server = the MA's. */
  nonce(account: string, direction: 'client' | 'server'): string | undefined {
    return this.sNonceGet.get(account, direction)?.nonce;
  }

  setNonce(account: string, direction: 'client' | 'server', nonce: string, at: number): void {
    this.sNonceSet.run(account, direction, nonce, at);
  }
}
