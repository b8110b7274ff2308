/**
 * A minimal IPP/1.1 message encoder/decoder (RFC 8010 §3): header, attribute groups, 1setOf values,
 * collections (kept as raw bytes). Pure functions; decoding never throws anything but IppDecodeError.
 */

export const Op = { GET_PRINTER_ATTRIBUTES: 0x000b, IDENTIFY_PRINTER: 0x003c } as const;
export const Group = { OPERATION: 0x01, JOB: 0x02, END: 0x03, PRINTER: 0x04, UNSUPPORTED: 0x05 } as const;
export const Tag = {
  UNSUPPORTED: 0x10, UNKNOWN: 0x12, NO_VALUE: 0x13,
  INTEGER: 0x21, BOOLEAN: 0x22, ENUM: 0x23,
  OCTET_STRING: 0x30, DATE_TIME: 0x31, RESOLUTION: 0x32, RANGE: 0x33, BEG_COLLECTION: 0x34,
  TEXT_WITH_LANGUAGE: 0x35, NAME_WITH_LANGUAGE: 0x36, END_COLLECTION: 0x37,
  TEXT: 0x41, NAME: 0x42, KEYWORD: 0x44, URI: 0x45, URI_SCHEME: 0x46, CHARSET: 0x47, LANGUAGE: 0x48, MIME: 0x49, MEMBER_NAME: 0x4a,
} as const;

export type IppValue = string | number | boolean | Uint8Array;

export interface IppAttribute {
  name: string;
  tag: number;
  values: IppValue[];
}

export interface IppGroup {
  tag: number;
  attributes: IppAttribute[];
}

export interface IppMessage {
  version: [number, number];
  /** operation-id (request) or status-code (response). */
  code: number;
  requestId: number;
  groups: IppGroup[];
  /** Document data after the end-of-attributes tag. */
  data: Uint8Array;
}

export type IppErrorKind = 'TRUNCATED' | 'TOO_LARGE' | 'MALFORMED';

export class IppDecodeError extends Error {
  constructor(readonly kind: IppErrorKind, message: string) {
    super(message);
    this.name = 'IppDecodeError';
  }
}

const INT_TAGS: ReadonlySet<number> = new Set([Tag.INTEGER, Tag.ENUM]);
const TEXT_TAGS: ReadonlySet<number> = new Set([
  Tag.TEXT, Tag.NAME, Tag.KEYWORD, Tag.URI, Tag.URI_SCHEME, Tag.CHARSET, Tag.LANGUAGE, Tag.MIME, Tag.MEMBER_NAME,
]);

/** Decode one IPP message; `maxBytes` bounds the input (TOO_LARGE beyond). */
export function decodeIpp(buf: Uint8Array, maxBytes = 1024 * 1024): IppMessage {
  if (buf.length > maxBytes) throw new IppDecodeError('TOO_LARGE', `IPP message of ${buf.length} bytes exceeds ${maxBytes}`);
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let at = 0;
  const need = (n: number, what: string): void => {
    if (at + n > buf.length) throw new IppDecodeError('TRUNCATED', `truncated ${what} at byte ${at}`);
  };
  need(8, 'header');
  const msg: IppMessage = { version: [buf[0]!, buf[1]!], code: v.getUint16(2), requestId: v.getUint32(4), groups: [], data: new Uint8Array() };
  at = 8;
  let group: IppGroup | undefined;
  let last: IppAttribute | undefined;
  let depth = 0;
  const text = new TextDecoder('utf-8', { fatal: false });
  for (;;) {
    need(1, 'tag');
    const tag = buf[at++]!;
    if (tag === Group.END) {
      if (depth !== 0) throw new IppDecodeError('MALFORMED', 'collection not closed');
      msg.data = buf.subarray(at);
      return msg;
    }
    if (tag < 0x10) {
      if (depth !== 0) throw new IppDecodeError('MALFORMED', 'group tag inside a collection');
      group = { tag, attributes: [] };
      msg.groups.push(group);
      last = undefined;
      continue;
    }
    if (!group) throw new IppDecodeError('MALFORMED', 'attribute before any group');
    need(2, 'name length');
    const nameLen = v.getUint16(at);
    at += 2;
    need(nameLen, 'name');
    const name = text.decode(buf.subarray(at, at + nameLen));
    at += nameLen;
    need(2, 'value length');
    const len = v.getUint16(at);
    at += 2;
    need(len, 'value');
    const raw = buf.subarray(at, at + len);
    at += len;
    // a collection is kept as one value (its begCollection bytes); its members are skipped
    if (tag === Tag.END_COLLECTION) {
      if (depth === 0) throw new IppDecodeError('MALFORMED', 'endCollection without begCollection');
      depth--;
      continue;
    }
    if (tag === Tag.BEG_COLLECTION) depth++;
    if (depth > (tag === Tag.BEG_COLLECTION ? 1 : 0)) continue;
    const value = decodeValue(tag, raw, text);
    if (nameLen === 0) {
      if (!last) throw new IppDecodeError('MALFORMED', 'additional value without an attribute');
      last.values.push(value);
    } else {
      last = { name, tag, values: [value] };
      group.attributes.push(last);
    }
  }
}

function decodeValue(tag: number, raw: Uint8Array, text: TextDecoder): IppValue {
  if (INT_TAGS.has(tag)) {
    if (raw.length !== 4) throw new IppDecodeError('MALFORMED', `integer of ${raw.length} bytes`);
    return new DataView(raw.buffer, raw.byteOffset, 4).getInt32(0);
  }
  if (tag === Tag.BOOLEAN) {
    if (raw.length !== 1) throw new IppDecodeError('MALFORMED', `boolean of ${raw.length} bytes`);
    return raw[0] !== 0;
  }
  if (TEXT_TAGS.has(tag)) return text.decode(raw);
  if (tag === Tag.TEXT_WITH_LANGUAGE || tag === Tag.NAME_WITH_LANGUAGE) {
    if (raw.length < 4) throw new IppDecodeError('MALFORMED', 'short textWithLanguage');
    const ll = (raw[0]! << 8) | raw[1]!;
    const tAt = 2 + ll;
    if (tAt + 2 > raw.length) throw new IppDecodeError('MALFORMED', 'bad textWithLanguage');
    const tl = (raw[tAt]! << 8) | raw[tAt + 1]!;
    if (tAt + 2 + tl !== raw.length) throw new IppDecodeError('MALFORMED', 'bad textWithLanguage');
    return text.decode(raw.subarray(tAt + 2));
  }
  return raw.slice();
}

/** Encode a message; values are written by their attribute's tag. */
export function encodeIpp(msg: Omit<IppMessage, 'data'> & { data?: Uint8Array }): Uint8Array {
  const parts: Uint8Array[] = [];
  const enc = new TextEncoder();
  const u16 = (n: number) => Uint8Array.of((n >> 8) & 0xff, n & 0xff);
  const header = new Uint8Array(8);
  const hv = new DataView(header.buffer);
  header[0] = msg.version[0];
  header[1] = msg.version[1];
  hv.setUint16(2, msg.code);
  hv.setUint32(4, msg.requestId);
  parts.push(header);
  for (const g of msg.groups) {
    parts.push(Uint8Array.of(g.tag));
    for (const a of g.attributes) {
      a.values.forEach((val, i) => {
        const name = i === 0 ? enc.encode(a.name) : new Uint8Array();
        const body = encodeValue(a.tag, val, enc);
        if (name.length > 0xffff || body.length > 0xffff) throw new RangeError(`attribute ${a.name} too long`);
        parts.push(Uint8Array.of(a.tag), u16(name.length), name, u16(body.length), body);
      });
    }
  }
  parts.push(Uint8Array.of(Group.END));
  if (msg.data) parts.push(msg.data);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function encodeValue(tag: number, val: IppValue, enc: TextEncoder): Uint8Array {
  if (INT_TAGS.has(tag)) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, Number(val));
    return b;
  }
  if (tag === Tag.BOOLEAN) return Uint8Array.of(val ? 1 : 0);
  if (typeof val === 'string') return enc.encode(val);
  if (val instanceof Uint8Array) return val;
  return enc.encode(String(val));
}

/** A request with the three mandatory operation attributes (RFC 8011 §4.1.4/4.1.5). */
export function ippRequest(op: number, requestId: number, printerUri: string, extra: IppAttribute[] = []): Uint8Array {
  return encodeIpp({
    version: [1, 1],
    code: op,
    requestId,
    groups: [{
      tag: Group.OPERATION,
      attributes: [
        { name: 'attributes-charset', tag: Tag.CHARSET, values: ['utf-8'] },
        { name: 'attributes-natural-language', tag: Tag.LANGUAGE, values: ['en'] },
        { name: 'printer-uri', tag: Tag.URI, values: [printerUri] },
        ...extra,
      ],
    }],
  });
}

/** The values of an attribute anywhere in the message's groups of `groupTag` (default: printer). */
export function attr(msg: IppMessage, name: string, groupTag: number = Group.PRINTER): IppValue[] {
  for (const g of msg.groups) {
    if (g.tag !== groupTag) continue;
    const a = g.attributes.find((x) => x.name === name);
    if (a) return a.values;
  }
  return [];
}
