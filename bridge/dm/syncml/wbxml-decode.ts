import type { XElement } from './element-tree.js';
import { type DecodeLimits, checkInputSize, malformed, resolveLimits, tooLarge } from './limits.js';
import { type DecodeResult, treeToMessage } from './tree-decode.js';
import { CHARSET_ASCII, CHARSET_LATIN1, CHARSET_UTF8, PUBLIC_ID, TAG_ATTRS, TAG_CONTENT, TAG_NAMES, WB } from './wbxml-tokens.js';

/**
 * SyncML WBXML (application/vnd.syncml.dm+wbxml) -> Message, through the same element tree as
 * the XML decoder. Reads WBXML 1.0-1.3 headers, numeric or string-table public ids, UTF-8 /
 * Latin-1 / ASCII strings, the string table (STR_T, LITERAL tags), inline strings, ENTITY,
 * OPAQUE (decoded as UTF-8 text into Item.data), SWITCH_PAGE (SyncML page 0, MetInf page 1).
 * Attributes and extension tokens are skipped (SyncML uses none). Tags of unknown pages or
 * tokens become elements named `Unknown.<page>.<token>`, so an unknown command is reported in
 * `unknown` rather than failing the message.
 */
export function decodeWbxml(input: Uint8Array, limits?: Partial<DecodeLimits>): DecodeResult {
  const lim = resolveLimits(limits);
  checkInputSize(input.byteLength, lim);
  return treeToMessage(new WbxmlReader(input, lim).document(), lim);
}

// ignoreBOM: a U+FEFF at the start of a string is data (it is not a document BOM in WBXML)
const utf8Fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Lenient = new TextDecoder('utf-8', { ignoreBOM: true });
const latin1 = new TextDecoder('latin1');

class WbxmlReader {
  private pos = 0;
  private strtbl: Uint8Array = new Uint8Array(0);
  private decoder: TextDecoder = utf8Fatal;

  constructor(private readonly b: Uint8Array, private readonly limits: DecodeLimits) {}

  document(): XElement {
    const version = this.byte();
    if (version > 0x03) throw malformed(`unsupported WBXML version 0x${version.toString(16)}`);
    const publicId = this.mbUint();
    const fpiIndex = publicId === 0 ? this.mbUint() : -1;
    const charset = version >= 0x01 ? this.mbUint() : CHARSET_UTF8;
    if (charset === CHARSET_LATIN1) this.decoder = latin1;
    else if (charset === CHARSET_ASCII) this.decoder = latin1;
    else if (charset !== CHARSET_UTF8 && charset !== 0) throw malformed(`unsupported WBXML charset ${charset}`);
    const tblLen = this.mbUint();
    if (tblLen > this.b.length - this.pos) throw malformed('string table runs past the end');
    this.strtbl = this.b.subarray(this.pos, this.pos + tblLen);
    this.pos += tblLen;
    if (fpiIndex >= 0) {
      const fpi = this.tableString(fpiIndex);
      if (!/syncml/i.test(fpi)) throw malformed(`not a SyncML WBXML document (${fpi})`);
    } else if (![PUBLIC_ID.UNKNOWN, PUBLIC_ID.SYNCML_10, PUBLIC_ID.SYNCML_11, PUBLIC_ID.SYNCML_12].includes(publicId as 1)) {
      throw malformed(`not a SyncML WBXML document (public id 0x${publicId.toString(16)})`);
    }
    return this.body();
  }

  private body(): XElement {
    const stack: XElement[] = [];
    let root: XElement | undefined;
    let page = 0;
    let elements = 0;
    const b = this.b;
    while (this.pos < b.length) {
      const tok = b[this.pos++] as number;
      const top = stack[stack.length - 1];
      switch (tok) {
        case WB.SWITCH_PAGE:
          page = this.byte();
          continue;
        case WB.END:
          if (stack.pop() === undefined) throw malformed('END without an open element');
          if (stack.length === 0) return this.trailer(root);
          continue;
        case WB.STR_I:
          this.text(top, this.inlineString());
          continue;
        case WB.STR_T:
          this.text(top, this.tableString(this.mbUint()));
          continue;
        case WB.ENTITY: {
          const cp = this.mbUint();
          if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw malformed(`bad ENTITY ${cp}`);
          this.text(top, String.fromCodePoint(cp));
          continue;
        }
        case WB.OPAQUE: {
          const n = this.mbUint();
          if (n > b.length - this.pos) throw malformed('OPAQUE runs past the end');
          if (n > this.limits.maxStringLength) throw tooLarge(`OPAQUE of ${n} bytes`);
          this.text(top, utf8Lenient.decode(b.subarray(this.pos, this.pos + n)));
          this.pos += n;
          continue;
        }
        case WB.EXT_I_0: case WB.EXT_I_1: case WB.EXT_I_2:
          this.inlineString();
          continue;
        case WB.EXT_T_0: case WB.EXT_T_1: case WB.EXT_T_2:
          this.mbUint();
          continue;
        case WB.EXT_0: case WB.EXT_1: case WB.EXT_2:
          continue;
        case WB.PI:
          this.skipAttributes();
          continue;
        default:
          break;
      }
      // A tag.
      const id = tok & 0x3f;
      let name: string;
      if (id === WB.LITERAL) name = this.tableString(this.mbUint());
      else name = TAG_NAMES[page]?.[id] ?? `Unknown.${page}.${id}`;
      if (tok & TAG_ATTRS) this.skipAttributes();
      if (++elements > this.limits.maxElements) throw tooLarge(`more than ${this.limits.maxElements} elements`);
      if (root !== undefined && top === undefined) throw malformed('more than one root element');
      const colon = name.indexOf(':');
      const el: XElement = { name: colon < 0 ? name : name.slice(colon + 1), qname: name, attrs: undefined, children: [] };
      if (top === undefined) root = el;
      else top.children.push(el);
      if (tok & TAG_CONTENT) {
        if (stack.length >= this.limits.maxDepth) throw tooLarge(`nesting deeper than ${this.limits.maxDepth} elements`);
        stack.push(el);
      } else if (top === undefined) {
        return this.trailer(root);
      }
    }
    throw malformed(stack.length > 0 ? `unexpected end of input inside <${stack[stack.length - 1]?.name}>` : 'no root element');
  }

  /** After the root element only processing instructions may follow. */
  private trailer(root: XElement | undefined): XElement {
    while (this.pos < this.b.length) {
      if (this.b[this.pos++] !== WB.PI) throw malformed('data after the root element');
      this.skipAttributes();
    }
    if (root === undefined) throw malformed('no root element');
    return root;
  }

  private text(top: XElement | undefined, s: string): void {
    if (top === undefined) throw malformed('text outside the root element');
    if (s.length > this.limits.maxStringLength) throw tooLarge(`string of ${s.length} characters`);
    top.children.push(s);
  }

  /** Skips an attribute list (or PI body) up to and including its END. */
  private skipAttributes(): void {
    for (;;) {
      const t = this.byte();
      switch (t) {
        case WB.END: return;
        case WB.SWITCH_PAGE: this.byte(); break;
        case WB.STR_I: case WB.EXT_I_0: case WB.EXT_I_1: case WB.EXT_I_2: this.inlineString(); break;
        case WB.STR_T: case WB.LITERAL: case WB.ENTITY: case WB.EXT_T_0: case WB.EXT_T_1: case WB.EXT_T_2:
          this.mbUint();
          break;
        case WB.OPAQUE: {
          const n = this.mbUint();
          if (n > this.b.length - this.pos) throw malformed('OPAQUE runs past the end');
          this.pos += n;
          break;
        }
        default: break;
      }
    }
  }

  private byte(): number {
    const v = this.b[this.pos++];
    if (v === undefined) throw malformed('unexpected end of WBXML input');
    return v;
  }

  /** mb_u_int32: at most 5 bytes, 7 bits each, high bit = continuation. */
  private mbUint(): number {
    let v = 0;
    for (let i = 0; i < 5; i++) {
      const c = this.byte();
      v = v * 128 + (c & 0x7f);
      if ((c & 0x80) === 0) {
        if (v > 0xffffffff) throw malformed('mb_u_int32 out of range');
        return v;
      }
    }
    throw malformed('mb_u_int32 longer than 5 bytes');
  }

  private inlineString(): string {
    const end = this.b.indexOf(0, this.pos);
    if (end < 0) throw malformed('unterminated inline string');
    if (end - this.pos > this.limits.maxStringLength) throw tooLarge(`string of ${end - this.pos} bytes`);
    const s = this.decode(this.b.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }

  private tableString(index: number): string {
    if (index >= this.strtbl.length) throw malformed(`string table reference ${index} out of range`);
    const end = this.strtbl.indexOf(0, index);
    if (end < 0) throw malformed('unterminated string table entry');
    return this.decode(this.strtbl.subarray(index, end));
  }

  private decode(bytes: Uint8Array): string {
    try {
      return this.decoder.decode(bytes);
    } catch {
      throw malformed('string is not valid in the declared charset');
    }
  }
}
