import type { DeviceRow } from '../store/devices-repo.js';

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

/**
 * Trailing debounce per device: the first change opens a window; when it closes the device is
 * compared with what was last announced and at most one event goes out. A device that flaps
 * inside the window produces no event, and never more than one per window.
 */
export class DeviceEventDebouncer {
  private readonly pending = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly windowMs: number,
    private readonly current: (devId: string) => DeviceRow | undefined,
    /** Called with the event; must persist `announced` (the caller's device row is updated here). */
    private readonly emit: (e: DeviceEvent) => void,
  ) {}

  touch(devId: string, delayMs = this.windowMs): void {
    if (this.pending.has(devId)) return;
    const t = setTimeout(() => this.fire(devId), delayMs);
    t.unref();
    this.pending.set(devId, t);
  }

  /** Evaluate now (tests, shutdown). */
  flush(): void {
    for (const id of [...this.pending.keys()]) this.fire(id);
  }

  stop(): void {
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
  }

  private fire(devId: string): void {
    const t = this.pending.get(devId);
    if (t) clearTimeout(t);
    this.pending.delete(devId);
    const d = this.current(devId);
    if (!d) return;
    const kind = eventFor(d.announced, d);
    if (kind === undefined) return;
    d.announced = announceState(d);
    this.emit({ kind, device: d });
  }
}
