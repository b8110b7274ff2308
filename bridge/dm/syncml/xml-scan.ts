import type { XChild, XElement } from './element-tree.js';
import { type DecodeLimits, malformed, tooLarge } from './limits.js';

/**
 * A small, strict, non-validating XML scanner specialised for SyncML documents: string in,
 * element tree out, one pass, no recursion (an explicit stack bounded by `maxDepth`).
 *
 * Security choices: a DOCTYPE is skipped, never interpreted, so internal entities are never
 * expanded; a reference to any entity other than the five predefined ones fails with
 * MESSAGE_MALFORMED (this is how billion-laughs input ends, after one linear scan). Numeric
 * character references are decoded. Line ends are normalised to `\n` as XML requires.
 */
export function scanXml(src: string, limits: DecodeLimits): XElement {
  let pos = src.charCodeAt(0) === 0xfeff ? 1 : 0;
  const len = src.length;
  const stack: XElement[] = [];
  let root: XElement | undefined;
  let elements = 0;

  const skipTo = (needle: string, what: string): void => {
    const end = src.indexOf(needle, pos);
    if (end < 0) throw malformed(`unterminated ${what}`);
    pos = end + needle.length;
  };

  while (pos < len) {
    const lt = src.indexOf('<', pos);
    const top = stack[stack.length - 1];
    if (lt !== pos) {
      const end = lt < 0 ? len : lt;
      const raw = src.slice(pos, end);
      if (top === undefined) {
        if (!isBlank(raw)) throw malformed('text outside the root element');
      } else {
        if (raw.length > limits.maxStringLength) throw tooLarge(`text of ${raw.length} characters`);
        top.children.push(normalise(raw, true));
      }
      if (lt < 0) break;
      pos = lt;
    }
    const c1 = src.charCodeAt(pos + 1);
    if (c1 === 0x2f /* / */) {
      const gt = src.indexOf('>', pos + 2);
      if (gt < 0) throw malformed('unterminated end tag');
      const name = src.slice(pos + 2, gt).trimEnd();
      const open = stack.pop();
      if (open === undefined || open.qname !== name) {
        throw malformed(`end tag </${name}> does not match ${open ? `<${open.qname}>` : 'any open element'}`);
      }
      pos = gt + 1;
      continue;
    }
    if (c1 === 0x3f /* ? */) {
      skipTo('?>', 'processing instruction');
      continue;
    }
    if (c1 === 0x21 /* ! */) {
      if (src.startsWith('<!--', pos)) {
        skipTo('-->', 'comment');
      } else if (src.startsWith('<![CDATA[', pos)) {
        if (top === undefined) throw malformed('CDATA outside the root element');
        const end = src.indexOf(']]>', pos + 9);
        if (end < 0) throw malformed('unterminated CDATA section');
        if (end - pos - 9 > limits.maxStringLength) throw tooLarge(`CDATA of ${end - pos - 9} characters`);
        top.children.push(normalise(src.slice(pos + 9, end), false));
        pos = end + 3;
      } else if (src.startsWith('<!DOCTYPE', pos) && root === undefined) {
        pos = skipDoctype(src, pos + 9);
      } else {
        throw malformed('unexpected markup declaration');
      }
      continue;
    }
    // Start tag.
    if (root !== undefined && stack.length === 0) throw malformed('more than one root element');
    let p = pos + 1;
    while (p < len && !isNameEnd(src.charCodeAt(p))) p++;
    const qname = src.slice(pos + 1, p);
    if (qname.length === 0) throw malformed('empty element name');
    let attrs: [string, string][] | undefined;
    let selfClose = false;
    for (;;) {
      while (p < len && isSpace(src.charCodeAt(p))) p++;
      if (p >= len) throw malformed('unexpected end of input in a start tag');
      const c = src.charCodeAt(p);
      if (c === 0x3e /* > */) { p++; break; }
      if (c === 0x2f /* / */) {
        if (src.charCodeAt(p + 1) !== 0x3e) throw malformed(`bad start tag <${qname}>`);
        selfClose = true;
        p += 2;
        break;
      }
      const eq = src.indexOf('=', p);
      if (eq < 0) throw malformed(`bad attribute in <${qname}>`);
      const an = src.slice(p, eq).trim();
      if (an.length === 0 || /[\s<>"'/]/.test(an)) throw malformed(`bad attribute in <${qname}>`);
      p = eq + 1;
      while (p < len && isSpace(src.charCodeAt(p))) p++;
      const q = src.charCodeAt(p);
      if (q !== 0x22 && q !== 0x27) throw malformed(`unquoted attribute ${an} in <${qname}>`);
      const qe = src.indexOf(q === 0x22 ? '"' : "'", p + 1);
      if (qe < 0) throw malformed(`unterminated attribute ${an} in <${qname}>`);
      const av = src.slice(p + 1, qe);
      if (av.includes('<')) throw malformed(`'<' in attribute ${an}`);
      (attrs ??= []).push([an, normalise(av, true)]);
      p = qe + 1;
    }
    if (++elements > limits.maxElements) throw tooLarge(`more than ${limits.maxElements} elements`);
    const colon = qname.indexOf(':');
    const el: XElement = { name: colon < 0 ? qname : qname.slice(colon + 1), qname, attrs, children: [] };
    if (top === undefined) root = el;
    else top.children.push(el);
    if (!selfClose) {
      if (stack.length >= limits.maxDepth) throw tooLarge(`nesting deeper than ${limits.maxDepth} elements`);
      stack.push(el);
    }
    pos = p;
  }
  if (stack.length > 0) throw malformed(`unexpected end of input inside <${stack[stack.length - 1]?.qname}>`);
  if (root === undefined) throw malformed('no root element');
  return root;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isNameEnd(c: number): boolean {
  return c === 0x3e || c === 0x2f || isSpace(c) || c === 0x3c || c === 0x3d;
}

function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isSpace(s.charCodeAt(i))) return false;
  return true;
}

/** Skips `<!DOCTYPE ...>` including an internal subset; nothing in it is interpreted. */
function skipDoctype(src: string, from: number): number {
  let p = from;
  let inSubset = false;
  while (p < src.length) {
    const c = src[p];
    if (c === '"' || c === "'") {
      const e = src.indexOf(c, p + 1);
      if (e < 0) break;
      p = e + 1;
      continue;
    }
    if (inSubset && src.startsWith('<!--', p)) {
      const e = src.indexOf('-->', p + 4);
      if (e < 0) break;
      p = e + 3;
      continue;
    }
    if (c === '[') inSubset = true;
    else if (c === ']') inSubset = false;
    else if (c === '>' && !inSubset) return p + 1;
    p++;
  }
  throw malformed('unterminated DOCTYPE');
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Line-end normalisation, then (for text and attribute values) reference decoding. */
function normalise(s: string, refs: boolean): string {
  if (s.includes('\r')) s = s.replace(/\r\n?/g, '\n');
  if (!refs || !s.includes('&')) return s;
  let out = '';
  let last = 0;
  let amp = s.indexOf('&');
  while (amp >= 0) {
    const semi = s.indexOf(';', amp + 1);
    if (semi < 0 || semi - amp > 12) throw malformed('bad entity or character reference');
    const ref = s.slice(amp + 1, semi);
    out += s.slice(last, amp) + decodeRef(ref);
    last = semi + 1;
    amp = s.indexOf('&', last);
  }
  return out + s.slice(last);
}

function decodeRef(ref: string): string {
  if (ref.charCodeAt(0) === 0x23 /* # */) {
    const hex = ref.charCodeAt(1) === 0x78; /* x */
    const digits = ref.slice(hex ? 2 : 1);
    if (!(hex ? /^[0-9a-fA-F]{1,6}$/ : /^[0-9]{1,7}$/).test(digits)) throw malformed(`bad character reference &${ref};`);
    const cp = parseInt(digits, hex ? 16 : 10);
    if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw malformed(`bad character reference &${ref};`);
    return String.fromCodePoint(cp);
  }
  const v = PREDEFINED[ref];
  if (v === undefined) throw malformed(`entity &${ref}; is not supported (DTD entities are never expanded)`);
  return v;
}

export type { XChild };
