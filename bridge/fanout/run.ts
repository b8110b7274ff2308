import { statusOf } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { isSuccess, Status } from '../core/status.js';
import type { FanoutCounts, FanoutRepo, FanoutResultRow } from '../store/fanout-repo.js';
import type { Tree } from '../tree/tree.js';
import type { ExecOutcome, Principal } from '../tree/types.js';
import { runPool, type Settled } from './pool.js';
import { deviceUri } from './targets.js';

export const COMMANDS = ['Get', 'Replace', 'Exec'] as const;
export type FanoutCommand = (typeof COMMANDS)[number];

export interface RunSpec {
  name: string;
  command: FanoutCommand;
  path: string;
  data: string | undefined;
  devIds: readonly string[];
  /** The ServerID every device call runs as (its ACLs apply per device). */
  as: Principal;
}

export interface RunLimits {
  concurrency: number;
  timeoutMs: number;
  /** Per-device Data kept, bytes (longer values are cut). */
  maxDataBytes: number;
  /** Results written to the store per transaction. */
  batchSize: number;
}

interface DeviceAnswer {
  status: number;
  data: string;
}

/** One device call through the tree, as `as`. An Exec answered 202 waits for its completion. */
export async function callDevice(tree: Tree, spec: RunSpec, devId: string): Promise<DeviceAnswer> {
  const uri = deviceUri(devId, spec.path);
  if (spec.command === 'Get') {
    const r = await tree.get(uri, spec.as);
    if (r.status !== Status.OK || !r.value) return { status: r.status, data: r.reason ?? '' };
    return { status: r.status, data: r.value.children ? r.value.children.join('/') : (r.value.value ?? '') };
  }
  if (spec.command === 'Replace') {
    const r = await tree.replace(uri, spec.data === undefined ? {} : { data: spec.data }, spec.as);
    return { status: r.status, data: r.reason ?? '' };
  }
  let later: ((o: ExecOutcome) => void) | undefined;
  const completed = new Promise<ExecOutcome>((resolve) => (later = resolve));
  const first = await tree.exec(uri, spec.data, spec.as, { complete: (o) => later?.(o) });
  const o = first.status === Status.ACCEPTED ? await completed : first;
  return { status: o.status, data: o.data ?? o.reason ?? '' };
}

/**
 * One execution of a fan-out: bounded concurrency, a deadline per device, results kept in memory
 * (readable while running) and written to the store in batches; the final counts are committed
 * before `run()` resolves.
 */
export class FanoutRun {
  readonly results = new Map<string, FanoutResultRow>();
  readonly counts: FanoutCounts;
  maxInFlight = 0;
  private pending: FanoutResultRow[] = [];

  constructor(
    readonly spec: RunSpec,
    private readonly deps: { tree: Tree; repo: FanoutRepo; log: Logger; now: () => number; signal: AbortSignal },
    private readonly limits: RunLimits,
  ) {
    this.counts = { state: 'running', total: spec.devIds.length, ok: 0, failed: 0, timedOut: 0, finishedAt: 0 };
  }

  get completed(): number {
    return this.counts.ok + this.counts.failed + this.counts.timedOut;
  }

  async run(): Promise<FanoutCounts> {
    const { spec, limits, deps } = this;
    const report = await runPool(
      spec.devIds,
      { concurrency: limits.concurrency, timeoutMs: limits.timeoutMs, signal: deps.signal },
      (devId) => callDevice(deps.tree, spec, devId),
      (i, s) => this.settled(i, s),
    );
    this.maxInFlight = report.maxInFlight;
    if (deps.signal.aborted) return this.counts; // stopping: the row stays 'running' and is recovered at start
    this.counts.state = 'done';
    this.counts.finishedAt = deps.now();
    this.flush();
    return this.counts;
  }

  private settled(i: number, s: Settled<DeviceAnswer>): void {
    const devId = this.spec.devIds[i]!;
    let row: FanoutResultRow;
    if (s.kind === 'timeout') {
      row = { devId, seq: i, status: Status.COMMAND_FAILED, data: `timeout: no answer within ${this.limits.timeoutMs} ms`, kind: 'timeout' };
      this.counts.timedOut++;
    } else if (s.kind === 'error') {
      this.deps.log.warn({ err: s.error, devId, fanout: this.spec.name }, 'fan-out device call failed');
      row = { devId, seq: i, status: statusOf(s.error), data: 'device call failed', kind: 'failed' };
      this.counts.failed++;
    } else {
      const ok = isSuccess(s.value.status);
      row = { devId, seq: i, status: s.value.status, data: cut(s.value.data, this.limits.maxDataBytes), kind: ok ? 'ok' : 'failed' };
      if (ok) this.counts.ok++;
      else this.counts.failed++;
    }
    this.results.set(devId, row);
    if (this.deps.signal.aborted) return;
    this.pending.push(row);
    if (this.pending.length >= this.limits.batchSize) this.flush();
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    this.deps.repo.record(this.spec.name, batch, this.counts);
  }
}

/** `text` cut to at most `max` UTF-8 bytes (never inside a character). */
export function cut(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  let s = Buffer.from(text).subarray(0, max).toString('utf8');
  if (s.endsWith('\ufffd')) s = s.slice(0, -1);
  return s;
}

/** The Status leaf: `<state>;total=N;completed=N;ok=N;failed=N;timeout=N`. */
export function statusText(c: FanoutCounts, completed: number): string {
  return `${c.state};total=${c.total};completed=${completed};ok=${c.ok};failed=${c.failed};timeout=${c.timedOut}`;
}
