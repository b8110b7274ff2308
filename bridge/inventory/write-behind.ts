import type { Logger } from '../core/logger.js';
import type { DeviceRow, DevicesRepo } from '../store/devices-repo.js';

/**
 * Write-behind for the inventory: rows, identity keys and removals changed since the last flush go
 * to the store in one transaction right after the burst (setImmediate), or at once on flush().
 */
export class DevicesWriter {
  private readonly dirty = new Map<string, DeviceRow>();
  private dirtyKeys: Array<[string, string]> = [];
  private readonly removed = new Set<string>();
  private readonly savedAt = new Map<string, number>();
  private flushing: NodeJS.Immediate | undefined;

  constructor(
    private readonly repo: DevicesRepo,
    private readonly log: Logger,
    private readonly now: () => number,
    private readonly transaction?: (fn: () => void) => void,
  ) {}

  save(dev: DeviceRow): void {
    this.dirty.set(dev.devId, dev);
    this.savedAt.set(dev.devId, this.now());
    this.later();
  }

  /** When the row was last queued for writing (0: not in this run). */
  lastSaved(devId: string): number {
    return this.savedAt.get(devId) ?? 0;
  }

  addKey(key: string, devId: string): void {
    this.dirtyKeys.push([key, devId]);
    this.later();
  }

  /** Delete the row and (cascade) its keys; pending writes of it are dropped. */
  remove(devId: string): void {
    this.dirty.delete(devId);
    this.savedAt.delete(devId);
    this.dirtyKeys = this.dirtyKeys.filter(([, id]) => id !== devId);
    this.removed.add(devId);
    this.later();
  }

  flush(): void {
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = undefined;
    if (this.dirty.size === 0 && this.dirtyKeys.length === 0 && this.removed.size === 0) return;
    const removed = [...this.removed];
    const rows = [...this.dirty.values()];
    const keys = this.dirtyKeys;
    this.removed.clear();
    this.dirty.clear();
    this.dirtyKeys = [];
    // removals first: a device forgotten and re-created in the same burst is written afresh
    const write = (): void => {
      for (const id of removed) this.repo.delete(id);
      for (const r of rows) this.repo.save(r);
      for (const [k, id] of keys) this.repo.addKey(k, id);
    };
    try {
      if (this.transaction) this.transaction(write);
      else write();
    } catch (err) {
      this.log.error({ devices: rows.length, removed: removed.length, err: (err as Error).message }, 'inventory: devices not persisted');
    }
  }

  private later(): void {
    this.flushing ??= setImmediate(() => this.flush());
  }
}
