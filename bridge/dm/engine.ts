import type { Logger } from '../core/logger.js';
import { isSuccess, Status } from '../core/status.js';
import { statusOf } from '../core/errors.js';
import { andThen } from '../tree/awaitable.js';
import type { Tree } from '../tree/tree.js';
import type { ExecOutcome, Format, NodeInput, Outcome } from '../tree/types.js';
import type { Metrics } from '../core/metrics.js';
import { auditDm12, type AuditSink } from './audit.js';
import { countDm12 } from './command-metrics.js';
import { continues, takeChunk, type PendingObject } from './large-object.js';
import {
  AlertCode, type AlertCommand, type AlertDraft, type Command, type ContainerCommand, type Item, type ItemCommand,
  type Reply, type ResultsReply, type StatusReply,
} from './message.js';
import { answerUiAlert, isUiAlert } from './ui-alert.js';

export interface EngineOptions {
  tree: Tree;
  log?: Logger;
  /** Largest object we accept (our MaxObjSize), bytes. */
  maxObjSize?: number;
  /** An Exec answered 202 finished: queue its result for the authority (Generic Alert 1226). */
  onAsyncResult?: (serverId: string, result: AsyncExecResult) => void;
  /** Audit trail: the changes each message's commands made (AuditRepo of bridge/store). */
  audit?: AuditSink;
  /** Commands by name and status (/metrics). */
  metrics?: Metrics;
}

export interface AsyncExecResult {
  uri: string;
  correlator: string | undefined;
  status: number;
  data?: string;
}

export interface Execution {
  replies: Reply[];
  /** Client alerts to send back (e.g. 1225 when a chunked object was interrupted). */
  alerts: AlertDraft[];
}

type Awaitable<T> = T | Promise<T>;

/**
 * Executes decoded server commands against the tree as one ServerID — the one place where failures
 * become DM status codes. One `EngineSession` per DM session (it holds a chunked object in transit).
 */
export class Engine {
  constructor(private readonly o: EngineOptions) {}

  open(serverId: string): EngineSession {
    return new EngineSession(this.o, serverId);
  }
}

export class EngineSession {
  private pending: PendingObject | null = null;
  private readonly maxObj: number;

  constructor(
    private readonly o: EngineOptions,
    readonly serverId: string,
  ) {
    this.maxObj = o.maxObjSize ?? 4 * 1024 * 1024;
  }

  /** Execute one server message's commands in order; one Status per command (unless NoResp). */
  async execute(commands: readonly Command[]): Promise<Execution> {
    const out: Execution = { replies: [], alerts: [] };
    for (const cmd of commands) {
      try {
        await this.one(cmd, out);
      } catch (err) {
        this.o.log?.error({ err, cmd: cmd.cmd, cmdId: cmd.cmdId }, 'command failed');
        reply(out, cmd, statusOf(err));
      }
    }
    auditDm12(this.o.audit, this.serverId, out.replies);
    countDm12(this.o.metrics, out.replies);
    return out;
  }

  /** The session ended: a chunked object still in transit is dropped (never committed). */
  close(): boolean {
    const had = this.pending !== null;
    this.pending = null;
    return had;
  }

  private async one(cmd: Command, out: Execution): Promise<void> {
    if (this.pending && !(isItemCmd(cmd) && continues(this.pending, cmd))) {
      out.alerts.push({ cmd: 'Alert', data: AlertCode.NO_END_OF_DATA, items: [{ target: { locUri: this.pending.target } }] });
      this.pending = null;
    }
    switch (cmd.cmd) {
      case 'Get':
        return this.get(cmd, out);
      case 'Add':
      case 'Replace':
        return this.write(cmd, out);
      case 'Delete':
        return void reply(out, cmd, await this.each(cmd, (uri) => this.o.tree.delete(uri, this.serverId)));
      case 'Exec':
        return this.exec(cmd, out);
      case 'Copy':
        return void reply(out, cmd, await this.each(cmd, (uri, item) => this.copy(uri, item)));
      case 'Alert':
        return void push(out, cmd, this.alert(cmd));
      case 'Sequence':
        return this.sequence(cmd, out);
      case 'Atomic':
        return void this.atomic(cmd, out);
      case 'Status':
      case 'Results':
        return; // answers to our own commands: the session reads them
    }
  }

  private async get(cmd: ItemCommand, out: Execution): Promise<void> {
    const items: Item[] = [];
    let code: number = Status.OK;
    for (const item of cmd.items) {
      const uri = item.target?.locUri;
      if (!uri) {
        code = Status.INCOMPLETE_COMMAND;
        break;
      }
      const r = await this.o.tree.get(uri, this.serverId);
      if (r.status !== Status.OK || !r.value) {
        code = r.status;
        break;
      }
      const v = r.value;
      const data = v.children ? v.children.join('/') : v.value ?? '';
      items.push({ source: { locUri: uri }, meta: { format: v.format, type: v.type || (v.children ? '' : 'text/plain') }, data });
    }
    reply(out, cmd, code);
    if (code === Status.OK && !cmd.noResp) {
      const res: ResultsReply = { cmd: 'Results', cmdRef: cmd.cmdId, items };
      out.replies.push(res);
    }
  }

  private async write(cmd: ItemCommand, out: Execution): Promise<void> {
    const item = cmd.items[0];
    if (cmd.items.length === 1 && item && (item.moreData || this.pending)) {
      const r = takeChunk(this.pending, cmd, item, this.maxObj);
      this.pending = r.pending;
      if (r.step.kind === 'buffered') return void reply(out, cmd, r.step.status);
      if (r.step.kind === 'error') return void reply(out, cmd, r.step.status);
      const whole: Item = { ...item, data: r.step.data, moreData: false };
      return void reply(out, cmd, await this.apply(cmd, whole));
    }
    reply(out, cmd, await this.each(cmd, (_uri, it) => this.apply(cmd, it)));
  }

  private apply(cmd: ItemCommand, item: Item): Awaitable<number> {
    const uri = item.target?.locUri;
    if (!uri) return Status.INCOMPLETE_COMMAND;
    const size = item.meta?.size ?? cmd.meta?.size;
    if (size !== undefined && size > this.maxObj) return Status.REQUEST_ENTITY_TOO_LARGE;
    const input = nodeInput(cmd, item);
    const r = cmd.cmd === 'Add' ? this.o.tree.add(uri, input, this.serverId) : this.o.tree.replace(uri, input, this.serverId);
    return code(r);
  }

  private async exec(cmd: ItemCommand, out: Execution): Promise<void> {
    const item = cmd.items[0];
    const uri = item?.target?.locUri;
    if (!uri || cmd.items.length !== 1) return void reply(out, cmd, Status.INCOMPLETE_COMMAND);
    const report = this.o.onAsyncResult;
    const complete = (o: ExecOutcome): void => {
      const res: AsyncExecResult = { uri, correlator: cmd.correlator, status: o.status };
      if (o.data !== undefined) res.data = o.data;
      report?.(this.serverId, res);
    };
    const opts = cmd.correlator === undefined ? { complete } : { correlator: cmd.correlator, complete };
    const r = await this.o.tree.exec(uri, item.data, this.serverId, opts);
    reply(out, cmd, r.status);
  }

  private copy(target: string, item: Item): Awaitable<number> {
    const source = item.source?.locUri;
    if (!source) return Status.INCOMPLETE_COMMAND;
    const tree = this.o.tree;
    return andThen(tree.get(source, this.serverId), (src) => {
      if (src.status !== Status.OK || !src.value) return src.status;
      const v = src.value;
      if (v.children) return Status.OPTIONAL_FEATURE_NOT_SUPPORTED; // copying subtrees is not supported
      const input: NodeInput = { format: v.format, type: v.type, data: v.value ?? '' };
      return andThen(tree.exists(target), (present) =>
        code(present ? tree.replace(target, input, this.serverId) : tree.add(target, input, this.serverId)),
      );
    });
  }

  private alert(cmd: AlertCommand): StatusReply {
    if (isUiAlert(cmd.data)) {
      const a = answerUiAlert(cmd);
      const s = status(cmd, a.status);
      if (a.items) s.items = a.items;
      return s;
    }
    return status(cmd, Status.OPTIONAL_FEATURE_NOT_SUPPORTED);
  }

  private async sequence(cmd: ContainerCommand, out: Execution): Promise<void> {
    reply(out, cmd, Status.OK);
    for (const sub of cmd.commands) {
      try {
        await this.one(sub, out);
      } catch (err) {
        reply(out, sub, statusOf(err));
      }
    }
  }

  /**
   * Atomic (PROTOCOL.md §2.5): all or nothing. A nested Atomic or a Get inside -> 500 and nothing runs.
   * Otherwise every sub-command runs in one tree transaction; on any failure it is rolled back,
   * the failing command keeps its code, the others report 216 and the Atomic 507.
   */
  private atomic(cmd: ContainerCommand, out: Execution): void {
    const forbidden = cmd.commands.some((c) => c.cmd === 'Atomic' || c.cmd === 'Get' || c.cmd === 'Sequence');
    if (forbidden) {
      reply(out, cmd, Status.COMMAND_FAILED);
      notExecuted(out, cmd.commands);
      return;
    }
    const { result: codes, committed } = this.o.tree.atomic(
      () => cmd.commands.map((sub) => this.atomicOne(sub)),
      (list) => list.every((c) => isSuccess(c)),
    );
    reply(out, cmd, committed ? Status.OK : Status.ATOMIC_FAILED);
    cmd.commands.forEach((sub, i) => {
      const c = codes[i] ?? Status.COMMAND_FAILED;
      reply(out, sub, committed || !isSuccess(c) ? c : Status.ATOMIC_ROLLBACK_OK);
    });
  }

  /** One sub-command of an Atomic, synchronously (a provider that would block answers 500). */
  private atomicOne(sub: Command): number {
    const sync = (v: Awaitable<number>): number => (v instanceof Promise ? Status.COMMAND_FAILED : v);
    const items = 'items' in sub ? (sub.items ?? []) : [];
    switch (sub.cmd) {
      case 'Add':
      case 'Replace':
        if (items.some((i) => i.moreData)) return Status.COMMAND_FAILED;
        return firstFailure(items.map((it) => sync(this.apply(sub, it))));
      case 'Delete':
        return firstFailure(items.map((it) => sync(code(this.o.tree.delete(it.target?.locUri ?? '', this.serverId)))));
      case 'Copy':
        return firstFailure(items.map((it) => sync(this.copy(it.target?.locUri ?? '', it))));
      case 'Alert':
        return Number(this.alert(sub).data);
      default:
        return Status.COMMAND_FAILED;
    }
  }

  private async each(cmd: ItemCommand, fn: (uri: string, item: Item) => Awaitable<Outcome | number>): Promise<number> {
    if (cmd.items.length === 0) return Status.INCOMPLETE_COMMAND;
    let result: number = Status.OK;
    for (const item of cmd.items) {
      const uri = item.target?.locUri;
      if (!uri) return Status.INCOMPLETE_COMMAND;
      const r = await fn(uri, item);
      const c = typeof r === 'number' ? r : r.status;
      if (!isSuccess(c)) return c;
      result = c;
    }
    return result;
  }
}

function isItemCmd(c: Command): c is ItemCommand {
  return c.cmd === 'Add' || c.cmd === 'Replace' || c.cmd === 'Delete' || c.cmd === 'Get' || c.cmd === 'Exec' || c.cmd === 'Copy';
}

function nodeInput(cmd: ItemCommand, item: Item): NodeInput {
  const format = item.meta?.format ?? cmd.meta?.format;
  const type = item.meta?.type ?? cmd.meta?.type;
  const input: NodeInput = {};
  if (format !== undefined) input.format = format as Format;
  if (type !== undefined) input.type = type;
  if (item.data !== undefined) input.data = item.data;
  return input;
}

function status(cmd: Command, code: number): StatusReply {
  const s: StatusReply = { cmd: 'Status', cmdRef: cmd.cmdId, refCmd: cmd.cmd, data: String(code) };
  if ('items' in cmd && cmd.cmd !== 'Results') {
    const list = cmd.items ?? [];
    const targets = list.map((i) => i.target?.locUri).filter((u): u is string => u !== undefined);
    const sources = list.map((i) => i.source?.locUri).filter((u): u is string => u !== undefined);
    if (targets.length > 0 && cmd.cmd !== 'Alert') s.targetRefs = targets;
    if (sources.length > 0 && cmd.cmd !== 'Alert') s.sourceRefs = sources;
  }
  return s;
}

/** 215 for commands (and everything nested in them) that were not run. */
function notExecuted(out: Execution, cmds: readonly Command[]): void {
  for (const sub of cmds) {
    reply(out, sub, Status.NOT_EXECUTED);
    if (sub.cmd === 'Atomic' || sub.cmd === 'Sequence') notExecuted(out, sub.commands);
  }
}

/** Add a Status unless the command asked for none (NoResp). */
function push(out: Execution, cmd: Command, s: StatusReply): void {
  if (!('noResp' in cmd && cmd.noResp)) out.replies.push(s);
}

function reply(out: Execution, cmd: Command, code: number): void {
  push(out, cmd, status(cmd, code));
}

function code(r: Awaitable<Outcome>): Awaitable<number> {
  return r instanceof Promise ? r.then((o) => o.status) : r.status;
}

function firstFailure(codes: number[]): number {
  if (codes.length === 0) return Status.INCOMPLETE_COMMAND;
  return codes.find((c) => !isSuccess(c)) ?? codes[0]!;
}
