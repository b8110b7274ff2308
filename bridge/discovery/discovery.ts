import { TypedEmitter } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { multicastInterfaces, noInterfaceReason, type McastInterface } from './interfaces.js';
import { MdnsBrowser, openMdnsSocket, type MdnsTransport } from './mdns-browser.js';
import type { MdnsService } from './mdns-records.js';
import { SsdpBrowser, openSsdpClient, type SsdpClientLike } from './ssdp-browser.js';
import type { SsdpAnnouncement } from './ssdp-headers.js';
import type { SocketProblem } from './ssdp-sockets.js';
import { SightingCache } from './ttl-cache.js';
import type { DiscoveryEvents, DiscoveryOptions, DiscoverySettings, DiscoveryStatus, GoneReason, Sighting } from './types.js';

export interface DiscoveryDeps {
  log: Logger;
  now?: () => number;
  listInterfaces?: (wanted: readonly string[]) => McastInterface[];
  openMdns?: (iface: McastInterface, log: Logger) => MdnsTransport;
  openSsdp?: (ifaces: readonly McastInterface[], log: Logger, problem?: SocketProblem) => SsdpClientLike;
  /** How often the interfaces in use are checked (default 5 s): one that went away is a problem. */
  interfaceCheckMs?: number;
  /** Longest gap between two M-SEARCH ssdp:all (default 60 s; shorter when the TTL is short). */
  searchEveryMs?: number;
}

export interface Discovery {
  readonly events: TypedEmitter<DiscoveryEvents>;
  start(): Promise<void>;
  /** Stop browsing and close every socket and timer; known sightings are forgotten (no events). */
  stop(): Promise<void>;
  /** Apply changed settings while running (./Bridge/Discovery/*). */
  apply(next: Partial<DiscoverySettings>): Promise<void>;
  status(): DiscoveryStatus;
  sightings(): Sighting[];
}

/** mDNS + SSDP discovery with our own TTL cache: emits up / refresh / down sightings. */
export function createDiscovery(options: DiscoveryOptions, deps: DiscoveryDeps): Discovery {
  const log = deps.log;
  const now = deps.now ?? Date.now;
  const events = new TypedEmitter<DiscoveryEvents>();
  let cfg: DiscoveryOptions = { ...options, serviceTypes: [...options.serviceTypes] };
  let ifaces: McastInterface[] = [];
  let running = false;
  let problem: string | null = null;
  /** SSDP could not start (cleared once it does, or when SSDP is switched off). */
  let ssdpProblem: string | null = null;
  let mdnsOn = false;
  let ssdpOn = false;
  /** Interfaces in use that went away (or lost their IPv4 address), and sockets that cannot join. */
  let ifaceProblem: string | null = null;
  const socketProblems = new Map<string, string>();
  let ifaceTimer: NodeJS.Timeout | undefined;

  const down = (s: Sighting, reason: GoneReason): void => events.emit('down', { sighting: s, reason });
  const cache = new SightingCache(
    {
      expired: (s) => down(s, 'expired'),
      requery: (source, type) => (source === 'mdns' ? mdns.requery(type) : ssdpBrowser.search()),
    },
    now,
  );
  const ttlMs = (announced: number): number => Math.max(1, Math.min(announced, cfg.ttlSeconds)) * 1000;
  const seen = (s: Sighting): void => {
    const r = cache.upsert(s);
    events.emit(r === 'refresh' ? 'refresh' : 'up', s);
  };

  const mdns = new MdnsBrowser(
    {
      service: (svc: MdnsService) => {
        if (!cfg.serviceTypes.includes(svc.details.serviceType)) return;
        seen({ source: 'mdns', key: svc.fqdn, address: svc.address, ttlMs: ttlMs(svc.ttlSec), seenAt: now(), mdns: svc.details });
      },
      goodbye: (fqdn: string) => {
        const s = cache.remove('mdns', fqdn);
        if (s) down(s, 'goodbye');
      },
    },
    log.child({ proto: 'mdns' }),
    deps.openMdns ?? openMdnsSocket,
  );
  const ssdpBrowser = new SsdpBrowser(
    {
      announcement: (a: SsdpAnnouncement, address: string) => {
        if (a.nts === 'byebye') {
          const s = cache.remove('ssdp', a.uuid);
          if (s) down(s, 'byebye');
          return;
        }
        const prev = cache.get('ssdp', a.uuid);
        const location = a.location !== '' ? a.location : prev?.address === address ? (prev.ssdp?.location ?? '') : '';
        const ssdpDetails = { uuid: a.uuid, usn: a.usn, target: a.target, location, server: a.server || (prev?.ssdp?.server ?? '') };
        seen({ source: 'ssdp', key: a.uuid, address, ttlMs: ttlMs(a.maxAgeSec), seenAt: now(), ssdp: ssdpDetails });
      },
      problem: (address, p) => {
        if (p === null) socketProblems.delete(address);
        else socketProblems.set(address, p);
      },
    },
    log.child({ proto: 'ssdp' }),
    deps.openSsdp ?? openSsdpClient,
  );
  const searchEvery = (): number => Math.min(deps.searchEveryMs ?? 60_000, cfg.ttlSeconds * 500);

  async function startMdns(): Promise<void> {
    if (mdnsOn || ifaces.length === 0) return;
    mdns.start(ifaces, cfg.serviceTypes);
    mdnsOn = true;
  }
  async function startSsdp(): Promise<void> {
    if (ssdpOn || ifaces.length === 0) return;
    try {
      await ssdpBrowser.start(ifaces, searchEvery());
      ssdpOn = true;
      ssdpProblem = null;
    } catch (err) {
      ssdpProblem = `SSDP could not start: ${(err as Error).message}`;
      log.warn({ err: (err as Error).message }, 'ssdp: cannot start; SSDP discovery is off');
    }
  }
  async function stopMdns(reason: GoneReason | null): Promise<void> {
    if (!mdnsOn) return;
    mdnsOn = false;
    await mdns.stop();
    for (const s of cache.clear('mdns')) if (reason) down(s, reason);
  }
  function stopSsdp(reason: GoneReason | null): void {
    if (!ssdpOn) return;
    ssdpOn = false;
    ssdpBrowser.stop();
    for (const s of cache.clear('ssdp')) if (reason) down(s, reason);
  }

  /** Notice interfaces in use that went away; once all are back, reopen the sockets (sightings are kept). */
  async function checkInterfaces(): Promise<void> {
    if (!running || ifaces.length === 0) return;
    const current = (deps.listInterfaces ?? multicastInterfaces)(cfg.interfaces);
    const gone = ifaces.filter((i) => !current.some((c) => c.name === i.name && c.address === i.address));
    if (gone.length > 0) {
      const next = `interface ${gone.map((i) => i.name).join(', ')} went away or lost its IPv4 address; discovery there is blind`;
      if (next !== ifaceProblem) log.warn({ interfaces: gone.map((i) => i.name) }, `discovery: ${next}`);
      ifaceProblem = next;
      return;
    }
    if (ifaceProblem === null) return;
    // back again: the kernel dropped the group memberships with the interface
    ifaceProblem = null;
    socketProblems.clear();
    log.info({ interfaces: ifaces }, 'discovery: interfaces back; reopening sockets');
    if (mdnsOn) {
      await mdns.stop();
      mdns.start(ifaces, cfg.serviceTypes);
    }
    if (ssdpOn) {
      ssdpBrowser.stop();
      ssdpOn = false;
      await startSsdp();
    }
  }

  return {
    events,
    async start() {
      if (running) return;
      running = true;
      problem = null;
      ifaces = (deps.listInterfaces ?? multicastInterfaces)(cfg.interfaces);
      if (ifaces.length === 0) {
        problem = noInterfaceReason(cfg.interfaces);
        log.warn({ interfaces: cfg.interfaces }, `discovery: ${problem}; the bridge runs without LAN discovery`);
        return;
      }
      log.info({ interfaces: ifaces, mdns: cfg.mdns, ssdp: cfg.ssdp }, 'discovery started');
      cache.start();
      if (cfg.mdns) await startMdns();
      if (cfg.ssdp) await startSsdp();
      ifaceTimer = setInterval(() => {
        checkInterfaces().catch((err: unknown) => log.warn({ err: (err as Error).message }, 'discovery: interface check failed'));
      }, deps.interfaceCheckMs ?? 5000);
      ifaceTimer.unref();
    },
    async stop() {
      if (!running) return;
      running = false;
      if (ifaceTimer) clearInterval(ifaceTimer);
      ifaceTimer = undefined;
      ifaceProblem = null;
      ssdpProblem = null;
      socketProblems.clear();
      cache.stop();
      await stopMdns(null);
      stopSsdp(null);
      cache.clear();
    },
    async apply(next) {
      const before = cfg;
      cfg = { ...cfg, ...next, serviceTypes: [...(next.serviceTypes ?? cfg.serviceTypes)] };
      if (!running || ifaces.length === 0) return;
      if (next.serviceTypes && next.serviceTypes.join(',') !== before.serviceTypes.join(',')) {
        mdns.setServiceTypes(cfg.serviceTypes);
        for (const s of cache.all()) {
          if (s.mdns && !cfg.serviceTypes.includes(s.mdns.serviceType)) {
            cache.remove('mdns', s.key);
            down(s, 'disabled');
          }
        }
      }
      if (cfg.mdns && !mdnsOn) await startMdns();
      if (!cfg.mdns && mdnsOn) await stopMdns('disabled');
      if (cfg.ssdp && !ssdpOn) await startSsdp();
      if (!cfg.ssdp && ssdpOn) stopSsdp('disabled');
      if (!cfg.ssdp) ssdpProblem = null;
      if (cfg.ttlSeconds !== before.ttlSeconds && ssdpOn) ssdpBrowser.reschedule(searchEvery());
      log.info({ mdns: cfg.mdns, ssdp: cfg.ssdp, ttlSeconds: cfg.ttlSeconds, serviceTypes: cfg.serviceTypes.length }, 'discovery settings applied');
    },
    status: () => ({
      running,
      interfaces: ifaces.map((i) => ({ name: i.name, address: i.address })),
      mdns: mdnsOn,
      ssdp: ssdpOn,
      problem: problem ?? ssdpProblem ?? ifaceProblem ?? [...socketProblems.values()][0] ?? null,
      sightings: cache.size,
    }),
    sightings: () => cache.all(),
  };
}
