import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';

export interface McastInterface {
  name: string;
  address: string;
}

const IFF_UP = 0x1;
const IFF_LOOPBACK = 0x8;
const IFF_MULTICAST = 0x1000;

/** Kernel interface flags from sysfs (Linux); undefined elsewhere or when unreadable. */
function sysFlags(name: string): number | undefined {
  if (!/^[A-Za-z0-9._@:-]{1,32}$/.test(name)) return undefined;
  try {
    const n = Number.parseInt(readFileSync(`/sys/class/net/${name}/flags`, 'utf8').trim(), 16);
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The interfaces discovery may use: up, multicast-capable, not loopback, with an IPv4 address;
 * restricted to `wanted` unless it is empty. One entry per interface (its first IPv4 address).
 */
export function multicastInterfaces(
  wanted: readonly string[] = [],
  list: NodeJS.Dict<import('node:os').NetworkInterfaceInfo[]> = networkInterfaces(),
  flags: (name: string) => number | undefined = sysFlags,
): McastInterface[] {
  const out: McastInterface[] = [];
  for (const [name, addrs] of Object.entries(list)) {
    if (wanted.length > 0 && !wanted.includes(name)) continue;
    const v4 = (addrs ?? []).find((a) => a.family === 'IPv4' && !a.internal);
    if (!v4) continue;
    const f = flags(name);
    if (f !== undefined && ((f & IFF_UP) === 0 || (f & IFF_LOOPBACK) !== 0 || (f & IFF_MULTICAST) === 0)) continue;
    out.push({ name, address: v4.address });
  }
  return out;
}

/** Human-readable reason for an empty interface list. */
export function noInterfaceReason(wanted: readonly string[]): string {
  return wanted.length > 0
    ? `none of the configured interfaces (${wanted.join(', ')}) is up, multicast-capable and has an IPv4 address`
    : 'no multicast-capable interface with an IPv4 address (a container needs host networking or macvlan)';
}
