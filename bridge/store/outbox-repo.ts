import type { Db } from './db.js';

export interface OutboxRow {
  id: number;
  account: string;
  payload: string;
  createdAt: number;
}

/** Durable per-authority queue of alerts for the next session; removed only once acknowledged. */
export class OutboxRepo {
  private readonly sAdd;
  private readonly sList;
  private readonly sDel;
  private readonly sCount;
  private readonly sPurge;

  constructor(db: Db) {
    this.sAdd = db.prepare<[string, string, number]>('INSERT INTO outbox (account, payload, created_at) VALUES (?, ?, ?)');
    this.sList = db.prepare<[string, number], OutboxRow>(
      'SELECT id, account, payload, created_at AS createdAt FROM outbox WHERE account = ? ORDER BY id LIMIT ?',
    );
    this.sDel = db.prepare<[number, string]>('DELETE FROM outbox WHERE id = ? AND account = ?');
    this.sCount = db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM outbox WHERE account = ?');
    this.sPurge = db.prepare<[string]>('DELETE FROM outbox WHERE account = ?');
  }

  add(account: string, payload: string, at: number): number {
    return Number(this.sAdd.run(account, payload, at).lastInsertRowid);
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
