import { Status } from '../core/status.js';
import type { Dm2Entry, Dm2Result } from './dm2-message.js';
import type { Reply } from './message.js';

/** One change (or attempt) an MA's command made: command, target URI, status; never a value. */
export interface AuditRecord {
  cmd: string;
  uri: string;
  status: number;
}

/** Where executed commands are recorded (structurally `AuditRepo` of bridge/store). */
export interface AuditSink {
  record(serverId: string, entries: readonly AuditRecord[]): void;
}

const DM12_CHANGES: ReadonlySet<string> = new Set(['Add', 'Replace', 'Delete', 'Exec', 'Copy']);
const DM2_CHANGES: ReadonlySet<string> = new Set(['DELETE', 'EXEC', 'HGET', 'SUB', 'UNSUB']);

/**
 * The audit records of one DM 1.2 message, from the Statuses the engine produced (so Atomic and
 * Sequence members are included with their final codes); a buffered chunk (213) is not a change yet.
 */
export function dm12AuditRecords(replies: readonly Reply[]): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (const r of replies) {
    if (r.cmd !== 'Status' || !DM12_CHANGES.has(r.refCmd)) continue;
    const status = Number(r.data);
    if (status === Status.CHUNK_ACCEPTED) continue;
    for (const uri of r.targetRefs ?? ['']) out.push({ cmd: r.refCmd, uri, status });
  }
  return out;
}

/** The audit records of one DM 2.0 package: commands that change state, matched to their results by id. */
export function dm2AuditRecords(cmds: readonly Dm2Entry[], results: readonly Dm2Result[]): AuditRecord[] {
  // a read-only package (the common case) costs one pass and no allocation
  if (!cmds.some((c) => DM2_CHANGES.has(c.cmd))) return [];
  const byId = new Map<number, number>();
  for (const r of results) if (!byId.has(r.id)) byId.set(r.id, r.status);
  const out: AuditRecord[] = [];
  for (const c of cmds) {
    if (!DM2_CHANGES.has(c.cmd) || c.id === undefined || !('uri' in c)) continue;
    const status = byId.get(c.id);
    if (status !== undefined) out.push({ cmd: c.cmd, uri: c.uri, status });
  }
  return out;
}

/** Record a DM 1.2 message's changes; an audit failure never fails the session. */
export function auditDm12(sink: AuditSink | undefined, serverId: string, replies: readonly Reply[]): void {
  if (sink) recordSafely(sink, serverId, () => dm12AuditRecords(replies));
}

/** Record a DM 2.0 package's changes; an audit failure never fails the session. */
export function auditDm2(sink: AuditSink | undefined, serverId: string, cmds: readonly Dm2Entry[], results: readonly Dm2Result[]): void {
  if (sink) recordSafely(sink, serverId, () => dm2AuditRecords(cmds, results));
}

function recordSafely(sink: AuditSink, serverId: string, records: () => AuditRecord[]): void {
  try {
    sink.record(serverId, records());
  } catch {
    /* the audit trail is best effort: the commands already ran */
  }
}
