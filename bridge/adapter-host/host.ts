import type { Adapter, DeviceHandle, DeviceRecord, NodeSpec } from '../../adapters/sdk/index.js';
import type { BridgeEvents, TypedEmitter } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import type { DeviceRow } from '../store/devices-repo.js';
import { ChangeLimiter } from './change-limiter.js';
import { AttachedMo, type Deadlines, type Slot } from './device-mo.js';
import { DeviceGuard, GUARD_DEFAULTS, type GuardOptions } from './guard.js';
import { SpecIndex } from './spec-index.js';

/** What the host reads from the inventory (structurally bridge/inventory's Inventory). */
export interface DeviceSource {
  list(): DeviceRow[];
  get(devId: string): DeviceRow | undefined;
  location(devId: string): string | undefined;
  watch(fn: (devId: string) => void): () => void;
  setAdapter(devId: string, name: string): void;
}

export interface AdapterHostOptions {
  adapters: readonly Adapter[];
  devices: DeviceSource;
  settings: { get(key: string): string };
  events: TypedEmitter<BridgeEvents>;
  log: Logger;
  /** Tree path of the devices (default ./GwMO/DevInventory/Devices). */
  devicesPath?: string;
  deadlines?: Partial<Deadlines>;
  attachMs?: number;
  /** Attaches in flight at once (default ATTACH_CONCURRENCY); more wait their turn in arrival order. */
  maxAttaches?: number;
  detachMs?: number;
  /** First retry of a failed attach; doubles up to retryMaxMs. */
  retryMs?: number;
  retryMaxMs?: number;
  changes?: { intervalMs?: number; maxPerFlush?: number; maxPending?: number };
  guard?: Partial<GuardOptions>;
  now?: () => number;
  /** Adapter call latency and errors (/metrics). */
  metrics?: Metrics;
}

/** The mDNS ports and TXT a device offers: a change (printer restarted on another port) reattaches. */
const mdnsEndpoints = (rec: DeviceRecord): string =>
  JSON.stringify(rec.services.filter((s) => s.protocol === 'mdns').map((s) => [s.type, s.id, s.port ?? 0, s.txt ?? {}]));

const DEADLINES: Deadlines = { getMs: 5000, replaceMs: 5000, execMs: 15_000, asyncExecMs: 300_000 };
export const enabledKey = (name: string): string => `adapters.${name}.enabled`;
/** Each attach fetches a description and SCPDs: a burst of new devices attaches 16 at a time. */
export const ATTACH_CONCURRENCY = 16;

/**
 * Loads the adapters, matches inventory devices to them, attaches online devices, detaches offline
 * ones (reattaching when they return), serves each attached device's MO/ subtree through the
 * inventory provider, rate-limits device-reported changes into `tree.changed`, and follows
 * ./Bridge/Adapters/<name>/Enabled live.
 */
export class AdapterHost {
  readonly mo: AttachedMo;
  private readonly slots = new Map<string, Slot>();
  private readonly attaching = new Map<string, AbortController>();
  /** Devices due an attach while ATTACH_CONCURRENCY are in flight, in arrival order. */
  private readonly waiting = new Set<string>();
  private readonly retries = new Map<string, { timer: NodeJS.Timeout | null; attempt: number }>();
  private readonly unlisten: Array<() => void> = [];
  private readonly now: () => number;
  private running = false;
  private readonly maxAttaches: number;

  constructor(private readonly o: AdapterHostOptions) {
    this.now = o.now ?? Date.now;
    this.maxAttaches = Math.max(1, o.maxAttaches ?? ATTACH_CONCURRENCY);
    const names = new Set<string>();
    for (const a of o.adapters) {
      if (names.has(a.name) || !/^[A-Za-z0-9_-]{1,32}$/.test(a.name)) throw new Error(`adapter name invalid or repeated: "${a.name}"`);
      names.add(a.name);
    }
    this.mo = new AttachedMo((id) => this.slots.get(id), { ...DEADLINES, ...o.deadlines }, (s) => this.refresh(s));
  }

  /** Start following the inventory and the settings; attach what is online now. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.unlisten.push(this.o.devices.watch((id) => this.evaluate(id)));
    this.unlisten.push(this.o.events.on('settings.changed', ({ key }) => {
      if (this.o.adapters.some((a) => key === enabledKey(a.name))) this.evaluateAll(key);
    }));
    this.evaluateAll();
  }

  /** Detach every device and stop following. */
  async stop(): Promise<void> {
    this.running = false;
    for (const u of this.unlisten.splice(0)) u();
    for (const ac of this.attaching.values()) ac.abort();
    this.attaching.clear();
    this.waiting.clear();
    for (const r of this.retries.values()) if (r.timer) clearTimeout(r.timer);
    this.retries.clear();
    await Promise.all([...this.slots.keys()].map((id) => this.detach(id, 'stopping')));
  }

  /** devId -> adapter name of the attached devices. */
  attached(): Map<string, string> {
    return new Map([...this.slots].map(([id, s]) => [id, s.adapter.name]));
  }

  enabled(name: string): boolean {
    return this.o.settings.get(enabledKey(name)) !== 'false';
  }

  // ---- lifecycle ----

  private evaluateAll(settingKey?: string): void {
    const name = settingKey?.slice('adapters.'.length, -'.enabled'.length);
    for (const d of this.o.devices.list()) {
      if (name !== undefined) {
        if (this.slots.get(d.devId)?.adapter.name === name && !this.enabled(name)) this.o.devices.setAdapter(d.devId, '');
        this.dropRetry(d.devId);
      }
      this.evaluate(d.devId);
    }
  }

  private record(row: DeviceRow): DeviceRecord {
    const r: DeviceRecord = {
      devId: row.devId, name: row.name, type: row.type, manufacturer: row.manufacturer, model: row.model,
      protocols: [...row.protocols], address: row.address,
      services: row.services.map((s) => (s.txt ? { ...s, txt: { ...s.txt } } : { ...s })),
    };
    const loc = this.o.devices.location(row.devId);
    if (loc !== undefined) r.location = loc;
    return r;
  }

  private pick(rec: DeviceRecord): Adapter | undefined {
    for (const a of this.o.adapters) {
      if (!this.enabled(a.name)) continue;
      try {
        if (a.matches(rec)) return a;
      } catch (err) {
        this.o.log.warn({ adapter: a.name, devId: rec.devId, err: (err as Error).message }, 'adapter-host: matches() threw');
      }
    }
    return undefined;
  }

  private evaluate(devId: string): void {
    if (!this.running) return;
    const row = this.o.devices.get(devId);
    const rec = row && row.status === 'online' ? this.record(row) : undefined;
    const want = rec ? this.pick(rec) : undefined;
    const fp = rec && want ? `${want.name}|${rec.address}|${rec.location ?? ''}|${mdnsEndpoints(rec)}` : '';
    const cur = this.slots.get(devId);
    if (cur && cur.fingerprint !== fp) void this.detach(devId, want ? 'changed' : row?.status === 'online' ? 'no adapter' : 'offline');
    if (!want || !rec) {
      this.waiting.delete(devId);
      this.attaching.get(devId)?.abort();
      this.attaching.delete(devId);
      this.dropRetry(devId);
      return;
    }
    if (this.slots.has(devId) || this.attaching.has(devId) || this.retries.get(devId)?.timer) return;
    if (this.attaching.size >= this.maxAttaches) {
      this.waiting.add(devId);
      return;
    }
    this.waiting.delete(devId);
    void this.attach(rec, want, fp)
      .catch((err: unknown) => this.o.log.error({ devId, err: (err as Error).message }, 'adapter-host: attach crashed'))
      .finally(() => this.nextWaiting());
  }

  /** An attach finished or was abandoned: start the next waiting ones (re-evaluated: they may be gone). */
  private nextWaiting(): void {
    for (const devId of this.waiting) {
      if (!this.running || this.attaching.size >= this.maxAttaches) return;
      this.waiting.delete(devId);
      this.evaluate(devId);
    }
  }

  private async attach(rec: DeviceRecord, adapter: Adapter, fp: string): Promise<void> {
    const ac = new AbortController();
    this.attaching.set(rec.devId, ac);
    const log = this.o.log.child({ adapter: adapter.name, devId: rec.devId });
    const ms = this.o.attachMs ?? 20_000;
    const timer = setTimeout(() => ac.abort(), ms);
    let handle: DeviceHandle | undefined;
    const pending = Promise.resolve().then(() => adapter.attach(rec, { authority: null, signal: ac.signal, log }));
    try {
      const aborted = new Promise<never>((_, reject) => ac.signal.addEventListener('abort', () => reject(new Error(`attach did not finish within ${ms} ms`)), { once: true }));
      handle = await Promise.race([pending, aborted]);
    } catch (err) {
      // abandoned (deadline, offline, stopping): a handle the adapter still delivers is released
      pending.then((late) => late.detach(), () => undefined).catch(() => undefined);
      if (this.attaching.get(rec.devId) === ac) {
        this.attaching.delete(rec.devId);
        this.retryLater(rec.devId, log, (err as Error).message);
      }
      return;
    } finally {
      clearTimeout(timer);
    }
    if (this.attaching.get(rec.devId) !== ac || !this.running) {
      void handle.detach().catch(() => undefined); // cancelled meanwhile (offline, disabled, stopping)
      return;
    }
    this.attaching.delete(rec.devId);
    this.retries.delete(rec.devId);
    const slot: Slot = {
      devId: rec.devId, adapter, handle, fingerprint: fp,
      index: new SpecIndex(this.describe(handle, log)),
      guard: new DeviceGuard(log, { ...GUARD_DEFAULTS, now: this.now, ...this.o.guard }, (op, durationMs, error) =>
        this.o.metrics?.adapterCall({ adapter: adapter.name, op, durationMs, ...(error === undefined ? {} : { error }) })),
      limiter: new ChangeLimiter((p) => this.emitChange(rec.devId, p), {
        intervalMs: 1000, maxPerFlush: 20, maxPending: 500, now: this.now, ...this.o.changes,
      }),
    };
    if (slot.index.dropped > 0) log.warn({ dropped: slot.index.dropped }, 'adapter-host: invalid node specs dropped');
    this.slots.set(rec.devId, slot);
    try {
      handle.onChange?.((path) => {
        if (this.slots.get(rec.devId) === slot && slot.index.leaves.has(path)) slot.limiter.push(path);
      });
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'adapter-host: onChange() threw');
    }
    this.o.devices.setAdapter(rec.devId, adapter.name);
    log.info({ nodes: slot.index.leaves.size }, 'adapter-host: device attached');
    this.evaluate(rec.devId); // it may have gone offline meanwhile
  }

  private retryLater(devId: string, log: Logger, reason: string): void {
    const r = this.retries.get(devId) ?? { timer: null, attempt: 0 };
    const wait = Math.min((this.o.retryMs ?? 5000) * 2 ** r.attempt, this.o.retryMaxMs ?? 300_000);
    r.attempt++;
    log.warn({ reason, retryMs: wait }, 'adapter-host: attach failed');
    r.timer = setTimeout(() => {
      r.timer = null;
      this.evaluate(devId);
    }, wait);
    r.timer.unref();
    this.retries.set(devId, r);
  }

  /** Forget a device's retry state, cancelling its pending retry. */
  private dropRetry(devId: string): void {
    const r = this.retries.get(devId);
    if (r?.timer) clearTimeout(r.timer);
    this.retries.delete(devId);
  }

  private async detach(devId: string, why: string): Promise<void> {
    const s = this.slots.get(devId);
    if (!s) return;
    this.slots.delete(devId);
    s.limiter.stop();
    const ms = this.o.detachMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(() => s.handle.detach()),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
      ]);
    } catch (err) {
      this.o.log.warn({ devId, err: (err as Error).message }, 'adapter-host: detach failed');
    } finally {
      clearTimeout(timer);
    }
    this.o.log.info({ devId, adapter: s.adapter.name, why }, 'adapter-host: device detached');
  }

  private describe(handle: DeviceHandle, log: Logger): NodeSpec[] {
    try {
      const specs = handle.describe();
      return Array.isArray(specs) ? specs : [];
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'adapter-host: describe() threw');
      return [];
    }
  }

  /** Re-read a device's node list (on a Get of its MO root). */
  private refresh(s: Slot): void {
    const specs = this.describe(s.handle, this.o.log);
    s.index = new SpecIndex(specs);
  }

  private emitChange(devId: string, path: string): void {
    const uri = `${this.o.devicesPath ?? './GwMO/DevInventory/Devices'}/${devId}/MO/${path}`;
    try {
      this.o.events.emit('tree.changed', { uri, op: 'Replace', by: null });
    } catch (err) {
      this.o.log.warn({ devId, err: (err as Error).message }, 'adapter-host: change listener failed');
    }
  }
}
