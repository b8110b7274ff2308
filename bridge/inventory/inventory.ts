import type { DeviceRow } from '../store/devices-repo.js';
import type { UpnpDescription } from './description.js';
import { DeviceCapacity, MAX_KEYS_PER_DEVICE } from './capacity.js';
import { DeviceEventDebouncer } from './device-events.js';
import { EventBudget } from './event-budget.js';
import type { InventoryDeps, SightingInput } from './inventory-types.js';
import { Limiter } from './limiter.js';
import { applyDescription, applyMdns } from './merge.js';
import { DevicesWriter } from './write-behind.js';
import { hashDevId, macDevId, macKey, mdnsDevId, mdnsKey, uniqueId, upnpDevId, upnpKey } from './devid.js';

export type { InventoryDeps, SightingInput } from './inventory-types.js';

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
  /** Identity keys per device (at most MAX_KEYS_PER_DEVICE). */
  private readonly keyCount = new Map<string, number>();
  /** Write-behind: one transaction per burst. */
  private readonly writer: DevicesWriter;
  /** At most DESCRIBE_CONCURRENCY description fetches at once, a bounded queue behind them. */
  private readonly describing: Limiter;
  private readonly capacity: DeviceCapacity;
  private readonly debouncer: DeviceEventDebouncer;
  private readonly watchers = new Set<(devId: string) => void>();
  private changes = 0;

  constructor(private readonly d: InventoryDeps) {
    d.repo.markAllOffline();
    for (const row of d.repo.all()) this.devices.set(row.devId, row);
    this.keys = d.repo.keys();
    for (const id of this.keys.values()) this.keyCount.set(id, (this.keyCount.get(id) ?? 0) + 1);
    this.writer = new DevicesWriter(d.repo, d.log, d.now, d.transaction);
    this.describing = new Limiter(DESCRIBE_CONCURRENCY, d.describeQueue);
    this.capacity = new DeviceCapacity(d.capacity ?? {}, d.log, d.now);
    const limit = { budget: new EventBudget(d.eventBudget ?? {}, d.now), log: d.log, now: d.now };
    this.debouncer = new DeviceEventDebouncer(d.debounceMs, (id) => this.devices.get(id), (e) => {
      this.writer.save(e.device);
      this.flush(); // `announced` is durable before the alert is queued
      d.event(e);
    }, limit);
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
      this.d.log.debug({ source: s.source, key: s.key }, 'inventory: sighting ignored (no usable identity, or the inventory is full)');
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
    if (s.mdns) applyMdns(dev, s.mdns, this.descs.has(devId));
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
    this.writer.flush();
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
    if (devId === undefined) return undefined; // inventory full
    this.addKey(primary, devId);
    if (mac !== undefined) this.addKey(macKey(mac), devId);
    return devId;
  }

  private create(s: SightingInput, mac: string | undefined): string | undefined {
    const room = this.capacity.admit(this.devices, (id) => (this.live.get(id)?.size ?? 0) > 0);
    if (!room.ok) return undefined;
    if (room.evict !== undefined) this.forget(room.evict);
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
    this.writer.save(row);
    this.d.created(devId);
    this.d.log.info({ devId, address: s.address, source: s.source }, 'new device');
    return devId;
  }

  private addKey(key: string, devId: string): void {
    if (this.keys.has(key)) return;
    const n = this.keyCount.get(devId) ?? 0;
    if (n >= MAX_KEYS_PER_DEVICE) return; // still found by MAC or address while online
    this.keyCount.set(devId, n + 1);
    this.keys.set(key, devId);
    this.writer.addKey(key, devId);
  }

  /** Drop a long-offline device entirely (memory, row, keys, node ACL) to make room for a new one. */
  private forget(devId: string): void {
    const dev = this.devices.get(devId);
    this.devices.delete(devId);
    this.live.delete(devId);
    this.descs.delete(devId);
    this.fetching.delete(devId);
    this.fetchedFrom.delete(devId);
    this.keyCount.delete(devId);
    for (const [k, id] of this.keys) if (id === devId) this.keys.delete(k);
    for (const [k, id] of this.sightingDev) if (id === devId) this.sightingDev.delete(k);
    this.debouncer.cancel(devId);
    this.writer.remove(devId);
    this.changes++;
    this.d.log.info({ devId, lastSeen: dev?.lastSeen }, 'inventory full: long-offline device forgotten');
    try {
      this.d.forgotten?.(devId);
    } catch (err) {
      this.d.log.error({ devId, err: (err as Error).message }, 'inventory: forgotten hook failed');
    }
    this.tell(devId);
  }

  private maybeDescribe(devId: string, url: string): void {
    if (this.fetching.has(devId) || this.fetchedFrom.get(devId) === url) return;
    this.fetching.add(devId);
    this.fetchedFrom.set(devId, url);
    if (this.describing.run(() => this.describe(devId, url))) return;
    this.fetching.delete(devId);
    this.fetchedFrom.delete(devId); // a later announcement tries again
    this.d.log.debug({ devId, url }, 'inventory: description queue full; fetch dropped');
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
      applyDescription(dev, x);
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
      this.writer.save(dev);
      this.debouncer.touch(dev.devId);
    } else if (this.d.now() - this.writer.lastSaved(dev.devId) >= (this.d.lastSeenWriteMs ?? 30_000)) {
      this.writer.save(dev);
    }
    this.tell(dev.devId);
  }

  private tell(devId: string): void {
    for (const w of this.watchers) {
      try {
        w(devId);
      } catch (err) {
        this.d.log.error({ devId, err: (err as Error).message }, 'inventory: watcher failed');
      }
    }
  }
}
