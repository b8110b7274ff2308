/**
 * SSDP message and header parsing, defensive: anything malformed yields a reason, never a throw.
 * node-ssdp hands us header objects; the self-test reads raw datagrams with parseSsdpText.
 */

export const MAX_SSDP_BYTES = 8192;
const MAX_HEADERS = 64;
const MAX_AGE_LIMIT = 86_400;
const DEFAULT_MAX_AGE = 1800;
const UUID = /^[A-Za-z0-9._~-]{1,100}$/;

export interface SsdpMessage {
  kind: 'notify' | 'msearch' | 'response';
  status?: number;
  /** Header names upper-cased; the first occurrence wins. */
  headers: Record<string, string>;
}

export interface SsdpAnnouncement {
  nts: 'alive' | 'byebye';
  uuid: string;
  usn: string;
  target: string;
  /** http URL on the sender's own address, or ''. */
  location: string;
  maxAgeSec: number;
  server: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

// eslint-disable-next-line no-control-regex
export const CONTROL_CHARS = /[\u0000-\u001f\u007f]/g;
const clean = (s: string, max: number): string => s.replace(CONTROL_CHARS, '').trim().slice(0, max);

/** Parse a raw SSDP datagram (HTTPU). */
export function parseSsdpText(text: string): Parsed<SsdpMessage> {
  if (text.length > MAX_SSDP_BYTES) return { ok: false, reason: 'message too large' };
  const lines = text.split(/\r?\n/);
  const start = lines[0] ?? '';
  let kind: SsdpMessage['kind'];
  let status: number | undefined;
  const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(start);
  if (m) {
    kind = 'response';
    status = Number(m[1]);
  } else if (/^NOTIFY \* HTTP\/1\.[01]$/i.test(start)) kind = 'notify';
  else if (/^M-SEARCH \* HTTP\/1\.[01]$/i.test(start)) kind = 'msearch';
  else return { ok: false, reason: 'not an SSDP start line' };
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  let n = 0;
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const i = line.indexOf(':');
    if (i <= 0) return { ok: false, reason: 'malformed header line' };
    const name = line.slice(0, i).trim().toUpperCase();
    if (!/^[A-Z0-9._-]{1,64}$/.test(name)) return { ok: false, reason: 'invalid header name' };
    if (++n > MAX_HEADERS) return { ok: false, reason: 'too many headers' };
    if (!(name in headers)) headers[name] = line.slice(i + 1).trim();
  }
  return { ok: true, value: status === undefined ? { kind, headers } : { kind, status, headers } };
}

function header(h: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const v = Object.prototype.hasOwnProperty.call(h, name) ? h[name] : undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** The uuid of a USN ("uuid:<id>" optionally followed by "::<type>"), lower-cased. */
export function uuidOfUsn(usn: string): string | undefined {
  const m = /^\s*uuid:([^:\s]+)/i.exec(usn);
  if (!m || !UUID.test(m[1]!)) return undefined;
  return m[1]!.toLowerCase();
}

function maxAge(v: string | undefined): number {
  if (v === undefined) return DEFAULT_MAX_AGE;
  const m = /max-age\s*=\s*"?(\d{1,9})"?/i.exec(v);
  if (!m) return DEFAULT_MAX_AGE;
  return Math.min(Math.max(Number(m[1]), 1), MAX_AGE_LIMIT);
}

/** A LOCATION we are willing to fetch: http, on the sender's own IPv4 address, short. */
export function safeLocation(v: string | undefined, address: string): string {
  if (v === undefined || v.length > 1024) return '';
  let u: URL;
  try {
    u = new URL(v.trim());
  } catch {
    return '';
  }
  if (u.protocol !== 'http:' || u.hostname !== address || u.username !== '' || u.password !== '') return '';
  return u.toString();
}

/**
 * An alive/byebye NOTIFY or an M-SEARCH response as an announcement of one device (its uuid).
 * `kind` 'response' counts as alive.
 */
export function toAnnouncement(
  h: Readonly<Record<string, unknown>>,
  kind: 'notify' | 'response',
  address: string,
): Parsed<SsdpAnnouncement> {
  const usn = header(h, 'USN');
  if (usn === undefined || usn.length > 512) return { ok: false, reason: 'missing or oversized USN' };
  const uuid = uuidOfUsn(usn);
  if (uuid === undefined) return { ok: false, reason: 'USN without a valid uuid' };
  let nts: SsdpAnnouncement['nts'] = 'alive';
  if (kind === 'notify') {
    const v = header(h, 'NTS')?.trim().toLowerCase();
    if (v === 'ssdp:alive') nts = 'alive';
    else if (v === 'ssdp:byebye') nts = 'byebye';
    else return { ok: false, reason: 'NOTIFY without ssdp:alive or ssdp:byebye' };
  }
  const target = clean(header(h, kind === 'notify' ? 'NT' : 'ST') ?? '', 256);
  return {
    ok: true,
    value: {
      nts,
      uuid,
      usn: clean(usn, 512),
      target,
      location: nts === 'alive' ? safeLocation(header(h, 'LOCATION'), address) : '',
      maxAgeSec: maxAge(header(h, 'CACHE-CONTROL')),
      server: clean(header(h, 'SERVER') ?? '', 256),
    },
  };
}

/** Serialize a message (used by the self-test and by tests). */
export function formatSsdp(start: string, headers: Readonly<Record<string, string>>): string {
  return `${start}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
}
