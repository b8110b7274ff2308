import type { Db } from './db.js';

export interface SubscriptionRow {
  account: string;
  uri: string;
  /** Event names (DM 2.0 SUB `events`). */
  events: string[];
  createdAt: number;
}

/** DM 2.0 subscriptions (SUB/UNSUB), per authority account, kept across restarts. */
export class SubscriptionsRepo {
  private readonly sPut;
  private readonly sDel;
  private readonly sList;
  private readonly sAll;
  private readonly sPurge;

  constructor(db: Db) {
    this.sPut = db.prepare<[string, string, string, number]>(
      `INSERT INTO subscriptions (account, uri, events, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(account, uri) DO UPDATE SET events = excluded.events`,
    );
    this.sDel = db.prepare<[string, string]>('DELETE FROM subscriptions WHERE account = ? AND uri = ?');
    const cols = 'account, uri, events, created_at AS createdAt';
    this.sList = db.prepare<[string], { account: string; uri: string; events: string; createdAt: number }>(
      `SELECT ${cols} FROM subscriptions WHERE account = ? ORDER BY uri`,
    );
    this.sAll = db.prepare<[], { account: string; uri: string; events: string; createdAt: number }>(`SELECT ${cols} FROM subscriptions ORDER BY account, uri`);
    this.sPurge = db.prepare<[string]>('DELETE FROM subscriptions WHERE account = ?');
  }

  /** Add or update (a second SUB of the same uri replaces its event list). */
  put(account: string, uri: string, events: readonly string[], at: number): void {
    this.sPut.run(account, uri, JSON.stringify(events), at);
  }

  remove(account: string, uri: string): boolean {
    return this.sDel.run(account, uri).changes > 0;
  }

  list(account: string): SubscriptionRow[] {
    return this.sList.all(account).map(row);
  }

  all(): SubscriptionRow[] {
    return this.sAll.all().map(row);
  }

  purge(account: string): void {
    this.sPurge.run(account);
  }
}

function row(r: { account: string; uri: string; events: string; createdAt: number }): SubscriptionRow {
  return { account: r.account, uri: r.uri, events: JSON.parse(r.events) as string[], createdAt: r.createdAt };
}
