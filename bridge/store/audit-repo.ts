import type { Db } from './db.js';

/** One change an MA's command made (or tried): never a value, never a secret. */
export interface AuditEntry {
  /** The DM command: Add, Replace, Delete, Exec, Copy (DM 1.2) or DELETE, EXEC, HGET (DM 2.0). */
  cmd: string;
  /** The target URI (with `?prop=ACL` for ACL changes). */
  uri: string;
  status: number;
}

export interface AuditRow extends AuditEntry {
  id: number;
  account: string;
  serverId: string;
  /** Epoch ms. */
  at: number;
}

/** Rows kept per account (older ones are pruned). */
export const AUDIT_KEEP = 1000;
/** Prune an account's rows after this many inserts for it. */
const PRUNE_EVERY = 64;
/** Longest URI kept (an MA's target URI is external input: a longer one is cut, the row stays). */
const MAX_URI = 4096;

/**
 * The per-MA audit trail: who (account/ServerID) changed what (command, URI), when, with which status.
 * Writes are prepared statements in one transaction per batch; retention is bounded per account.
 */
export class AuditRepo {
  private readonly sAccount;
  private readonly sInsert;
  private readonly sPrune;
  private readonly sList;
  private readonly sPurge;
  private readonly writeMany;
  private readonly sinceprune = new Map<string, number>();

  constructor(
    db: Db,
    private readonly keep = AUDIT_KEEP,
  ) {
    this.sAccount = db.prepare<[string], { account: string }>('SELECT account FROM accounts WHERE server_id = ?');
    this.sInsert = db.prepare<[string, string, string, string, number, number]>(
      'INSERT INTO audit (account, server_id, cmd, uri, status, at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.sPrune = db.prepare<[string, string, number]>(
      'DELETE FROM audit WHERE account = ? AND id < (SELECT id FROM audit WHERE account = ? ORDER BY id DESC LIMIT 1 OFFSET ?)',
    );
    this.sList = db.prepare<[string, number], AuditRow>(
      'SELECT id, account, server_id AS serverId, cmd, uri, status, at FROM audit WHERE account = ? ORDER BY id DESC LIMIT ?',
    );
    this.sPurge = db.prepare<[string]>('DELETE FROM audit WHERE account = ?');
    this.writeMany = db.transaction((account: string, serverId: string, entries: readonly AuditEntry[], at: number) => {
      for (const e of entries) this.sInsert.run(account, serverId, e.cmd, e.uri.slice(0, MAX_URI), e.status, at);
      const n = (this.sinceprune.get(account) ?? 0) + entries.length;
      if (n >= PRUNE_EVERY) {
        this.sPrune.run(account, account, this.keep - 1);
        this.sinceprune.set(account, 0);
      } else this.sinceprune.set(account, n);
    });
  }

  /** Record what one ServerID's commands did (the account is looked up; '' once it is gone). */
  record(serverId: string, entries: readonly AuditEntry[], at: number = Date.now()): void {
    if (entries.length === 0) return;
    const account = this.sAccount.get(serverId)?.account ?? '';
    this.writeMany(account, serverId, entries, at);
  }

  /** The newest rows of one account, newest first. */
  list(account: string, limit = 100): AuditRow[] {
    return this.sList.all(account, limit);
  }

  /** Keep only the newest `keep` rows of an account. */
  prune(account: string): number {
    this.sinceprune.set(account, 0);
    return this.sPrune.run(account, account, this.keep - 1).changes;
  }

  /** The account was deleted: forget its trail. */
  purge(account: string): number {
    this.sinceprune.delete(account);
    return this.sPurge.run(account).changes;
  }
}
