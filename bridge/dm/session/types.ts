/**
 * Types of the DM 1.2 client session state machine (see machine.ts for the behaviour).
 *
 * `step(config, state, input) -> { state, send?, effects }`:
 * - `config` is immutable for the session and may hold secrets and functions (never serialized);
 * - `state` is a plain JSON-serializable record without secrets;
 * - `send` is the next message to put on the wire (with where to POST it and how to sign it);
 * - `effects` are what the caller must do besides sending (run commands, persist nonces, finish).
 */
import type { AuthType } from '../syncml/auth.js';
import type { AlertCommand, Command, Message, ResultsCommand, StatusCommand } from '../message.js';

export type { AuthType };

/** The five ./DevInfo leaves sent in Package #1. */
export interface DevInfo {
  DevId: string;
  Man: string;
  Mod: string;
  DmV: string;
  Lang: string;
}

export interface SessionConfig {
  serverId: string;
  serverUri: string;
  /** SyncHdr Source/LocURI (the DevId). */
  devId: string;
  clientName: string;
  clientSecret: string;
  /** Checks the server (MD5/Basic Cred in its SyncHdr, or its x-syncml-hmac). null = no check. */
  serverSecret: string | null;
  authType: AuthType;
  /** Stored nonce (b64 text) for our credentials (last NextNonce the server gave us). */
  clientNonce: string | null;
  /** Stored nonce (b64 text) the server must use for its credentials (last one we issued). */
  serverNonce: string | null;
  maxMsgSize: number;
  maxObjSize?: number;
  devInfo: DevInfo;
  /**
   * Estimated encoded size of one command (codec's commandSize or any function). Must be at least
   * the total length of the items' data (true for XML/WBXML bytes): chunk sizing relies on it.
   */
  measure: (cmd: Command) => number;
  /** Bytes of the SyncML/SyncHdr/SyncBody wrapper and Final, added once per message. */
  envelope: number;
  /** Fresh nonce as b64 text (default: 16 random bytes). Injected so tests are deterministic. */
  newNonce?: () => string;
  /** Server MaxMsgSize assumed until the server states one (default: our maxMsgSize). */
  assumedServerMaxMsgSize?: number;
}

/** A Generic Alert (1226) or other client alert to send in Package #1; `ref` comes back in `alertStatus`. */
export interface OutboundAlert {
  ref?: string;
  alert: Omit<AlertCommand, 'cmdId'>;
}

/** Engine replies: Status/Results records without CmdID (and usually without MsgRef). */
export type StatusDraft = Omit<StatusCommand, 'cmdId' | 'msgRef'> & { msgRef?: string };
export type ResultsDraft = Omit<ResultsCommand, 'cmdId' | 'msgRef'> & { msgRef?: string };
export type ReplyDraft = StatusDraft | ResultsDraft;

/** A command the codec could not map (Map, Put, Sync ...): answered with 406. */
export interface UnknownRef {
  cmdId: string;
  name: string;
}

/** Result of the transport's x-syncml-hmac check of a received message (HMAC sessions only). */
export type MacCheck = 'ok' | 'bad' | 'absent';

export type SessionInput =
  | { kind: 'start'; sessionId: string; trigger: 'client' | 'server'; alerts?: OutboundAlert[] }
  | { kind: 'received'; message: Message; mac?: MacCheck; unknown?: UnknownRef[] }
  | { kind: 'executed'; msgRef: string; replies: ReplyDraft[]; alerts?: Omit<AlertCommand, 'cmdId'>[] }
  | { kind: 'transportError'; reason: string }
  | { kind: 'abort'; reason: string };

export type Outcome = 'ok' | 'aborted' | 'auth-failed' | 'error';

export type Effect =
  /** Run these server commands (one batch per server message, in message order). Answer with `executed`. */
  | { kind: 'execute'; msgRef: string; commands: Command[] }
  /** Store a nonce (b64): `client` = for our next credentials, `server` = the one the server must use next. */
  | { kind: 'persistNonce'; direction: 'client' | 'server'; nonce: string }
  /** The server answered an alert given at start with `ref`. */
  | { kind: 'alertStatus'; ref: string; code: number }
  /**
   * The message in `send` measures more than the server's MaxMsgSize (`limit`, envelope included):
   * a command that cannot be split (a Status, a data-less Alert) did not fit even an otherwise
   * empty message. It is sent anyway so that the session makes progress; log it.
   */
  | { kind: 'oversize'; msgId: string; size: number; limit: number }
  /** The session is over. When `send` is also present, send it, then stop (no reply is awaited). */
  | { kind: 'done'; outcome: Outcome; reason: string };

export interface Outbound {
  message: Message;
  /** Where to POST it: the server URI, or the last RespURI. */
  url: string;
  /** HMAC sessions: sign the encoded body with x-syncml-hmac using clientSecret and this nonce. */
  hmacSign?: { username: string; nonce: string };
  /** HMAC with a serverSecret: verify the reply's x-syncml-hmac with serverSecret and this nonce. */
  hmacVerify?: { username: string; nonce: string };
}

export interface StepResult {
  state: SessionState;
  send?: Outbound;
  effects: Effect[];
}

export type Phase = 'idle' | 'waiting' | 'executing' | 'done';

/** A command waiting to be sent (CmdID ''), with the ref of a start alert. */
export interface OutboxEntry {
  cmd: Command;
  ref?: string;
  /**
   * The first item is the rest of a chunked item (large object, §2.4): its earlier chunks went in
   * the previous messages with MoreData, its Meta/Size with the first one. It is sent next.
   */
  continued?: boolean;
}

/** A server message whose commands are being executed by the engine. */
export interface PendingBatch {
  msgRef: string;
  final: boolean;
  /** The server asked for our next message (Alert 1222 in it). */
  nextRequested: boolean;
  /** CmdIDs (incl. nested) that must get a Status, with their command names, in order. */
  expect: { cmdId: string; cmd: string }[];
  /** Our replies prepared before execution (Status for SyncHdr, for Alert 1222). */
  head: Command[];
}

export interface SessionState {
  phase: Phase;
  sessionId: string;
  trigger: 'client' | 'server';
  /** MsgID of our next message (1, 2, ...). */
  nextMsgId: number;
  /** CmdID counter (session-wide, so CmdIDs are also message-unique). */
  nextCmdId: number;
  /** MsgID of our last sent message ('' before the first). */
  lastMsgId: string;
  url: string;
  /** Auth type in force (may change once after a challenge). */
  authType: AuthType;
  clientNonce: string | null;
  serverNonce: string | null;
  /** Include credentials in our next message (false after 212 for BASIC/DIGEST). */
  sendCred: boolean;
  /** Challenges followed so far (at most one). */
  authRetries: number;
  serverAuthenticated: boolean;
  serverAuthFailures: number;
  serverMaxMsgSize: number | null;
  serverMaxObjSize: number | null;
  /** Package #1 content, kept to resend after a challenge (CmdIDs are assigned at send time). */
  pkg1: OutboxEntry[];
  /** Commands of our current package not yet sent (CmdIDs assigned at send time). */
  outbox: OutboxEntry[];
  /** (msgId, cmdId) of alerts sent with a ref, to report their Status. */
  sentAlerts: { msgId: string; cmdId: string; ref: string }[];
  pending: PendingBatch | null;
  outcome: { outcome: Outcome; reason: string } | null;
}
