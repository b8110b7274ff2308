import type { DeviceJson } from './routes/devices.js';
import type { ShownUrl } from './shown-urls.js';
import type { AuthoritySummary, SessionSummary } from './types.js';

/**
 * The status page's tables as plain strings: the server renders these (escaped), and the page's
 * script (status-script.ts) computes the same cells from the JSON routes when it refreshes.
 * Keep the two in step: the browser test compares a server-rendered page with a refreshed one.
 */

export interface StatusData {
  authorities: AuthoritySummary[];
  devices: DeviceJson[];
  sessions: SessionSummary[];
  /** DM 2.0 SHOW links, newest first; absent when the page does not list them (section not rendered). */
  shown?: ShownUrl[];
}

/** Rows shown per table; the rest is summarized in one line (`dm-bridge devices` lists all). */
export const MAX_ROWS = 1000;

export const AUTHORITY_HEAD = ['Account', 'Server ID', 'Protocol', 'Connection', 'Last session', 'Queued alerts'];
export const DEVICE_HEAD = ['Name', 'Status', 'DevID', 'Address', 'Type', 'Protocols', 'Make / model', 'Last seen'];
export const SESSION_HEAD = ['Ended', 'Account', 'Session', 'Outcome', 'Duration', 'Commands', 'Reason'];

export const GOOD = new Set(['online', 'ok', 'open']);
export const BAD = new Set(['offline', 'error', 'auth-failed', 'aborted', 'backoff']);

export function fmtDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function fmtTime(iso: string | null | undefined): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-';
}

export function connection(a: AuthoritySummary): string {
  return a.notify === undefined ? a.state : `${a.state}, notify ${a.notify}`;
}

export function lastSession(s: SessionSummary | null): string {
  return s === null ? '-' : `${s.outcome} (${fmtDuration(s.durationMs)})`;
}

export function authorityCells(a: AuthoritySummary): string[] {
  return [a.account, a.serverId, a.protocol, connection(a), lastSession(a.lastSession), String(a.queuedAlerts)];
}

export function deviceCells(d: DeviceJson): string[] {
  return [
    d.name, d.status, d.devId, d.address, d.type, d.protocols.join(', '),
    [d.manufacturer, d.model].filter((x) => x !== '').join(' ') || '-', fmtTime(d.lastSeen),
  ];
}

export function sessionCells(s: SessionSummary): string[] {
  return [
    fmtTime(s.endedAt), s.account, s.sessionId, s.outcome, fmtDuration(s.durationMs),
    s.commandsExecuted === undefined ? '-' : String(s.commandsExecuted), s.reason || '-',
  ];
}

/**
 * Recent sessions: the ones the metrics saw end (newest first), plus each authority's last
 * session when it is not among them (e.g. metrics not wired, or it fell out of the window).
 */
export function mergeSessions(recent: readonly SessionSummary[], authorities: readonly AuthoritySummary[]): SessionSummary[] {
  const seen = new Set(recent.map((s) => `${s.account}\n${s.sessionId}`));
  const extra = authorities
    .map((a) => a.lastSession)
    .filter((s): s is SessionSummary => s !== null && !seen.has(`${s.account}\n${s.sessionId}`));
  return [...recent, ...extra];
}
