import type { BridgeEvents, TypedEmitter } from '../core/events.js';
import type { AclTable } from './acl-table.js';
import type { Journal } from './journal.js';
import type { MountTable } from './mount-table.js';
import type { NodeInfo, OpContext } from './provider.js';
import type { Outcome, Principal, Right } from './types.js';
import type { ParsedUri } from './uri.js';

/** The parts of the tree an operation works with (shared by the facade and the property operations). */
export interface TreeScope {
  readonly acls: AclTable;
  readonly journal: Journal;
  readonly events: TypedEmitter<BridgeEvents>;
  readonly mounts: MountTable;
}

/** Does the node's AccessType allow `right` (no AccessType: every right)? */
export function supports(info: NodeInfo, right: Right): boolean {
  return info.access === undefined || info.access.includes(right);
}

export function ctx(principal: Principal): OpContext {
  return { principal };
}

/** A failed URI parse as an operation's outcome. */
export function fail<T>(p: Outcome<ParsedUri>): Outcome<T> {
  return p.reason === undefined ? { status: p.status } : { status: p.status, reason: p.reason };
}
