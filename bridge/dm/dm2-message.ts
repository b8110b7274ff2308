/**
 * DM 2.0 JSON binding message model (DM2-BINDING.md): packages, commands, results, alerts and the
 * JSON tree as typed records, shared by the codec (bridge/dm/dm2), the session and the command runner.
 * Field names follow the binding exactly; they are our own choice pending the approved text.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export const DM2_CONTENT_TYPE = 'application/json';

/** Leaf formats of the JSON tree; `node` marks an interior node. */
export const TREE_FORMATS = ['node', 'chr', 'int', 'bool', 'float', 'date', 'time', 'b64', 'null', 'xml'] as const;
export type TreeFormat = (typeof TREE_FORMATS)[number];

/** One node of a JSON tree (GET of an interior node, HGET/HPUT/HPOST payloads). */
export interface JsonTreeNode {
  uri?: string;
  format: TreeFormat;
  type?: string;
  acl?: string;
  /** Leaf value in its JSON-native type (int/float: number, bool: boolean, others: string). */
  value?: string | number | boolean;
  children?: Record<string, JsonTreeNode>;
}

export type TriggerKind = 'server' | 'client' | 'alert';

export interface Dm2Trigger {
  kind: TriggerKind;
  nid?: string;
}

export interface Dm2Mo {
  moid: string;
  uri: string;
}

export interface Dm2Alert {
  type: string;
  source?: string;
  data?: JsonValue;
  correlator: string | null;
}

export interface Dm2Result {
  id: number;
  status: number;
  data?: JsonValue;
}

/** Every package from the client (Package #1 carries devId, trigger, mos and devInfo). */
export interface ClientPackage {
  dm: '2.0';
  sid: string;
  msg: number;
  devId?: string;
  trigger?: Dm2Trigger;
  mos?: Dm2Mo[];
  devInfo?: Record<string, string>;
  results?: Dm2Result[];
  alerts?: Dm2Alert[];
}

export type TransferCmd = 'HGET' | 'HPUT' | 'HPOST';
export type SubEvent = 'joined' | 'left' | 'changed';
export const SUB_EVENTS: readonly SubEvent[] = ['joined', 'left', 'changed'];

export type Dm2Command =
  | { cmd: 'GET' | 'DELETE' | 'UNSUB'; id: number; uri: string }
  | { cmd: 'EXEC'; id: number; uri: string; data?: string; correlator?: string }
  | { cmd: TransferCmd; id: number; uri: string; href: string }
  | { cmd: 'SUB'; id: number; uri: string; events: SubEvent[] }
  | { cmd: 'SHOW'; id: number; href: string }
  | { cmd: 'CONT' | 'END'; id?: number };

/** A command the codec could not accept: it still gets its result (400, or 406 for an unknown cmd). */
export interface Dm2BadCommand {
  cmd: 'INVALID';
  /** The command's id when it had a usable one (no id: no result can be sent). */
  id?: number;
  status: number;
  reason: string;
}

export type Dm2Entry = Dm2Command | Dm2BadCommand;

/** Every package from the server. */
export interface ServerPackage {
  dm: '2.0';
  sid: string;
  msg: number;
  cmds: Dm2Entry[];
}

/** Size and shape limits for decoding (oversize -> 413, too deep/too many -> 400). */
export interface Dm2Limits {
  /** Largest package body, bytes. */
  maxBytes: number;
  /** Deepest JSON nesting. */
  maxDepth: number;
  /** Most commands (server) or results/alerts (client) per package. */
  maxEntries: number;
  /** Most nodes in one JSON tree. */
  maxNodes: number;
  /** Longest string field (uri, href, id text ...), characters; leaf values are bounded by maxBytes. */
  maxField: number;
}

export const DEFAULT_DM2_LIMITS: Dm2Limits = {
  maxBytes: 4 * 1024 * 1024,
  maxDepth: 64,
  maxEntries: 2000,
  maxNodes: 200_000,
  maxField: 4096,
};
