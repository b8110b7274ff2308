import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AdapterCall, CommandExecuted, Metrics, SessionEnded } from '../core/metrics.js';
import type { AuthoritySummary, SessionSummary } from './types.js';

/** Where the scrape-time gauges read from (the API server fills these from its own options). */
export interface MetricsSources {
  authorities?: () => readonly AuthoritySummary[];
  devices?: () => ReadonlyArray<{ protocols: readonly string[]; status: string }>;
}

/** The Prometheus side of the bridge's metrics: the app feeds it through `Metrics`, the API renders it. */
export interface PromMetrics extends Metrics {
  readonly contentType: string;
  /** The Prometheus text exposition of every metric (gauges computed now). */
  render(): Promise<string>;
  /** Set the sources of the scrape-time gauges (authorities, devices); later calls replace earlier ones. */
  observe(sources: MetricsSources): void;
  /** The latest ended sessions, newest first. */
  recentSessions(): SessionSummary[];
}

export interface MetricsOptions {
  /** Process metrics (RSS, CPU, heap, event loop lag, GC, handles); default true. */
  processMetrics?: boolean;
  /** How many ended sessions recentSessions() keeps; default 50. */
  keepSessions?: number;
  now?: () => number;
}

/**
 * Notify channel states reported as a one-hot gauge (authority's NotifyState, plus `off` for an MA
 * without a notifyUri); any other value gets its own series.
 */
export const NOTIFY_STATES = ['off', 'connecting', 'open', 'backoff', 'stopped'] as const;

const SESSION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const ADAPTER_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A registry of its own per app (tests run several apps in one process). */
export function createMetrics(opts: MetricsOptions = {}): PromMetrics {
  const registry = new Registry();
  const registers = [registry];
  const now = opts.now ?? Date.now;
  const keep = opts.keepSessions ?? 50;
  let sources: MetricsSources = {};
  const recent: SessionSummary[] = [];
  if (opts.processMetrics !== false) collectDefaultMetrics({ register: registry });

  const sessions = new Counter({ name: 'dmbridge_sessions_total', help: 'DM sessions ended, by authority and outcome', labelNames: ['account', 'outcome'], registers });
  const sessionSeconds = new Histogram({
    name: 'dmbridge_session_duration_seconds', help: 'DM session duration', labelNames: ['account'], buckets: SESSION_BUCKETS, registers,
  });
  const commands = new Counter({ name: 'dmbridge_commands_total', help: 'DM commands executed for MAs, by command and DM status', labelNames: ['command', 'status'], registers });
  const adapterSeconds = new Histogram({
    name: 'dmbridge_adapter_call_duration_seconds', help: 'Adapter call latency', labelNames: ['adapter', 'op'], buckets: ADAPTER_BUCKETS, registers,
  });
  const adapterErrors = new Counter({ name: 'dmbridge_adapter_call_errors_total', help: 'Failed adapter calls, by error code', labelNames: ['adapter', 'op', 'code'], registers });

  new Gauge({
    name: 'dmbridge_outbox_depth', help: 'Alerts queued for delivery, per authority', labelNames: ['account'], registers,
    collect() {
      this.reset();
      for (const a of sources.authorities?.() ?? []) this.set({ account: a.account }, a.queuedAlerts);
    },
  });
  new Gauge({
    name: 'dmbridge_authority_in_session', help: '1 while a DM session with the authority runs', labelNames: ['account'], registers,
    collect() {
      this.reset();
      for (const a of sources.authorities?.() ?? []) this.set({ account: a.account }, a.state === 'in-session' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'dmbridge_notify_channel_state', help: 'Notify channel state per authority (1 for the current state)', labelNames: ['account', 'state'], registers,
    collect() {
      this.reset();
      for (const a of sources.authorities?.() ?? []) {
        if (a.notify === undefined) continue;
        for (const s of NOTIFY_STATES) this.set({ account: a.account, state: s }, a.notify === s ? 1 : 0);
        if (!(NOTIFY_STATES as readonly string[]).includes(a.notify)) this.set({ account: a.account, state: a.notify }, 1);
      }
    },
  });
  new Gauge({
    name: 'dmbridge_devices', help: 'Devices in the inventory by protocol and status', labelNames: ['protocol', 'status'], registers,
    collect() {
      this.reset();
      const counts = new Map<string, { protocol: string; status: string; n: number }>();
      for (const d of sources.devices?.() ?? []) {
        for (const protocol of d.protocols.length > 0 ? d.protocols : ['none']) {
          const k = `${protocol}\n${d.status}`;
          const c = counts.get(k) ?? { protocol, status: d.status, n: 0 };
          c.n++;
          counts.set(k, c);
        }
      }
      for (const c of counts.values()) this.set({ protocol: c.protocol, status: c.status }, c.n);
    },
  });

  return {
    contentType: registry.contentType,
    render: () => registry.metrics(),
    observe(s) {
      sources = { ...s };
    },
    recentSessions: () => recent.map((r) => ({ ...r })),
    sessionEnded(s: SessionEnded) {
      sessions.inc({ account: s.account, outcome: s.outcome });
      sessionSeconds.observe({ account: s.account }, Math.max(0, s.durationMs) / 1000);
      const row: SessionSummary = {
        account: s.account, sessionId: s.sessionId ?? '', outcome: s.outcome, reason: s.reason ?? '', durationMs: s.durationMs,
        endedAt: new Date(now()).toISOString(),
      };
      if (s.messagesSent !== undefined) row.messagesSent = s.messagesSent;
      if (s.commandsExecuted !== undefined) row.commandsExecuted = s.commandsExecuted;
      if (s.alertsAcknowledged !== undefined) row.alertsAcknowledged = s.alertsAcknowledged;
      recent.unshift(row);
      if (recent.length > keep) recent.length = keep;
    },
    commandExecuted(c: CommandExecuted) {
      commands.inc({ command: c.command, status: String(c.status) });
    },
    adapterCall(c: AdapterCall) {
      adapterSeconds.observe({ adapter: c.adapter, op: c.op }, Math.max(0, c.durationMs) / 1000);
      if (c.error !== undefined) adapterErrors.inc({ adapter: c.adapter, op: c.op, code: c.error });
    },
  };
}
