import type { BridgeEvents, TypedEmitter } from '../core/events.js';
import type { SettingsRepo } from '../store/settings-repo.js';
import type { Journal } from './journal.js';

/**
 * Bridge settings (./Bridge/*): defaults from the config, overrides persisted in SQLite when an MA
 * changes them, listeners told after the change is committed.
 */
export class BridgeSettings {
  private readonly overrides: Map<string, string>;

  constructor(
    private readonly defaults: ReadonlyMap<string, string>,
    private readonly repo: SettingsRepo,
    private readonly journal: Journal,
    private readonly events: TypedEmitter<BridgeEvents>,
  ) {
    this.overrides = repo.all();
  }

  get(key: string): string {
    return this.overrides.get(key) ?? this.defaults.get(key) ?? '';
  }

  set(key: string, value: string): void {
    const before = this.overrides.get(key);
    this.repo.set(key, value);
    this.overrides.set(key, value);
    this.journal.record(() => {
      if (before === undefined) this.overrides.delete(key);
      else this.overrides.set(key, before);
    });
    this.journal.defer(() => this.events.emit('settings.changed', { key, value }));
  }

  /** Forget every override (factory reset). */
  clear(): void {
    for (const key of [...this.overrides.keys()]) this.repo.delete(key);
    this.overrides.clear();
  }
}
