/**
 * The small element tree both SyncML decoders (XML and WBXML) produce and `tree-decode.ts` reads.
 * Only what SyncML needs: names, attributes as written, and ordered children (elements and text).
 */
export interface XElement {
  /** Local name, namespace prefix removed (`m:Type` -> `Type`). */
  name: string;
  /** Name as written, prefix included; used when nested XML is turned back into text. */
  qname: string;
  /** Attributes in document order as [name, value] pairs, or undefined when there are none. */
  attrs: [string, string][] | undefined;
  /** Child elements and text pieces (entity references already decoded) in document order. */
  children: XChild[];
}

export type XChild = XElement | string;

export function escapeText(s: string): string {
  if (!/[&<>\r]/.test(s)) return s;
  return s.replace(/[&<>\r]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#13;'));
}

export function escapeAttr(s: string): string {
  if (!/[&<>"\r\n\t]/.test(s)) return s;
  return s.replace(/[&<>"\r\n\t]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Serializes children back to XML text (used for `<Data>` holding nested elements). */
export function serializeChildren(children: readonly XChild[]): string {
  let out = '';
  for (const c of children) out += typeof c === 'string' ? escapeText(c) : serializeElement(c);
  return out;
}

export function serializeElement(el: XElement): string {
  let out = '<' + el.qname;
  if (el.attrs !== undefined) for (const [k, v] of el.attrs) out += ' ' + k + '="' + escapeAttr(v) + '"';
  if (el.children.length === 0) return out + '/>';
  return out + '>' + serializeChildren(el.children) + '</' + el.qname + '>';
}
