import type { Logger } from '../core/logger.js';
import { displayUrl } from '../core/display-url.js';
import { BridgeError, statusOf } from '../core/errors.js';
import { Status } from '../core/status.js';
import type { Tree } from '../tree/tree.js';
import { parseUri } from '../tree/uri.js';
import type { Awaitable, ExecOutcome, NodeView, Outcome } from '../tree/types.js';
import type { Metrics } from '../core/metrics.js';
import { auditDm2, type AuditSink } from './audit.js';
import { countDm2 } from './command-metrics.js';
import type { AsyncExecResult } from './engine.js';
import { Dm2Error } from './dm2/errors.js';
import { decodeTree, parseJson } from './dm2/tree-json.js';
import { DEFAULT_DM2_LIMITS, type Dm2Command, type Dm2Entry, type Dm2Limits, type Dm2Result, type SubEvent, type TransferCmd } from './dm2-message.js';
import { applyTree, leafData, readSubtree } from './dm2-tree-io.js';

/** The MA's HTTP Data Repository (same TLS trust and credentials as the MA); failures throw. */
export interface DataRepository {
  fetch(href: string): Promise<Uint8Array>;
  send(method: 'PUT' | 'POST', href: string, body: Uint8Array): Promise<void>;
}

/** This MA's persisted subscriptions. */
export interface SubscriptionStore {
  add(uri: string, events: readonly SubEvent[]): void;
  /** False when there was no such subscription. */
  remove(uri: string): boolean;
}

export interface Dm2OpsOptions {
  tree: Tree;
  /** The MA's ServerID: every command runs as it (ACLs). */
  serverId: string;
  repo: DataRepository;
  subscriptions: SubscriptionStore;
  /** An EXEC answered 202 finished (the same hook as Engine's; becomes an alert with the correlator). */
  onAsyncResult?: (serverId: string, result: AsyncExecResult) => void;
  /** SHOW: true when the local status page lists the URL (202); absent or false -> 406 (headless). */
  onShow?: (href: string) => boolean;
  limits?: Dm2Limits;
  log?: Logger;
  /** Audit trail of the changes the commands made (AuditRepo of bridge/store). */
  audit?: AuditSink;
  /** Commands by name and status (/metrics). */
  metrics?: Metrics;
}

/**
 * Executes DM 2.0 commands in order against the shared tree as one ServerID; the one place where
 * DM 2.0 command failures become status codes (DM2-BINDING.md "Command semantics"). A failing
 * command only fails itself: the rest of the package still runs.
 */
export class Dm2Ops {
  private readonly limits: Dm2Limits;

  constructor(private readonly o: Dm2OpsOptions) {
    this.limits = o.limits ?? DEFAULT_DM2_LIMITS;
  }

  /** One result per entry with an id, in order (CONT/END and id-less invalid entries get none). */
  async execute(cmds: readonly Dm2Entry[]): Promise<Dm2Result[]> {
    const out: Dm2Result[] = [];
    for (const c of cmds) {
      if (c.cmd === 'CONT' || c.cmd === 'END') continue;
      if (c.cmd === 'INVALID') {
        this.o.log?.warn({ id: c.id, status: c.status, reason: c.reason }, 'DM 2.0 command refused');
        if (c.id !== undefined) out.push({ id: c.id, status: c.status });
        continue;
      }
      const cmd = c as Exclude<Dm2Command, { cmd: 'CONT' | 'END' }>;
      try {
        const r = this.one(cmd);
        out.push(r instanceof Promise ? await r : r);
      } catch (err) {
        this.o.log?.error({ err, id: cmd.id, cmd: cmd.cmd }, 'DM 2.0 command failed');
        out.push({ id: cmd.id, status: statusOf(err) });
      }
    }
    auditDm2(this.o.audit, this.o.serverId, cmds, out);
    countDm2(this.o.metrics, cmds, out);
    return out;
  }

  private one(c: Exclude<Dm2Command, { cmd: 'CONT' | 'END' }>): Awaitable<Dm2Result> {
    const { tree, serverId } = this.o;
    switch (c.cmd) {
      case 'GET':
        return this.get(c.id, c.uri);
      case 'DELETE':
        return status(c.id, tree.delete(c.uri, serverId));
      case 'EXEC':
        return status(c.id, this.exec(c));
      case 'HGET':
        return this.hget(c.id, c.uri, c.href);
      case 'HPUT':
      case 'HPOST':
        return this.hput(c.cmd, c.id, c.uri, c.href);
      case 'SUB':
        return this.sub(c.id, c.uri, c.events);
      case 'UNSUB':
        return { id: c.id, status: this.o.subscriptions.remove(canonical(c.uri)) ? Status.OK : Status.NOT_FOUND };
      case 'SHOW':
        return { id: c.id, status: this.o.onShow?.(c.href) ? Status.ACCEPTED : Status.OPTIONAL_FEATURE_NOT_SUPPORTED };
    }
  }

  private get(id: number, uri: string): Awaitable<Dm2Result> {
    const r = this.o.tree.get(uri, this.o.serverId);
    return r instanceof Promise ? r.then((o) => this.got(id, uri, o)) : this.got(id, uri, r);
  }

  /** A leaf's value, an interior node's subtree, or the failure's status. */
  private got(id: number, uri: string, o: Outcome<NodeView>): Awaitable<Dm2Result> {
    if (o.status !== Status.OK || !o.value) return { id, status: o.status };
    if (!o.value.children) return { id, status: Status.OK, data: leafData(o.value) };
    return readSubtree(this.o.tree, uri, this.o.serverId, this.limits.maxNodes, { log: this.o.log, root: o.value }).then((t) =>
      t.status === Status.OK && t.value ? { id, status: Status.OK, data: t.value as unknown as Dm2Result['data'] } : { id, status: t.status },
    );
  }

  private exec(c: Extract<Dm2Command, { cmd: 'EXEC' }>): Awaitable<ExecOutcome> {
    const { serverId } = this.o;
    const complete = (o: ExecOutcome): void => {
      const res: AsyncExecResult = { uri: c.uri, correlator: c.correlator, status: o.status };
      if (o.data !== undefined) res.data = o.data;
      this.o.onAsyncResult?.(serverId, res);
    };
    return this.o.tree.exec(c.uri, c.data, serverId, c.correlator === undefined ? { complete } : { correlator: c.correlator, complete });
  }

  private async hget(id: number, uri: string, href: string): Promise<Dm2Result> {
    let body: Uint8Array;
    try {
      body = await this.o.repo.fetch(href);
    } catch (err) {
      this.o.log?.warn({ id, href: displayUrl(href), err: (err as Error).message }, 'Data Repository GET failed');
      return { id, status: repoFailure(err) };
    }
    try {
      const node = decodeTree(parseJson(body, this.limits, 'Data Repository payload'), this.limits);
      const r = applyTree(this.o.tree, uri, node, this.o.serverId);
      if (r.status !== Status.OK) this.o.log?.info({ id, uri, status: r.status, reason: r.reason }, 'HGET not applied');
      return { id, status: r.status };
    } catch (err) {
      if (err instanceof Dm2Error) this.o.log?.warn({ id, href: displayUrl(href), reason: err.message }, 'Data Repository payload refused');
      return { id, status: statusOf(err) };
    }
  }

  private async hput(cmd: TransferCmd, id: number, uri: string, href: string): Promise<Dm2Result> {
    const t = await readSubtree(this.o.tree, uri, this.o.serverId, this.limits.maxNodes, { log: this.o.log });
    if (t.status !== Status.OK || !t.value) return { id, status: t.status };
    try {
      await this.o.repo.send(cmd === 'HPUT' ? 'PUT' : 'POST', href, Buffer.from(JSON.stringify(t.value), 'utf8'));
      return { id, status: Status.OK };
    } catch (err) {
      this.o.log?.warn({ id, href: displayUrl(href), err: (err as Error).message }, `Data Repository ${cmd} failed`);
      return { id, status: repoFailure(err) };
    }
  }

  private sub(id: number, uri: string, events: readonly SubEvent[]): Awaitable<Dm2Result> {
    const r = this.o.tree.get(uri, this.o.serverId);
    const done = (o: Awaited<typeof r>): Dm2Result => {
      if (o.status !== Status.OK || !o.value) return { id, status: o.status };
      this.o.subscriptions.add(o.value.uri, events);
      return { id, status: Status.OK };
    };
    return r instanceof Promise ? r.then(done) : done(r);
  }
}

function status(id: number, r: Awaitable<{ status: number }>): Awaitable<Dm2Result> {
  return r instanceof Promise ? r.then((o) => ({ id, status: o.status })) : { id, status: r.status };
}

/** "./A/B" and "A/B" name the same node for UNSUB: the tree's canonical form (SUB stores that). */
function canonical(uri: string): string {
  const p = parseUri(uri).value;
  return p && p.prop === undefined ? p.path : uri;
}

/** A Data Repository failure: 403 when the href's destination was refused (safe-destination), else 500. */
function repoFailure(err: unknown): number {
  return err instanceof BridgeError && err.code === 'DESTINATION_REFUSED' ? Status.FORBIDDEN : Status.COMMAND_FAILED;
}
