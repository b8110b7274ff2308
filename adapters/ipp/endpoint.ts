import type { DeviceRecord } from '../sdk/index.js';

/** Where one printer answers IPP: `ipp://` (plain HTTP) or `ipps://` (HTTP over TLS). */
export interface Endpoint {
  secure: boolean;
  /** Address as connected to (no brackets). */
  host: string;
  port: number;
  /** HTTP request path, "/" + the TXT `rp`. */
  path: string;
  /** The printer-uri operation attribute. */
  ippUri: string;
}

/** The IPP Everywhere default when TXT `rp` is absent (or unusable). */
export const DEFAULT_RP = 'ipp/print';
/** A usable `rp`: "/"-separated URI segments, no dot segments, no query/fragment, ≤ 255 chars. */
const RP = /^(?:[A-Za-z0-9._~-]+(?:\/[A-Za-z0-9._~-]+)*)?$/;

export function resourcePath(rp: string | undefined): string {
  if (rp === undefined || rp.length > 255 || !RP.test(rp) || rp.split('/').some((s) => s === '.' || s === '..')) return DEFAULT_RP;
  return rp;
}

/**
 * The printer's IPP endpoints from its mDNS services, best first: `_ipps._tcp` (TLS), then
 * `_ipp._tcp`; services with port 0 (placeholders) are ignored, and so is a device without an address.
 */
export function endpoints(d: DeviceRecord): Endpoint[] {
  if (d.address === '') return [];
  const host = d.address;
  const authority = host.includes(':') ? `[${host}]` : host;
  const out: Endpoint[] = [];
  for (const type of ['_ipps._tcp', '_ipp._tcp']) {
    for (const s of d.services) {
      if (s.protocol !== 'mdns' || s.type !== type || !s.port || s.port <= 0 || s.port > 65535) continue;
      const secure = type === '_ipps._tcp';
      const path = `/${resourcePath(s.txt?.rp)}`;
      if (out.some((e) => e.secure === secure && e.port === s.port && e.path === path)) continue;
      out.push({ secure, host, port: s.port, path, ippUri: `${secure ? 'ipps' : 'ipp'}://${authority}:${s.port}${path}` });
    }
  }
  return out;
}
