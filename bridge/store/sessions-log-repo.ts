import type { Db } from './db.js';

/** One ended DM session of an MA. */
export interface SessionLogEntry {
  account: string;
  sessionId: string;
  protocol: string;
  /** Why it ran: client, server (Package #0 / notification), alert, ... */
  trigger: string;
  outcome: string;
  reason: string;
  /** Epoch ms. */
  startedAt: number;
  durationMs: number;
  commands: number;
}

export interface SessionLogRow extends SessionLogEntry {
  id: number;
}

/** Sessions kept per account. */
export const SESSIONS_KEEP = 200;

/** What the session runners report (structurally `SessionReport` of bridge/authority). */
export interface SessionReportLike {
  account: string;
  sessionId: string;
  outcome: string;
  reason: string;
  commandsExecuted: number;
  durationMs: number;
}

/** The per-MA sessions log, bounded per account. */
export class SessionsLogRepo {
  private readonly sInsert;
  private readonly sPrune;
  private readonly sList;
  private readonly sPurge;

  constructor(
    db: Db,
    private readonly keep = SESSIONS_KEEP,
  ) {
    this.sInsert = db.prepare<SessionLogEntry>(
      `INSERT INTO sessions_log (account, session_id, protocol, trigger, outcome, reason, started_at, duration_ms, commands)
       VALUES (@account, @sessionId, @protocol, @trigger, @outcome, @reason, @startedAt, @durationMs, @commands)`,
    );
    this.sPrune = db.prepare<[string, string, number]>(
      'DELETE FROM sessions_log WHERE account = ? AND id < (SELECT id FROM sessions_log WHERE account = ? ORDER BY id DESC LIMIT 1 OFFSET ?)',
    );
    this.sList = db.prepare<[string, number], SessionLogRow>(
      `SELECT id, account, session_id AS sessionId, protocol, trigger, outcome, reason, started_at AS startedAt,
              duration_ms AS durationMs, commands FROM sessions_log WHERE account = ? ORDER BY id DESC LIMIT ?`,
    );
    this.sPurge = db.prepare<[string]>('DELETE FROM sessions_log WHERE account = ?');
  }

  /** Log one ended session and drop the account's oldest beyond the bound. */
  record(e: SessionLogEntry): void {
    this.sInsert.run(e);
    this.sPrune.run(e.account, e.account, this.keep - 1);
  }

  /** Log a session from the runner's report (`endedAt` epoch ms: when it ended). */
  recordReport(report: SessionReportLike, protocol: string, trigger: string, endedAt: number): void {
    this.record({
      account: report.account,
      sessionId: report.sessionId,
      protocol,
      trigger,
      outcome: report.outcome,
      reason: report.reason.slice(0, 200),
      startedAt: endedAt - report.durationMs,
      durationMs: report.durationMs,
      commands: report.commandsExecuted,
    });
  }

  /** The newest sessions of one account, newest first. */
  list(account: string, limit = 50): SessionLogRow[] {
    return this.sList.all(account, limit);
  }

  purge(account: string): number {
    return this.sPurge.run(account).changes;
  }
}
