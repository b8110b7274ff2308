import type { Logger } from '../core/logger.js';
import { Status } from '../core/status.js';
import type { FanoutField, FanoutRepo, FanoutResultRow, FanoutRow } from '../store/fanout-repo.js';
import { andThen } from '../tree/awaitable.js';
import type { NodeInfo, OpContext, Provider } from '../tree/provider.js';
import type { Tree } from '../tree/tree.js';
import type { Awaitable, ExecContext, ExecOutcome, NodeInput, Outcome } from '../tree/types.js';
import { COMMANDS, FanoutRun, statusText, type FanoutCommand, type RunLimits } from './run.js';
import { checkPath, parseTarget, resolveTargets } from './targets.js';

export const FANOUT_ROOT = './GwMO/Fanout';
export const FANOUT_TYPE = 'org.dmbridge/1.0/Fanout';
/** The leaves an authority adds, and the column each is kept in. */
export const INPUT_LEAVES: Readonly<Record<string, FanoutField>> = { Command: 'command', Target: 'target', Path: 'path', Data: 'data' };
const INPUT_ORDER = ['Command', 'Target', 'Path', 'Data'] as const;

export interface FanoutLimits extends RunLimits {
  /** Most devices one run may address (413 beyond). */
  maxTargets: number;
  /** Most fan-out nodes one authority may keep (420 beyond). */
  maxPerOwner: number;
}

export const DEFAULT_FANOUT_LIMITS: FanoutLimits = {
  concurrency: 32, timeoutMs: 10_000, maxDataBytes: 1024, batchSize: 100, maxTargets: 10_000, maxPerOwner: 64,
};

export interface FanoutDeps {
  repo: FanoutRepo;
  tree: Tree;
  log: Logger;
  now: () => number;
  signal: AbortSignal;
  limits: FanoutLimits;
}

const interior = (children: readonly string[], type: string, permanent: boolean, access: NodeInfo['access']): NodeInfo =>
  ({ format: 'node', type, permanent, access, children });
const leaf = (value: string, access: NodeInfo['access'], permanent = true): NodeInfo =>
  ({ format: 'chr', type: 'text/plain', permanent, access, value });
const NOT_ALLOWED: Outcome = { status: Status.COMMAND_NOT_ALLOWED };

/**
 * ./GwMO/Fanout: one interior node per fan-out. An authority adds `<x>` and its leaves Command
 * (Get|Replace|Exec), Target (DevIDs and `Groups/<GroupID>`, comma-separated), Path (relative to each
 * device node, e.g. `MO/Services/<id>/State/<var>`) and Data (the Replace value or the Exec argument);
 * `Exec` runs it (202, then a Generic Alert 1226 with the Exec's Correlator); `Status` and
 * `Results/<DevID>/{Status,Data}` report it. Definitions and results live in the store.
 */
export class FanoutProvider implements Provider {
  readonly transactional = true;
  /** Runs in progress, by fan-out name. */
  readonly live = new Map<string, FanoutRun>();
  /** Settles when a run ends (tests and the bench wait on it). */
  readonly finished = new Map<string, Promise<void>>();

  constructor(private readonly d: FanoutDeps) {}

  node(segs: readonly string[]): NodeInfo | undefined {
    const [name, child, devId, field, ...rest] = segs;
    if (name === undefined) return interior(this.d.repo.names(), '', true, ['Add', 'Get']);
    const row = this.d.repo.get(name);
    if (!row) return undefined;
    if (child === undefined) {
      const present = INPUT_ORDER.filter((l) => row[INPUT_LEAVES[l]!] !== null);
      return interior([...present, 'Exec', 'Status', 'Results'], FANOUT_TYPE, false, ['Add', 'Delete', 'Get', 'Replace']);
    }
    const col = INPUT_LEAVES[child];
    if (col !== undefined) {
      const v = row[col];
      return devId === undefined && v !== null ? leaf(v, ['Delete', 'Get', 'Replace'], false) : undefined;
    }
    if (devId === undefined) {
      if (child === 'Exec') return leaf('', ['Exec']);
      if (child === 'Status') return leaf(this.statusOf(row), ['Get']);
      if (child === 'Results') return interior(this.results(row).map((r) => r.devId), '', true, ['Get']);
      return undefined;
    }
    if (child !== 'Results' || rest.length > 0) return undefined;
    const r = this.result(row, devId);
    if (!r) return undefined;
    if (field === undefined) return interior(['Status', 'Data'], '', true, ['Get']);
    if (field === 'Status') return leaf(String(r.status), ['Get']);
    if (field === 'Data') return leaf(r.data, ['Get']);
    return undefined;
  }

  add(segs: readonly string[], input: Required<Pick<NodeInput, 'format'>> & NodeInput, ctx: OpContext): Outcome {
    const [name, child, ...rest] = segs;
    if (name === undefined || rest.length > 0) return NOT_ALLOWED;
    if (child === undefined) {
      if (input.format !== 'node') return { status: Status.COMMAND_NOT_ALLOWED, reason: 'a fan-out is an interior node' };
      if (this.d.repo.countOwnedBy(ctx.principal) >= this.d.limits.maxPerOwner) {
        return { status: Status.DEVICE_FULL, reason: `at most ${this.d.limits.maxPerOwner} fan-outs per authority` };
      }
      this.d.repo.insert(name, ctx.principal, this.d.now());
      return { status: Status.OK };
    }
    const col = INPUT_LEAVES[child];
    if (col === undefined) return { status: Status.COMMAND_NOT_ALLOWED, reason: `unknown fan-out leaf "${child}"` };
    if (input.format === 'node') return { status: Status.COMMAND_NOT_ALLOWED, reason: `${child} is a leaf` };
    return this.write(name, col, input.data ?? '');
  }

  replace(segs: readonly string[], input: NodeInput): Outcome {
    const [name, child, ...rest] = segs;
    const col = child === undefined ? undefined : INPUT_LEAVES[child];
    if (name === undefined || col === undefined || rest.length > 0) return NOT_ALLOWED;
    return this.write(name, col, input.data ?? '');
  }

  delete(segs: readonly string[]): Outcome {
    const [name, child, ...rest] = segs;
    if (name === undefined || rest.length > 0) return NOT_ALLOWED;
    if (child === undefined) {
      if (this.live.has(name)) return { status: Status.COMMAND_FAILED, reason: 'the fan-out is running' };
      if (!this.d.repo.delete(name)) return { status: Status.NOT_FOUND };
      this.finished.delete(name); // a deleted fan-out's last run is kept nowhere (names are external input)
      return { status: Status.OK };
    }
    const col = INPUT_LEAVES[child];
    if (col === undefined) return NOT_ALLOWED;
    return this.d.repo.setField(name, col, null) ? { status: Status.OK } : { status: Status.NOT_FOUND };
  }

  exec(segs: readonly string[], data: string | undefined, ctx: ExecContext): Awaitable<ExecOutcome> {
    const [name, child, ...rest] = segs;
    if (name === undefined || child !== 'Exec' || rest.length > 0) return NOT_ALLOWED;
    const row = this.d.repo.get(name);
    if (!row) return { status: Status.NOT_FOUND };
    if (this.live.has(name)) return { status: Status.COMMAND_FAILED, reason: 'the fan-out is already running' };
    for (const l of ['Command', 'Target', 'Path'] as const) {
      if (row[INPUT_LEAVES[l]!] === null) return { status: Status.INCOMPLETE_COMMAND, reason: `${l} is missing` };
    }
    const tokens = parseTarget(row.target!);
    if (!tokens.value) return { status: tokens.status, reason: tokens.reason ?? 'bad Target' };
    return andThen(resolveTargets(this.d.tree, tokens.value, ctx.principal), (t): ExecOutcome => {
      if (!t.value) return { status: t.status, reason: t.reason ?? 'Target not resolved' };
      if (t.value.length > this.d.limits.maxTargets) {
        return { status: Status.REQUEST_ENTITY_TOO_LARGE, reason: `at most ${this.d.limits.maxTargets} devices per fan-out` };
      }
      if (this.live.has(name)) return { status: Status.COMMAND_FAILED, reason: 'the fan-out is already running' };
      this.start(row, t.value, row.data ?? data, ctx);
      return { status: Status.ACCEPTED };
    });
  }

  /** The Status leaf of a fan-out. */
  statusOf(row: FanoutRow): string {
    const run = this.live.get(row.name);
    if (run) return statusText(run.counts, run.completed);
    return statusText(row, row.ok + row.failed + row.timedOut);
  }

  private start(row: FanoutRow, devIds: string[], data: string | undefined, ctx: ExecContext): void {
    const { repo, tree, log, now, signal, limits } = this.d;
    repo.start(row.name, devIds.length, ctx.principal, ctx.correlator ?? null, now());
    const spec = { name: row.name, command: row.command as FanoutCommand, path: row.path!, data, devIds, as: ctx.principal };
    const run = new FanoutRun(spec, { tree, repo, log, now, signal }, limits);
    this.live.set(row.name, run);
    log.info({ fanout: row.name, command: spec.command, devices: devIds.length, by: ctx.principal }, 'fan-out started');
    const done = run.run().then(
      (c) => {
        this.live.delete(row.name);
        if (signal.aborted) return;
        log.info({ fanout: row.name, ok: c.ok, failed: c.failed, timeout: c.timedOut, maxInFlight: run.maxInFlight }, 'fan-out done');
        const status = c.failed + c.timedOut === 0 ? Status.OK : Status.COMMAND_FAILED;
        ctx.complete?.({ status, data: statusText(c, run.completed) });
      },
      (err: unknown) => {
        this.live.delete(row.name);
        log.error({ err, fanout: row.name }, 'fan-out failed');
        if (!signal.aborted) ctx.complete?.({ status: Status.COMMAND_FAILED, reason: 'fan-out failed' });
      },
    );
    this.finished.set(row.name, done);
  }

  private write(name: string, col: FanoutField, value: string): Outcome {
    const check = validate(col, value);
    if (check.status !== Status.OK) return check;
    const v = col === 'command' ? COMMANDS.find((c) => c.toLowerCase() === value.trim().toLowerCase())! : value;
    return this.d.repo.setField(name, col, v) ? { status: Status.OK } : { status: Status.NOT_FOUND };
  }

  private results(row: FanoutRow): FanoutResultRow[] {
    const run = this.live.get(row.name);
    if (!run) return this.d.repo.results(row.name);
    return [...run.results.values()].sort((a, b) => a.seq - b.seq);
  }

  private result(row: FanoutRow, devId: string): FanoutResultRow | undefined {
    const run = this.live.get(row.name);
    return run ? run.results.get(devId) : this.d.repo.result(row.name, devId);
  }
}

function validate(col: FanoutField, value: string): Outcome {
  if (col === 'command') {
    if (COMMANDS.some((c) => c.toLowerCase() === value.trim().toLowerCase())) return { status: Status.OK };
    return { status: Status.BAD_REQUEST, reason: 'Command is Get, Replace or Exec' };
  }
  if (col === 'target') {
    const t = parseTarget(value);
    return t.value ? { status: Status.OK } : { status: t.status, reason: t.reason ?? 'bad Target' };
  }
  if (col === 'path') return checkPath(value);
  return { status: Status.OK };
}
