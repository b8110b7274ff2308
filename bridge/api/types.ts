import type { NodeView, Outcome } from '../tree/types.js';

/** What the API needs from the management tree (structurally the tree facade). */
export interface TreeReader {
  get(uri: string, as: string | null): Outcome<NodeView> | Promise<Outcome<NodeView>>;
}

/** The JSON of GET /api/v1/tree: `children` for an interior node, `value` for a leaf. */
export type TreeNodeJson =
  | { uri: string; format: string; type: string; children: string[] }
  | { uri: string; format: string; type: string; value: string };

/** One DM session's report as the API shows it (structurally authority's SessionReport). */
export interface SessionSummary {
  account: string;
  sessionId: string;
  outcome: string;
  reason: string;
  durationMs: number;
  messagesSent?: number;
  commandsExecuted?: number;
  alertsAcknowledged?: number;
  /** ISO 8601 UTC when the session ended, when known. */
  endedAt?: string;
}

/** One authority as GET /api/v1/authorities lists it (structurally authority's AuthorityStatus). */
export interface AuthoritySummary {
  account: string;
  serverId: string;
  protocol: string;
  /** Session state: `idle` or `in-session`. */
  state: string;
  lastSession: SessionSummary | null;
  /** Alerts queued in the outbox for this MA. */
  queuedAlerts: number;
  /** Notify channel (WebSocket) state when known: off (no notifyUri) | connecting | open | backoff | stopped. */
  notify?: string;
}

/** The notify channels (structurally authority's NotifyChannels): one per MA with a notifyUri. */
export interface NotifySource {
  list(): Array<{ account: string; state: string }>;
}

/** What the API needs from the authority sessions. */
export interface AuthorityService {
  list(): AuthoritySummary[];
  /** Throws at once for an unknown account or protocol; the promise settles when the session ends. */
  trigger(account: string): Promise<unknown>;
}

/** One audit row as the history gives it (structurally bridge/store's AuditRow): never a value. */
export interface AuditRowLike {
  id: number;
  account: string;
  serverId: string;
  cmd: string;
  uri: string;
  status: number;
  /** Epoch ms. */
  at: number;
}

/** One logged session as the history gives it (structurally bridge/store's SessionLogRow). */
export interface SessionLogRowLike {
  id: number;
  account: string;
  sessionId: string;
  protocol: string;
  trigger: string;
  outcome: string;
  reason: string;
  /** Epoch ms. */
  startedAt: number;
  durationMs: number;
  commands: number;
}

/** The persisted per-MA history (the audit trail and the sessions log): newest first, at most `limit` rows. */
export interface HistorySource {
  audit(account: string, limit: number): readonly AuditRowLike[];
  sessions(account: string, limit: number): readonly SessionLogRowLike[];
}
