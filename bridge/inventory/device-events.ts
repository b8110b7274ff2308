import type { Logger } from '../core/logger.js';
import type { DeviceRow } from '../store/devices-repo.js';
import type { EventBudget } from './event-budget.js';

export type DeviceEventKind = 'joined' | 'left' | 'changed';

export interface DeviceEvent {
  kind: DeviceEventKind;
  device: DeviceRow;
}

/** What an authority is told about, as one comparable string: status plus the visible fields. */
export function announceState(d: DeviceRow): string {
  return `${d.status}|${JSON.stringify([d.name, d.type, d.manufacturer, d.model, d.protocols, d.address])}`;
}

/** The event (if any) that takes an authority from what it was told (`announced`) to `d`. */
export function eventFor(announced: string, d: DeviceRow): DeviceEventKind | undefined {
  const now = announceState(d);
  const wasOnline = announced.startsWith('online|');
  if (d.status === 'online' && !wasOnline) return 'joined';
  if (d.status === 'offline' && wasOnline) return 'left';
  if (d.status === 'online' && announced !== now) return 'changed';
  return undefined;
}

const DEFER_WARN_MS = 60_000;

/**
 * Trailing debounce per device: the first change opens a window; when it closes the device is
 * compared with what was last announced and at most one event goes out. A device that flaps
 * inside the window produces no event, and never more than one per window. With a budget, events
 * over it wait in arrival order (each device once) and are re-evaluated when their turn comes.
 */
export class DeviceEventDebouncer {
  private readonly pending = new Map<string, NodeJS.Timeout>();
  /** Devices with an event waiting for the budget, in arrival order. */
  private readonly deferred = new Set<string>();
  private drainTimer: NodeJS.Timeout | undefined;
  private warnedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly windowMs: number,
    private readonly current: (devId: string) => DeviceRow | undefined,
    /** Called with the event; must persist `announced` (the caller's device row is updated here). */
    private readonly emit: (e: DeviceEvent) => void,
    private readonly limit?: { budget: EventBudget; log: Logger; now: () => number },
  ) {}

  touch(devId: string, delayMs = this.windowMs): void {
    if (this.pending.has(devId)) return;
    const t = setTimeout(() => this.fire(devId), delayMs);
    t.unref();
    this.pending.set(devId, t);
  }

  /** Forget a device's pending event (the device was removed). */
  cancel(devId: string): void {
    const t = this.pending.get(devId);
    if (t) clearTimeout(t);
    this.pending.delete(devId);
    this.deferred.delete(devId);
  }

  /** Evaluate now (tests, shutdown); deferred events still wait for the budget. */
  flush(): void {
    for (const id of [...this.pending.keys()]) this.fire(id);
    this.drain();
  }

  stop(): void {
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
    this.deferred.clear();
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.drainTimer = undefined;
  }

  private fire(devId: string): void {
    const t = this.pending.get(devId);
    if (t) clearTimeout(t);
    this.pending.delete(devId);
    if (this.deferred.has(devId)) return; // keeps its place in the queue; evaluated when its turn comes
    const d = this.current(devId);
    if (!d || eventFor(d.announced, d) === undefined) return;
    if (!this.limit || (this.deferred.size === 0 && this.limit.budget.take() === 0)) {
      this.announce(d);
      return;
    }
    this.deferred.add(devId);
    const now = this.limit.now();
    if (now - this.warnedAt >= DEFER_WARN_MS) {
      this.warnedAt = now;
      this.limit.log.warn({ waiting: this.deferred.size }, 'device events over the rate limit: deferred');
    }
    this.drain();
  }

  /** Announce deferred devices while the budget allows, then wait for the next token. */
  private drain(): void {
    if (!this.limit || this.drainTimer) return;
    for (const devId of this.deferred) {
      const d = this.current(devId);
      if (!d || eventFor(d.announced, d) === undefined) {
        this.deferred.delete(devId); // nothing to tell any more: costs nothing
        continue;
      }
      const wait = this.limit.budget.take();
      if (wait > 0) {
        this.drainTimer = setTimeout(() => {
          this.drainTimer = undefined;
          this.drain();
        }, wait);
        this.drainTimer.unref();
        return;
      }
      this.deferred.delete(devId);
      this.announce(d);
    }
  }

  private announce(d: DeviceRow): void {
    const kind = eventFor(d.announced, d);
    if (kind === undefined) return;
    d.announced = announceState(d);
    this.emit({ kind, device: d });
  }
}
