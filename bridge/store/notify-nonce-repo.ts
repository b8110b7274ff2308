import type { Db } from './db.js';

/** Nonces of accepted DM 2.0 notifications, per authority: a nonce is never accepted twice, even after a restart. */
export class NotifyNonceRepo {
  private readonly sHas;
  private readonly sAdd;
  private readonly sPrune;

  constructor(db: Db) {
    this.sHas = db.prepare<[string, string], { n: number }>('SELECT 1 AS n FROM notify_nonces WHERE account = ? AND nonce = ?');
    this.sAdd = db.prepare<[string, string, number]>('INSERT OR IGNORE INTO notify_nonces (account, nonce, seen_at) VALUES (?, ?, ?)');
    this.sPrune = db.prepare<[number]>('DELETE FROM notify_nonces WHERE seen_at < ?');
  }

  seen(account: string, nonce: string): boolean {
    return this.sHas.get(account, nonce) !== undefined;
  }

  /** Record a nonce; false when it was already there (a replay that raced the check). */
  record(account: string, nonce: string, at: number): boolean {
    return this.sAdd.run(account, nonce, at).changes > 0;
  }

  /** Forget nonces older than `before` (epoch ms); only safe when the MA's frames expire earlier. */
  prune(before: number): number {
    return this.sPrune.run(before).changes;
  }
}
