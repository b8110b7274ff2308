/** Shared types of the management tree. */

export const FORMATS = ['b64', 'bin', 'bool', 'chr', 'int', 'node', 'null', 'xml', 'date', 'time', 'float'] as const;
export type Format = (typeof FORMATS)[number];

export const RIGHTS = ['Add', 'Delete', 'Exec', 'Get', 'Replace'] as const;
export type Right = (typeof RIGHTS)[number];

/** Who performs an operation: an authority's ServerID, or null for the local operator/the bridge (all rights). */
export type Principal = string | null;

export type Awaitable<T> = T | Promise<T>;

/** What a Get returns: a leaf with its value or an interior node with its child names. */
export interface NodeView {
  uri: string;
  format: Format;
  type: string;
  value?: string;
  children?: string[];
}

/** Result of every tree operation: a DM status code, a value on success, a reason on failure. */
export interface Outcome<T = undefined> {
  status: number;
  value?: T;
  reason?: string;
}

/** Data for Add/Replace. `data` is text (base64 for bin/b64). */
export interface NodeInput {
  format?: Format;
  type?: string;
  data?: string;
}

export interface ExecContext {
  principal: Principal;
  correlator?: string;
  /** For an Exec answered 202: report the final outcome later (becomes a Generic Alert 1226). */
  complete?: (outcome: ExecOutcome) => void;
}

/** Exec may finish now (status) or later (202, result delivered by the provider as an alert). */
export interface ExecOutcome {
  status: number;
  data?: string;
  reason?: string;
}
