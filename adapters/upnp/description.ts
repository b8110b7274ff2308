import { arr, obj, parseXml, resolveUrl, text, type Obj } from './xml.js';
import { DOC_LIMITS } from './xml-guard.js';

/** One service of a UPnP device (root or embedded) with absolute URLs. */
export interface ServiceDesc {
  serviceType: string;
  serviceId: string;
  scpdUrl: string;
  controlUrl: string;
  eventSubUrl: string;
}

export interface DeviceDesc {
  udn: string;
  deviceType: string;
  friendlyName: string;
  services: ServiceDesc[];
}

export type Result<T> = { ok: true; value: T } | { ok: false; reason: string };

const MAX_SERVICES = 32;
const MAX_EMBED_DEPTH = 4;

function service(o: Obj, base: string): ServiceDesc | undefined {
  const s: ServiceDesc = {
    serviceType: text(o.serviceType),
    serviceId: text(o.serviceId),
    scpdUrl: resolveUrl(text(o.SCPDURL, 2048), base),
    controlUrl: resolveUrl(text(o.controlURL, 2048), base),
    eventSubUrl: resolveUrl(text(o.eventSubURL, 2048), base),
  };
  return s.serviceId !== '' && s.scpdUrl !== '' && s.controlUrl !== '' ? s : undefined;
}

/**
 * Parse a device description: the root device and its embedded devices' services (absolute URLs,
 * resolved against URLBase or the description's own URL). Hostile or malformed XML is a reason.
 */
export function parseDeviceDescription(xml: string, url: string): Result<DeviceDesc> {
  const p = parseXml(xml, DOC_LIMITS);
  if (!p.ok) return p;
  const root = obj(p.value.root);
  const device = obj(arr(root?.device)[0]);
  if (!root || !device) return { ok: false, reason: 'no root/device element' };
  const base = resolveUrl(text(root.URLBase, 2048), url) || url;
  const services: ServiceDesc[] = [];
  const seen = new Set<string>();
  const walk = (d: Obj, depth: number): void => {
    for (const s of arr(obj(d.serviceList)?.service)) {
      const so = obj(s);
      const desc = so ? service(so, base) : undefined;
      if (!desc || seen.has(desc.serviceId) || services.length >= MAX_SERVICES) continue;
      seen.add(desc.serviceId);
      services.push(desc);
    }
    if (depth >= MAX_EMBED_DEPTH) return;
    for (const e of arr(obj(d.deviceList)?.device)) {
      const eo = obj(e);
      if (eo) walk(eo, depth + 1);
    }
  };
  walk(device, 0);
  return {
    ok: true,
    value: { udn: text(device.UDN), deviceType: text(device.deviceType), friendlyName: text(device.friendlyName), services },
  };
}
