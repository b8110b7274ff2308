import type { Awaitable, ExecContext, ExecOutcome, Format, NodeInput, Outcome, Principal, Right } from './types.js';

/** What a provider says about one of its nodes. */
export interface NodeInfo {
  format: Format;
  type: string;
  /** Created by the device: a server cannot delete or rename it (405). */
  permanent: boolean;
  /** DDF AccessType: commands the node supports at all (405 otherwise). Undefined: all. */
  access?: readonly Right[];
  /** Leaf value (text; base64 for bin/b64). */
  value?: string;
  /** Interior node: child names in order. */
  children?: readonly string[];
  /** Never readable (Get -> 405), never logged. */
  secret?: boolean;
  title?: string;
  /** Last change, epoch ms. */
  tstamp?: number;
  verNo?: number;
}

export interface OpContext {
  principal: Principal;
}

/**
 * A subtree of the management tree. Paths are segments relative to the mount point ([] = the mount
 * node itself). Writes return DM statuses; ACLs are checked by the tree before a provider is called.
 */
export interface Provider {
  /** Writes are synchronous and go through the store's transaction (usable inside Atomic). */
  readonly transactional: boolean;
  /**
   * True when the node at `segs` is served by a live device: its calls may answer asynchronously
   * and cannot be rolled back, so the tree never calls into it inside Atomic (500 there).
   * Undefined: no node of this provider is device-served.
   */
  deviceServed?(segs: readonly string[]): boolean;
  node(segs: readonly string[]): Awaitable<NodeInfo | undefined>;
  add?(segs: readonly string[], input: Required<Pick<NodeInput, 'format'>> & NodeInput, ctx: OpContext): Awaitable<Outcome>;
  replace?(segs: readonly string[], input: NodeInput, ctx: OpContext): Awaitable<Outcome>;
  delete?(segs: readonly string[], ctx: OpContext): Awaitable<Outcome>;
  rename?(segs: readonly string[], newName: string, ctx: OpContext): Awaitable<Outcome>;
  setTitle?(segs: readonly string[], title: string, ctx: OpContext): Awaitable<Outcome>;
  exec?(segs: readonly string[], data: string | undefined, ctx: ExecContext): Awaitable<ExecOutcome>;
}
