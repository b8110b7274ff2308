import type { Command, Cred, Header, Item, LocRef, Message, Meta } from '../message.js';

/**
 * Message -> SyncML XML, written by hand as one string (no generic XML builder on this path).
 * Element order follows the SyncML 1.2 RepPro DTD; Meta children carry xmlns="syncml:metinf".
 * No whitespace is written between elements, so the size of a message is exactly
 * envelopeSize(header) + the sum of estimateCommandSize(cmd) (both in UTF-8 bytes).
 *
 * Text is escaped (& < > and CR as a character reference so it survives line-end
 * normalisation). Characters XML 1.0 cannot carry (C0 controls other than TAB/LF/CR, lone
 * surrogates) are not checked here: callers must not put them in text (use b64 Data).
 */
export const XML_PROLOG = '<?xml version="1.0" encoding="UTF-8"?>';
const BODY_END = '</SyncBody></SyncML>';
const FINAL = '<Final/>';

export function encodeXml(msg: Message): string {
  let out = open(msg.header);
  for (const c of msg.commands) out += command(c);
  if (msg.final) out += FINAL;
  return out + BODY_END;
}

const utf8 = new TextEncoder();

export function encodeXmlBytes(msg: Message): Uint8Array {
  return utf8.encode(encodeXml(msg));
}

/** The XML text of one command, exactly as encodeXml writes it. */
export function encodeCommandXml(cmd: Command): string {
  return command(cmd);
}

/** UTF-8 bytes of the command's XML encoding (exact). */
export function estimateCommandSize(cmd: Command): number {
  return Buffer.byteLength(command(cmd), 'utf8');
}

/** UTF-8 bytes of everything but the commands: prolog, SyncML, SyncHdr, SyncBody and `<Final/>`. */
export function envelopeSize(header: Header, final = true): number {
  return Buffer.byteLength(open(header), 'utf8') + BODY_END.length + (final ? FINAL.length : 0);
}

function open(h: Header): string {
  let s = XML_PROLOG + '<SyncML xmlns="SYNCML:SYNCML' + (h.verDTD === '1.1' ? '1.1' : '1.2') + '"><SyncHdr>';
  s += '<VerDTD>' + esc(h.verDTD) + '</VerDTD><VerProto>' + esc(h.verProto) + '</VerProto>';
  s += '<SessionID>' + esc(h.sessionId) + '</SessionID><MsgID>' + esc(h.msgId) + '</MsgID>';
  s += loc('Target', h.target) + loc('Source', h.source);
  if (h.respUri !== undefined) s += '<RespURI>' + esc(h.respUri) + '</RespURI>';
  if (h.noResp) s += '<NoResp/>';
  if (h.cred) s += cred(h.cred);
  if (h.meta) s += meta(h.meta);
  return s + '</SyncHdr><SyncBody>';
}

function command(c: Command): string {
  const tag = c.cmd;
  let s = '<' + tag + '><CmdID>' + esc(c.cmdId) + '</CmdID>';
  switch (c.cmd) {
    case 'Status': {
      s += '<MsgRef>' + esc(c.msgRef) + '</MsgRef><CmdRef>' + esc(c.cmdRef) + '</CmdRef><Cmd>' + esc(c.refCmd) + '</Cmd>';
      if (c.targetRefs) for (const r of c.targetRefs) s += '<TargetRef>' + esc(r) + '</TargetRef>';
      if (c.sourceRefs) for (const r of c.sourceRefs) s += '<SourceRef>' + esc(r) + '</SourceRef>';
      if (c.chal) s += '<Chal>' + meta(c.chal.meta) + '</Chal>';
      s += '<Data>' + esc(c.data) + '</Data>';
      if (c.items) for (const it of c.items) s += item(it);
      break;
    }
    case 'Results': {
      if (c.msgRef !== undefined) s += '<MsgRef>' + esc(c.msgRef) + '</MsgRef>';
      s += '<CmdRef>' + esc(c.cmdRef) + '</CmdRef>';
      if (c.meta) s += meta(c.meta);
      if (c.targetRef !== undefined) s += '<TargetRef>' + esc(c.targetRef) + '</TargetRef>';
      if (c.sourceRef !== undefined) s += '<SourceRef>' + esc(c.sourceRef) + '</SourceRef>';
      for (const it of c.items) s += item(it);
      break;
    }
    case 'Alert': {
      if (c.noResp) s += '<NoResp/>';
      s += '<Data>' + esc(c.data) + '</Data>';
      if (c.correlator !== undefined) s += '<Correlator>' + esc(c.correlator) + '</Correlator>';
      for (const it of c.items) s += item(it);
      break;
    }
    case 'Atomic':
    case 'Sequence': {
      if (c.noResp) s += '<NoResp/>';
      if (c.meta) s += meta(c.meta);
      for (const sub of c.commands) s += command(sub);
      break;
    }
    default: {
      if (c.noResp) s += '<NoResp/>';
      if (c.meta) s += meta(c.meta);
      if (c.correlator !== undefined) s += '<Correlator>' + esc(c.correlator) + '</Correlator>';
      for (const it of c.items) s += item(it);
    }
  }
  return s + '</' + tag + '>';
}

function item(it: Item): string {
  let s = '<Item>';
  if (it.target) s += loc('Target', it.target);
  if (it.source) s += loc('Source', it.source);
  if (it.meta) s += meta(it.meta);
  if (it.data !== undefined) s += it.data === '' ? '<Data/>' : '<Data>' + esc(it.data) + '</Data>';
  if (it.moreData) s += '<MoreData/>';
  return s + '</Item>';
}

function loc(tag: string, r: LocRef): string {
  let s = '<' + tag + '><LocURI>' + esc(r.locUri) + '</LocURI>';
  if (r.locName !== undefined) s += '<LocName>' + esc(r.locName) + '</LocName>';
  return s + '</' + tag + '>';
}

function cred(c: Cred): string {
  return '<Cred>' + meta(c.meta) + '<Data>' + esc(c.data) + '</Data></Cred>';
}

const NS = ' xmlns="syncml:metinf">';

/** MetInf DTD order: Format, Type, Mark, Size, NextNonce, MaxMsgSize, MaxObjSize. */
function meta(m: Meta): string {
  let s = '<Meta>';
  if (m.format !== undefined) s += '<Format' + NS + esc(m.format) + '</Format>';
  if (m.type !== undefined) s += '<Type' + NS + esc(m.type) + '</Type>';
  if (m.mark !== undefined) s += '<Mark' + NS + esc(m.mark) + '</Mark>';
  if (m.size !== undefined) s += '<Size' + NS + m.size + '</Size>';
  if (m.nextNonce !== undefined) s += '<NextNonce' + NS + esc(m.nextNonce) + '</NextNonce>';
  if (m.maxMsgSize !== undefined) s += '<MaxMsgSize' + NS + m.maxMsgSize + '</MaxMsgSize>';
  if (m.maxObjSize !== undefined) s += '<MaxObjSize' + NS + m.maxObjSize + '</MaxObjSize>';
  return s + '</Meta>';
}

const ESC_RE = /[&<>\r]/;
const ESC_ALL = /[&<>\r]/g;
const ESC_MAP: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };

function esc(s: string): string {
  return ESC_RE.test(s) ? s.replace(ESC_ALL, (ch) => ESC_MAP[ch] ?? ch) : s;
}
