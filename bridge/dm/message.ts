/**
 * Protocol-neutral DM message model. Codecs (SyncML XML/WBXML, DM 2.0 JSON) translate wire bytes
 * to and from these shapes; sessions and the engine work only on them.
 *
 * Every identifier that travels as text on the wire (MsgID, CmdID, refs, data) stays a string so
 * that nothing is renumbered or loses leading zeros on the way through.
 */

/** syncml:metinf fields we understand. Unknown ones are dropped by codecs. */
export interface Meta {
  format?: string;
  type?: string;
  size?: number;
  mark?: string;
  nextNonce?: string; // base64 text as on the wire
  maxMsgSize?: number;
  maxObjSize?: number;
}

export interface LocRef {
  locUri: string;
  locName?: string;
}

export interface Item {
  target?: LocRef;
  source?: LocRef;
  meta?: Meta;
  /** Text content. For Format b64 the base64 text; WBXML opaque data is decoded as UTF-8. */
  data?: string;
  /** Data given as an element tree (e.g. nested XML in Data) is serialized to text by the codec. */
  moreData?: boolean;
}

export interface Cred {
  meta: Meta; // type (syncml:auth-basic|syncml:auth-md5), format (b64)
  data: string;
}

export interface Chal {
  meta: Meta; // type, format, nextNonce
}

/** Commands that address nodes through their Items. */
export interface ItemCommand {
  cmd: 'Add' | 'Copy' | 'Delete' | 'Exec' | 'Get' | 'Replace';
  cmdId: string;
  noResp?: boolean;
  meta?: Meta;
  correlator?: string; // Exec only
  items: Item[];
}

export interface AlertCommand {
  cmd: 'Alert';
  cmdId: string;
  noResp?: boolean;
  /** Alert code, e.g. "1201", "1222", "1226". */
  data: string;
  correlator?: string;
  items: Item[];
}

export interface ContainerCommand {
  cmd: 'Atomic' | 'Sequence';
  cmdId: string;
  noResp?: boolean;
  meta?: Meta;
  commands: Command[];
}

export interface ResultsCommand {
  cmd: 'Results';
  cmdId: string;
  msgRef?: string;
  cmdRef: string;
  meta?: Meta;
  targetRef?: string;
  sourceRef?: string;
  items: Item[];
}

export interface StatusCommand {
  cmd: 'Status';
  cmdId: string;
  msgRef: string;
  cmdRef: string;
  /** Name of the command answered, or "SyncHdr". */
  refCmd: string;
  targetRefs?: string[];
  sourceRefs?: string[];
  chal?: Chal;
  /** The status code as text, e.g. "200". */
  data: string;
  items?: Item[];
}

export type Command = ItemCommand | AlertCommand | ContainerCommand | ResultsCommand | StatusCommand;
export type CommandName = Command['cmd'];

export interface Header {
  verDTD: string; // "1.2"
  verProto: string; // "DM/1.2"
  sessionId: string;
  msgId: string;
  target: LocRef;
  source: LocRef;
  respUri?: string;
  noResp?: boolean;
  cred?: Cred;
  meta?: Meta; // maxMsgSize, maxObjSize
}

export interface Message {
  header: Header;
  commands: Command[];
  final: boolean;
}

/** SyncML alert codes used by the bridge (PROTOCOL.md §2.6). */
export const AlertCode = {
  DISPLAY: '1100',
  CONFIRM: '1101',
  TEXT_INPUT: '1102',
  SINGLE_CHOICE: '1103',
  MULTIPLE_CHOICE: '1104',
  SERVER_INITIATED: '1200',
  CLIENT_INITIATED: '1201',
  NEXT_MESSAGE: '1222',
  SESSION_ABORT: '1223',
  CLIENT_EVENT: '1224',
  NO_END_OF_DATA: '1225',
  GENERIC_ALERT: '1226',
} as const;

/** A Status the engine produces; the session assigns CmdID (and MsgRef). */
export type StatusReply = Omit<StatusCommand, 'cmdId' | 'msgRef'> & { msgRef?: string };
/** Results of a Get; the session assigns CmdID (and MsgRef). */
export type ResultsReply = Omit<ResultsCommand, 'cmdId' | 'msgRef'> & { msgRef?: string };
export type Reply = StatusReply | ResultsReply;
/** A client alert (e.g. 1225) produced while executing; the session assigns its CmdID. */
export type AlertDraft = Omit<AlertCommand, 'cmdId'>;
