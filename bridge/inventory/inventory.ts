import type { Logger } from '../core/logger.js';
import type { DeviceRow, DeviceService, DevicesRepo } from '../store/devices-repo.js';
import { mdnsCategory, pickCategory, txtIdentity, upnpCategory } from './classify.js';
import type { DescriptionResult, UpnpDescription } from './description.js';
import { DeviceEventDebouncer, type DeviceEvent } from './device-events.js';
import { Limiter } from './limiter.js';
import { hashDevId, macDevId, macKey, mdnsDevId, mdnsKey, uniqueId, upnpDevId, upnpKey } from './devid.js';

/** A discovery sighting (structurally bridge/discovery's Sighting; inventory does not import discovery). */
export interface SightingInput {
  source: 'mdns' | 'ssdp';
  key: string;
  address: string;
  seenAt: number;
  mdns?: { instance: string; serviceType: string; host: string; port: number; txt: Record<string, string> };
  ssdp?: { uuid: string; location: string; server: string };
}

export interface InventoryDeps {
  repo: DevicesRepo;
  log: Logger;
  now: () => number;
  /** Fetch + parse a UPnP description (bounded in time and size). */
  describe: (url: string) => Promise<DescriptionResult>;
  /** MAC for an IPv4 from the neighbour table. */
  mac: (address: string) => string | undefined;
  /** Called once for a device node that did not exist before (ACL from the policy). */
  created: (devId: string) => void;
  /** A debounced device event (joined/left/changed). */
  event: (e: DeviceEvent) => void;
  debounceMs: number;
  /** Persist a LastSeen-only change at most this often per device. */
  lastSeenWriteMs?: number;
  /** After a restart, devices announced online get this long to reappear before "left". */
  startGraceMs?: number;
  /** Run writes in one transaction (store.transaction); without it each write commits alone. */
  transaction?: (fn: () => void) => void;
}

const DESCRIBE_CONCURRENCY = 16;
const sid = (s: SightingInput): string => `${s.source}:${s.key}`;
/** Everything but LastSeen (which changes on every sighting and is persisted lazily). */
const digest = (d: DeviceRow): string => JSON.stringify({ ...d, lastSeen: 0 });

/** Merges sightings into devices with stable DevIDs, tracks liveness, persists, raises events. */
export class Inventory {
  private readonly devices = new Map<string, DeviceRow>();
  private readonly keys: Map<string, string>;
  /** devId -> live sighting ids */
  private readonly live = new Map<string, Set<string>>();
  private readonly sightingDev = new Map<string, string>();
  private readonly descs = new Map<string, UpnpDescription>();
  private readonly fetching = new Set<string>();
  private readonly fetchedFrom = new Map<string, string>();
  private readonly savedAt = new Map<string, number>();
  /** Write-behind: rows and identity keys changed since the last flush (one transaction per burst). */
  private readonly dirty = new Map<string, DeviceRow>();
  private dirtyKeys: Array<[string, string]> = [];
  private flushing: NodeJS.Immediate | undefined;
  /** At most DESCRIBE_CONCURRENCY description fetches at once (bounded memory under a burst). */
  private readonly describing = new Limiter(DESCRIBE_CONCURRENCY);
  private readonly debouncer: DeviceEventDebouncer;
  private readonly watchers = new Set<(devId: string) => void>();
  private changes = 0;

  constructor(private readonly d: InventoryDeps) {
    d.repo.markAllOffline();
    for (const row of d.repo.all()) this.devices.set(row.devId, row);
    this.keys = d.repo.keys();
    this.debouncer = new DeviceEventDebouncer(d.debounceMs, (id) => this.devices.get(id), (e) => {
      this.save(e.device);
      this.flush(); // `announced` is durable before the alert is queued
      d.event(e);
    });
    for (const row of this.devices.values()) {
      if (row.announced.startsWith('online|')) this.debouncer.touch(row.devId, d.startGraceMs ?? 120_000);
    }
  }

  list(): DeviceRow[] {
    return [...this.devices.values()].sort((a, b) => a.devId.localeCompare(b.devId));
  }

  get(devId: string): DeviceRow | undefined {
    return this.devices.get(devId);
  }

  size(): number {
    return this.devices.size;
  }

  /** Changes whenever list() may differ (every commit of a row, LastSeen included): readers' cache key. */
  version(): number {
    return this.changes;
  }

  sighted(s: SightingInput): void {
    const devId = this.resolve(s);
    if (devId === undefined) {
      this.d.log.debug({ source: s.source, key: s.key }, 'inventory: sighting without a usable identity ignored');
      return;
    }
    const dev = this.devices.get(devId)!;
    const before = digest(dev);
    this.sightingDev.set(sid(s), devId);
    let set = this.live.get(devId);
    if (!set) this.live.set(devId, (set = new Set()));
    set.add(sid(s));
    dev.status = 'online';
    dev.address = s.address;
    dev.lastSeen = Math.max(dev.lastSeen, s.seenAt);
    const proto = s.source === 'ssdp' ? 'upnp' : 'mdns';
    if (!dev.protocols.includes(proto)) dev.protocols = [...dev.protocols, proto].sort();
    if (s.mdns) this.applyMdns(dev, s.mdns);
    if (s.ssdp?.location) this.maybeDescribe(devId, s.ssdp.location);
    this.commit(dev, before);
  }

  lost(s: SightingInput): void {
    const id = sid(s);
    const devId = this.sightingDev.get(id);
    this.sightingDev.delete(id);
    if (devId === undefined) return;
    const set = this.live.get(devId);
    set?.delete(id);
    const dev = this.devices.get(devId);
    if (!dev || (set && set.size > 0)) return;
    const before = digest(dev);
    dev.status = 'offline';
    this.commit(dev, before);
  }

  /** The UPnP description URL (SSDP LOCATION) last seen for a device in this run. */
  location(devId: string): string | undefined {
    return this.fetchedFrom.get(devId);
  }

  /** Told (synchronously) after every sighting or loss of a device, changed or not (the adapter host). */
  watch(fn: (devId: string) => void): () => void {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }

  /** Record which adapter drives a device ('' = none). */
  setAdapter(devId: string, name: string): void {
    const dev = this.devices.get(devId);
    if (!dev || dev.adapter === name) return;
    const before = digest(dev);
    dev.adapter = name;
    this.commit(dev, before);
  }

  /** Stop timers (pending events are dropped: they are re-derived from `announced` at the next start). */
  stop(): void {
    this.debouncer.stop();
    this.flush();
  }

  /** Persist pending rows and keys now in one transaction (runs by itself right after each burst). */
  flush(): void {
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = undefined;
    if (this.dirty.size === 0 && this.dirtyKeys.length === 0) return;
    const rows = [...this.dirty.values()];
    const keys = this.dirtyKeys;
    this.dirty.clear();
    this.dirtyKeys = [];
    const write = (): void => void (rows.forEach((r) => this.d.repo.save(r)), keys.forEach(([k, id]) => this.d.repo.addKey(k, id)));
    try {
      if (this.d.transaction) this.d.transaction(write);
      else write();
    } catch (err) {
      this.d.log.error({ devices: rows.length, err: (err as Error).message }, 'inventory: devices not persisted');
    }
  }

  /** Evaluate pending events now (tests). */
  flushEvents(): void {
    this.debouncer.flush();
  }

  private resolve(s: SightingInput): string | undefined {
    const primary = s.ssdp ? upnpKey(s.ssdp.uuid) : s.mdns ? mdnsKey(s.mdns.host) : undefined;
    if (primary === undefined) return undefined;
    const known = this.keys.get(primary);
    if (known !== undefined && this.devices.has(known)) return known;
    const mac = this.d.mac(s.address);
    // the same hardware seen through another protocol: same MAC, else an online device at this address
    let devId = mac !== undefined ? this.keys.get(macKey(mac)) : undefined;
    if (devId === undefined || !this.devices.has(devId)) {
      devId = [...this.devices.values()].find((x) => x.status === 'online' && x.address === s.address)?.devId;
    }
    if (devId === undefined) devId = this.create(s, mac);
    this.addKey(primary, devId);
    if (mac !== undefined) this.addKey(macKey(mac), devId);
    return devId;
  }

  private create(s: SightingInput, mac: string | undefined): string {
    let base: string | undefined;
    if (s.ssdp) base = upnpDevId(s.ssdp.uuid);
    else if (s.mdns) base = mdnsDevId(s.mdns.instance, s.mdns.host);
    if (base === undefined && mac !== undefined) base = macDevId(mac);
    base ??= hashDevId(s.source === 'ssdp' ? 'upnp' : 'mdns', s.key);
    const devId = uniqueId(base, (id) => this.devices.has(id));
    const at = this.d.now();
    const row: DeviceRow = {
      devId, name: '', type: '', manufacturer: '', model: '', protocols: [], address: s.address, status: 'offline',
      lastSeen: s.seenAt, adapter: '', services: [], announced: '', createdAt: at,
    };
    this.devices.set(devId, row);
    this.save(row);
    this.d.created(devId);
    this.d.log.info({ devId, address: s.address, source: s.source }, 'new device');
    return devId;
  }

  private addKey(key: string, devId: string): void {
    if (this.keys.has(key)) return;
    this.keys.set(key, devId);
    this.dirtyKeys.push([key, devId]);
    this.later();
  }

  private applyMdns(dev: DeviceRow, m: NonNullable<SightingInput['mdns']>): void {
    const svc: DeviceService = { protocol: 'mdns', type: m.serviceType, id: m.instance, port: m.port, url: m.host };
    dev.services = mergeService(dev.services, svc);
    if (this.descs.has(dev.devId)) return; // the UPnP description is more authoritative
    const { manufacturer, model } = txtIdentity(m.txt);
    if (dev.name === '' || dev.name === dev.address) dev.name = m.instance.slice(0, 128);
    dev.type = pickCategory(dev.type, mdnsCategory(m.serviceType));
    if (manufacturer !== '') dev.manufacturer = manufacturer;
    if (model !== '') dev.model = model;
  }

  private maybeDescribe(devId: string, url: string): void {
    if (this.fetching.has(devId) || this.fetchedFrom.get(devId) === url) return;
    this.fetching.add(devId);
    this.fetchedFrom.set(devId, url);
    this.describing.run(() => this.describe(devId, url));
  }

  private describe(devId: string, url: string): Promise<void> {
    return this.d.describe(url).then((r) => {
      this.fetching.delete(devId);
      const dev = this.devices.get(devId);
      if (!dev) return;
      if (!r.ok) {
        this.d.log.debug({ devId, url, reason: r.reason }, 'inventory: UPnP description rejected');
        return;
      }
      const before = digest(dev);
      const x = r.value;
      this.descs.set(devId, x);
      if (x.friendlyName !== '') dev.name = x.friendlyName;
      if (x.manufacturer !== '') dev.manufacturer = x.manufacturer;
      if (x.modelName !== '') dev.model = x.modelNumber !== '' && !x.modelName.includes(x.modelNumber) ? `${x.modelName} ${x.modelNumber}` : x.modelName;
      if (x.deviceType !== '') dev.type = upnpCategory(x.deviceType);
      let services = dev.services.filter((s) => s.protocol !== 'upnp');
      for (const s of x.services) services = mergeService(services, { protocol: 'upnp', type: s.serviceType, id: s.serviceId, url: s.controlUrl });
      dev.services = services;
      for (const e of x.embedded) this.addKey(upnpKey(e), devId);
      this.commit(dev, before);
    }, (err: unknown) => {
      this.fetching.delete(devId);
      this.d.log.debug({ devId, err: (err as Error).message }, 'inventory: description fetch failed');
    });
  }

  private commit(dev: DeviceRow, before: string): void {
    this.changes++; // conservative: a sighting moves LastSeen, which list() shows
    if (digest(dev) !== before) {
      this.save(dev);
      this.debouncer.touch(dev.devId);
    } else if (this.d.now() - (this.savedAt.get(dev.devId) ?? 0) >= (this.d.lastSeenWriteMs ?? 30_000)) {
      this.save(dev);
    }
    for (const w of this.watchers) {
      try {
        w(dev.devId);
      } catch (err) {
        this.d.log.error({ devId: dev.devId, err: (err as Error).message }, 'inventory: watcher failed');
      }
    }
  }

  private save(dev: DeviceRow): void {
    this.dirty.set(dev.devId, dev);
    this.savedAt.set(dev.devId, this.d.now());
    this.later();
  }

  private later(): void {
    this.flushing ??= setImmediate(() => this.flush());
  }
}

function mergeService(list: readonly DeviceService[], s: DeviceService): DeviceService[] {
  const i = list.findIndex((x) => x.protocol === s.protocol && x.type === s.type && x.id === s.id);
  if (i === -1) return list.length >= 64 ? [...list] : [...list, s];
  const out = [...list];
  out[i] = s;
  return out;
}
