import { Status } from '../core/status.js';
import type { Tree } from '../tree/tree.js';
import type { Awaitable, NodeInput, NodeView, Outcome, Principal } from '../tree/types.js';
import { leafToJson, jsonToLeaf, treeFormatOf } from './dm2/tree-json.js';
import type { JsonTreeNode } from './dm2-message.js';

/**
 * Moves DM 2.0 JSON trees in and out of the management tree as one principal: serialising a
 * subtree (interior GET, HPUT/HPOST: unreadable nodes such as secrets are left out) and applying a
 * tree (HGET: Adds for missing nodes, Replaces for existing leaves, `acl` as ?prop=ACL, atomically).
 */

const childUri = (parent: string, name: string): string => (parent === '.' ? `./${name}` : `${parent}/${name}`);

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

/**
 * Serialise the subtree at `uri` as `as` sees it. The root must be readable (its status otherwise);
 * below it, nodes `as` may not read are left out. More than `maxNodes` nodes -> 413.
 */
export async function readSubtree(tree: Tree, uri: string, as: Principal, maxNodes: number): Promise<Outcome<JsonTreeNode>> {
  const root = await tree.get(uri, as);
  if (root.status !== Status.OK || !root.value) return root.reason === undefined ? { status: root.status } : { status: root.status, reason: root.reason };
  let count = 0;
  const build = async (v: NodeView): Promise<JsonTreeNode | undefined> => {
    if (++count > maxNodes) return undefined;
    if (!v.children) return leafNode(v);
    const n: JsonTreeNode = { format: 'node' };
    if (v.type) n.type = v.type;
    const children: Record<string, JsonTreeNode> = {};
    for (const name of v.children) {
      const c = await tree.get(childUri(v.uri, name), as);
      if (c.status !== Status.OK || !c.value) continue;
      const sub = await build(c.value);
      if (!sub) return undefined;
      children[name] = sub;
    }
    n.children = children;
    return n;
  };
  const out = await build(root.value);
  if (!out) return { status: Status.REQUEST_ENTITY_TOO_LARGE, reason: `subtree has more than ${maxNodes} nodes` };
  return { status: Status.OK, value: { uri: root.value.uri, ...out } };
}

/** Plain value or 500 (a provider that would block cannot take part in the all-or-nothing write). */
function now<T extends { status: number }>(v: Awaitable<T>): T | Outcome {
  return v instanceof Promise ? { status: Status.COMMAND_FAILED, reason: 'node cannot take part in an HGET' } : v;
}

/**
 * Write a JSON tree into `uri` as `as`, all or nothing: a missing node is added (interior or leaf),
 * an existing leaf replaced, an `acl` applied like a Replace of ?prop=ACL after the node's subtree.
 * The first failure's status is returned and everything is rolled back.
 */
export function applyTree(tree: Tree, uri: string, root: JsonTreeNode, as: Principal): Outcome {
  const apply = (path: string, n: JsonTreeNode): Outcome => {
    const there = tree.exists(path);
    if (there instanceof Promise) return { status: Status.COMMAND_FAILED, reason: 'node cannot take part in an HGET' };
    let r: Outcome = { status: Status.OK };
    if (n.format === 'node') {
      if (!there) r = now(tree.add(path, n.type === undefined ? { format: 'node' } : { format: 'node', type: n.type }, as));
      if (r.status !== Status.OK) return withPath(r, path);
      for (const [name, child] of Object.entries(n.children ?? {})) {
        const c = apply(childUri(path, name), child);
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
