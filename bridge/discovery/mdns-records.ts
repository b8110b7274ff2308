import { isIPv4 } from 'node:net';
import { CONTROL_CHARS, type Parsed } from './ssdp-headers.js';
import type { MdnsDetails } from './types.js';

/** The fields of a bonjour-service Service we read (all untrusted: they come off the wire). */
export interface RawService {
  name?: unknown;
  type?: unknown;
  protocol?: unknown;
  host?: unknown;
  port?: unknown;
  fqdn?: unknown;
  txt?: unknown;
  addresses?: unknown;
  referer?: unknown;
  ttl?: unknown;
}

export interface MdnsService {
  fqdn: string;
  address: string;
  ttlSec: number;
  details: MdnsDetails;
}

const MAX_TXT_KEYS = 64;
const MAX_TXT_VALUE = 255;
const str = (v: unknown, max: number): string | undefined => (typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined);

/** TXT key/values as strings (Buffers decoded, booleans as "true"), bounded. */
export function normalizeTxt(txt: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof txt !== 'object' || txt === null || Array.isArray(txt)) return out;
  let n = 0;
  for (const [k, v] of Object.entries(txt as Record<string, unknown>)) {
    if (++n > MAX_TXT_KEYS) break;
    if (k.length === 0 || k.length > 64 || k.toLowerCase() === '__proto__') continue;
    let s: string | undefined;
    if (typeof v === 'string') s = v;
    else if (Buffer.isBuffer(v)) s = v.toString('utf8');
    else if (typeof v === 'boolean' || typeof v === 'number') s = String(v);
    if (s === undefined) continue;
    out[k.toLowerCase()] = s.replace(CONTROL_CHARS, '').slice(0, MAX_TXT_VALUE);
  }
  return out;
}

/** Lower-case host name without the trailing dot. */
export function normalizeHost(h: string): string {
  return h.replace(/\.$/, '').toLowerCase();
}

/** Validate a service assembled by bonjour-service; anything off is a reason, never a throw. */
export function toMdnsService(s: RawService): Parsed<MdnsService> {
  const name = str(s.name, 255);
  const type = str(s.type, 63);
  const host = str(s.host, 255);
  const fqdn = str(s.fqdn, 1024);
  if (!name || !type || !host || !fqdn) return { ok: false, reason: 'service without name, type, host or fqdn' };
  if (!/^[A-Za-z0-9-]+$/.test(type)) return { ok: false, reason: 'invalid service type' };
  const protocol = s.protocol === 'udp' ? 'udp' : 'tcp';
  const port = s.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) return { ok: false, reason: 'invalid port' };
  if (port === 0) return { ok: false, reason: 'port 0 (placeholder service)' };
  const addrs = Array.isArray(s.addresses) ? s.addresses.filter((a): a is string => typeof a === 'string' && isIPv4(a)) : [];
  const ref = (s.referer as { address?: unknown } | undefined)?.address;
  const address = addrs[0] ?? (typeof ref === 'string' && isIPv4(ref) ? ref : undefined);
  if (address === undefined) return { ok: false, reason: 'no IPv4 address' };
  const ttl = typeof s.ttl === 'number' && Number.isFinite(s.ttl) && s.ttl > 0 ? Math.min(s.ttl, 86_400) : 120;
  return {
    ok: true,
    value: {
      fqdn: fqdn.toLowerCase(),
      address,
      ttlSec: ttl,
      details: { instance: name, serviceType: `_${type}._${protocol}`, host: normalizeHost(host), port, txt: normalizeTxt(s.txt) },
    },
  };
}

/** FQDNs said goodbye to (PTR records with TTL 0) in a response packet. */
export function goodbyes(packet: unknown): string[] {
  const p = packet as { answers?: unknown; additionals?: unknown } | null;
  const rrs = [p?.answers, p?.additionals].flatMap((a) => (Array.isArray(a) ? (a as unknown[]) : []));
  const out: string[] = [];
  for (const rr of rrs) {
    const r = rr as { type?: unknown; ttl?: unknown; data?: unknown };
    if (r && r.type === 'PTR' && r.ttl === 0 && typeof r.data === 'string' && r.data.length <= 1024) out.push(r.data.toLowerCase());
  }
  return out;
}
