import { Status } from '../core/status.js';
import { andThen } from '../tree/awaitable.js';
import type { Tree } from '../tree/tree.js';
import type { Awaitable, Outcome, Principal } from '../tree/types.js';

export const DEVICES_ROOT = './GwMO/DevInventory/Devices';
export const GROUPS_ROOT = './GwMO/DevInventory/Groups';

const DEV_ID = /^[A-Za-z0-9._~-]+$/;
const GROUP_PREFIXES = ['Groups/', `${GROUPS_ROOT}/`];

export type TargetToken = { kind: 'device'; devId: string } | { kind: 'group'; groupId: string };

/**
 * Parse a Target value: a comma list whose items are DevIDs or groups (`Groups/<GroupID>`, or the
 * full `./GwMO/DevInventory/Groups/<GroupID>`). Blanks around items are ignored.
 */
export function parseTarget(text: string): Outcome<TargetToken[]> {
  const tokens: TargetToken[] = [];
  for (const raw of text.split(',')) {
    const item = raw.trim();
    if (item === '') continue;
    const prefix = GROUP_PREFIXES.find((p) => item.startsWith(p));
    if (prefix !== undefined) {
      const groupId = item.slice(prefix.length);
      if (!DEV_ID.test(groupId)) return { status: Status.BAD_REQUEST, reason: `invalid group "${item}"` };
      tokens.push({ kind: 'group', groupId });
    } else {
      if (!DEV_ID.test(item)) return { status: Status.BAD_REQUEST, reason: `invalid DevID "${item}"` };
      tokens.push({ kind: 'device', devId: item });
    }
  }
  if (tokens.length === 0) return { status: Status.BAD_REQUEST, reason: 'Target names no device' };
  return { status: Status.OK, value: tokens };
}

/**
 * Expand a Target into distinct DevIDs, in order. Groups are read through the tree as `as`
 * (./GwMO/DevInventory/Groups/<id>/Members): a missing or unreadable group fails the whole Target.
 */
export function resolveTargets(tree: Tree, tokens: readonly TargetToken[], as: Principal): Awaitable<Outcome<string[]>> {
  const out: string[] = [];
  const seen = new Set<string>();
  const push = (id: string): void => {
    if (seen.has(id)) return;
    seen.add(id);
    out.push(id);
  };
  const step = (i: number): Awaitable<Outcome<string[]>> => {
    if (i >= tokens.length) return { status: Status.OK, value: out };
    const t = tokens[i]!;
    if (t.kind === 'device') {
      push(t.devId);
      return step(i + 1);
    }
    return andThen(tree.get(`${GROUPS_ROOT}/${t.groupId}/Members`, as), (r): Awaitable<Outcome<string[]>> => {
      if (r.status !== Status.OK) return { status: r.status, reason: `group "${t.groupId}": ${r.reason ?? 'not readable'}` };
      for (const id of (r.value?.value ?? '').split(',')) if (id.trim() !== '') push(id.trim());
      return step(i + 1);
    });
  };
  return step(0);
}

/** Is `p` a usable relative path below a device node ('' = the device node itself)? */
export function checkPath(p: string): Outcome {
  if (p === '') return { status: Status.OK };
  if (p.startsWith('/') || p.startsWith('./') || p.endsWith('/') || p.includes('?')) {
    return { status: Status.BAD_REQUEST, reason: 'Path is relative to the device node, e.g. MO/Services/<id>/State/<var>' };
  }
  for (const seg of p.split('/')) {
    // eslint-disable-next-line no-control-regex
    if (seg === '' || seg === '.' || seg === '..' || /[\u0000-\u001f\u007f]/.test(seg)) {
      return { status: Status.BAD_REQUEST, reason: `invalid Path segment "${seg}"` };
    }
  }
  return { status: Status.OK };
}

/** The device node URI a fan-out addresses. */
export function deviceUri(devId: string, path: string): string {
  return path === '' ? `${DEVICES_ROOT}/${devId}` : `${DEVICES_ROOT}/${devId}/${path}`;
}
