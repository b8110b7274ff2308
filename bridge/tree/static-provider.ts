import { Status } from '../core/status.js';
import type { Clock } from '../core/clock.js';
import type { NodeRow, NodesRepo } from '../store/nodes-repo.js';
import type { Journal } from './journal.js';
import type { NodeInfo, OpContext, Provider } from './provider.js';
import type { Format, NodeInput, Outcome } from './types.js';
import { childPath, formatUri, nameOf, parentPath, ROOT } from './uri.js';

interface StaticNode {
  format: Format;
  type: string;
  value: string | null;
  title: string | null;
  tstamp: number;
  verNo: number;
  permanent: boolean;
  children: Set<string> | null;
}

/**
 * Nodes created by servers or seeded by the bridge, persisted in SQLite and cached in memory.
 * Mounted at the root; every write goes to the store first, then to memory (journaled).
 */
export class StaticProvider implements Provider {
  readonly transactional = true;
  private readonly nodes = new Map<string, StaticNode>();

  constructor(
    private readonly repo: NodesRepo,
    private readonly journal: Journal,
    private readonly clock: Clock,
  ) {
    for (const r of repo.all()) this.nodes.set(r.path, fromRow(r));
    for (const path of this.nodes.keys()) {
      const p = parentPath(path);
      if (p !== undefined) this.nodes.get(p)?.children?.add(nameOf(path));
    }
    if (!this.nodes.has(ROOT)) this.create(ROOT, 'node', '', null, true);
  }

  has(path: string): boolean {
    return this.nodes.has(path);
  }

  /** Fast path for the tree: the node record by canonical path. */
  info(path: string): NodeInfo | undefined {
    const n = this.nodes.get(path);
    if (!n) return undefined;
    const info: NodeInfo = { format: n.format, type: n.type, permanent: n.permanent, tstamp: n.tstamp, verNo: n.verNo };
    if (n.children) info.children = [...n.children];
    else info.value = n.value ?? '';
    if (n.title !== null) info.title = n.title;
    return info;
  }

  isInterior(path: string): boolean {
    return this.nodes.get(path)?.children != null;
  }

  node(segs: readonly string[]): NodeInfo | undefined {
    return this.info(formatUri(segs));
  }

  /** Seed an interior node the bridge itself owns (idempotent). */
  ensureInterior(path: string, permanent: boolean, type = ''): void {
    const existing = this.nodes.get(path);
    if (existing) return;
    const p = parentPath(path);
    if (p !== undefined) this.ensureInterior(p, permanent);
    this.create(path, 'node', type, null, permanent);
  }

  add(segs: readonly string[], input: NodeInput & { format: Format }, _ctx: OpContext): Outcome {
    const path = formatUri(segs);
    if (this.nodes.has(path)) return { status: Status.ALREADY_EXISTS };
    const parent = parentPath(path);
    if (parent === undefined || !this.isInterior(parent)) return { status: Status.NOT_FOUND, reason: 'parent missing' };
    this.create(path, input.format, input.type ?? '', input.format === 'node' ? null : input.data ?? '', false);
    return { status: Status.OK };
  }

  replace(segs: readonly string[], input: NodeInput, _ctx: OpContext): Outcome {
    const path = formatUri(segs);
    const n = this.nodes.get(path);
    if (!n) return { status: Status.NOT_FOUND };
    if (n.children) return { status: Status.COMMAND_NOT_ALLOWED, reason: 'Replace of an interior node' };
    const before = { ...n };
    const now = this.clock.now();
    const format = input.format ?? n.format;
    const type = input.type ?? n.type;
    const value = input.data ?? '';
    const verNo = (n.verNo + 1) & 0xffff;
    this.repo.setValue(path, format, type, value, now, verNo);
    Object.assign(n, { format, type, value, tstamp: now, verNo });
    this.journal.record(() => Object.assign(n, before));
    return { status: Status.OK };
  }

  setTitle(segs: readonly string[], title: string, _ctx: OpContext): Outcome {
    const path = formatUri(segs);
    const n = this.nodes.get(path);
    if (!n) return { status: Status.NOT_FOUND };
    const before = { ...n };
    const now = this.clock.now();
    const verNo = (n.verNo + 1) & 0xffff;
    this.repo.setTitle(path, title, now, verNo);
    Object.assign(n, { title, tstamp: now, verNo });
    this.journal.record(() => Object.assign(n, before));
    return { status: Status.OK };
  }

  delete(segs: readonly string[], _ctx: OpContext): Outcome {
    const path = formatUri(segs);
    if (!this.nodes.has(path)) return { status: Status.NOT_FOUND };
    const removed = this.subtreePaths(path).map((p) => [p, this.nodes.get(p)!] as const);
    this.repo.deleteSubtree(path);
    for (const [p] of removed) this.nodes.delete(p);
    const parent = this.nodes.get(parentPath(path)!);
    parent?.children?.delete(nameOf(path));
    this.journal.record(() => {
      for (const [p, n] of removed) this.nodes.set(p, n);
      parent?.children?.add(nameOf(path));
    });
    return { status: Status.OK };
  }

  rename(segs: readonly string[], newName: string, _ctx: OpContext): Outcome {
    const path = formatUri(segs);
    const parent = parentPath(path);
    if (parent === undefined || !this.nodes.has(path)) return { status: Status.NOT_FOUND };
    const target = childPath(parent, newName);
    if (this.nodes.has(target)) return { status: Status.ALREADY_EXISTS };
    const moved = this.subtreePaths(path).map((p) => [p, this.nodes.get(p)!] as const);
    this.repo.deleteSubtree(path);
    for (const [p] of moved) this.nodes.delete(p);
    for (const [p, n] of moved) {
      const np = target + p.slice(path.length);
      this.nodes.set(np, n);
      this.repo.upsert(toRow(np, n));
    }
    const pc = this.nodes.get(parent)!.children!;
    pc.delete(nameOf(path));
    pc.add(newName);
    this.journal.record(() => {
      for (const [p] of moved) this.nodes.delete(target + p.slice(path.length));
      for (const [p, n] of moved) this.nodes.set(p, n);
      pc.delete(newName);
      pc.add(nameOf(path));
    });
    return { status: Status.OK };
  }

  /** Paths of `path` and all its descendants. */
  subtreePaths(path: string): string[] {
    const out: string[] = [];
    const walk = (p: string): void => {
      const n = this.nodes.get(p);
      if (!n) return;
      out.push(p);
      if (n.children) for (const c of n.children) walk(childPath(p, c));
    };
    walk(path);
    return out;
  }

  private create(path: string, format: Format, type: string, value: string | null, permanent: boolean): void {
    const n: StaticNode = {
      format,
      type,
      value: format === 'node' ? null : value,
      title: null,
      tstamp: this.clock.now(),
      verNo: 0,
      permanent,
      children: format === 'node' ? new Set() : null,
    };
    this.repo.upsert(toRow(path, n));
    this.nodes.set(path, n);
    const parent = parentPath(path);
    const pc = parent === undefined ? undefined : this.nodes.get(parent)?.children;
    pc?.add(nameOf(path));
    this.journal.record(() => {
      this.nodes.delete(path);
      pc?.delete(nameOf(path));
    });
  }
}

function fromRow(r: NodeRow): StaticNode {
  const interior = r.format === 'node';
  return {
    format: r.format as Format,
    type: r.type,
    value: r.value,
    title: r.title,
    tstamp: r.tstamp,
    verNo: r.verno,
    permanent: r.permanent === 1,
    children: interior ? new Set() : null,
  };
}

function toRow(path: string, n: StaticNode): NodeRow {
  return {
    path,
    parent: parentPath(path) ?? '',
    format: n.format,
    type: n.type,
    value: n.value,
    title: n.title,
    tstamp: n.tstamp,
    verno: n.verNo,
    permanent: n.permanent ? 1 : 0,
  };
}
