import { XMLParser } from 'fast-xml-parser';
import { xmlRejection, type XmlLimits } from './xml-guard.js';

export type Obj = Record<string, unknown>;
export type Parsed = { ok: true; value: Obj } | { ok: false; reason: string };

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

export const obj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** Text of a parsed element: strings as is (control characters dropped), numbers as text, else ''. */
export function text(v: unknown, max = 256): string {
  if (typeof v === 'string') return v.replace(CONTROL_CHARS, '').trim().slice(0, max);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const o = obj(v);
  if (o && '#text' in o) return text(o['#text'], max);
  return '';
}

const options = {
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: false,
};
const parser = new XMLParser(options);
/** Keeps attributes as "@_name" (SCPD: sendEvents). */
const attrParser = new XMLParser({ ...options, ignoreAttributes: false, attributeNamePrefix: '@_' });

/** Guard, then parse; never throws. */
export function parseXml(xml: string, limits: XmlLimits, attributes = false): Parsed {
  const bad = xmlRejection(xml, limits);
  if (bad !== undefined) return { ok: false, reason: bad };
  try {
    const v = obj((attributes ? attrParser : parser).parse(xml, true) as unknown);
    return v ? { ok: true, value: v } : { ok: false, reason: 'not an XML document' };
  } catch (err) {
    return { ok: false, reason: `not well-formed XML: ${(err as Error).message.slice(0, 120)}` };
  }
}

/** Absolute http(s) URL of `rel` against `base`, '' when invalid or another scheme. */
export function resolveUrl(rel: string, base: string): string {
  if (rel === '') return '';
  try {
    const u = new URL(rel, base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : '';
  } catch {
    return '';
  }
}
