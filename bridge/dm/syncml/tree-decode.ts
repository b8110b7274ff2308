import type {
  AlertCommand, Chal, Command, ContainerCommand, Cred, Header, Item, ItemCommand, LocRef, Message, Meta,
  ResultsCommand, StatusCommand,
} from '../message.js';
import { serializeChildren, type XElement } from './element-tree.js';
import { type DecodeLimits, malformed, tooLarge } from './limits.js';

/**
 * A command element the bridge does not implement (Map, Put, Search, Sync, Move or anything
 * else). Decoding goes on; the session answers each with Status 406 (Optional feature not
 * supported) using `cmdId`. `position` is the index in the enclosing command list where it
 * stood (the number of known commands before it); `parentCmdId` is the Atomic/Sequence holding it.
 */
export interface UnknownCommand {
  name: string;
  cmdId: string;
  position: number;
  parentCmdId?: string;
}

export interface DecodeResult {
  message: Message;
  unknown: UnknownCommand[];
}

const ITEM_CMDS = new Set(['Add', 'Copy', 'Delete', 'Exec', 'Get', 'Replace']);

/** Maps a decoded SyncML element tree to the protocol-neutral Message. */
export function treeToMessage(root: XElement, limits: DecodeLimits): DecodeResult {
  if (root.name !== 'SyncML') throw malformed(`root element is <${root.qname}>, expected <SyncML>`);
  const hdr = required(root, 'SyncHdr');
  const body = required(root, 'SyncBody');
  const unknown: UnknownCommand[] = [];
  const ctx = { limits, unknown };
  const commands: Command[] = [];
  let final = false;
  for (const c of body.children) {
    if (typeof c === 'string') continue;
    if (c.name === 'Final') final = true;
    else readCommand(c, commands, ctx, undefined);
  }
  return { message: { header: readHeader(hdr, limits), commands, final }, unknown };
}

interface Ctx {
  limits: DecodeLimits;
  unknown: UnknownCommand[];
}

function readHeader(el: XElement, limits: DecodeLimits): Header {
  const h: Header = {
    verDTD: leaf(required(el, 'VerDTD')),
    verProto: leaf(required(el, 'VerProto')),
    sessionId: leaf(required(el, 'SessionID')),
    msgId: leaf(required(el, 'MsgID')),
    target: locRef(required(el, 'Target')),
    source: locRef(required(el, 'Source')),
  };
  const respUri = child(el, 'RespURI');
  if (respUri) h.respUri = leaf(respUri);
  if (child(el, 'NoResp')) h.noResp = true;
  const cred = child(el, 'Cred');
  if (cred) h.cred = readCred(cred, limits);
  const meta = child(el, 'Meta');
  if (meta) h.meta = readMeta(meta);
  return h;
}

function readCommand(el: XElement, out: Command[], ctx: Ctx, parentCmdId: string | undefined): void {
  const name = el.name;
  const cmdIdEl = child(el, 'CmdID');
  if (cmdIdEl === undefined) throw malformed(`<${name}> without CmdID`);
  const cmdId = leaf(cmdIdEl);
  let cmd: Command;
  if (ITEM_CMDS.has(name)) {
    const c: ItemCommand = { cmd: name as ItemCommand['cmd'], cmdId, items: items(el, ctx.limits) };
    common(el, c);
    const meta = child(el, 'Meta');
    if (meta) c.meta = readMeta(meta);
    const corr = child(el, 'Correlator');
    if (corr) c.correlator = leaf(corr);
    cmd = c;
  } else if (name === 'Alert') {
    const data = child(el, 'Data');
    const c: AlertCommand = { cmd: 'Alert', cmdId, data: data ? leaf(data) : '', items: items(el, ctx.limits) };
    if (data === undefined) throw malformed(`<Alert> ${cmdId} without Data`);
    common(el, c);
    const corr = child(el, 'Correlator');
    if (corr) c.correlator = leaf(corr);
    cmd = c;
  } else if (name === 'Atomic' || name === 'Sequence') {
    const c: ContainerCommand = { cmd: name, cmdId, commands: [] };
    common(el, c);
    const meta = child(el, 'Meta');
    if (meta) c.meta = readMeta(meta);
    for (const s of el.children) {
      if (typeof s === 'string') continue;
      if (s.name === 'CmdID' || s.name === 'NoResp' || s.name === 'Meta' || s.name === 'Cred') continue;
      readCommand(s, c.commands, ctx, cmdId);
    }
    cmd = c;
  } else if (name === 'Results') {
    const c: ResultsCommand = { cmd: 'Results', cmdId, cmdRef: leaf(required(el, 'CmdRef')), items: items(el, ctx.limits) };
    const msgRef = child(el, 'MsgRef');
    if (msgRef) c.msgRef = leaf(msgRef);
    const meta = child(el, 'Meta');
    if (meta) c.meta = readMeta(meta);
    const tr = child(el, 'TargetRef');
    if (tr) c.targetRef = leaf(tr);
    const sr = child(el, 'SourceRef');
    if (sr) c.sourceRef = leaf(sr);
    cmd = c;
  } else if (name === 'Status') {
    cmd = readStatus(el, cmdId, ctx.limits);
  } else {
    const u: UnknownCommand = { name, cmdId, position: out.length };
    if (parentCmdId !== undefined) u.parentCmdId = parentCmdId;
    ctx.unknown.push(u);
    return;
  }
  out.push(cmd);
}

function readStatus(el: XElement, cmdId: string, limits: DecodeLimits): StatusCommand {
  const s: StatusCommand = {
    cmd: 'Status',
    cmdId,
    msgRef: leaf(required(el, 'MsgRef')),
    cmdRef: leaf(required(el, 'CmdRef')),
    refCmd: leaf(required(el, 'Cmd')),
    data: leaf(required(el, 'Data')),
  };
  let targetRefs: string[] | undefined;
  let sourceRefs: string[] | undefined;
  let its: Item[] | undefined;
  for (const c of el.children) {
    if (typeof c === 'string') continue;
    if (c.name === 'TargetRef') (targetRefs ??= []).push(leaf(c));
    else if (c.name === 'SourceRef') (sourceRefs ??= []).push(leaf(c));
    else if (c.name === 'Item') (its ??= []).push(readItem(c, limits));
    else if (c.name === 'Chal') {
      const meta = child(c, 'Meta');
      const chal: Chal = { meta: meta ? readMeta(meta) : {} };
      s.chal = chal;
    }
  }
  if (targetRefs) s.targetRefs = targetRefs;
  if (sourceRefs) s.sourceRefs = sourceRefs;
  if (its) s.items = its;
  return s;
}

function common(el: XElement, c: { noResp?: boolean }): void {
  if (child(el, 'NoResp')) c.noResp = true;
}

function items(el: XElement, limits: DecodeLimits): Item[] {
  const out: Item[] = [];
  for (const c of el.children) if (typeof c !== 'string' && c.name === 'Item') out.push(readItem(c, limits));
  return out;
}

function readItem(el: XElement, limits: DecodeLimits): Item {
  const it: Item = {};
  for (const c of el.children) {
    if (typeof c === 'string') continue;
    switch (c.name) {
      case 'Target': it.target = locRef(c); break;
      case 'Source': it.source = locRef(c); break;
      case 'Meta': it.meta = readMeta(c); break;
      case 'Data': it.data = dataText(c, limits); break;
      case 'MoreData': it.moreData = true; break;
      default: break;
    }
  }
  return it;
}

function readCred(el: XElement, limits: DecodeLimits): Cred {
  const meta = child(el, 'Meta');
  return { meta: meta ? readMeta(meta) : {}, data: dataText(required(el, 'Data'), limits).trim() };
}

function locRef(el: XElement): LocRef {
  const r: LocRef = { locUri: leaf(required(el, 'LocURI')) };
  const n = child(el, 'LocName');
  if (n) r.locName = leaf(n);
  return r;
}

/** Meta children may be bare, carry xmlns="syncml:metinf", a prefix, or sit in a <MetInf> wrapper. */
function readMeta(el: XElement): Meta {
  const m: Meta = {};
  for (const c of el.children) {
    if (typeof c === 'string') continue;
    switch (c.name) {
      case 'Format': m.format = leaf(c); break;
      case 'Type': m.type = leaf(c); break;
      case 'Mark': m.mark = leaf(c); break;
      case 'NextNonce': m.nextNonce = leaf(c); break;
      case 'Size': m.size = int(c); break;
      case 'MaxMsgSize': m.maxMsgSize = int(c); break;
      case 'MaxObjSize': m.maxObjSize = int(c); break;
      case 'MetInf': Object.assign(m, readMeta(c)); break;
      default: break; // Anchor, EMI, Mem, Version ...: not used by DM
    }
  }
  return m;
}

function int(el: XElement): number {
  const t = leaf(el);
  if (!/^[0-9]{1,15}$/.test(t)) throw malformed(`<${el.name}> is not a non-negative integer`);
  return Number(t);
}

function child(el: XElement, name: string): XElement | undefined {
  for (const c of el.children) if (typeof c !== 'string' && c.name === name) return c;
  return undefined;
}

function required(el: XElement, name: string): XElement {
  const c = child(el, name);
  if (c === undefined) throw malformed(`<${el.name}> without <${name}>`);
  return c;
}

/** Text of a simple element, trimmed (identifiers, codes, URIs, meta values). */
function leaf(el: XElement): string {
  const ch = el.children;
  if (ch.length === 0) return '';
  if (ch.length === 1 && typeof ch[0] === 'string') return ch[0].trim();
  let s = '';
  for (const c of ch) {
    if (typeof c !== 'string') throw malformed(`unexpected <${c.qname}> inside <${el.name}>`);
    s += c;
  }
  return s.trim();
}

/** Data content kept exactly: text as is; nested elements serialized back to XML text. */
function dataText(el: XElement, limits: DecodeLimits): string {
  const ch = el.children;
  let s: string;
  if (ch.length === 1 && typeof ch[0] === 'string') s = ch[0];
  else if (ch.every((c) => typeof c === 'string')) s = (ch as string[]).join('');
  else s = serializeChildren(ch);
  if (s.length > limits.maxStringLength) throw tooLarge(`<Data> of ${s.length} characters`);
  return s;
}
