import { dmTimestamp } from '../core/clock.js';
import { Status } from '../core/status.js';
import { parseAcl, serializeAcl } from './acl.js';
import type { AclTable } from './acl-table.js';
import type { NodeInfo } from './provider.js';
import type { NodeView, Outcome, Principal } from './types.js';
import { isValidSegment, nameOf, parentPath, ROOT } from './uri.js';
import { valueSize } from './values.js';

export const PROPERTIES = ['ACL', 'Format', 'Name', 'Size', 'Title', 'TStamp', 'Type', 'VerNo'] as const;
export type PropName = (typeof PROPERTIES)[number];
const REPLACEABLE: readonly string[] = ['ACL', 'Name', 'Title'];
const MAX_TITLE = 255;

export function isProperty(p: string): p is PropName {
  return (PROPERTIES as readonly string[]).includes(p);
}

/** Value of a property as the UTF-8 string DM transports (PROTOCOL.md §2.10). */
export function propertyValue(prop: PropName, path: string, info: NodeInfo, acls: AclTable): Outcome<NodeView> {
  let value: string;
  switch (prop) {
    case 'ACL':
      value = acls.own(path);
      break;
    case 'Format':
      value = info.format;
      break;
    case 'Name':
      value = nameOf(path);
      break;
    case 'Size':
      if (info.children) return { status: Status.OPTIONAL_FEATURE_NOT_SUPPORTED, reason: 'Size of an interior node' };
      if (info.secret) return { status: Status.COMMAND_NOT_ALLOWED, reason: 'node is not readable' };
      value = String(valueSize(info.format, info.value ?? ''));
      break;
    case 'Title':
      value = info.title ?? '';
      break;
    case 'TStamp':
      value = info.tstamp === undefined ? '' : dmTimestamp(info.tstamp);
      break;
    case 'Type':
      value = info.type;
      break;
    case 'VerNo':
      value = String(info.verNo ?? 0);
      break;
  }
  return { status: Status.OK, value: { uri: `${path}?prop=${prop}`, format: 'chr', type: 'text/plain', value } };
}

/** Static checks for Replace on a property, before rights: 406 unknown, 405 read-only. */
export function checkPropertyReplace(prop: string): Outcome {
  if (!isProperty(prop)) return { status: Status.OPTIONAL_FEATURE_NOT_SUPPORTED, reason: `unknown property "${prop}"` };
  if (!REPLACEABLE.includes(prop)) return { status: Status.COMMAND_NOT_ALLOWED, reason: `property ${prop} is read-only` };
  return { status: Status.OK };
}

export function checkTitle(title: string): Outcome {
  return Buffer.byteLength(title) > MAX_TITLE
    ? { status: Status.BAD_REQUEST, reason: `Title longer than ${MAX_TITLE} bytes` }
    : { status: Status.OK };
}

export function checkNewName(name: string, info: NodeInfo, path: string): Outcome {
  if (path === ROOT || info.permanent) return { status: Status.COMMAND_NOT_ALLOWED, reason: 'permanent node cannot be renamed' };
  if (!isValidSegment(name)) return { status: Status.BAD_REQUEST, reason: `invalid node name "${name}"` };
  return { status: Status.OK };
}

/**
 * Replace of ?prop=ACL. Needs Replace rights on the node or on its parent (so a parent owner can take
 * over a child); the root ACL must keep `Add=*` (PROTOCOL.md §2.10, §4.3 item 26).
 */
export function replaceAcl(path: string, text: string, principal: Principal, acls: AclTable): Outcome {
  const parsed = parseAcl(text);
  if (!parsed.ok) return { status: Status.BAD_REQUEST, reason: parsed.reason };
  const parent = parentPath(path);
  const mayChange =
    acls.allows(path, 'Replace', principal) || (parent !== undefined && acls.allows(parent, 'Replace', principal));
  if (!mayChange) return { status: Status.PERMISSION_DENIED, reason: 'no Replace right on the node or its parent' };
  if (path === ROOT && parsed.acl.Add !== '*') {
    return { status: Status.COMMAND_NOT_ALLOWED, reason: 'the root ACL must keep Add=*' };
  }
  acls.set(path, serializeAcl(parsed.acl));
  return { status: Status.OK };
}
