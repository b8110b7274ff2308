import { randomBytes } from 'node:crypto';
import { systemClock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { displayUrl } from '../core/display-url.js';
import { decodeServerPackage, DEFAULT_DM2_LIMITS, DM2_CONTENT_TYPE, encodePackage, type Dm2Limits, type Dm2Mo } from '../dm/dm2/index.js';
import { Dm2Ops, type DataRepository } from '../dm/dm2-ops.js';
import type { Metrics } from '../core/metrics.js';
import type { AuditSink } from '../dm/audit.js';
import type { AsyncExecResult } from '../dm/engine.js';
import { dm2Step, initialDm2State, type Dm2AuthType, type Dm2SessionConfig, type Dm2SessionInput, type PendingAlert } from '../dm/session/dm2/index.js';
import type { SubscriptionsRepo } from '../store/subscriptions-repo.js';
import { devInfoValues } from '../tree/providers/device-info.js';
import type { AccountData } from '../tree/providers/dmacc-provider.js';
import type { Tree } from '../tree/tree.js';
import type { ConnectionDeps, SessionControl, SessionReport } from './connection.js';
import { toDm2Alert } from './dm2-alerts.js';
import { httpDataRepository } from './dm2-data-repository.js';
import { httpCall } from './http-transport.js';

export interface Dm2ConnectionDeps extends ConnectionDeps {
  tree: Tree;
  subscriptions: SubscriptionsRepo;
  /** Same hook as the Engine's: an EXEC answered 202 finished (queue the alert, nudge the authority). */
  onAsyncResult?: (serverId: string, result: AsyncExecResult) => void;
  /** MOs listed in Package #1 (default: DevInfo, DevDetail, DMAcc, the gateway inventory). */
  mos?: Dm2Mo[];
  limits?: Partial<Dm2Limits>;
  /** Replace the HTTP Data Repository (tests). */
  dataRepository?: (acc: AccountData) => DataRepository;
  /** Audit trail of the changes each MA's commands make. */
  audit?: AuditSink;
  /** Commands by name and status (/metrics). */
  metrics?: Metrics;
  /** SHOW: true when the local status page lists the URL (202), else 406. */
  onShow?: (account: string, href: string) => boolean;
}

/** Why the session runs: `server` after a verified notification (its sid and nid are used). */
export type Dm2SessionTrigger = { kind: 'client' } | { kind: 'alert' } | { kind: 'server'; sessionId: string; nid?: string };

export const DEFAULT_MOS: Dm2Mo[] = [
  { moid: 'urn:oma:mo:oma-dm-devinfo:1.0', uri: './DevInfo' },
  { moid: 'urn:oma:mo:oma-dm-devdetail:1.0', uri: './DevDetail' },
  { moid: 'urn:oma:mo:oma-dm-dmacc:1.0', uri: './DMAcc' },
  { moid: 'urn:oma:mo:oma-gwmo-deviceinventory:1.0', uri: './GwMO/DevInventory' },
];

const AUTH_TYPES: readonly Dm2AuthType[] = ['HTTP-BASIC', 'HTTP-DIGEST', 'TRANSPORT'];

/**
 * One DM 2.0 session toward one authority: JSON codec + DM 2.0 state machine + command runner over
 * HTTP(S) with Basic/Digest and the account's TLS settings. The state machine decides; this only
 * encodes, posts, decodes, executes and persists (outbox acknowledgements).
 */
export async function runDm20Session(deps: Dm2ConnectionDeps, account: string, trigger: Dm2SessionTrigger, control: SessionControl = {}): Promise<SessionReport> {
  const clock = deps.clock ?? systemClock;
  const started = clock.now();
  const row = deps.accounts.get(account);
  if (!row) throw new Error(`unknown account ${account}`);
  const acc = JSON.parse(row.data) as AccountData;
  const sid = trigger.kind === 'server' ? trigger.sessionId : randomBytes(2).toString('hex').toUpperCase();
  const log = deps.log.child({ authority: account, session: sid, protocol: 'dm2.0' });
  const timeoutMs = deps.timeoutMs ?? 30_000;
  const limits: Dm2Limits = { ...DEFAULT_DM2_LIMITS, ...deps.limits };
  const maxBytes = limits.maxBytes;
  const authType: Dm2AuthType = (AUTH_TYPES as readonly string[]).includes(acc.auth.type) ? (acc.auth.type as Dm2AuthType) : 'NONE';
  const config: Dm2SessionConfig = {
    serverUri: acc.serverUri, sid, devId: deps.device.devId,
    trigger: trigger.kind === 'server' ? (trigger.nid === undefined ? { kind: 'server' } : { kind: 'server', nid: trigger.nid }) : { kind: trigger.kind },
    mos: deps.mos ?? DEFAULT_MOS, devInfo: { ...devInfoValues(deps.device), DmV: '2.0' }, // the version this session speaks (./DevInfo/DmV says 1.2 for SyncML MAs)
    authType, username: acc.auth.clientName, password: acc.auth.clientSecret,
  };
  const repo = deps.dataRepository?.(acc) ?? httpDataRepository({
    authType, username: acc.auth.clientName, password: acc.auth.clientSecret, tls: acc.tls, timeoutMs, maxBytes, serverUri: acc.serverUri,
  });
  const ops = new Dm2Ops({
    tree: deps.tree, serverId: acc.serverId, repo, limits, log,
    subscriptions: {
      add: (uri, events) => deps.subscriptions.put(account, uri, events, clock.now()),
      remove: (uri) => deps.subscriptions.remove(account, uri),
    },
    ...(deps.onAsyncResult ? { onAsyncResult: deps.onAsyncResult } : {}),
    ...(deps.onShow ? { onShow: (href: string) => deps.onShow!(account, href) } : {}),
    ...(deps.audit ? { audit: deps.audit } : {}),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });
  const pending: PendingAlert[] = [];
  for (const p of deps.outbox.list(account)) {
    const alert = toDm2Alert(p.payload);
    if (alert) pending.push({ ref: String(p.id), alert });
    else {
      log.error({ id: p.id }, 'unusable queued alert dropped');
      deps.outbox.remove(account, p.id);
    }
  }
  const report: SessionReport = { account, sessionId: sid, outcome: 'error', reason: '', messagesSent: 0, commandsExecuted: 0, alertsAcknowledged: 0, durationMs: 0 };
  log.info({ trigger: trigger.kind, serverUri: displayUrl(acc.serverUri), queuedAlerts: pending.length }, 'DM 2.0 session start');
  let state = initialDm2State();
  let input: Dm2SessionInput | null = { kind: 'start', alerts: pending };
  while (input) {
    if ((input.kind === 'response' || input.kind === 'executed') && control.signal?.aborted) input = { kind: 'abort', reason: 'aborted by the bridge' };
    const r = dm2Step(config, state, input);
    state = r.state;
    input = null;
    for (const e of r.effects) {
      if (e.kind === 'alertsDelivered') {
        for (const ref of e.refs) deps.outbox.remove(account, Number(ref));
        report.alertsAcknowledged += e.refs.length;
      } else if (e.kind === 'done') {
        report.outcome = e.outcome;
        report.reason = e.reason;
      } else {
        const results = await ops.execute(e.cmds);
        report.commandsExecuted += e.cmds.length;
        input = { kind: 'executed', results };
      }
    }
    if (!r.send) continue;
    const headers: Record<string, string> = { 'content-type': DM2_CONTENT_TYPE, accept: DM2_CONTENT_TYPE, 'user-agent': 'dm-bridge' };
    if (r.send.authorization) headers.authorization = r.send.authorization;
    try {
      const res = await httpCall('POST', r.send.url, encodePackage(r.send.pkg), { headers, timeoutMs, maxBytes, tls: acc.tls });
      report.messagesSent++;
      input = { kind: 'response', status: res.status };
      const wa = res.headers['www-authenticate'];
      if (wa !== undefined) input.wwwAuthenticate = wa;
      if (res.status === 200 && state.phase === 'wait-server') decode(input, res.body, limits, log);
    } catch (err) {
      input = { kind: 'transportError', reason: (err as Error).message };
    }
  }
  report.durationMs = clock.now() - started;
  log.info({ outcome: report.outcome, reason: report.reason, packages: report.messagesSent, commands: report.commandsExecuted }, 'DM 2.0 session end');
  return report;
}

function decode(input: Extract<Dm2SessionInput, { kind: 'response' }>, body: Buffer, limits: Dm2Limits, log: Logger): void {
  try {
    input.pkg = decodeServerPackage(body, limits);
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'undecodable server package');
    input.error = (err as Error).message;
  }
}
