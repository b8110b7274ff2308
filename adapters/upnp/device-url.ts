import { BlockList, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { ServiceDesc } from './description.js';

/**
 * Device-supplied URLs are tied to the device (review finding 14): the SSDP LOCATION, URLBase,
 * SCPDURL, controlURL and eventSubURL must be http(s) without userinfo, on an IP literal equal to the
 * device's sighting address (DeviceRecord.address, the SSDP sender); that address is never loopback,
 * unspecified, multicast/broadcast or one of the bridge's own interface addresses, so a LAN device
 * cannot make an MA's Exec or Get reach the bridge's local API or another local service. Link-local
 * device addresses (AutoIP) stay allowed. No DNS is involved: the host is compared as an address.
 */
export interface DeviceUrlPolicy {
  /** Allow devices on the bridge's own host (loopback, own addresses): tests and labs only. */
  allowLocal?: boolean;
  /** The bridge's own addresses (default: os.networkInterfaces()). */
  ownAddresses?: () => readonly string[];
}

const LOCAL = new BlockList();
LOCAL.addSubnet('0.0.0.0', 8, 'ipv4');
LOCAL.addSubnet('127.0.0.0', 8, 'ipv4');
LOCAL.addSubnet('224.0.0.0', 4, 'ipv4');
LOCAL.addAddress('255.255.255.255', 'ipv4');
LOCAL.addAddress('::', 'ipv6');
LOCAL.addAddress('::1', 'ipv6');
LOCAL.addSubnet('ff00::', 8, 'ipv6');

type Fam = 'ipv4' | 'ipv6';
function ipOf(host: string): { ip: string; type: Fam } | null {
  const ip = host.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const f = isIP(ip);
  return f === 0 ? null : { ip, type: f === 4 ? 'ipv4' : 'ipv6' };
}

function sameAddress(a: { ip: string; type: Fam }, b: { ip: string; type: Fam }): boolean {
  const l = new BlockList();
  l.addAddress(b.ip, b.type);
  return l.check(a.ip, a.type);
}

const interfaceAddresses = (): string[] => Object.values(networkInterfaces()).flatMap((l) => (l ?? []).map((a) => a.address));

/** Why a device address may not be contacted, or null. */
export function deviceAddressProblem(address: string, policy: DeviceUrlPolicy = {}): string | null {
  const a = ipOf(address);
  if (!a) return `device address ${JSON.stringify(address.slice(0, 64))} is not an IP address`;
  if (policy.allowLocal) return null;
  if (LOCAL.check(a.ip, a.type)) return `device address ${a.ip} is loopback, unspecified or multicast`;
  for (const own of (policy.ownAddresses ?? interfaceAddresses)()) {
    const o = ipOf(own);
    if (o && sameAddress(a, o)) return `device address ${a.ip} is one of the bridge's own addresses`;
  }
  return null;
}

/** Why `url` may not be fetched for the device at `address`, or null when it is the device's own. */
export function deviceUrlProblem(url: string, address: string, policy: DeviceUrlPolicy = {}): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `scheme ${u.protocol} refused`;
  if (u.username !== '' || u.password !== '') return 'userinfo refused';
  const host = ipOf(u.hostname);
  const dev = ipOf(address);
  if (!host || !dev || !sameAddress(host, dev)) return `host ${u.hostname.slice(0, 64)} is not the device address ${address.slice(0, 64)}`;
  return deviceAddressProblem(address, policy);
}

/** A service's URLs that are not the device's own (scpd, control, a non-empty eventSub), or null. */
export function serviceUrlProblem(s: ServiceDesc, address: string, policy: DeviceUrlPolicy = {}): string | null {
  for (const [name, url] of [['SCPDURL', s.scpdUrl], ['controlURL', s.controlUrl], ['eventSubURL', s.eventSubUrl]] as const) {
    if (name === 'eventSubURL' && url === '') continue;
    const p = deviceUrlProblem(url, address, policy);
    if (p) return `${name}: ${p}`;
  }
  return null;
}
