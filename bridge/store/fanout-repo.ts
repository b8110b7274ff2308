import type { Db } from './db.js';

export type FanoutState = 'pending' | 'running' | 'done' | 'interrupted';
/** The four leaves an authority writes (null: not added). */
export const FANOUT_FIELDS = ['command', 'target', 'path', 'data'] as const;
export type FanoutField = (typeof FANOUT_FIELDS)[number];

export interface FanoutRow {
  name: string;
  /** ServerID of the creator (null: the local operator). */
  owner: string | null;
  command: string | null;
  target: string | null;
  path: string | null;
  data: string | null;
  state: FanoutState;
  total: number;
  ok: number;
  failed: number;
  timedOut: number;
  /** Who ran the last Exec (its ServerID; null: the local operator) and with which Correlator. */
  runBy: string | null;
  correlator: string | null;
  startedAt: number;
  finishedAt: number;
  createdAt: number;
}

export type ResultKind = 'ok' | 'failed' | 'timeout';

export interface FanoutResultRow {
  devId: string;
  /** Position in the run's target list. */
  seq: number;
  status: number;
  data: string;
  kind: ResultKind;
}

export interface FanoutCounts {
  state: FanoutState;
  total: number;
  ok: number;
  failed: number;
  timedOut: number;
  finishedAt: number;
}

const COLS = `name, owner, command, target, path, data, state, total, ok, failed, timed_out AS timedOut,
  run_by AS runBy, correlator, started_at AS startedAt, finished_at AS finishedAt, created_at AS createdAt`;

/** Fan-out definitions (./GwMO/Fanout/<x>) and the per-device results of their last run. */
export class FanoutRepo {
  private readonly sGet;
  private readonly sAll;
  private readonly sNames;
  private readonly sCountOwner;
  private readonly sInsert;
  private readonly sSetField: Record<FanoutField, { run(value: string | null, name: string): { changes: number } }>;
  private readonly sDelete;
  private readonly sStart;
  private readonly sCounts;
  private readonly sClearResults;
  private readonly sPutResult;
  private readonly sResults;
  private readonly sResult;

  constructor(private readonly db: Db) {
    this.sGet = db.prepare<[string], FanoutRow>(`SELECT ${COLS} FROM fanouts WHERE name = ?`);
    this.sAll = db.prepare<[], FanoutRow>(`SELECT ${COLS} FROM fanouts ORDER BY created_at, name`);
    this.sNames = db.prepare<[], { name: string }>('SELECT name FROM fanouts ORDER BY created_at, name');
    this.sCountOwner = db.prepare<[string | null], { n: number }>('SELECT COUNT(*) AS n FROM fanouts WHERE owner IS ?');
    this.sInsert = db.prepare<[string, string | null, number]>(
      "INSERT INTO fanouts (name, owner, state, created_at) VALUES (?, ?, 'pending', ?)",
    );
    this.sSetField = {
      command: db.prepare<[string | null, string]>('UPDATE fanouts SET command = ? WHERE name = ?'),
      target: db.prepare<[string | null, string]>('UPDATE fanouts SET target = ? WHERE name = ?'),
      path: db.prepare<[string | null, string]>('UPDATE fanouts SET path = ? WHERE name = ?'),
      data: db.prepare<[string | null, string]>('UPDATE fanouts SET data = ? WHERE name = ?'),
    };
    this.sDelete = db.prepare<[string]>('DELETE FROM fanouts WHERE name = ?');
    this.sStart = db.prepare<[number, string | null, string | null, number, string]>(
      `UPDATE fanouts SET state = 'running', total = ?, ok = 0, failed = 0, timed_out = 0, run_by = ?, correlator = ?,
       started_at = ?, finished_at = 0 WHERE name = ?`,
    );
    this.sCounts = db.prepare<[string, number, number, number, number, number, string]>(
      'UPDATE fanouts SET state = ?, total = ?, ok = ?, failed = ?, timed_out = ?, finished_at = ? WHERE name = ?',
    );
    this.sClearResults = db.prepare<[string]>('DELETE FROM fanout_results WHERE name = ?');
    this.sPutResult = db.prepare<[string, string, number, number, string, string]>(
      `INSERT INTO fanout_results (name, dev_id, seq, status, data, kind) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(name, dev_id) DO UPDATE SET seq = excluded.seq, status = excluded.status, data = excluded.data, kind = excluded.kind`,
    );
    this.sResults = db.prepare<[string], FanoutResultRow>(
      'SELECT dev_id AS devId, seq, status, data, kind FROM fanout_results WHERE name = ? ORDER BY seq',
    );
    this.sResult = db.prepare<[string, string], FanoutResultRow>(
      'SELECT dev_id AS devId, seq, status, data, kind FROM fanout_results WHERE name = ? AND dev_id = ?',
    );
  }

  get(name: string): FanoutRow | undefined {
    return this.sGet.get(name);
  }

  all(): FanoutRow[] {
    return this.sAll.all();
  }

  names(): string[] {
    return this.sNames.all().map((r) => r.name);
  }

  countOwnedBy(owner: string | null): number {
    return this.sCountOwner.get(owner)?.n ?? 0;
  }

  insert(name: string, owner: string | null, at: number): void {
    this.sInsert.run(name, owner, at);
  }

  setField(name: string, field: FanoutField, value: string | null): boolean {
    return this.sSetField[field].run(value, name).changes > 0;
  }

  /** Remove a fan-out and its results. */
  delete(name: string): boolean {
    return this.sDelete.run(name).changes > 0;
  }

  /** A run starts: previous results are dropped, counts reset (one transaction). */
  start(name: string, total: number, runBy: string | null, correlator: string | null, at: number): void {
    this.db.transaction(() => {
      this.sClearResults.run(name);
      this.sStart.run(total, runBy, correlator, at, name);
    })();
  }

  /** Write a batch of results and the counts so far (one transaction). */
  record(name: string, results: readonly FanoutResultRow[], counts: FanoutCounts): void {
    this.db.transaction(() => {
      for (const r of results) this.sPutResult.run(name, r.devId, r.seq, r.status, r.data, r.kind);
      this.sCounts.run(counts.state, counts.total, counts.ok, counts.failed, counts.timedOut, counts.finishedAt, name);
    })();
  }

  results(name: string): FanoutResultRow[] {
    return this.sResults.all(name);
  }

  result(name: string, devId: string): FanoutResultRow | undefined {
    return this.sResult.get(name, devId);
  }
}
