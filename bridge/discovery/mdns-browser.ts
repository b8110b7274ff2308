import { createSocket } from 'node:dgram';
import BonjourPkg from 'bonjour-service';
import makeMdns from 'multicast-dns';
import type { Logger } from '../core/logger.js';
import type { McastInterface } from './interfaces.js';
import { DISCOVERY_RCVBUF } from './ssdp-sockets.js';
import { goodbyes, toMdnsService, type MdnsService, type RawService } from './mdns-records.js';

type Listener = (...args: unknown[]) => void;

/** The part of a multicast-dns instance that bonjour-service's Browser uses. */
export interface MdnsTransport {
  on(event: string, fn: Listener): unknown;
  removeListener(event: string, fn: Listener): unknown;
  query(name: string, type: string): void;
  destroy(cb?: () => void): void;
}

export interface MdnsBrowserHooks {
  service(s: MdnsService): void;
  goodbye(fqdn: string): void;
}

/** multicast-dns on one interface: joined there, sending from there, bound to 0.0.0.0:5353. */
export function openMdnsSocket(iface: McastInterface, log: Logger): MdnsTransport {
  // our own socket: a receive buffer that holds a burst of announcements (kernel-capped)
  const socket = createSocket({ type: 'udp4', reuseAddr: true, recvBufferSize: DISCOVERY_RCVBUF });
  const m = makeMdns({ interface: iface.address, bind: '0.0.0.0', reuseAddr: true, loopback: true, socket });
  m.on('error', (err: Error) => log.warn({ iface: iface.name, err: err.message }, 'mdns socket error'));
  m.on('warning', (err: Error) => log.debug({ iface: iface.name, err: err.message }, 'mdns: malformed or undeliverable packet ignored'));
  return m as unknown as MdnsTransport;
}

/**
 * Listeners registered through this wrapper never throw into the socket: a malformed record that
 * trips the library is logged at debug and ignored.
 */
class Guarded implements MdnsTransport {
  private readonly wrapped = new Map<Listener, Listener>();
  constructor(
    private readonly inner: MdnsTransport,
    private readonly log: Logger,
  ) {}
  on(event: string, fn: Listener): this {
    const w: Listener = (...args) => {
      try {
        fn(...args);
      } catch (err) {
        this.log.debug({ err: (err as Error).message }, 'mdns: malformed records ignored');
      }
    };
    this.wrapped.set(fn, w);
    this.inner.on(event, w);
    return this;
  }
  removeListener(event: string, fn: Listener): this {
    const w = this.wrapped.get(fn);
    if (w) this.inner.removeListener(event, w);
    this.wrapped.delete(fn);
    return this;
  }
  query(name: string, type: string): void {
    try {
      this.inner.query(name, type);
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'mdns query failed');
    }
  }
  destroy(cb?: () => void): void {
    this.inner.destroy(cb);
  }
}

interface Link {
  iface: McastInterface;
  mdns: Guarded;
  browsers: Map<string, InstanceType<typeof BonjourPkg.Browser>>;
  onResponse: Listener;
}

/** mDNS browsing (bonjour-service's Browser) for a list of service types on a set of interfaces. */
export class MdnsBrowser {
  private links: Link[] = [];
  private types: string[] = [];

  constructor(
    private readonly hooks: MdnsBrowserHooks,
    private readonly log: Logger,
    private readonly open: (iface: McastInterface, log: Logger) => MdnsTransport = openMdnsSocket,
  ) {}

  start(ifaces: readonly McastInterface[], serviceTypes: readonly string[]): void {
    this.types = [...serviceTypes];
    for (const iface of ifaces) {
      const mdns = new Guarded(this.open(iface, this.log), this.log);
      const onResponse: Listener = (packet) => {
        for (const fqdn of goodbyes(packet)) this.hooks.goodbye(fqdn);
      };
      mdns.on('response', onResponse);
      const link: Link = { iface, mdns, browsers: new Map(), onResponse };
      this.links.push(link);
      for (const t of this.types) this.browse(link, t);
    }
  }

  /** Change the browsed service types (live setting). */
  setServiceTypes(types: readonly string[]): void {
    const next = new Set(types);
    for (const link of this.links) {
      for (const [t, b] of link.browsers) if (!next.has(t)) { b.stop(); link.browsers.delete(t); }
      for (const t of next) if (!link.browsers.has(t)) this.browse(link, t);
    }
    this.types = [...next];
  }

  /** Ask again: a fresh browser per interface, so every live responder is reported again. */
  requery(type?: string): void {
    for (const link of this.links) {
      for (const t of type === undefined ? this.types : [type]) {
        if (!this.types.includes(t)) continue;
        link.browsers.get(t)?.stop();
        this.browse(link, t);
      }
    }
  }

  async stop(): Promise<void> {
    const links = this.links;
    this.links = [];
    await Promise.all(links.map((l) => new Promise<void>((resolve) => {
      for (const b of l.browsers.values()) b.stop();
      l.browsers.clear();
      l.mdns.removeListener('response', l.onResponse);
      l.mdns.destroy(() => resolve());
    })));
  }

  private browse(link: Link, serviceType: string): void {
    const m = /^_([A-Za-z0-9-]{1,63})\._(tcp|udp)$/.exec(serviceType);
    if (!m) {
      this.log.warn({ serviceType }, 'mdns: invalid service type skipped');
      return;
    }
    const b = new BonjourPkg.Browser(link.mdns, { type: m[1]!, protocol: m[2] as 'tcp' | 'udp' });
    // The Browser looks every service of a packet up in its list of known ones with a linear scan
    // (O(n^2) for a burst of n announcements: seconds at 2,000 devices). Our TTL cache does the
    // bookkeeping, so the list is emptied after each report: every response reports its services
    // again (a refresh for the cache), in constant time.
    const forget = (): void => {
      const inner = b as unknown as { _services?: unknown; serviceMap?: Record<string, boolean> };
      if (Array.isArray(inner._services)) inner._services.length = 0;
      const map = inner.serviceMap;
      if (map) for (const k of Object.keys(map)) delete map[k];
    };
    const seen = (svc: unknown): void => {
      forget();
      const r = toMdnsService(svc as RawService);
      if (!r.ok) {
        this.log.debug({ iface: link.iface.name, reason: r.reason }, 'mdns: service ignored');
        return;
      }
      this.hooks.service(r.value);
    };
    b.on('up', seen);
    b.on('srv-update', seen);
    b.on('txt-update', seen);
    link.browsers.set(serviceType, b);
  }
}
