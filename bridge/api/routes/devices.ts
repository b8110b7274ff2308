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
}

export interface DeviceJson {
  devId: string;
  name: string;
  type: string;
  manufacturer: string;
  model: string;
  protocols: string[];
  address: string;
  status: 'online' | 'offline';
  /** ISO 8601 UTC, or null when never seen. */
  lastSeen: string | null;
  adapter: string | null;
}

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

/** GET /api/v1/devices: every known device (online and offline), ordered by DevID. */
export function deviceRoutes(router: Router, devices: DeviceLister): void {
  router.get('/api/v1/devices', (ctx) => {
    ctx.body = devices.list().map(deviceJson);
  });
}
