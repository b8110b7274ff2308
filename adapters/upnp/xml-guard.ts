/**
 * Cheap structural checks before any XML parser sees untrusted device XML. A deliberate copy of
 * bridge/inventory/xml-guard.ts (adapters import only adapters/sdk, whose contract is types and error
 * codes; the inventory may not import adapters/): test/unit/upnp/xml-guard-parity.test.ts keeps the two equal.
 */

export interface XmlLimits {
  maxBytes: number;
  maxDepth: number;
  maxElements: number;
}

export const DOC_LIMITS: XmlLimits = { maxBytes: 256 * 1024, maxDepth: 24, maxElements: 5000 };
/** SOAP answers (a Browse result carries escaped DIDL-Lite, which is text, not elements). */
export const SOAP_LIMITS: XmlLimits = { maxBytes: 1024 * 1024, maxDepth: 16, maxElements: 2000 };

/**
 * Reject what UPnP XML never needs and a hostile document uses: DOCTYPE / ENTITY declarations
 * (entity expansion, external entities), deep nesting, element floods, oversize.
 * Returns the reason, or undefined when the text may be parsed.
 */
export function xmlRejection(xml: string, limits: XmlLimits = DOC_LIMITS): string | undefined {
  if (Buffer.byteLength(xml, 'utf8') > limits.maxBytes) return `larger than ${limits.maxBytes} bytes`;
  if (/<!DOCTYPE|<!ENTITY|<!ELEMENT|<!ATTLIST/i.test(xml)) return 'DTD declarations are not accepted';
  let depth = 0;
  let elements = 0;
  const tag = /<(\/?)([A-Za-z_][\w:.-]*)[^<>]*?(\/?)>|<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>/g;
  for (let m = tag.exec(xml); m !== null; m = tag.exec(xml)) {
    if (m[2] === undefined) continue; // comment, CDATA, processing instruction
    if (m[1] === '/') {
      depth--;
      if (depth < 0) return 'unbalanced end tag';
      continue;
    }
    if (++elements > limits.maxElements) return `more than ${limits.maxElements} elements`;
    if (m[3] !== '/' && ++depth > limits.maxDepth) return `nested deeper than ${limits.maxDepth}`;
  }
  return undefined;
}
