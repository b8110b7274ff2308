import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { networkInterfaces } from 'node:os';
import { BridgeError } from '../core/errors.js';

/**
 * Where an MA-supplied URL (a Data Repository href) may lead. Rule (review finding 1):
 * - the exact origin (scheme + host + port) of the MA's own serverUri is always allowed: a Data
 *   Repository on the MA's server is legitimate (this is also what labs and tests on loopback use);
 * - any other URL is resolved once (every address) and refused when one address is loopback,
 *   unspecified, link-local, multicast/broadcast or one of the bridge's own interface addresses
 *   (its local API and every other local service);
 * - the request then connects to the address that was checked (`lookup` below), never resolving
 *   the name again, so a DNS answer that changes between check and connect (rebinding) cannot
 *   get around the rule.
 * A refusal is BridgeError DESTINATION_REFUSED (DM 403 Forbidden: understood, refused by policy).
 */

/** Ranges never reached by an MA-supplied URL, whatever the name resolves to. */
const SPECIAL: ReadonlyArray<readonly [string, number, 'ipv4' | 'ipv6', string]> = [
  ['0.0.0.0', 8, 'ipv4', 'unspecified'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['255.255.255.255', 32, 'ipv4', 'broadcast'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['ff00::', 8, 'ipv6', 'multicast'],
];

const lists = new Map<string, BlockList>();
for (const [net, prefix, type, reason] of SPECIAL) {
  let l = lists.get(reason);
  if (!l) lists.set(reason, (l = new BlockList()));
  l.addSubnet(net, prefix, type);
}

/** An IP literal without brackets or zone ("fe80::1%eth0" -> "fe80::1"), and its family (0: not an IP). */
function bare(ip: string): { ip: string; family: 0 | 4 | 6 } {
  const s = ip.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  return { ip: s, family: isIP(s) as 0 | 4 | 6 };
}

/** Why an IP address is special (IPv4-mapped IPv6 counts as its IPv4), or null for an ordinary address. */
export function specialAddress(ip: string): string | null {
  const b = bare(ip);
  if (b.family === 0) return 'not an IP address';
  const type = b.family === 4 ? 'ipv4' : 'ipv6';
  for (const [reason, l] of lists) if (l.check(b.ip, type)) return reason;
  return null;
}

/** The bridge's own interface addresses (every interface, IPv4 and IPv6), read fresh. */
export function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((l) => (l ?? []).map((a) => a.address));
}

/** Is `ip` one of `own` (IPv4-mapped IPv6 matches its IPv4)? */
export function isOwnAddress(ip: string, own: readonly string[]): boolean {
  const b = bare(ip);
  if (b.family === 0) return false;
  const l = new BlockList();
  for (const a of own) {
    const o = bare(a);
    if (o.family !== 0) l.addAddress(o.ip, o.family === 4 ? 'ipv4' : 'ipv6');
  }
  return l.check(b.ip, b.family === 4 ? 'ipv4' : 'ipv6');
}

/** Resolves a host name to every address (dns.lookup semantics: /etc/hosts, then DNS). */
export type Resolver = (host: string) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (host) =>
  new Promise((resolve, reject) => dnsLookup(host, { all: true, verbatim: true }, (err, addrs) => (err ? reject(err) : resolve(addrs))));

export interface DestinationGuardOptions {
  /** An origin always allowed (the MA's serverUri origin), or null. */
  allowOrigin: string | null;
  /** The bridge's own addresses (default: os.networkInterfaces()). */
  ownAddresses?: () => readonly string[];
  resolver?: Resolver;
}

/** A checked destination: connect to `address` with `lookup` (it answers that address, never DNS). */
export interface Destination {
  address: string;
  family: 4 | 6;
  lookup: LookupFunction;
}

export type DestinationGuard = (url: URL) => Promise<Destination>;

/** A `lookup` for http(s).request/net.connect that always answers one address (no second resolution). */
export function pinnedLookup(address: string, family: 4 | 6): LookupFunction {
  return (_host, options, cb) => {
    if (options.all) cb(null, [{ address, family }]);
    else cb(null, address, family);
  };
}

/** Origin of a URL string ("http://h:1"), or null when it is not a URL. */
export function originOf(uri: string): string | null {
  try {
    const o = new URL(uri).origin;
    return o === 'null' ? null : o;
  } catch {
    return null;
  }
}

export function createDestinationGuard(o: DestinationGuardOptions): DestinationGuard {
  const resolver = o.resolver ?? systemResolver;
  const own = o.ownAddresses ?? interfaceAddresses;
  return async (url) => {
    const where = `${url.protocol}//${url.host}`;
    const refuse = (why: string): BridgeError => new BridgeError('DESTINATION_REFUSED', `destination ${where} refused: ${why}`);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refuse(`scheme ${url.protocol}`);
    const literal = bare(url.hostname);
    let addrs: LookupAddress[];
    if (literal.family !== 0) addrs = [{ address: literal.ip, family: literal.family }];
    else {
      try {
        addrs = await resolver(url.hostname);
      } catch (err) {
        throw new BridgeError('DEVICE_UNREACHABLE', `cannot resolve ${url.hostname}: ${(err as Error).message}`, { cause: err });
      }
    }
    const first = addrs[0];
    if (!first || (first.family !== 4 && first.family !== 6)) throw new BridgeError('DEVICE_UNREACHABLE', `${url.hostname} has no address`);
    if (url.origin !== o.allowOrigin) {
      const mine = own();
      for (const a of addrs) {
        const why = specialAddress(a.address) ?? (isOwnAddress(a.address, mine) ? "one of the bridge's own addresses" : null);
        if (why) throw refuse(`${a.address} is ${why.startsWith('one of') ? why : `a ${why} address`}`);
      }
    }
    return { address: first.address, family: first.family, lookup: pinnedLookup(first.address, first.family) };
  };
}
