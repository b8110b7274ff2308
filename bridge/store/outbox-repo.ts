import type { Logger } from '../core/logger.js';
import type { Db } from './db.js';

export interface OutboxRow {
  id: number;
  account: string;
  payload: string;
  createdAt: number;
}

/** Default cap of queued alerts per authority: beyond it the oldest are dropped. */
export const OUTBOX_MAX_PER_ACCOUNT = 10_000;

export interface OutboxOptions {
  /** Queued alerts kept per authority (default OUTBOX_MAX_PER_ACCOUNT); the oldest go first. */
  maxPerAccount?: number;
  /** Where overflows are logged (warn). */
  log?: Logger;
}

/**
 * Durable per-authority queue of alerts for the next session, delivered in insertion order and
 * removed only once acknowledged (Status 200/202). Bounded: when an authority's queue is full,
 * adding drops its oldest alerts (counted per authority since start, logged).
 */
export class OutboxRepo {
  private readonly sAdd;
  private readonly sList;
  private readonly sDel;
  private readonly sCount;
  private readonly sPurge;
  private readonly sDropOldest;
  private readonly addTx;
  private readonly max: number;
  private readonly drops = new Map<string, number>();

  constructor(db: Db, private readonly opts: OutboxOptions = {}) {
    this.max = Math.max(1, opts.maxPerAccount ?? OUTBOX_MAX_PER_ACCOUNT);
    this.sAdd = db.prepare<[string, string, number]>('INSERT INTO outbox (account, payload, created_at) VALUES (?, ?, ?)');
    this.sList = db.prepare<[string, number], OutboxRow>(
      'SELECT id, account, payload, created_at AS createdAt FROM outbox WHERE account = ? ORDER BY id LIMIT ?',
    );
    this.sDel = db.prepare<[number, string]>('DELETE FROM outbox WHERE id = ? AND account = ?');
    this.sCount = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM outbox WHERE account = ?');
    this.sPurge = db.prepare<[string]>('DELETE FROM outbox WHERE account = ?');
    this.sDropOldest = db.prepare<[string, string, number]>(
      'DELETE FROM outbox WHERE account = ? AND id IN (SELECT id FROM outbox WHERE account = ? ORDER BY id LIMIT ?)',
    );
    // insert and trim in one transaction: the queue never exceeds the cap on disk
    this.addTx = db.transaction((account: string, payload: string, at: number): { id: number; dropped: number } => {
      const id = Number(this.sAdd.run(account, payload, at).lastInsertRowid);
      const over = this.count(account) - this.max;
      const dropped = over > 0 ? this.sDropOldest.run(account, account, over).changes : 0;
      return { id, dropped };
    });
  }

  /** Queue an alert; returns its id. Drops the authority's oldest alerts beyond the cap. */
  add(account: string, payload: string, at: number): number {
    const { id, dropped } = this.addTx(account, payload, at);
    if (dropped > 0) {
      const total = (this.drops.get(account) ?? 0) + dropped;
      this.drops.set(account, total);
      this.opts.log?.warn({ authority: account, dropped, droppedTotal: total, cap: this.max }, 'outbox full: oldest alerts dropped');
    }
    return id;
  }

  /** Alerts of this authority dropped on overflow since this repository was opened. */
  dropped(account: string): number {
    return this.drops.get(account) ?? 0;
  }

  list(account: string, limit = 100): OutboxRow[] {
    return this.sList.all(account, limit);
  }

  remove(account: string, id: number): void {
    this.sDel.run(id, account);
  }

  count(account: string): number {
    return this.sCount.get(account)?.n ?? 0;
  }

  purge(account: string): void {
    this.sPurge.run(account);
  }
}
