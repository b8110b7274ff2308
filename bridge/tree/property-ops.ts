import { Status } from '../core/status.js';
import { changed, held, NOT_TRANSACTIONAL } from './atomic.js';
import { andThen } from './awaitable.js';
import { ctx, type TreeScope } from './op-helpers.js';
import {
  checkNewName, checkPropertyReplace, checkTitle, isProperty, propertyValue, replaceAcl,
} from './properties.js';
import type { NodeInfo } from './provider.js';
import type { Awaitable, NodeView, Outcome, Principal } from './types.js';
import { childPath, nameOf, parentPath } from './uri.js';

/** What a Get of the property `prop` of the existing node `path` answers. */
export function getProperty(s: TreeScope, path: string, prop: string, info: NodeInfo, as: Principal): Outcome<NodeView> {
  if (!isProperty(prop)) return { status: Status.OPTIONAL_FEATURE_NOT_SUPPORTED, reason: `unknown property "${prop}"` };
  if (!s.acls.allows(path, 'Get', as)) return { status: Status.PERMISSION_DENIED };
  return propertyValue(prop, path, info, s.acls);
}

/** Replace of `path?prop=<prop>` (ACL, Title or Name) on the existing node `path`. */
export function replaceProperty(
  s: TreeScope, path: string, prop: string, data: string, info: NodeInfo, as: Principal,
): Awaitable<Outcome> {
  const check = checkPropertyReplace(prop);
  if (check.status !== Status.OK) return check;
  if (prop === 'ACL') return changed(s.journal, s.events, replaceAcl(path, data, as, s.acls), path, 'Replace', as);
  if (!s.acls.allows(path, 'Replace', as)) return { status: Status.PERMISSION_DENIED };
  const r = s.mounts.resolve(path);
  if (s.journal.active && !r.provider.transactional) return NOT_TRANSACTIONAL;
  if (prop === 'Title') {
    const t = checkTitle(data);
    if (t.status !== Status.OK) return t;
    if (!r.provider.setTitle) return { status: Status.COMMAND_NOT_ALLOWED };
    return andThen(held(s.journal, r.provider.setTitle(r.rel, data, ctx(as))), (out) => changed(s.journal, s.events, out, path, 'Replace', as));
  }
  const n = checkNewName(data, info, path);
  if (n.status !== Status.OK) return n;
  if (data === nameOf(path)) return { status: Status.OK };
  if (s.mounts.hasMountWithin(path, false)) return { status: Status.COMMAND_NOT_ALLOWED };
  const target = childPath(parentPath(path)!, data);
  return andThen(s.mounts.lookup(target), (clash) => {
    if (clash) return { status: Status.ALREADY_EXISTS, reason: `sibling "${data}" exists` };
    if (!r.provider.rename) return { status: Status.COMMAND_NOT_ALLOWED };
    return andThen(held(s.journal, r.provider.rename(r.rel, data, ctx(as))), (out) => {
      if (out.status === Status.OK) s.acls.moveSubtree(path, target);
      return changed(s.journal, s.events, out, target, 'Replace', as);
    });
  });
}
