/** What discovery reports: one service seen (or gone) on the LAN. Pure data, no library types. */

export type SightingSource = 'mdns' | 'ssdp';

export interface MdnsDetails {
  /** Instance name, e.g. "Lab Printer". */
  instance: string;
  /** Service type, e.g. "_ipp._tcp". */
  serviceType: string;
  /** SRV target host, lower case, without the trailing dot, e.g. "lab-zc.local". */
  host: string;
  port: number;
  txt: Record<string, string>;
}

export interface SsdpDetails {
  /** The UDN's uuid (without "uuid:"), lower case. */
  uuid: string;
  usn: string;
  /** NT or ST of the message. */
  target: string;
  /** Description URL (http only), or '' when absent. */
  location: string;
  server: string;
}

export interface Sighting {
  source: SightingSource;
  /** Cache key, unique per source: mDNS service FQDN or SSDP uuid. */
  key: string;
  /** IPv4 address of the device. */
  address: string;
  /** Lifetime of this sighting in ms (min of the announced TTL and the configured TTL). */
  ttlMs: number;
  /** epoch ms */
  seenAt: number;
  mdns?: MdnsDetails;
  ssdp?: SsdpDetails;
}

export type GoneReason = 'goodbye' | 'byebye' | 'expired' | 'disabled';

export interface DiscoveryEvents {
  /** A new sighting, or one whose details changed. */
  up: Sighting;
  /** A known sighting confirmed again (TTL refreshed, details unchanged). */
  refresh: Sighting;
  down: { sighting: Sighting; reason: GoneReason };
}

export interface DiscoverySettings {
  mdns: boolean;
  ssdp: boolean;
  ttlSeconds: number;
  serviceTypes: readonly string[];
}

export interface DiscoveryOptions extends DiscoverySettings {
  /** Interface names; [] = every multicast-capable one. */
  interfaces: readonly string[];
}

export interface DiscoveryStatus {
  running: boolean;
  /** Interfaces in use (name + IPv4). */
  interfaces: Array<{ name: string; address: string }>;
  mdns: boolean;
  ssdp: boolean;
  /** Why discovery cannot see the LAN, when it cannot. */
  problem: string | null;
  sightings: number;
}
