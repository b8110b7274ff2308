/**
 * What the bridge's modules report for monitoring. Modules call this interface only; the Prometheus
 * implementation lives in bridge/api/metrics.ts and is handed in by bridge/app.ts (modules never
 * import prom-client). Gauges (outbox depth, notify channels, devices) are not pushed here: the API
 * computes them at scrape time from its sources.
 */

/** One DM session that ended (structurally authority's SessionReport, plus the protocol). */
export interface SessionEnded {
  account: string;
  sessionId?: string;
  /** `dm1.2` or `dm2.0` when known. */
  protocol?: string;
  outcome: string;
  reason?: string;
  durationMs: number;
  messagesSent?: number;
  commandsExecuted?: number;
  alertsAcknowledged?: number;
}

/** One DM command an MA sent, with the status it got (e.g. Get -> 200, Replace -> 425). */
export interface CommandExecuted {
  /** DM command name as the spec spells it: Get, Replace, Add, Delete, Exec, Copy, … (DM 2.0: GET, HPUT, …). */
  command: string;
  status: number;
}

/** One call into a device adapter: which adapter, which operation, how long, and its error code if it failed. */
export interface AdapterCall {
  adapter: string;
  /** get | replace | exec | match | start | stop … */
  op: string;
  durationMs: number;
  /** Stable error code (e.g. TIMEOUT, COMMAND_FAILED) when the call failed, else undefined. */
  error?: string;
}

export interface Metrics {
  sessionEnded(s: SessionEnded): void;
  commandExecuted(c: CommandExecuted): void;
  adapterCall(c: AdapterCall): void;
}
