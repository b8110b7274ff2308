/**
 * DM 1.2 client session as a pure state machine (PROTOCOL.md §2.3, §2.4, §2.9).
 * No codec, no socket, no clock: decoded Messages in, Messages out.
 *
 *   start -> Package #1 (Alert 1201/1200 + Replace ./DevInfo + start alerts, Final)
 *   received -> statuses for the server's SyncHdr/alerts, auth handling, then either
 *               `execute` (phase executing) or the reply right away
 *   executed -> our reply to that server message (Status per command, Results after Get's Status)
 *
 * Reply rules: a server message without Final and without Alert 1222 is mid-package: we send what
 * we have + Alert 1222 (no Final). Otherwise we send the next slice of our package, with Final on
 * the slice that empties it. If all we would send is the Status for the SyncHdr (a server package
 * with no operations and no challenge), nothing is sent and the session ends ok.
 */
import { BridgeError } from '../../core/errors.js';
import { AlertCode, type AlertCommand, type Command, type Message, type StatusCommand } from '../message.js';
import { alert, commandStatus, commandsNeedingStatus, headerStatus, isAlert, package1 } from './build.js';
import { onHeaderStatus } from './client-auth.js';
import { enforceMaxObjSize } from './chunk.js';
import { cutMessage } from './outbox.js';
import { checkServer } from './server-auth.js';
import type {
  Effect,
  MacCheck,
  Outcome,
  OutboxEntry,
  PendingBatch,
  ReplyDraft,
  SessionConfig,
  SessionInput,
  SessionState,
  StepResult,
  UnknownRef,
} from './types.js';

export function initialState(config: SessionConfig): SessionState {
  return {
    phase: 'idle',
    sessionId: '',
    trigger: 'client',
    nextMsgId: 1,
    nextCmdId: 1,
    lastMsgId: '',
    url: config.serverUri,
    authType: config.authType,
    clientNonce: config.clientNonce,
    serverNonce: config.serverNonce,
    sendCred: false,
    authRetries: 0,
    serverAuthenticated: false,
    serverAuthFailures: 0,
    serverMaxMsgSize: null,
    serverMaxObjSize: null,
    pkg1: [],
    outbox: [],
    sentAlerts: [],
    pending: null,
    outcome: null,
  };
}

export function step(config: SessionConfig, state: SessionState, input: SessionInput): StepResult {
  if (state.phase === 'done') {
    if (input.kind === 'abort' || input.kind === 'transportError') return { state, effects: [] };
    throw misuse(`input ${input.kind} after the session ended`);
  }
  switch (input.kind) {
    case 'start':
      return start(config, state, input.sessionId, input.trigger, input.alerts ?? []);
    case 'received':
      return received(config, state, input.message, input.mac, input.unknown ?? []);
    case 'executed':
      return executed(config, state, input.msgRef, input.replies, input.alerts ?? []);
    case 'transportError':
      return done(state, 'error', `transport: ${input.reason}`);
    case 'abort':
      return abort(config, state, input.reason);
  }
}

function misuse(msg: string): BridgeError {
  return new BridgeError('INTERNAL', `DM 1.2 session: ${msg}`);
}

function done(state: SessionState, outcome: Outcome, reason: string, effects: Effect[] = []): StepResult {
  return {
    state: { ...state, phase: 'done', pending: null, outcome: { outcome, reason } },
    effects: [...effects, { kind: 'done', outcome, reason }],
  };
}

function start(config: SessionConfig, s0: SessionState, sessionId: string, trigger: 'client' | 'server', alerts: Parameters<typeof package1>[2]): StepResult {
  if (s0.phase !== 'idle') throw misuse('start twice');
  if (sessionId === '') throw misuse('empty SessionID');
  const pkg1 = package1(config, trigger, alerts);
  const sendCred = s0.authType === 'BASIC' || (s0.authType !== 'NONE' && s0.clientNonce !== null);
  const s: SessionState = { ...s0, sessionId, trigger, pkg1, sendCred };
  const cut = cutMessage(config, s, pkg1, { askNext: false });
  return { state: cut.state, send: cut.send, effects: cut.effects };
}

function received(config: SessionConfig, s0: SessionState, m: Message, mac: MacCheck | undefined, unknown: UnknownRef[]): StepResult {
  if (s0.phase !== 'waiting') throw misuse(`message received in phase ${s0.phase}`);
  if (m.header.sessionId.trim() !== s0.sessionId) {
    return done(s0, 'error', `SessionID ${m.header.sessionId} does not match ${s0.sessionId}`);
  }
  let s: SessionState = { ...s0 };
  if (m.header.respUri) s.url = m.header.respUri;
  if (m.header.meta?.maxMsgSize !== undefined) s.serverMaxMsgSize = m.header.meta.maxMsgSize;
  if (m.header.meta?.maxObjSize !== undefined) s.serverMaxObjSize = m.header.meta.maxObjSize;

  const effects: Effect[] = [];
  let ourHdr: StatusCommand | undefined;
  for (const c of m.commands) {
    if (c.cmd !== 'Status') continue;
    if (c.cmdRef.trim() === '0' || c.refCmd === 'SyncHdr') {
      if (ourHdr === undefined && c.msgRef.trim() === s.lastMsgId) ourHdr = c;
      continue;
    }
    const sent = s.sentAlerts.find((a) => a.msgId === c.msgRef.trim() && a.cmdId === c.cmdRef.trim());
    if (sent) effects.push({ kind: 'alertStatus', ref: sent.ref, code: Number.parseInt(c.data, 10) });
  }
  if (m.commands.some((c) => isAlert(c, AlertCode.SESSION_ABORT))) {
    return done(s, 'aborted', 'server sent Alert 1223', effects);
  }

  const server = checkServer(config, s, m, mac);
  s = server.state;
  if (server.fatal) return done(s, 'auth-failed', server.reason ?? 'server authentication failed', effects);

  const verdict = onHeaderStatus(config.authType, s, ourHdr);
  effects.push(...verdict.effects);
  if (verdict.kind === 'fail') return done(s, verdict.outcome, verdict.reason, effects);
  s = verdict.state;

  const hdr = headerStatus(m, server.code, server.chal);
  const others = commandsNeedingStatus(m.commands);
  const nextRequested = m.commands.some((c) => isAlert(c, AlertCode.NEXT_MESSAGE));

  if (verdict.kind === 'retry') {
    // Revert to Package #1 (§2.3): Status for the SyncHdr, the server's commands not executed, then Pkg #1 again.
    const head: Command[] = [hdr, ...others.map((c) => commandStatus(m.header.msgId, c, isAlert(c, AlertCode.NEXT_MESSAGE) ? '200' : '215'))];
    const outbox: OutboxEntry[] = [...head.map((cmd) => ({ cmd })), ...s.pkg1];
    const cut = cutMessage(config, s, outbox, { askNext: false });
    return { state: cut.state, send: cut.send, effects: [...effects, ...cut.effects] };
  }

  if (server.code === '401' || server.code === '407') {
    // Challenge the server: Status only, one per received command, nothing executed (§2.3).
    const head: Command[] = [hdr, ...others.map((c) => commandStatus(m.header.msgId, c, server.code))];
    return reply(config, s, head, [], m.final, nextRequested, effects);
  }

  const head: Command[] = [
    hdr,
    ...others.filter((c) => isAlert(c, AlertCode.NEXT_MESSAGE)).map((c) => commandStatus(m.header.msgId, c, '200')),
    // commands we cannot decode into the model (Map, Put, Sync ...): optional feature not supported
    ...unknown.map((u): Command => ({ cmd: 'Status', cmdId: '', msgRef: m.header.msgId, cmdRef: u.cmdId, refCmd: u.name, data: '406' })),
  ];
  const toRun = m.commands.filter((c) => c.cmd !== 'Status' && c.cmd !== 'Results' && !isAlert(c, AlertCode.NEXT_MESSAGE));
  if (toRun.length === 0) return reply(config, s, head, [], m.final, nextRequested, effects);

  const pending: PendingBatch = {
    msgRef: m.header.msgId,
    final: m.final,
    nextRequested,
    expect: commandsNeedingStatus(toRun).map((c) => ({ cmdId: c.cmdId, cmd: c.cmd })),
    head,
  };
  effects.push({ kind: 'execute', msgRef: m.header.msgId, commands: toRun });
  return { state: { ...s, phase: 'executing', pending }, effects };
}

function executed(config: SessionConfig, s: SessionState, msgRef: string, replies: ReplyDraft[], alerts: Omit<AlertCommand, 'cmdId'>[]): StepResult {
  const p = s.pending;
  if (s.phase !== 'executing' || p === null) throw misuse(`executed in phase ${s.phase}`);
  if (msgRef !== p.msgRef) throw misuse(`executed for MsgRef ${msgRef}, expected ${p.msgRef}`);
  const out: Command[] = [];
  const answered = new Set<string>();
  const expected = new Set(p.expect.map((e) => e.cmdId));
  for (const r of enforceMaxObjSize(replies, s.serverMaxObjSize)) {
    const withRef = { cmdId: '', ...r, msgRef: r.msgRef ?? p.msgRef } as Command;
    if (r.cmd === 'Status') {
      const ref = r.cmdRef;
      // exactly one Status per command: a duplicate from the engine is dropped
      if (answered.has(ref) && expected.has(ref)) continue;
      answered.add(ref);
    }
    out.push(withRef);
  }
  for (const e of p.expect) {
    if (!answered.has(e.cmdId)) out.push({ cmd: 'Status', cmdId: '', msgRef: p.msgRef, cmdRef: e.cmdId, refCmd: e.cmd, data: '500' });
  }
  // client alerts raised while executing (e.g. 1225 for an interrupted large object)
  for (const a of alerts) out.push({ ...a, cmdId: '' });
  const state: SessionState = { ...s, phase: 'waiting', pending: null };
  return reply(config, state, p.head, out, p.final, p.nextRequested, []);
}

/**
 * Our answer to a server message: `head` (Status for its SyncHdr and Alert 1222: always in this
 * message), then the rest of a large object being chunked (chunks go in contiguous messages,
 * §2.4), then `replies` and what is left of our package, cut to the server's MaxMsgSize.
 */
function reply(
  config: SessionConfig,
  s: SessionState,
  head: Command[],
  replies: Command[],
  serverFinal: boolean,
  nextRequested: boolean,
  effects: Effect[],
): StepResult {
  const cont = s.outbox[0]?.continued === true ? s.outbox.slice(0, 1) : [];
  const outbox: OutboxEntry[] = [...head.map((cmd) => ({ cmd })), ...cont, ...replies.map((cmd) => ({ cmd })), ...s.outbox.slice(cont.length)];
  const serverMidPackage = !serverFinal && !nextRequested;
  const onlyHeaderOk = outbox.every((e) => e.cmd.cmd === 'Status' && e.cmd.cmdRef === '0' && isOk(e.cmd.data));
  if (!serverMidPackage && onlyHeaderOk) {
    return done({ ...s, outbox: [] }, 'ok', 'server package had no operations', effects);
  }
  const cut = cutMessage(config, s, outbox, { askNext: serverMidPackage, mustTake: head.length });
  return { state: cut.state, send: cut.send, effects: [...effects, ...cut.effects] };
}

function isOk(code: string): boolean {
  const n = Number.parseInt(code, 10);
  return n >= 200 && n < 300;
}

function abort(config: SessionConfig, s: SessionState, reason: string): StepResult {
  if (s.phase === 'idle') return done(s, 'aborted', reason);
  // Alert 1223 + Final; what was queued is dropped.
  const cut = cutMessage(config, { ...s, outbox: [] }, [{ cmd: alert(AlertCode.SESSION_ABORT) }], { askNext: false });
  const ended = done(cut.state, 'aborted', reason, cut.effects);
  return { ...ended, send: cut.send };
}
