import type { Logger } from '../core/logger.js';
import { Status } from '../core/status.js';
import type { Tree } from '../tree/tree.js';
import { childPath } from '../tree/uri.js';
import type { Awaitable, NodeInput, NodeView, Outcome, Principal } from '../tree/types.js';
import { leafToJson, jsonToLeaf, treeFormatOf } from './dm2/tree-json.js';
import type { JsonTreeNode } from './dm2-message.js';

/**
 * Moves DM 2.0 JSON trees in and out of the management tree as one principal: serialising a
 * subtree (interior GET, HPUT/HPOST: unreadable nodes such as secrets are left out) and applying a
 * tree (HGET: Adds for missing nodes, Replaces for existing leaves, `acl` as ?prop=ACL, atomically).
 */

function leafNode(v: NodeView): JsonTreeNode {
  const format = treeFormatOf(v.format);
  const n: JsonTreeNode = { format };
  if (v.type) n.type = v.type;
  const value = leafToJson(v.format, v.value ?? '');
  if (value !== null) n.value = value;
  return n;
}

/** A leaf value in its JSON-native type (what a leaf GET returns in `data`). */
export function leafData(v: NodeView): string | number | boolean | null {
  return leafToJson(v.format, v.value ?? '');
}

export interface SubtreeOptions {
  /** Children that fail or time out are logged here (debug). */
  log?: Logger;
  /** Time for the whole walk; a child still pending after it is left out (default 15 s). */
  budgetMs?: number;
  /** The root as `as` already read it (an interior GET): not read a second time. */
  root?: NodeView;
}

/** How long a subtree walk may wait for device-served children in total. */
export const SUBTREE_BUDGET_MS = 15_000;

/**
 * Serialise the subtree at `uri` as `as` sees it. The root must be readable (its status otherwise);
 * below it, nodes `as` may not read are left out, and so are nodes whose read fails (a device
 * leaf whose device is down) or is still pending when the time budget is spent: one failing
 * device never fails the whole GET/HPUT/HPOST. More than `maxNodes` nodes -> 413.
 */
export async function readSubtree(
  tree: Tree, uri: string, as: Principal, maxNodes: number, opts: SubtreeOptions = {},
): Promise<Outcome<JsonTreeNode>> {
  const root: Outcome<NodeView> = opts.root ? { status: Status.OK, value: opts.root } : await tree.get(uri, as);
  if (root.status !== Status.OK || !root.value) return root.reason === undefined ? { status: root.status } : { status: root.status, reason: root.reason };
  const deadline = Date.now() + (opts.budgetMs ?? SUBTREE_BUDGET_MS);
  let count = 0;
  let skipped = 0;
  const child = async (c: string): Promise<NodeView | undefined> => {
    const r = await readChild(tree, c, as, deadline);
    if (r.ok) return r.view;
    if (r.failed) {
      skipped++;
      opts.log?.debug({ uri: c, reason: r.failed }, 'subtree: node left out');
    }
    return undefined;
  };
  const build = async (v: NodeView): Promise<JsonTreeNode | undefined> => {
    if (++count > maxNodes) return undefined;
    if (!v.children) return leafNode(v);
    const n: JsonTreeNode = { format: 'node' };
    if (v.type) n.type = v.type;
    const children: Record<string, JsonTreeNode> = {};
    for (const name of v.children) {
      const c = await child(childPath(v.uri, name));
      if (!c) continue;
      const sub = await build(c);
      if (!sub) return undefined;
      // defineProperty: a child named __proto__ is a real node name, not the object's prototype
      Object.defineProperty(children, name, { value: sub, enumerable: true, writable: true, configurable: true });
    }
    n.children = children;
    return n;
  };
  const out = await build(root.value);
  if (skipped > 0) opts.log?.debug({ uri, skipped }, 'subtree: unreadable nodes left out');
  if (!out) return { status: Status.REQUEST_ENTITY_TOO_LARGE, reason: `subtree has more than ${maxNodes} nodes` };
  return { status: Status.OK, value: { uri: root.value.uri, ...out } };
}

type ChildRead = { ok: true; view: NodeView } | { ok: false; failed?: string };

/** One child's Get: a readable node, or left out (not readable, failed, or past the deadline). */
async function readChild(tree: Tree, uri: string, as: Principal, deadline: number): Promise<ChildRead> {
  const done = (c: Outcome<NodeView>): ChildRead => (c.status === Status.OK && c.value ? { ok: true, view: c.value } : { ok: false });
  let r: Awaitable<Outcome<NodeView>>;
  try {
    r = tree.get(uri, as);
  } catch (err) {
    return { ok: false, failed: (err as Error).message };
  }
  if (!(r instanceof Promise)) return done(r);
  r.catch(() => undefined); // observed even when the deadline wins the race
  const left = Math.max(0, deadline - Date.now()); // 0: only an answer that is already there still counts
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), left); // not unref'd: the walk is waiting on it
  });
  try {
    const v = await Promise.race([r, late]);
    return v === 'late' ? { ok: false, failed: 'time budget spent' } : done(v);
  } catch (err) {
    return { ok: false, failed: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** Plain value or 500 (a provider that would block cannot take part in the all-or-nothing write). */
function now<T extends { status: number }>(v: Awaitable<T>): T | Outcome {
  if (!(v instanceof Promise)) return v;
  v.catch(() => undefined); // never left to reject unobserved (the tree answers 500 itself inside Atomic)
  return { status: Status.COMMAND_FAILED, reason: 'node cannot take part in an HGET' };
}

/**
 * Write a JSON tree into `uri` as `as`, all or nothing: a missing node is added (interior or leaf),
 * an existing leaf replaced, an `acl` applied like a Replace of ?prop=ACL after the node's subtree.
 * The first failure's status is returned and everything is rolled back.
 */
export function applyTree(tree: Tree, uri: string, root: JsonTreeNode, as: Principal): Outcome {
  const apply = (path: string, n: JsonTreeNode): Outcome => {
    const there = tree.exists(path);
    if (there instanceof Promise) return now(there.then(() => ({ status: Status.OK })));
    let r: Outcome = { status: Status.OK };
    if (n.format === 'node') {
      if (!there) r = now(tree.add(path, n.type === undefined ? { format: 'node' } : { format: 'node', type: n.type }, as));
      if (r.status !== Status.OK) return withPath(r, path);
      for (const [name, child] of Object.entries(n.children ?? {})) {
        const c = apply(childPath(path, name), child);
        if (c.status !== Status.OK) return c;
      }
    } else {
      const input: NodeInput = { format: n.format, data: jsonToLeaf(n.value) };
      if (n.type !== undefined) input.type = n.type;
      r = now(there ? tree.replace(path, input, as) : tree.add(path, input, as));
      if (r.status !== Status.OK) return withPath(r, path);
    }
    if (n.acl !== undefined) {
      r = now(tree.replace(`${path}?prop=ACL`, { data: n.acl }, as));
      if (r.status !== Status.OK) return withPath(r, `${path}?prop=ACL`);
    }
    return r;
  };
  const { result } = tree.atomic(
    () => apply(uri, root),
    (r) => r.status === Status.OK,
  );
  return result;
}

function withPath(r: Outcome, path: string): Outcome {
  return { status: r.status, reason: `${path}: ${r.reason ?? `status ${r.status}`}` };
}
