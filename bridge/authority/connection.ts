import { randomInt } from 'node:crypto';
import type { Logger } from '../core/logger.js';
import { displayUrl } from '../core/display-url.js';
import { systemClock, type Clock } from '../core/clock.js';
import type { Engine } from '../dm/engine.js';
import type { Header, Message } from '../dm/message.js';
import { initialState, step, type MacCheck, type SessionConfig, type SessionInput, type StepResult } from '../dm/session/index.js';
import { formatHmacHeader, HMAC_HEADER, hmacMac, nonceBytes, verifyHmac, type AuthType } from '../dm/syncml/auth.js';
import { commandSize, contentTypeOf, decodeMessage, encodeMessage, messageEnvelopeSize, type SyncmlEncoding } from '../dm/syncml/index.js';
import type { AccountsRepo } from '../store/accounts-repo.js';
import type { OutboxRepo } from '../store/outbox-repo.js';
import { devInfoValues, type DeviceIdentity } from '../tree/providers/device-info.js';
import type { AccountData } from '../tree/providers/dmacc-provider.js';
import { post, type HttpResponse } from './http-transport.js';
import { loadTls } from './tls-material.js';

export interface ConnectionDeps {
  engine: Engine;
  accounts: AccountsRepo;
  outbox: OutboxRepo;
  device: DeviceIdentity;
  log: Logger;
  clock?: Clock;
  /** Per-request timeout (ms). */
  timeoutMs?: number;
  /** Our MaxMsgSize / MaxObjSize. */
  maxMsgSize?: number;
  maxObjSize?: number;
}

export type SessionTrigger = { kind: 'client' } | { kind: 'server'; sessionId: string };

export interface SessionControl {
  /** Abort the session: Alert 1223 + Final is sent instead of the next message. */
  signal?: AbortSignal;
}

export interface SessionReport {
  account: string;
  sessionId: string;
  outcome: 'ok' | 'aborted' | 'auth-failed' | 'error';
  reason: string;
  messagesSent: number;
  commandsExecuted: number;
  alertsAcknowledged: number;
  durationMs: number;
}

/** A guard against a server that never ends a session (at MaxMsgSize 2048 it still allows ~17 MB of Results). */
const MAX_MESSAGES = 10_000;

/**
 * One DM 1.2 session toward one authority: codec + session state machine + engine over HTTP(S).
 * The state machine decides; this function only encodes, signs, posts, decodes and executes.
 */
export async function runDm12Session(deps: ConnectionDeps, account: string, trigger: SessionTrigger, control: SessionControl = {}): Promise<SessionReport> {
  const clock = deps.clock ?? systemClock;
  const started = clock.now();
  const row = deps.accounts.get(account);
  if (!row) throw new Error(`unknown account ${account}`);
  const acc = JSON.parse(row.data) as AccountData;
  const encoding: SyncmlEncoding = acc.encoding === 'wbxml' ? 'wbxml' : 'xml';
  const sessionId = trigger.kind === 'server' ? trigger.sessionId : randomInt(1, 0x10000).toString(16).toUpperCase();
  const log = deps.log.child({ authority: account, session: sessionId });
  const config = sessionConfig(deps, acc, encoding);
  const tls = loadTls(acc.tls);
  const engine = deps.engine.open(acc.serverId);
  const pending = deps.outbox.list(account);
  const report: SessionReport = {
    account, sessionId, outcome: 'error', reason: '', messagesSent: 0, commandsExecuted: 0, alertsAcknowledged: 0, durationMs: 0,
  };
  let state = initialState(config);
  let input: SessionInput | null = {
    kind: 'start',
    sessionId,
    trigger: trigger.kind,
    alerts: pending.map((p) => ({ ref: String(p.id), alert: JSON.parse(p.payload) as NonNullable<Extract<SessionInput, { kind: 'start' }>['alerts']>[number]['alert'] })),
  };
  log.info({ trigger: trigger.kind, serverUri: displayUrl(acc.serverUri), queuedAlerts: pending.length }, 'DM session start');
  try {
    while (input) {
      if (input.kind === 'received' || input.kind === 'executed') {
        // abort between messages so that MsgIDs stay contiguous (nothing numbered is skipped)
        if (control.signal?.aborted) input = { kind: 'abort', reason: 'aborted by the bridge' };
        else if (report.messagesSent >= MAX_MESSAGES) input = { kind: 'abort', reason: `more than ${MAX_MESSAGES} messages` };
      }
      const r: StepResult = step(config, state, input);
      state = r.state;
      input = null;
      let finished = false;
      for (const e of r.effects) {
        if (e.kind === 'persistNonce') deps.accounts.setNonce(account, e.direction, e.nonce, clock.now());
        else if (e.kind === 'alertStatus' && (e.code === 200 || e.code === 202)) {
          deps.outbox.remove(account, Number(e.ref));
          report.alertsAcknowledged++;
        } else if (e.kind === 'done') {
          finished = true;
          report.outcome = e.outcome;
          report.reason = e.reason;
        } else if (e.kind === 'oversize') {
          log.warn({ msgId: e.msgId, size: e.size, limit: e.limit }, 'a command that cannot be split exceeds the server MaxMsgSize: sent oversize');
        } else if (e.kind === 'execute') {
          const x = await engine.execute(e.commands);
          report.commandsExecuted += e.commands.length;
          input = { kind: 'executed', msgRef: e.msgRef, replies: x.replies, alerts: x.alerts };
        }
      }
      if (!r.send) continue;
      const body = encodeMessage(r.send.message, encoding);
      const headers: Record<string, string> = { 'content-type': contentTypeOf(encoding), accept: contentTypeOf(encoding), 'user-agent': 'dm-bridge' };
      if (r.send.hmacSign) {
        const mac = hmacMac(r.send.hmacSign.username, acc.auth.clientSecret, nonceBytes(r.send.hmacSign.nonce), body);
        headers[HMAC_HEADER] = formatHmacHeader({ username: r.send.hmacSign.username, mac });
      }
      let res: HttpResponse;
      try {
        res = await post(r.send.url, body, { headers, timeoutMs: deps.timeoutMs ?? 30_000, maxBytes: 4 * 1024 * 1024, tls });
        report.messagesSent++;
      } catch (err) {
        input = finished ? null : { kind: 'transportError', reason: (err as Error).message };
        continue;
      }
      if (finished) break;
      input = receive(res, r.send.hmacVerify, acc, log);
    }
  } finally {
    engine.close();
  }
  report.durationMs = clock.now() - started;
  log.info({ outcome: report.outcome, reason: report.reason, messages: report.messagesSent, commands: report.commandsExecuted }, 'DM session end');
  return report;
}

/** Turn the server's HTTP answer into the next session input. */
function receive(res: HttpResponse, verify: { username: string; nonce: string } | undefined, acc: AccountData, log: Logger): SessionInput {
  if (res.status !== 200) return { kind: 'transportError', reason: `HTTP ${res.status}` };
  const ct = String(res.headers['content-type'] ?? '');
  let message: Message;
  let unknown;
  try {
    ({ message, unknown } = decodeMessage(res.body, ct));
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'undecodable server message');
    return { kind: 'transportError', reason: `bad server message: ${(err as Error).message}` };
  }
  let mac: MacCheck | undefined;
  if (verify && acc.auth.serverSecret) {
    const h = res.headers[HMAC_HEADER];
    const check = verifyHmac(Array.isArray(h) ? h[0] : h, { username: verify.username, secret: acc.auth.serverSecret, nonce: nonceBytes(verify.nonce), body: res.body });
    mac = check === 'ok' ? 'ok' : check === 'missing' ? 'absent' : 'bad';
  }
  return mac === undefined ? { kind: 'received', message, unknown } : { kind: 'received', message, mac, unknown };
}

function sessionConfig(deps: ConnectionDeps, acc: AccountData, encoding: SyncmlEncoding): SessionConfig {
  const maxMsgSize = deps.maxMsgSize ?? 64 * 1024;
  const authType: AuthType = acc.auth.type === 'BASIC' || acc.auth.type === 'DIGEST' || acc.auth.type === 'HMAC' ? acc.auth.type : 'NONE';
  const sample: Header = {
    verDTD: '1.2', verProto: 'DM/1.2', sessionId: 'FFFF', msgId: '99999',
    target: { locUri: acc.serverUri }, source: { locUri: deps.device.devId, locName: acc.auth.clientName },
    cred: { meta: { type: 'syncml:auth-basic', format: 'b64' }, data: 'x'.repeat(Math.ceil(((acc.auth.clientName.length + acc.auth.clientSecret.length + 1) * 4) / 3) + 4) },
    meta: { maxMsgSize, maxObjSize: deps.maxObjSize ?? 4 * 1024 * 1024 },
  };
  return {
    serverId: acc.serverId,
    serverUri: acc.serverUri,
    devId: deps.device.devId,
    clientName: acc.auth.clientName,
    clientSecret: acc.auth.clientSecret,
    serverSecret: acc.auth.serverSecret,
    authType,
    clientNonce: deps.accounts.nonce(acc.account, 'client') ?? null,
    serverNonce: deps.accounts.nonce(acc.account, 'server') ?? null,
    maxMsgSize,
    maxObjSize: deps.maxObjSize ?? 4 * 1024 * 1024,
    devInfo: devInfoValues(deps.device),
    measure: (cmd) => commandSize(cmd, encoding),
    envelope: messageEnvelopeSize(sample, encoding) + 64,
  };
}
