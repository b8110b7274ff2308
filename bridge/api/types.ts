import type { NodeView, Outcome } from '../tree/types.js';

/** What the API needs from the management tree (structurally the tree facade). */
export interface TreeReader {
  get(uri: string, as: string | null): Outcome<NodeView> | Promise<Outcome<NodeView>>;
}

/** The JSON of GET /api/v1/tree: `children` for an interior node, `value` for a leaf. */
export type TreeNodeJson =
  | { uri: string; format: string; type: string; children: string[] }
  | { uri: string; format: string; type: string; value: string };

/** What the API needs from the authority sessions. */
export interface AuthorityService {
  list(): unknown[];
  /** Throws at once for an unknown account or protocol; the promise settles when the session ends. */
  trigger(account: string): Promise<unknown>;
}
