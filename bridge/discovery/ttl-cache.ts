import type { Sighting, SightingSource } from './types.js';

/** Re-query once this share of a sighting's lifetime has passed. */
export const REQUERY_AT = 0.75;

interface Entry {
  s: Sighting;
  sig: string;
  expiresAt: number;
  requeryAt: number;
  requeried: boolean;
}

export type UpsertResult = 'new' | 'changed' | 'refresh';

export interface CacheHooks {
  /** A sighting lived past its TTL without being confirmed. */
  expired(s: Sighting): void;
  /** Ask the network again (per source; for mDNS per service type) before entries expire. */
  requery(source: SightingSource, serviceType: string | undefined): void;
}

/** What makes a sighting 'changed' (an SSDP device announces many targets: they are not changes). */
const signature = (s: Sighting): string =>
  JSON.stringify([s.address, s.mdns ?? null, s.ssdp ? [s.ssdp.uuid, s.ssdp.location, s.ssdp.server] : null]);
const id = (source: SightingSource, key: string): string => `${source}:${key}`;

/**
 * Our own TTL cache of sightings (the libraries do not expire reliably): every sighting lives
 * for its ttl; at REQUERY_AT of it we ask again; unconfirmed at the end it expires.
 */
export class SightingCache {
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly hooks: CacheHooks,
    private readonly now: () => number = Date.now,
    /** Cap on entries (bounded memory); the oldest-expiring is dropped beyond it. */
    private readonly maxEntries = 20_000,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  all(): Sighting[] {
    return [...this.entries.values()].map((e) => e.s);
  }

  get(source: SightingSource, key: string): Sighting | undefined {
    return this.entries.get(id(source, key))?.s;
  }

  upsert(s: Sighting): UpsertResult {
    const k = id(s.source, s.key);
    const before = this.entries.get(k);
    const at = this.now();
    const sig = signature(s);
    this.entries.set(k, { s, sig, expiresAt: at + s.ttlMs, requeryAt: at + s.ttlMs * REQUERY_AT, requeried: false });
    if (!before) {
      if (this.entries.size > this.maxEntries) this.evictOne();
      return 'new';
    }
    return before.sig === sig ? 'refresh' : 'changed';
  }

  remove(source: SightingSource, key: string): Sighting | undefined {
    const k = id(source, key);
    const e = this.entries.get(k);
    this.entries.delete(k);
    return e?.s;
  }

  /** Drop every entry of a source (it was switched off); returns them. */
  clear(source?: SightingSource): Sighting[] {
    const out: Sighting[] = [];
    for (const [k, e] of this.entries) {
      if (source === undefined || e.s.source === source) {
        out.push(e.s);
        this.entries.delete(k);
      }
    }
    return out;
  }

  /** Check expiry and re-query deadlines (called by the timer; tests call it directly). */
  tick(): void {
    const at = this.now();
    const requery = new Set<string>();
    for (const [k, e] of this.entries) {
      if (at >= e.expiresAt) {
        this.entries.delete(k);
        this.hooks.expired(e.s);
      } else if (!e.requeried && at >= e.requeryAt) {
        e.requeried = true;
        requery.add(`${e.s.source}\u0000${e.s.mdns?.serviceType ?? ''}`);
      }
    }
    for (const r of requery) {
      const [source, type] = r.split('\u0000') as [SightingSource, string];
      this.hooks.requery(source, type === '' ? undefined : type);
    }
  }

  start(intervalMs = 250): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private evictOne(): void {
    let worst: [string, Entry] | undefined;
    for (const kv of this.entries) if (!worst || kv[1].expiresAt < worst[1].expiresAt) worst = kv;
    if (worst) {
      this.entries.delete(worst[0]);
      this.hooks.expired(worst[1].s);
    }
  }
}
