import type { DeviceRow, DeviceService } from '../store/devices-repo.js';
import { keptTxt, mdnsCategory, pickCategory, txtIdentity, upnpCategory } from './classify.js';
import type { UpnpDescription } from './description.js';

/** What an mDNS sighting contributes (structurally SightingInput['mdns']). */
export interface MdnsSighting {
  instance: string;
  serviceType: string;
  host: string;
  port: number;
  txt: Record<string, string>;
}

/** Services kept per device. */
const MAX_SERVICES = 64;

/** Merge an mDNS service and, unless a UPnP description is known (more authoritative), its identity. */
export function applyMdns(dev: DeviceRow, m: MdnsSighting, described: boolean): void {
  const svc: DeviceService = { protocol: 'mdns', type: m.serviceType, id: m.instance, port: m.port, url: m.host };
  const txt = keptTxt(m.txt);
  if (txt) svc.txt = txt;
  dev.services = mergeService(dev.services, svc);
  if (described) return;
  const { manufacturer, model } = txtIdentity(m.txt);
  if (dev.name === '' || dev.name === dev.address) dev.name = m.instance.slice(0, 128);
  dev.type = pickCategory(dev.type, mdnsCategory(m.serviceType));
  if (manufacturer !== '') dev.manufacturer = manufacturer;
  if (model !== '') dev.model = model;
}

/** Apply a parsed UPnP description: identity fields and the UPnP services (replacing earlier ones). */
export function applyDescription(dev: DeviceRow, x: UpnpDescription): void {
  if (x.friendlyName !== '') dev.name = x.friendlyName;
  if (x.manufacturer !== '') dev.manufacturer = x.manufacturer;
  if (x.modelName !== '') dev.model = x.modelNumber !== '' && !x.modelName.includes(x.modelNumber) ? `${x.modelName} ${x.modelNumber}` : x.modelName;
  if (x.deviceType !== '') dev.type = upnpCategory(x.deviceType);
  let services = dev.services.filter((s) => s.protocol !== 'upnp');
  for (const s of x.services) services = mergeService(services, { protocol: 'upnp', type: s.serviceType, id: s.serviceId, url: s.controlUrl });
  dev.services = services;
}

function mergeService(list: readonly DeviceService[], s: DeviceService): DeviceService[] {
  const i = list.findIndex((x) => x.protocol === s.protocol && x.type === s.type && x.id === s.id);
  if (i === -1) return list.length >= MAX_SERVICES ? [...list] : [...list, s];
  const out = [...list];
  out[i] = s;
  return out;
}
