import type { AlertCommand, Command, Message, ResultsCommand, StatusCommand } from '../../bridge/dm/message.js';

export interface Dm12ServerOptions {
  serverId: string;
  /** Credentials the client must present, and how. */
  clientName: string;
  clientSecret: string;
  authType: 'BASIC' | 'DIGEST' | 'HMAC' | 'NONE';
  /** The server authenticates itself to the client with this secret (name = serverId). */
  serverSecret?: string;
  /** Use a different secret than the client expects (to test that the client rejects the server). */
  serverCredSecret?: string;
  /** Nonce (b64) the client is expected to use first (as if issued in an earlier session). */
  initialClientNonce?: string;
  /** MaxMsgSize / MaxObjSize advertised in the server's SyncHdr Meta. */
  maxMsgSize?: number;
  maxObjSize?: number;
  /** Split outbound item data longer than this into MoreData chunks. */
  chunkSize?: number;
  /** Send RespURI in every reply. */
  respUri?: boolean;
  /** Answer the first correct MD5 credentials as stale (401 + new nonce), once. */
  staleNonceOnce?: boolean;
  /** Status code for a client Generic Alert (default 200). */
  genericAlertStatus?: (alert: AlertCommand) => number;
  /** Serve HTTPS; with `clientCa`, require a client certificate signed by it (TRANSPORT auth). */
  tls?: { key: string; cert: string; clientCa?: string };
}

export interface StatusSeen {
  cmd: string;
  cmdRef: string;
  code: number;
  /** The Status refers (MsgRef, CmdRef, Cmd) to a command this server really sent. */
  matched: boolean;
  status: StatusCommand;
}

export interface SessionRecord {
  sessionId: string;
  devId: string;
  received: Message[];
  sent: Message[];
  alerts: AlertCommand[];
  devInfo: Record<string, string>;
  statuses: StatusSeen[];
  /** Client Results, chunked ones reassembled into one command (MoreData removed). */
  results: ResultsCommand[];
  /** Client Results exactly as received (one per chunk). */
  rawResults: ResultsCommand[];
  /** Reassembly problems: interleaved chunks, Size mismatch, missing last chunk. */
  chunkErrors: string[];
  /** Byte length of every client message body received. */
  bodySizes: number[];
  headerStatuses: string[];
  authFailures: number;
  outcome: string | null;
  contentTypes: string[];
}

export type Step = Command[] | 'abort';

/** State the sessions of one server share. */
export interface ServerShared {
  opts: Dm12ServerOptions;
  steps: Step[];
  clientNonce: string | null;
  /** Nonce the client issued to this server (Chal NextNonce) for the server's own credentials; kept across sessions. */
  serverNonce: string | null;
  staleUsed: boolean;
  onEnd(rec: SessionRecord): void;
}
