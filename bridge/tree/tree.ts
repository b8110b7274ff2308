import { Status } from '../core/status.js';
import type { BridgeEvents, TypedEmitter } from '../core/events.js';
import type { Store } from '../store/db.js';
import { adderAcl, serializeAcl } from './acl.js';
import type { AclTable } from './acl-table.js';
import { andThen } from './awaitable.js';
import type { Journal } from './journal.js';
import {
  checkNewName, checkPropertyReplace, checkTitle, isProperty, propertyValue, replaceAcl,
} from './properties.js';
import type { NodeInfo, OpContext, Provider } from './provider.js';
import type { StaticProvider } from './static-provider.js';
import type {
  Awaitable, ExecContext, ExecOutcome, Format, NodeInput, NodeView, Outcome, Principal, Right,
} from './types.js';
import { childPath, isWithin, nameOf, parentPath, parseUri, ROOT, type ParsedUri, type UriLimits } from './uri.js';
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

interface Mount {
  path: string;
  provider: Provider;
}

interface Resolved {
  provider: Provider;
  rel: string[];
}

const NOT_TRANSACTIONAL: Outcome = { status: Status.COMMAND_FAILED, reason: 'node cannot take part in Atomic' };
const ROLLBACK = Symbol('rollback');

/**
 * The management tree, evaluated as one principal per call: URI rules, node properties, ACLs and
 * dispatch to the provider that owns each subtree. Every operation answers with a DM status.
 */
export class Tree {
  private readonly mounts: Mount[] = [];
  private readonly mountNames = new Map<string, Set<string>>();
  private readonly maxLeaf: number;

  constructor(private readonly o: TreeOptions) {
    this.maxLeaf = o.maxLeafSize ?? 4 * 1024 * 1024;
  }

  get limits(): UriLimits {
    return this.o.limits;
  }

  get acls(): AclTable {
    return this.o.acls;
  }

  /** Attach a provider's subtree at `path`; its ancestors become permanent interior nodes. */
  mount(path: string, provider: Provider): void {
    const parent = parentPath(path);
    if (parent === undefined) throw new Error('cannot mount at the root');
    if (this.mounts.some((m) => m.path === path)) throw new Error(`already mounted: ${path}`);
    this.o.statics.ensureInterior(parent, true);
    this.mounts.push({ path, provider });
    this.mounts.sort((a, b) => b.path.length - a.path.length);
    let names = this.mountNames.get(parent);
    if (!names) this.mountNames.set(parent, (names = new Set()));
    names.add(nameOf(path));
  }

  unmount(path: string): void {
    const i = this.mounts.findIndex((m) => m.path === path);
    if (i >= 0) this.mounts.splice(i, 1);
    this.mountNames.get(parentPath(path) ?? ROOT)?.delete(nameOf(path));
  }

  get(uri: string, as: Principal): Awaitable<Outcome<NodeView>> {
    const p = parseUri(uri, this.o.limits);
    if (!p.value) return fail(p);
    const { path, prop } = p.value;
    if (this.liveInAtomic(path)) return { status: NOT_TRANSACTIONAL.status, reason: 'a device node cannot be read inside Atomic' };
    const info = this.lookup(path);
    return info instanceof Promise ? info.then((i) => this.view(path, prop, i, as)) : this.view(path, prop, info, as);
  }

  add(uri: string, input: NodeInput, as: Principal): Awaitable<Outcome> {
    const p = parseUri(uri, this.o.limits);
    if (!p.value) return fail(p);
    if (p.value.prop !== undefined) return { status: Status.COMMAND_NOT_ALLOWED, reason: 'properties cannot be added' };
    const { path } = p.value;
    if (path === ROOT) return { status: Status.ALREADY_EXISTS };
    if (this.liveInAtomic(path)) return NOT_TRANSACTIONAL;
    const format: Format = (input.format ?? 'chr') as Format;
    const check = format === 'node' ? checkValue('node', '') : checkValue(format, input.data);
    if (check.status !== Status.OK) return check;
    if (format !== 'node' && Buffer.byteLength(input.data ?? '') > this.maxLeaf) return { status: Status.REQUEST_ENTITY_TOO_LARGE };
    return andThen(this.lookup(path), (existing) => {
      if (existing) return { status: Status.ALREADY_EXISTS };
      return andThen(this.nearestExisting(path), (anc) => {
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
    if (this.liveInAtomic(path)) return NOT_TRANSACTIONAL;
    return andThen(this.lookup(path), (info) => {
      if (!info) return { status: Status.NOT_FOUND };
      if (prop !== undefined) return this.replaceProperty(path, prop, input.data ?? '', info, as);
      if (info.children) return { status: Status.COMMAND_NOT_ALLOWED, reason: 'Replace of an interior node' };
      if (!supports(info, 'Replace')) return { status: Status.COMMAND_NOT_ALLOWED };
      if (!this.o.acls.allows(path, 'Replace', as)) return { status: Status.PERMISSION_DENIED };
      const format = input.format ?? info.format;
      if (format === 'node') return { status: Status.COMMAND_NOT_ALLOWED, reason: 'a leaf cannot become interior' };
      const check = checkValue(format, input.data);
      if (check.status !== Status.OK) return check;
      if (Buffer.byteLength(input.data ?? '') > this.maxLeaf) return { status: Status.REQUEST_ENTITY_TOO_LARGE };
      const r = this.resolve(path);
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
    if (this.liveInAtomic(path)) return NOT_TRANSACTIONAL;
    return andThen(this.lookup(path), (info) => {
      if (!info) return { status: Status.NOT_FOUND };
      if (info.permanent || !supports(info, 'Delete')) return { status: Status.COMMAND_NOT_ALLOWED, reason: 'permanent node' };
      if (this.mounts.some((m) => isWithin(m.path, path) && m.path !== path)) return { status: Status.COMMAND_NOT_ALLOWED };
      if (!this.o.acls.allows(path, 'Delete', as)) return { status: Status.PERMISSION_DENIED };
      const r = this.resolve(path);
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
    if (this.liveInAtomic(path)) return NOT_TRANSACTIONAL;
    return andThen(this.lookup(path), (info): Awaitable<ExecOutcome> => {
      if (!info) return { status: Status.NOT_FOUND };
      const r = this.resolve(path);
      if (!r.provider.exec || !supports(info, 'Exec')) return { status: Status.COMMAND_NOT_ALLOWED, reason: 'node is not executable' };
      if (!this.o.acls.allows(path, 'Exec', as)) return { status: Status.PERMISSION_DENIED };
      return this.held(r.provider.exec(r.rel, data, { ...opts, principal: as }));
    });
  }

  /** Is the node at `uri` present (as the local operator)? Inside Atomic, a live device node answers false. */
  exists(uri: string): Awaitable<boolean> {
    const p = parseUri(uri, this.o.limits);
    if (!p.value) return false;
    if (this.liveInAtomic(p.value.path)) return false;
    return andThen(this.lookup(p.value.path), (i) => i !== undefined);
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
    const { journal, store } = this.o;
    journal.begin();
    let result: T | undefined;
    try {
      store.transaction(() => {
        result = fn();
        if (!keep(result)) throw ROLLBACK;
      });
      journal.commit();
      return { result: result as T, committed: true };
    } catch (err) {
      journal.rollback();
      if (err !== ROLLBACK) throw err;
      return { result: result as T, committed: false };
    }
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
    if (prop !== undefined) {
      if (!isProperty(prop)) return { status: Status.OPTIONAL_FEATURE_NOT_SUPPORTED, reason: `unknown property "${prop}"` };
      if (!this.o.acls.allows(path, 'Get', as)) return { status: Status.PERMISSION_DENIED };
      return propertyValue(prop, path, info, this.o.acls);
    }
    if (info.secret || !supports(info, 'Get')) return { status: Status.COMMAND_NOT_ALLOWED, reason: 'node is not readable' };
    if (!this.o.acls.allows(path, 'Get', as)) return { status: Status.PERMISSION_DENIED };
    if (info.children) {
      return { status: Status.OK, value: { uri: path, format: 'node', type: info.type, children: this.childrenOf(path, info) } };
    }
    return { status: Status.OK, value: { uri: path, format: info.format, type: info.type, value: info.value ?? '' } };
  }

  /** The mount that owns `path` (the longest mount path first); undefined: the static nodes. */
  private mountOf(path: string): Mount | undefined {
    for (const m of this.mounts) {
      if (path === m.path || (path.startsWith(m.path) && path.charCodeAt(m.path.length) === 47)) return m;
    }
    return undefined;
  }

  private resolve(path: string): Resolved {
    const m = this.mountOf(path);
    if (m === undefined) return { provider: this.o.statics, rel: path === ROOT ? [] : path.slice(2).split('/') };
    return { provider: m.provider, rel: path === m.path ? [] : path.slice(m.path.length + 1).split('/') };
  }

  private lookup(path: string): Awaitable<NodeInfo | undefined> {
    const m = this.mountOf(path);
    if (m === undefined) return this.o.statics.info(path);
    const rel = path === m.path ? [] : path.slice(m.path.length + 1).split('/');
    if (this.o.journal.active && m.provider.deviceServed?.(rel) === true) return undefined;
    const info = m.provider.node(rel);
    if (info instanceof Promise && this.o.journal.active) {
      // a provider that did not declare the node device-served: its answer cannot be waited for here;
      // observe the promise so that its failure cannot become an unhandled rejection
      info.catch(() => undefined);
      return undefined;
    }
    return info;
  }

  /** Inside Atomic, is `path` served by a live device (Provider.deviceServed)? */
  private liveInAtomic(path: string): boolean {
    if (!this.o.journal.active) return false;
    const m = this.mountOf(path);
    if (m === undefined || m.provider.deviceServed === undefined) return false;
    return m.provider.deviceServed(path === m.path ? [] : path.slice(m.path.length + 1).split('/'));
  }

  /** A provider's answer; inside Atomic a pending one is observed (never left to reject unhandled) and answers 500. */
  private held<T extends Outcome>(v: Awaitable<T>): Awaitable<T | Outcome> {
    if (!(v instanceof Promise) || !this.o.journal.active) return v;
    v.catch(() => undefined);
    return NOT_TRANSACTIONAL;
  }

  private childrenOf(path: string, info: NodeInfo): string[] {
    const mounted = this.mountNames.get(path);
    const own = info.children ?? [];
    if (!mounted || mounted.size === 0) return [...own];
    const out = new Set(own);
    for (const m of mounted) out.add(m);
    return [...out];
  }

  private nearestExisting(path: string): Awaitable<{ path: string; info: NodeInfo } | undefined> {
    const parent = parentPath(path);
    if (parent === undefined) return undefined;
    return andThen(this.lookup(parent), (info) => (info ? { path: parent, info } : this.nearestExisting(parent)));
  }

  /** Create `path` (and missing interior parents below `anchor`), applying the interior-Add ACL rule. */
  private create(path: string, anchor: string, input: NodeInput & { format: Format }, as: Principal): Awaitable<Outcome> {
    const chain: string[] = [];
    for (let p: string | undefined = path; p !== undefined && p !== anchor; p = parentPath(p)) chain.unshift(p);
    const r = this.resolve(path);
    const parentResolve = this.resolve(anchor);
    if (r.provider !== parentResolve.provider && chain.length > 1) return { status: Status.NOT_FOUND };
    if (!r.provider.add) return { status: Status.COMMAND_NOT_ALLOWED };
    if (this.o.journal.active && !r.provider.transactional) return NOT_TRANSACTIONAL;
    const c = ctx(as);
    const step = (i: number): Awaitable<Outcome> => {
      const p = chain[i]!;
      const last = i === chain.length - 1;
      const rel = this.resolve(p).rel;
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

  private replaceProperty(path: string, prop: string, data: string, info: NodeInfo, as: Principal): Awaitable<Outcome> {
    const check = checkPropertyReplace(prop);
    if (check.status !== Status.OK) return check;
    if (prop === 'ACL') return this.changed(replaceAcl(path, data, as, this.o.acls), path, 'Replace', as);
    if (!this.o.acls.allows(path, 'Replace', as)) return { status: Status.PERMISSION_DENIED };
    const r = this.resolve(path);
    if (this.o.journal.active && !r.provider.transactional) return NOT_TRANSACTIONAL;
    if (prop === 'Title') {
      const t = checkTitle(data);
      if (t.status !== Status.OK) return t;
      if (!r.provider.setTitle) return { status: Status.COMMAND_NOT_ALLOWED };
      return andThen(this.held(r.provider.setTitle(r.rel, data, ctx(as))), (out) => this.changed(out, path, 'Replace', as));
    }
    const n = checkNewName(data, info, path);
    if (n.status !== Status.OK) return n;
    if (data === nameOf(path)) return { status: Status.OK };
    if (this.mounts.some((m) => isWithin(m.path, path))) return { status: Status.COMMAND_NOT_ALLOWED };
    const target = childPath(parentPath(path)!, data);
    return andThen(this.lookup(target), (clash) => {
      if (clash) return { status: Status.ALREADY_EXISTS, reason: `sibling "${data}" exists` };
      if (!r.provider.rename) return { status: Status.COMMAND_NOT_ALLOWED };
      return andThen(this.held(r.provider.rename(r.rel, data, ctx(as))), (out) => {
        if (out.status === Status.OK) this.o.acls.moveSubtree(path, target);
        return this.changed(out, target, 'Replace', as);
      });
    });
  }

  private changed(out: Outcome, uri: string, op: 'Add' | 'Replace' | 'Delete', by: Principal): Outcome {
    if (out.status === Status.OK) this.o.journal.defer(() => this.o.events.emit('tree.changed', { uri, op, by }));
    return out;
  }
}

function supports(info: NodeInfo, right: Right): boolean {
  return info.access === undefined || info.access.includes(right);
}

function ctx(principal: Principal): OpContext {
  return { principal };
}

function fail<T>(p: Outcome<ParsedUri>): Outcome<T> {
  return p.reason === undefined ? { status: p.status } : { status: p.status, reason: p.reason };
}

