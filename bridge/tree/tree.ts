import { Status } from '../core/status.js';
import type { BridgeEvents, TypedEmitter } from '../core/events.js';
import type { Store } from '../store/db.js';
import { adderAcl, serializeAcl } from './acl.js';
import type { AclTable } from './acl-table.js';
import { changed, held, NOT_TRANSACTIONAL, runAtomic, type ChangeOp } from './atomic.js';
import { andThen } from './awaitable.js';
import type { Journal } from './journal.js';
import { MountTable } from './mount-table.js';
import { ctx, fail, supports, type TreeScope } from './op-helpers.js';
import { getProperty, replaceProperty } from './property-ops.js';
import type { NodeInfo, Provider } from './provider.js';
import type { StaticProvider } from './static-provider.js';
import type {
  Awaitable, ExecContext, ExecOutcome, Format, NodeInput, NodeView, Outcome, Principal,
} from './types.js';
import { parentPath, parseUri, ROOT, type UriLimits } from './uri.js';
import { checkValue } from './values.js';

export interface TreeOptions {
  store: Store;
  statics: StaticProvider;
  acls: AclTable;
  journal: Journal;
  events: TypedEmitter<BridgeEvents>;
  limits: UriLimits;
  /** Largest leaf value accepted, in bytes (413 beyond). */
  maxLeafSize?: number;
}

/**
 * The management tree, evaluated as one principal per call: URI rules, node properties, ACLs and
 * dispatch to the provider that owns each subtree. Every operation answers with a DM status.
 * Mount resolution lives in mount-table.ts, Atomic handling in atomic.ts, ?prop= operations in
 * property-ops.ts.
 */
export class Tree {
  private readonly mounts: MountTable;
  private readonly scope: TreeScope;
  private readonly maxLeaf: number;

  constructor(private readonly o: TreeOptions) {
    this.maxLeaf = o.maxLeafSize ?? 4 * 1024 * 1024;
    this.mounts = new MountTable(o.statics, o.journal);
    this.scope = { acls: o.acls, journal: o.journal, events: o.events, mounts: this.mounts };
  }

  get limits(): UriLimits {
    return this.o.limits;
  }

  get acls(): AclTable {
    return this.o.acls;
  }

  /** Attach a provider's subtree at `path`; its ancestors become permanent interior nodes. */
  mount(path: string, provider: Provider): void {
    this.mounts.mount(path, provider);
  }

  unmount(path: string): void {
    this.mounts.unmount(path);
  }

  get(uri: string, as: Principal): Awaitable<Outcome<NodeView>> {
    const p = parseUri(uri, this.o.limits);
    if (!p.value) return fail(p);
    const { path, prop } = p.value;
    if (this.mounts.liveInAtomic(path)) return { status: NOT_TRANSACTIONAL.status, reason: 'a device node cannot be read inside Atomic' };
    const info = this.mounts.lookup(path);
    return info instanceof Promise ? info.then((i) => this.view(path, prop, i, as)) : this.view(path, prop, info, as);
  }

  add(uri: string, input: NodeInput, as: Principal): Awaitable<Outcome> {
    const p = parseUri(uri, this.o.limits);
    if (!p.value) return fail(p);
    if (p.value.prop !== undefined) return { status: Status.COMMAND_NOT_ALLOWED, reason: 'properties cannot be added' };
    const { path } = p.value;
    if (path === ROOT) return { status: Status.ALREADY_EXISTS };
    if (this.mounts.liveInAtomic(path)) return NOT_TRANSACTIONAL;
    const format: Format = (input.format ?? 'chr') as Format;
    const check = format === 'node' ? checkValue('node', '') : checkValue(format, input.data);
    if (check.status !== Status.OK) return check;
    if (format !== 'node' && Buffer.byteLength(input.data ?? '') > this.maxLeaf) return { status: Status.REQUEST_ENTITY_TOO_LARGE };
    return andThen(this.mounts.lookup(path), (existing) => {
      if (existing) return { status: Status.ALREADY_EXISTS };
      return andThen(this.mounts.nearestExisting(path), (anc) => {
        if (!anc) return { status: Status.NOT_FOUND };
        if (!anc.info.children) return { status: Status.NOT_FOUND, reason: `${anc.path} is a leaf` };
        if (!supports(anc.info, 'Add')) return { status: Status.COMMAND_NOT_ALLOWED };
        if (!this.o.acls.allows(anc.path, 'Add', as)) return { status: Status.PERMISSION_DENIED };
        return this.create(path, anc.path, { ...input, format }, as);
      });
    });
  }

  replace(uri: string, input: NodeInput, as: Principal): Awaitable<Outcome> {
    const p = parseUri(uri, this.o.limits);
    if (!p.value) return fail(p);
    const { path, prop } = p.value;
    if (this.mounts.liveInAtomic(path)) return NOT_TRANSACTIONAL;
    return andThen(this.mounts.lookup(path), (info) => {
      if (!info) return { status: Status.NOT_FOUND };
      if (prop !== undefined) return replaceProperty(this.scope, path, prop, input.data ?? '', info, as);
      if (info.children) return { status: Status.COMMAND_NOT_ALLOWED, reason: 'Replace of an interior node' };
      if (!supports(info, 'Replace')) return { status: Status.COMMAND_NOT_ALLOWED };
      if (!this.o.acls.allows(path, 'Replace', as)) return { status: Status.PERMISSION_DENIED };
      const format = input.format ?? info.format;
      if (format === 'node') return { status: Status.COMMAND_NOT_ALLOWED, reason: 'a leaf cannot become interior' };
      const check = checkValue(format, input.data);
      if (check.status !== Status.OK) return check;
      if (Buffer.byteLength(input.data ?? '') > this.maxLeaf) return { status: Status.REQUEST_ENTITY_TOO_LARGE };
      const r = this.mounts.resolve(path);
      if (!r.provider.replace) return { status: Status.COMMAND_NOT_ALLOWED };
      if (this.o.journal.active && !r.provider.transactional) return NOT_TRANSACTIONAL;
      return andThen(this.held(r.provider.replace(r.rel, { ...input, format }, ctx(as))), (out) => this.changed(out, path, 'Replace', as));
    });
  }

  delete(uri: string, as: Principal): Awaitable<Outcome> {
    const p = parseUri(uri, this.o.limits);
    if (!p.value) return fail(p);
    const { path, prop } = p.value;
    if (prop !== undefined) return { status: Status.COMMAND_NOT_ALLOWED, reason: 'properties cannot be deleted' };
    if (path === ROOT) return { status: Status.COMMAND_NOT_ALLOWED };
    if (this.mounts.liveInAtomic(path)) return NOT_TRANSACTIONAL;
    return andThen(this.mounts.lookup(path), (info) => {
      if (!info) return { status: Status.NOT_FOUND };
      if (info.permanent || !supports(info, 'Delete')) return { status: Status.COMMAND_NOT_ALLOWED, reason: 'permanent node' };
      if (this.mounts.hasMountWithin(path, true)) return { status: Status.COMMAND_NOT_ALLOWED };
      if (!this.o.acls.allows(path, 'Delete', as)) return { status: Status.PERMISSION_DENIED };
      const r = this.mounts.resolve(path);
      if (!r.provider.delete) return { status: Status.COMMAND_NOT_ALLOWED };
      if (this.o.journal.active && !r.provider.transactional) return NOT_TRANSACTIONAL;
      return andThen(this.held(r.provider.delete(r.rel, ctx(as))), (out) => {
        if (out.status === Status.OK) this.o.acls.deleteSubtree(path);
        return this.changed(out, path, 'Delete', as);
      });
    });
  }

  exec(uri: string, data: string | undefined, as: Principal, opts: Omit<ExecContext, 'principal'> = {}): Awaitable<ExecOutcome> {
    const p = parseUri(uri, this.o.limits);
    if (!p.value) return fail(p);
    const { path, prop } = p.value;
    if (prop !== undefined) return { status: Status.COMMAND_NOT_ALLOWED, reason: 'properties cannot be executed' };
    if (this.mounts.liveInAtomic(path)) return NOT_TRANSACTIONAL;
    return andThen(this.mounts.lookup(path), (info): Awaitable<ExecOutcome> => {
      if (!info) return { status: Status.NOT_FOUND };
      const r = this.mounts.resolve(path);
      if (!r.provider.exec || !supports(info, 'Exec')) return { status: Status.COMMAND_NOT_ALLOWED, reason: 'node is not executable' };
      if (!this.o.acls.allows(path, 'Exec', as)) return { status: Status.PERMISSION_DENIED };
      return this.held(r.provider.exec(r.rel, data, { ...opts, principal: as }));
    });
  }

  /** Is the node at `uri` present (as the local operator)? Inside Atomic, a live device node answers false. */
  exists(uri: string): Awaitable<boolean> {
    const p = parseUri(uri, this.o.limits);
    if (!p.value) return false;
    if (this.mounts.liveInAtomic(p.value.path)) return false;
    return andThen(this.mounts.lookup(p.value.path), (i) => i !== undefined);
  }

  /**
   * Run fn as one all-or-nothing unit (Atomic): store writes share one transaction and the in-memory
   * caches are journaled; when `keep` says no (or fn throws) everything is rolled back.
   * Only synchronous, transactional providers can take part; others answer 500 inside. A live
   * device node (Provider.deviceServed) is never called inside: every operation on it answers 500 and
   * exists() false, so no device call starts, nothing is left running and nothing can reject
   * unobserved after the transaction.
   */
  atomic<T>(fn: () => T, keep: (result: T) => boolean): { result: T; committed: boolean } {
    return runAtomic(this.o.journal, this.o.store, fn, keep);
  }

  get inAtomic(): boolean {
    return this.o.journal.active;
  }

  /** Remove a ServerID from every ACL (its account was deleted). */
  removeServerId(serverId: string): number {
    return this.o.acls.removeServerId(serverId);
  }

  // ---- internals ----

  /** What a Get of `path` (or of its property `prop`) answers, given the node's info. */
  private view(path: string, prop: string | undefined, info: NodeInfo | undefined, as: Principal): Outcome<NodeView> {
    if (!info) return { status: Status.NOT_FOUND };
    if (prop !== undefined) return getProperty(this.scope, path, prop, info, as);
    if (info.secret || !supports(info, 'Get')) return { status: Status.COMMAND_NOT_ALLOWED, reason: 'node is not readable' };
    if (!this.o.acls.allows(path, 'Get', as)) return { status: Status.PERMISSION_DENIED };
    if (info.children) {
      return { status: Status.OK, value: { uri: path, format: 'node', type: info.type, children: this.mounts.childrenOf(path, info) } };
    }
    return { status: Status.OK, value: { uri: path, format: info.format, type: info.type, value: info.value ?? '' } };
  }

  /** Create `path` (and missing interior parents below `anchor`), applying the interior-Add ACL rule. */
  private create(path: string, anchor: string, input: NodeInput & { format: Format }, as: Principal): Awaitable<Outcome> {
    const chain: string[] = [];
    for (let p: string | undefined = path; p !== undefined && p !== anchor; p = parentPath(p)) chain.unshift(p);
    const r = this.mounts.resolve(path);
    const parentResolve = this.mounts.resolve(anchor);
    if (r.provider !== parentResolve.provider && chain.length > 1) return { status: Status.NOT_FOUND };
    if (!r.provider.add) return { status: Status.COMMAND_NOT_ALLOWED };
    if (this.o.journal.active && !r.provider.transactional) return NOT_TRANSACTIONAL;
    const c = ctx(as);
    const step = (i: number): Awaitable<Outcome> => {
      const p = chain[i]!;
      const last = i === chain.length - 1;
      const rel = this.mounts.resolve(p).rel;
      const spec = last ? input : { format: 'node' as Format };
      return andThen(this.held(r.provider.add!(rel, spec, c)), (out) => {
        if (out.status !== Status.OK) return out;
        if (as !== null && spec.format === 'node' && !this.o.acls.allows(parentPath(p)!, 'Replace', as)) {
          this.o.acls.set(p, serializeAcl(adderAcl(as)));
        }
        this.changed(out, p, 'Add', as);
        return last ? out : step(i + 1);
      });
    };
    return step(0);
  }

  private held<T extends Outcome>(v: Awaitable<T>): Awaitable<T | Outcome> {
    return held(this.o.journal, v);
  }

  private changed(out: Outcome, uri: string, op: ChangeOp, by: Principal): Outcome {
    return changed(this.o.journal, this.o.events, out, uri, op, by);
  }
}
