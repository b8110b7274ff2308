import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** A valid DevID / GroupID: one URI segment of unreserved characters. */
export const SEGMENT = /^[A-Za-z0-9._~-]{1,128}$/;

/** Lower-case ASCII slug: letters and digits, runs of anything else become one '-'. */
export function slug(s: string, max = 48): string {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, max)
    .replace(/^-+|-+$/g, '');
}

/** Identity keys: what stays the same for a device whatever its address. */
export const upnpKey = (uuid: string): string => `upnp:${uuid.toLowerCase()}`;
export const mdnsKey = (host: string): string => `mdns:${host.toLowerCase()}`;
export const macKey = (mac: string): string => `mac:${mac}`;

/** upnp-<uuid>; the uuid was validated as unreserved characters by the SSDP parser. */
export function upnpDevId(uuid: string): string | undefined {
  const id = `upnp-${uuid.toLowerCase()}`;
  return SEGMENT.test(id) ? id : undefined;
}

/** mdns-<slug of instance>.<slug of host without .local>; undefined when nothing ASCII is left. */
export function mdnsDevId(instance: string, host: string): string | undefined {
  const h = slug(host.replace(/\.local\.?$/i, ''));
  const i = slug(instance);
  const parts = [i, h].filter((p) => p !== '');
  if (parts.length === 0) return undefined;
  if (i !== '' && i === h) return `mdns-${i}`;
  return `mdns-${parts.join('.')}`;
}

/** mac-<12 hex digits>. */
export function macDevId(mac: string): string | undefined {
  return /^[0-9a-f]{12}$/.test(mac) ? `mac-${mac}` : undefined;
}

/** Last resort for names that slug to nothing and a device without a MAC: a stable hash. */
export function hashDevId(prefix: string, text: string): string {
  return `${prefix}-${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}

/** Add "~2", "~3"... until `taken` says no. */
export function uniqueId(base: string, taken: (id: string) => boolean): string {
  if (!taken(base)) return base;
  for (let n = 2; ; n++) {
    const id = `${base}~${n}`;
    if (!taken(id)) return id;
  }
}

/** MAC (12 lower-case hex digits) per IPv4 from the kernel's neighbour table. */
export function parseArp(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4) continue;
    const [ip, , flags, mac] = f as [string, string, string, string];
    if ((Number.parseInt(flags, 16) & 0x2) === 0) continue;
    const hex = mac.toLowerCase().replace(/:/g, '');
    if (/^[0-9a-f]{12}$/.test(hex) && hex !== '000000000000') out.set(ip, hex);
  }
  return out;
}

/** A neighbour-table lookup that re-reads /proc/net/arp at most every `maxAgeMs`. */
export function arpLookup(path = '/proc/net/arp', maxAgeMs = 5000): (ip: string) => string | undefined {
  let table = new Map<string, string>();
  let readAt = -Infinity;
  return (ip) => {
    const now = Date.now();
    if (now - readAt > maxAgeMs) {
      readAt = now;
      try {
        table = parseArp(readFileSync(path, 'utf8'));
      } catch {
        table = new Map();
      }
    }
    return table.get(ip);
  };
}
