import { createHash } from 'node:crypto';
import type Router from '@koa/router';

/** One device as the inventory holds it (structurally bridge/store's DeviceRow). */
export interface DeviceLike {
  devId: string;
  name: string;
  type: string;
  manufacturer: string;
  model: string;
  protocols: string[];
  address: string;
  status: 'online' | 'offline';
  lastSeen: number;
  adapter: string;
}

export interface DeviceLister {
  list(): DeviceLike[];
  /**
   * A number that changes whenever list() may return something else (the inventory's version()).
   * When given, the serialized body is cached on it; without it every request builds the body.
   */
  version?(): number;
}

/** One device as GET /api/v1/devices gives it: DeviceLike with lastSeen as ISO 8601 UTC (null when never seen), adapter null when none. */
export type DeviceJson = Omit<DeviceLike, 'lastSeen' | 'adapter'> & { lastSeen: string | null; adapter: string | null };

export function deviceJson(d: DeviceLike): DeviceJson {
  return {
    devId: d.devId,
    name: d.name,
    type: d.type,
    manufacturer: d.manufacturer,
    model: d.model,
    protocols: [...d.protocols],
    address: d.address,
    status: d.status,
    lastSeen: d.lastSeen > 0 ? new Date(d.lastSeen).toISOString() : null,
    adapter: d.adapter === '' ? null : d.adapter,
  };
}

interface Body {
  version: number;
  bytes: Buffer;
  etag: string;
}

/** The JSON body of GET /api/v1/devices and its strong ETag (hash of the bytes: stable across restarts). */
export function devicesBody(devices: DeviceLister, version: number): Body {
  const bytes = Buffer.from(JSON.stringify(devices.list().map(deviceJson)), 'utf8');
  return { version, bytes, etag: `"${createHash('sha1').update(bytes).digest('base64url')}"` };
}

/**
 * RFC 9110 §13.1.2 for the origin server: true when If-None-Match names `etag` (weak comparison) or is `*`.
 * (Not koa's ctx.fresh: it ignores the header when the request also says Cache-Control: no-cache, as fetch() does.)
 */
export function notModified(ifNoneMatch: string, etag: string): boolean {
  if (ifNoneMatch === '') return false;
  const strip = (t: string): string => (t.startsWith('W/') ? t.slice(2) : t);
  return ifNoneMatch.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || strip(tag) === strip(etag);
  });
}

/**
 * GET /api/v1/devices: every known device (online and offline), ordered by DevID. With a version
 * source the body is built once per inventory change (never stale: the version is read on every
 * request); an `If-None-Match` with the current ETag gets 304. Clients revalidate (no-cache).
 */
export function deviceRoutes(router: Router, devices: DeviceLister): void {
  let cached: Body | undefined;
  router.get('/api/v1/devices', (ctx) => {
    const version = devices.version?.();
    let body: Body;
    if (version === undefined) body = devicesBody(devices, -1);
    else if (cached !== undefined && cached.version === version) body = cached;
    else body = cached = devicesBody(devices, version);
    ctx.status = 200;
    ctx.set('ETag', body.etag);
    ctx.set('Cache-Control', 'no-cache');
    ctx.type = 'application/json';
    if (notModified(ctx.get('If-None-Match'), body.etag)) {
      ctx.status = 304;
      return;
    }
    ctx.body = body.bytes;
  });
}
