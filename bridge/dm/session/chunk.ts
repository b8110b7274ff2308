/**
 * Outbound large objects (PROTOCOL.md §2.4): splitting one of our commands (Results, Add, Replace,
 * or an Alert with items) so that it fits the room left in a message, and the server's MaxObjSize.
 *
 * A command is split in two ways:
 * - between items: the first items go whole in one command, the rest in a copy of the command
 *   (same CmdRef/MsgRef for Results; a new CmdID for each piece);
 * - inside the first item when it alone does not fit: its data is cut into chunks. Every chunk but
 *   the last carries `MoreData`; the first carries `Meta/Size` = UTF-8 byte length of the whole
 *   data (for b64 the length of the base64 text, which the receiver also accepts); the command
 *   holding a chunk with MoreData is the last one of its message. Cuts never split a surrogate
 *   pair (so never a UTF-8 character) and, for Format b64, fall on a multiple of 4 characters.
 * The remainder goes back to the head of the outbox with `continued` set when its first item is
 * the rest of a chunked item (its Size has been sent already).
 *
 * Sizing assumes `measure(cmd)` >= the total length (UTF-16 units) of the items' data, which holds
 * for the XML/WBXML codecs (every unit is at least one byte) and for JSON length.
 */
import type { Command, Item, Meta } from '../message.js';
import type { OutboxEntry, ReplyDraft } from './types.js';

/** A command we may split: it carries items with data. */
type Splittable = Extract<Command, { cmd: 'Results' | 'Add' | 'Replace' | 'Alert' }>;

export function isSplittable(c: Command): c is Splittable {
  return (c.cmd === 'Results' || c.cmd === 'Add' || c.cmd === 'Replace' || c.cmd === 'Alert') && c.items.length > 0;
}

/** Cheap lower bound of measure(c): the data length of its items. */
export function dataLength(c: Command): number {
  if (!('items' in c) || c.items === undefined) return 0;
  let n = 0;
  for (const it of c.items) n += it.data?.length ?? 0;
  return n;
}

/** UTF-8 byte length of a JS string (lone surrogates count 3, as TextEncoder writes U+FFFD). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (isHigh(c) && i + 1 < s.length && isLow(s.charCodeAt(i + 1))) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

const isHigh = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

export interface Split {
  /** Goes into the current message (CmdID still ''). */
  piece: Command;
  /** Goes back to the head of the outbox. */
  rest: OutboxEntry;
  /** The piece ends with a chunk carrying MoreData (nothing may follow it in the message). */
  chunked: boolean;
}

/**
 * The largest first piece of `entry` for which `fits(piece)` holds, or null if none does.
 * `limit` bounds the data length of a piece that fits (the room left: measure >= data length).
 * `force`: when nothing fits, return the smallest possible piece anyway (one whole item, or one
 * unit of data), so that a message always makes progress; the caller reports it as oversize.
 */
export function splitEntry(entry: OutboxEntry, fits: (c: Command) => boolean, limit: number, force: boolean): Split | null {
  const cmd = entry.cmd;
  if (!isSplittable(cmd)) return null;
  const items = cmd.items;
  const withItems = (its: Item[]): Command => ({ ...cmd, items: its });
  const restEntry = (its: Item[], continued: boolean): OutboxEntry => {
    const e: OutboxEntry = { cmd: withItems(its) };
    if (entry.ref !== undefined) e.ref = entry.ref;
    if (continued) e.continued = true;
    return e;
  };

  // whole items first
  let j = 0;
  while (j < items.length - 1 && fits(withItems(items.slice(0, j + 1)))) j++;
  if (j > 0) return { piece: withItems(items.slice(0, j)), rest: restEntry(items.slice(j), false), chunked: false };

  // the first item alone does not fit: cut its data
  const first = items[0] as Item;
  const data = first.data ?? '';
  const b64 = (first.meta?.format ?? ('meta' in cmd ? cmd.meta?.format : undefined)) === 'b64';
  const unit = b64 ? 4 : 1;
  const meta = chunkMeta(first.meta, entry.continued === true ? undefined : utf8Length(data));
  const chunk = (n: number): Item => {
    const it: Item = { ...first, data: data.slice(0, n), moreData: true };
    if (meta) it.meta = meta;
    else delete it.meta;
    return it;
  };
  const at = (n: number): Command => withItems([chunk(n)]);
  let lo = 0;
  // the last chunk never carries MoreData: at least one unit stays for it
  let hi = Math.max(0, Math.min(data.length - 1, limit));
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(at(mid))) lo = mid;
    else hi = mid - 1;
  }
  let n = adjust(data, lo, unit);
  if (n === 0) {
    if (!force) return null;
    if (items.length > 1) return { piece: withItems([first]), rest: restEntry(items.slice(1), false), chunked: false };
    n = unit === 4 ? 4 : isHigh(data.charCodeAt(0)) && isLow(data.charCodeAt(1)) ? 2 : 1;
    if (n >= data.length) return null; // nothing to cut: the caller sends the command whole
  }
  const restFirst: Item = { ...first, data: data.slice(n) };
  const restMeta = chunkMeta(first.meta, undefined);
  if (restMeta) restFirst.meta = restMeta;
  else delete restFirst.meta;
  return { piece: at(n), rest: restEntry([restFirst, ...items.slice(1)], true), chunked: true };
}

/** Round a cut position down so it is a multiple of `unit` and not inside a surrogate pair. */
function adjust(data: string, n: number, unit: number): number {
  let k = n - (n % unit);
  if (k > 0 && k < data.length && isHigh(data.charCodeAt(k - 1)) && isLow(data.charCodeAt(k))) k -= unit === 1 ? 1 : unit;
  return Math.max(0, k);
}

/** The item's Meta for a chunk: Size only on the first chunk (`size` given). */
function chunkMeta(meta: Meta | undefined, size: number | undefined): Meta | undefined {
  const out: Meta = { ...(meta ?? {}) };
  delete out.size;
  if (size !== undefined) out.size = size;
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * The server's MaxObjSize (§2.4 "must be respected by the peer"): a Get whose Results hold an
 * item larger than `max` bytes gets Status 413 (Request entity too large) and no Results at all
 * (a partial Results would hide the failure); a Get that already failed keeps its code.
 * `max` null = the server stated none: no limit.
 */
export function enforceMaxObjSize(replies: ReplyDraft[], max: number | null): ReplyDraft[] {
  if (max === null) return replies;
  const tooBig = new Set<string>();
  for (const r of replies) {
    if (r.cmd === 'Results' && r.items.some((i) => utf8Length(i.data ?? '') > max)) tooBig.add(r.cmdRef);
  }
  if (tooBig.size === 0) return replies;
  return replies
    .filter((r) => !(r.cmd === 'Results' && tooBig.has(r.cmdRef)))
    .map((r) => (r.cmd === 'Status' && r.refCmd === 'Get' && tooBig.has(r.cmdRef) && r.data.trim().startsWith('2') ? { ...r, data: '413' } : r));
}
