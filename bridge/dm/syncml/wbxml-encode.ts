import type { Command, Header, Item, LocRef, Message, Meta } from '../message.js';
import { CHARSET_UTF8, METINF_TOKENS, PAGE_METINF, PAGE_SYNCML, PUBLIC_ID, SYNCML_TOKENS, TAG_CONTENT, WB } from './wbxml-tokens.js';

/**
 * Message -> SyncML WBXML: WBXML 1.2 header (version 0x02), public id 0x1201 (0x0FD3 when
 * VerDTD is 1.1), UTF-8, empty string table. Text goes as inline strings; Item Data as OPAQUE
 * (as libwbxml does), so any text survives unchanged. MetInf elements switch to code page 1.
 * Element order is the same as the XML encoder's (SyncML 1.2 DTD).
 */
export function encodeWbxml(msg: Message): Uint8Array {
  const w = new WbxmlWriter();
  w.header(msg.header.verDTD);
  w.open('SyncML');
  writeHeader(w, msg.header);
  w.open('SyncBody');
  for (const c of msg.commands) writeCommand(w, c);
  if (msg.final) w.empty('Final');
  w.end();
  w.end();
  return w.result();
}

/**
 * WBXML bytes of one command as encodeWbxml writes it, plus 2 for a code page switch that may
 * precede it: a tight upper bound for splitting a package under MaxMsgSize.
 */
export function estimateCommandSizeWbxml(cmd: Command): number {
  const w = new WbxmlWriter();
  writeCommand(w, cmd);
  return w.length + 2;
}

/** WBXML bytes of the header, SyncML/SyncBody envelope and Final (+2 for a page switch). */
export function envelopeSizeWbxml(header: Header): number {
  return encodeWbxml({ header, commands: [], final: true }).length + 2;
}

function writeHeader(w: WbxmlWriter, h: Header): void {
  w.open('SyncHdr');
  w.leaf('VerDTD', h.verDTD);
  w.leaf('VerProto', h.verProto);
  w.leaf('SessionID', h.sessionId);
  w.leaf('MsgID', h.msgId);
  loc(w, 'Target', h.target);
  loc(w, 'Source', h.source);
  if (h.respUri !== undefined) w.leaf('RespURI', h.respUri);
  if (h.noResp) w.empty('NoResp');
  if (h.cred) {
    w.open('Cred');
    meta(w, h.cred.meta);
    w.leaf('Data', h.cred.data);
    w.end();
  }
  if (h.meta) meta(w, h.meta);
  w.end();
}

function writeCommand(w: WbxmlWriter, c: Command): void {
  w.open(c.cmd);
  w.leaf('CmdID', c.cmdId);
  switch (c.cmd) {
    case 'Status':
      w.leaf('MsgRef', c.msgRef);
      w.leaf('CmdRef', c.cmdRef);
      w.leaf('Cmd', c.refCmd);
      if (c.targetRefs) for (const r of c.targetRefs) w.leaf('TargetRef', r);
      if (c.sourceRefs) for (const r of c.sourceRefs) w.leaf('SourceRef', r);
      if (c.chal) {
        w.open('Chal');
        meta(w, c.chal.meta);
        w.end();
      }
      w.leaf('Data', c.data);
      if (c.items) for (const it of c.items) item(w, it);
      break;
    case 'Results':
      if (c.msgRef !== undefined) w.leaf('MsgRef', c.msgRef);
      w.leaf('CmdRef', c.cmdRef);
      if (c.meta) meta(w, c.meta);
      if (c.targetRef !== undefined) w.leaf('TargetRef', c.targetRef);
      if (c.sourceRef !== undefined) w.leaf('SourceRef', c.sourceRef);
      for (const it of c.items) item(w, it);
      break;
    case 'Alert':
      if (c.noResp) w.empty('NoResp');
      w.leaf('Data', c.data);
      if (c.correlator !== undefined) w.leaf('Correlator', c.correlator);
      for (const it of c.items) item(w, it);
      break;
    case 'Atomic':
    case 'Sequence':
      if (c.noResp) w.empty('NoResp');
      if (c.meta) meta(w, c.meta);
      for (const sub of c.commands) writeCommand(w, sub);
      break;
    default:
      if (c.noResp) w.empty('NoResp');
      if (c.meta) meta(w, c.meta);
      if (c.correlator !== undefined) w.leaf('Correlator', c.correlator);
      for (const it of c.items) item(w, it);
  }
  w.end();
}

function item(w: WbxmlWriter, it: Item): void {
  w.open('Item');
  if (it.target) loc(w, 'Target', it.target);
  if (it.source) loc(w, 'Source', it.source);
  if (it.meta) meta(w, it.meta);
  if (it.data !== undefined) w.opaqueLeaf('Data', it.data);
  if (it.moreData) w.empty('MoreData');
  w.end();
}

function loc(w: WbxmlWriter, tag: string, r: LocRef): void {
  w.open(tag);
  w.leaf('LocURI', r.locUri);
  if (r.locName !== undefined) w.leaf('LocName', r.locName);
  w.end();
}

function meta(w: WbxmlWriter, m: Meta): void {
  w.open('Meta');
  if (m.format !== undefined) w.leaf('Format', m.format, PAGE_METINF);
  if (m.type !== undefined) w.leaf('Type', m.type, PAGE_METINF);
  if (m.mark !== undefined) w.leaf('Mark', m.mark, PAGE_METINF);
  if (m.size !== undefined) w.leaf('Size', String(m.size), PAGE_METINF);
  if (m.nextNonce !== undefined) w.leaf('NextNonce', m.nextNonce, PAGE_METINF);
  if (m.maxMsgSize !== undefined) w.leaf('MaxMsgSize', String(m.maxMsgSize), PAGE_METINF);
  if (m.maxObjSize !== undefined) w.leaf('MaxObjSize', String(m.maxObjSize), PAGE_METINF);
  w.end();
}

const utf8 = new TextEncoder();

class WbxmlWriter {
  private buf = new Uint8Array(1024);
  length = 0;
  private page = PAGE_SYNCML;

  header(verDTD: string): void {
    this.byte(0x02);
    this.mbUint(verDTD === '1.1' ? PUBLIC_ID.SYNCML_11 : PUBLIC_ID.SYNCML_12);
    this.mbUint(CHARSET_UTF8);
    this.byte(0x00); // empty string table
  }

  open(tag: string, page = PAGE_SYNCML): void {
    this.tag(tag, page, true);
  }

  empty(tag: string, page = PAGE_SYNCML): void {
    this.tag(tag, page, false);
  }

  end(): void {
    this.byte(WB.END);
  }

  /** `<tag>text</tag>` with an inline string (OPAQUE if the text holds NUL); `<tag/>` when empty. */
  leaf(tag: string, text: string, page = PAGE_SYNCML): void {
    if (text === '') return this.tag(tag, page, false);
    if (text.includes('\0')) return this.opaqueLeaf(tag, text, page);
    this.tag(tag, page, true);
    this.byte(WB.STR_I);
    this.str(text);
    this.byte(0);
    this.byte(WB.END);
  }

  opaqueLeaf(tag: string, text: string, page = PAGE_SYNCML): void {
    if (text === '') return this.tag(tag, page, false);
    this.tag(tag, page, true);
    const bytes = utf8.encode(text);
    this.byte(WB.OPAQUE);
    this.mbUint(bytes.length);
    this.ensure(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
    this.byte(WB.END);
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }

  private tag(tag: string, page: number, content: boolean): void {
    const token = (page === PAGE_METINF ? METINF_TOKENS : SYNCML_TOKENS).get(tag);
    if (token === undefined) throw new Error(`no WBXML token for ${tag}`);
    if (page !== this.page) {
      this.byte(WB.SWITCH_PAGE);
      this.byte(page);
      this.page = page;
    }
    this.byte(content ? token | TAG_CONTENT : token);
  }

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  private byte(v: number): void {
    this.ensure(1);
    this.buf[this.length++] = v;
  }

  private str(s: string): void {
    this.ensure(s.length * 3);
    this.length += utf8.encodeInto(s, this.buf.subarray(this.length)).written;
  }

  private mbUint(v: number): void {
    const tmp: number[] = [v & 0x7f];
    let n = Math.floor(v / 128);
    while (n > 0) {
      tmp.unshift((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    for (const b of tmp) this.byte(b);
  }
}
