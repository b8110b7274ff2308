import type Router from '@koa/router';
import { ApiError } from '../errors.js';
import type { AuditRowLike, HistorySource, SessionLogRowLike, SessionSummary } from '../types.js';

const ACCOUNT = /^[A-Za-z0-9._~-]{1,64}$/;
export const MAX_LIMIT = 1000;
const DEFAULT_AUDIT = 100;
const DEFAULT_SESSIONS = 50;
/** Sessions the status page shows from the log (newest across every MA). */
export const RECENT_FROM_LOG = 20;

/** One row of GET /api/v1/authorities/:account/audit: the row with `at` as ISO 8601 UTC. */
export type AuditJson = Omit<AuditRowLike, 'at'> & { at: string };

/** One row of GET /api/v1/authorities/:account/sessions: the row with ISO 8601 UTC times and its end. */
export type SessionLogJson = Omit<SessionLogRowLike, 'startedAt'> & { startedAt: string; endedAt: string };

const iso = (ms: number): string => new Date(ms).toISOString();

/** Field by field (nothing else the row may carry gets out). */
export function auditJson(r: AuditRowLike): AuditJson {
  return { id: r.id, at: iso(r.at), account: r.account, serverId: r.serverId, cmd: r.cmd, uri: r.uri, status: r.status };
}

export function sessionLogJson(r: SessionLogRowLike): SessionLogJson {
  return {
    id: r.id, account: r.account, sessionId: r.sessionId, protocol: r.protocol, trigger: r.trigger, outcome: r.outcome,
    reason: r.reason, startedAt: iso(r.startedAt), endedAt: iso(r.startedAt + r.durationMs), durationMs: r.durationMs,
    commands: r.commands,
  };
}

/** `?limit=N`: absent → `fallback`; else a decimal integer in 1..MAX_LIMIT, or 400. */
export function parseLimit(raw: string | string[] | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^[0-9]+$/.test(raw)) throw new ApiError(400, 'BAD_REQUEST', `limit must be an integer in 1..${MAX_LIMIT}`);
  const n = Number(raw);
  if (n < 1 || n > MAX_LIMIT) throw new ApiError(400, 'BAD_REQUEST', `limit must be an integer in 1..${MAX_LIMIT}`);
  return n;
}

/**
 * The newest `limit` sessions across `accounts` from the log, as the status page shows them
 * (newest end first; the log's id breaks ties).
 */
export function recentFromLog(history: HistorySource, accounts: readonly string[], limit = RECENT_FROM_LOG): SessionSummary[] {
  const rows = accounts.flatMap((a) => history.sessions(a, limit));
  rows.sort((x, y) => y.startedAt + y.durationMs - (x.startedAt + x.durationMs) || y.id - x.id);
  return rows.slice(0, limit).map((r) => ({
    account: r.account, sessionId: r.sessionId, outcome: r.outcome, reason: r.reason, durationMs: r.durationMs,
    commandsExecuted: r.commands, endedAt: iso(r.startedAt + r.durationMs),
  }));
}

/**
 * GET /api/v1/authorities/:account/audit and /sessions: the persisted audit trail and sessions log
 * of one MA, newest first (`?limit=` 1..1000). 404 when `known` says the account does not exist.
 */
export function historyRoutes(router: Router, history: HistorySource, known: (account: string) => boolean): void {
  const account = (raw: string | undefined): string => {
    const a = raw ?? '';
    if (!ACCOUNT.test(a)) throw new ApiError(400, 'BAD_REQUEST', 'invalid account name');
    if (!known(a)) throw new ApiError(404, 'NOT_FOUND', `no authority ${a}`);
    return a;
  };
  router.get('/api/v1/authorities/:account/audit', (ctx) => {
    const a = account(ctx.params.account);
    ctx.body = history.audit(a, parseLimit(ctx.query.limit, DEFAULT_AUDIT)).map(auditJson);
  });
  router.get('/api/v1/authorities/:account/sessions', (ctx) => {
    const a = account(ctx.params.account);
    ctx.body = history.sessions(a, parseLimit(ctx.query.limit, DEFAULT_SESSIONS)).map(sessionLogJson);
  });
}
