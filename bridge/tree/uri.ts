import { Status } from '../core/status.js';
import type { Outcome } from './types.js';

/** URI limits of ./DevDetail/URI/* (0 = unlimited). */
export interface UriLimits {
  maxDepth: number;
  maxTotLen: number;
  maxSegLen: number;
}

export const DEFAULT_URI_LIMITS: UriLimits = { maxDepth: 32, maxTotLen: 1024, maxSegLen: 255 };

export interface ParsedUri {
  /** Segments below the root; [] is the root. */
  segments: string[];
  /** Canonical form: "." for the root, "./A/B" otherwise. */
  path: string;
  /** Property name from `?prop=`, if any. */
  prop?: string;
}

export const ROOT = '.';

/** Characters a segment may not contain: the separator, the query mark, controls. */
// eslint-disable-next-line no-control-regex
const BAD_SEGMENT = /[/?\u0000-\u001f\u007f]/;

/** True when `name` is usable as one node name. */
export function isValidSegment(name: string): boolean {
  return name.length > 0 && name !== '.' && name !== '..' && !BAD_SEGMENT.test(name);
}

/**
 * Parse a DM URI (PROTOCOL.md §2.10): `./A/B`, `A/B`, `.` or `./` for the root, optional `?prop=Name`.
 * Rejects a trailing `/`, empty segments, `..`, `.` anywhere but the start (400) and limit breaches (414).
 */
export function parseUri(input: string, limits: UriLimits = DEFAULT_URI_LIMITS): Outcome<ParsedUri> {
  return parsePlain(input, limits) ?? parseUriFull(input, limits);
}

/**
 * The common case in one pass: no query, not the root, printable ASCII segments within the limits.
 * Undefined for anything else: the full parser then decides (and words the error), so the answer
 * is the same either way.
 */
function parsePlain(input: string, limits: UriLimits): Outcome<ParsedUri> | undefined {
  const n = input.length;
  if (limits.maxTotLen > 0 && n > limits.maxTotLen) return undefined;
  const start = n > 2 && input.charCodeAt(0) === 46 && input.charCodeAt(1) === 47 ? 2 : 0;
  const segments: string[] = [];
  let from = start;
  for (let i = start; i <= n; i++) {
    const c = i === n ? 47 : input.charCodeAt(i);
    if (c !== 47) {
      if (c < 0x20 || c > 0x7e || c === 63) return undefined;
      continue;
    }
    const len = i - from;
    if (len === 0 || (limits.maxSegLen > 0 && len > limits.maxSegLen)) return undefined;
    if (input.charCodeAt(from) === 46 && (len === 1 || (len === 2 && input.charCodeAt(from + 1) === 46))) return undefined;
    segments.push(input.slice(from, i));
    from = i + 1;
  }
  if (limits.maxDepth > 0 && segments.length > limits.maxDepth) return undefined;
  return { status: Status.OK, value: { segments, path: start === 2 ? input : ROOT + '/' + input } };
}

/** The general parser (every form, every error); exported so that tests can check that both paths agree. */
export function parseUriFull(input: string, limits: UriLimits = DEFAULT_URI_LIMITS): Outcome<ParsedUri> {
  let rest = input;
  let prop: string | undefined;
  const q = rest.indexOf('?');
  if (q >= 0) {
    const query = rest.slice(q + 1);
    rest = rest.slice(0, q);
    if (!query.startsWith('prop=') || query.length === 5 || query.includes('&') || query.includes('?')) {
      return bad(`unsupported query "${query}" (only ?prop=<name>)`);
    }
    prop = query.slice(5);
  }
  if (limits.maxTotLen > 0 && rest.length > limits.maxTotLen) {
    return { status: Status.URI_TOO_LONG, reason: `URI longer than ${limits.maxTotLen}` };
  }
  let body: string;
  if (rest === '.' || rest === './') body = '';
  else if (rest.startsWith('./')) body = rest.slice(2);
  else if (rest === '' || rest.startsWith('/')) return bad('URI must be relative to the root (".")');
  else body = rest;
  const segments = body === '' ? [] : body.split('/');
  if (limits.maxDepth > 0 && segments.length > limits.maxDepth) {
    return { status: Status.URI_TOO_LONG, reason: `URI deeper than ${limits.maxDepth}` };
  }
  for (const s of segments) {
    if (s === '') return bad(body.endsWith('/') ? 'URI must not end with "/"' : 'empty segment in URI');
    if (s === '..') return bad('".." is not allowed in a URI');
    if (s === '.') return bad('"." is allowed only at the start of a URI');
    if (!isValidSegment(s)) return bad(`invalid segment "${s}"`);
    if (limits.maxSegLen > 0 && Buffer.byteLength(s) > limits.maxSegLen) {
      return { status: Status.URI_TOO_LONG, reason: `segment longer than ${limits.maxSegLen}` };
    }
  }
  const path = segments.length === 0 ? ROOT : ROOT + '/' + body;
  return { status: Status.OK, value: prop === undefined ? { segments, path } : { segments, path, prop } };
}

/** Serialize segments (+prop) back to canonical URI text. */
export function formatUri(segments: readonly string[], prop?: string): string {
  const base = segments.length === 0 ? ROOT : ROOT + '/' + segments.join('/');
  return prop === undefined ? base : `${base}?prop=${prop}`;
}

export function parentPath(path: string): string | undefined {
  if (path === ROOT) return undefined;
  const i = path.lastIndexOf('/');
  return path.slice(0, i);
}

export function childPath(parent: string, name: string): string {
  return parent + '/' + name;
}

export function nameOf(path: string): string {
  return path === ROOT ? ROOT : path.slice(path.lastIndexOf('/') + 1);
}

/** True when `path` is `ancestor` or below it. */
export function isWithin(path: string, ancestor: string): boolean {
  if (ancestor === ROOT) return true;
  return path === ancestor || path.startsWith(ancestor + '/');
}

function bad(reason: string): Outcome<ParsedUri> {
  return { status: Status.BAD_REQUEST, reason };
}
