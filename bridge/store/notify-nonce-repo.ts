import type { Db } from './db.js';
import { addToDigest, digestHas, emptyDigest } from './nonce-digest.js';

/** Nonces kept one by one per authority (the newest); older ones are folded into its digest. */
export const KEEP_NONCES = 10_000;

/**
 * Nonces of accepted DM 2.0 notifications, per authority: a nonce is never accepted twice, even
 * after a restart, and the table stays bounded.
 *
 * DM2-BINDING.md's notify frame carries no timestamp and its nonce is random, so neither an age
 * nor a high-water mark can tell an old frame from a new one: dropping a nonce would make its
 * frame replayable. Instead the newest `keep` nonces of each authority stay as rows (exact), and
 * beyond `keep + keep/10` the oldest are folded, a batch at a time, into a per-authority Bloom
 * filter (nonce-digest.ts, 128 KiB, persisted): bounded space, no false "unseen", and false
 * positives (a genuine notification dropped) only after some 100,000 folded nonces of one MA.
 */
export class NotifyNonceRepo {
  private readonly keep: number;
  private readonly batch: number;
  private readonly sHas;
  private readonly sAdd;
  private readonly sCount;
  private readonly sOldest;
  private readonly sOlder;
  private readonly sDel;
  private readonly sDigest;
  private readonly sPutDigest;
  private readonly recordTx;

  constructor(
    private readonly db: Db,
    opts: { keep?: number } = {},
  ) {
    this.keep = Math.max(1, opts.keep ?? KEEP_NONCES);
    this.batch = Math.max(1, Math.floor(this.keep / 10));
    this.sHas = db.prepare<[string, string], { n: number }>('SELECT 1 AS n FROM notify_nonces WHERE account = ? AND nonce = ?');
    this.sAdd = db.prepare<[string, string, number]>('INSERT OR IGNORE INTO notify_nonces (account, nonce, seen_at) VALUES (?, ?, ?)');
    this.sCount = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM notify_nonces WHERE account = ?');
    this.sOldest = db.prepare<[string, number], { nonce: string }>(
      'SELECT nonce FROM notify_nonces WHERE account = ? ORDER BY seen_at, nonce LIMIT ?',
    );
    this.sOlder = db.prepare<[number], { account: string; nonce: string }>('SELECT account, nonce FROM notify_nonces WHERE seen_at < ?');
    this.sDel = db.prepare<[string, string]>('DELETE FROM notify_nonces WHERE account = ? AND nonce = ?');
    this.sDigest = db.prepare<[string], { bits: Buffer; folded: number }>('SELECT bits, folded FROM notify_nonce_digests WHERE account = ?');
    this.sPutDigest = db.prepare<[string, Buffer, number]>(
      'INSERT INTO notify_nonce_digests (account, bits, folded) VALUES (?, ?, ?) ON CONFLICT(account) DO UPDATE SET bits = excluded.bits, folded = excluded.folded',
    );
    this.recordTx = db.transaction((account: string, nonce: string, at: number): boolean => {
      const d = this.sDigest.get(account);
      if (d !== undefined && digestHas(d.bits, nonce)) return false;
      if (this.sAdd.run(account, nonce, at).changes === 0) return false;
      const n = this.sCount.get(account)?.n ?? 0;
      if (n > this.keep + this.batch) this.fold(account, this.sOldest.all(account, n - this.keep).map((r) => r.nonce));
      return true;
    });
  }

  seen(account: string, nonce: string): boolean {
    if (this.sHas.get(account, nonce) !== undefined) return true;
    const d = this.sDigest.get(account);
    return d !== undefined && digestHas(d.bits, nonce);
  }

  /** Record a nonce; false when it was already there (a replay that raced the check). */
  record(account: string, nonce: string, at: number): boolean {
    return this.recordTx(account, nonce, at);
  }

  /** Fold every nonce seen before `before` (epoch ms) into its authority's digest: they stay refused. */
  prune(before: number): number {
    const rows = this.sOlder.all(before);
    const by = new Map<string, string[]>();
    for (const r of rows) {
      const list = by.get(r.account);
      if (list) list.push(r.nonce);
      else by.set(r.account, [r.nonce]);
    }
    this.db.transaction(() => {
      for (const [account, nonces] of by) this.fold(account, nonces);
    })();
    return rows.length;
  }

  /** How many nonces of `account` are kept one by one, and how many were folded into its digest. */
  stats(account: string): { kept: number; folded: number } {
    return { kept: this.sCount.get(account)?.n ?? 0, folded: this.sDigest.get(account)?.folded ?? 0 };
  }

  private fold(account: string, nonces: readonly string[]): void {
    if (nonces.length === 0) return;
    const d = this.sDigest.get(account);
    const bits = d ? Buffer.from(d.bits) : emptyDigest();
    for (const nonce of nonces) {
      addToDigest(bits, nonce);
      this.sDel.run(account, nonce);
    }
    this.sPutDigest.run(account, bits, (d?.folded ?? 0) + nonces.length);
  }
}
