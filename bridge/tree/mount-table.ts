import { andThen } from './awaitable.js';
import type { Journal } from './journal.js';
import type { NodeInfo, Provider } from './provider.js';
import type { StaticProvider } from './static-provider.js';
import type { Awaitable } from './types.js';
import { isWithin, nameOf, parentPath, ROOT } from './uri.js';

interface Mount {
  path: string;
  provider: Provider;
}

/** The provider that owns a path and the path relative to its mount point. */
export interface Resolved {
  provider: Provider;
  rel: string[];
}

/**
 * Which provider owns which subtree: the mounted providers (longest mount path first) over the
 * static nodes, and how a path resolves to a provider and a node. Inside Atomic a node served by a
 * live device is never looked up (it answers as absent).
 *
 * Hot path (Get): lookup() and mountOf() create no closures and split no path for static nodes.
 */
export class MountTable {
  private readonly mounts: Mount[] = [];
  private readonly mountNames = new Map<string, Set<string>>();

  constructor(
    private readonly statics: StaticProvider,
    private readonly journal: Journal,
  ) {}

  /** Attach a provider's subtree at `path`; its ancestors become permanent interior nodes. */
  mount(path: string, provider: Provider): void {
    const parent = parentPath(path);
    if (parent === undefined) throw new Error('cannot mount at the root');
    if (this.mounts.some((m) => m.path === path)) throw new Error(`already mounted: ${path}`);
    this.statics.ensureInterior(parent, true);
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

  /** Is a mount point at or below `path` (strictly below when `below`)? */
  hasMountWithin(path: string, below: boolean): boolean {
    return this.mounts.some((m) => isWithin(m.path, path) && (!below || m.path !== path));
  }

  /** The provider that owns `path` and the path relative to its mount point. */
  resolve(path: string): Resolved {
    const m = this.mountOf(path);
    if (m === undefined) return { provider: this.statics, rel: path === ROOT ? [] : path.slice(2).split('/') };
    return { provider: m.provider, rel: relOf(m, path) };
  }

  lookup(path: string): Awaitable<NodeInfo | undefined> {
    const m = this.mountOf(path);
    if (m === undefined) return this.statics.info(path);
    const rel = relOf(m, path);
    if (this.journal.active && m.provider.deviceServed?.(rel) === true) return undefined;
    const info = m.provider.node(rel);
    if (info instanceof Promise && this.journal.active) {
      // a provider that did not declare the node device-served: its answer cannot be waited for here;
      // observe the promise so that its failure cannot become an unhandled rejection
      info.catch(() => undefined);
      return undefined;
    }
    return info;
  }

  /** Inside Atomic, is `path` served by a live device (Provider.deviceServed)? */
  liveInAtomic(path: string): boolean {
    if (!this.journal.active) return false;
    const m = this.mountOf(path);
    if (m === undefined || m.provider.deviceServed === undefined) return false;
    return m.provider.deviceServed(relOf(m, path));
  }

  /** The children of the interior node `path`: its own and the providers mounted under it. */
  childrenOf(path: string, info: NodeInfo): string[] {
    const mounted = this.mountNames.get(path);
    const own = info.children ?? [];
    if (!mounted || mounted.size === 0) return [...own];
    const out = new Set(own);
    for (const m of mounted) out.add(m);
    return [...out];
  }

  /** The closest existing ancestor of `path`, with its info. */
  nearestExisting(path: string): Awaitable<{ path: string; info: NodeInfo } | undefined> {
    const parent = parentPath(path);
    if (parent === undefined) return undefined;
    return andThen(this.lookup(parent), (info) => (info ? { path: parent, info } : this.nearestExisting(parent)));
  }

  /** The mount that owns `path` (the longest mount path first); undefined: the static nodes. */
  private mountOf(path: string): Mount | undefined {
    for (const m of this.mounts) {
      if (path === m.path || (path.startsWith(m.path) && path.charCodeAt(m.path.length) === 47)) return m;
    }
    return undefined;
  }
}

/** `path` (owned by mount `m`) relative to its mount point. */
function relOf(m: Mount, path: string): string[] {
  return path === m.path ? [] : path.slice(m.path.length + 1).split('/');
}
