import type { Db } from './db.js';

/** Bridge settings changed at run time (./Bridge/*), overriding the config's defaults. */
export class SettingsRepo {
  private readonly sAll;
  private readonly sSet;
  private readonly sDel;

  constructor(db: Db) {
    this.sAll = db.prepare<[], { key: string; value: string }>('SELECT key, value FROM settings');
    this.sSet = db.prepare<[string, string]>(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
    this.sDel = db.prepare<[string]>('DELETE FROM settings WHERE key = ?');
  }

  all(): Map<string, string> {
    return new Map(this.sAll.all().map((r) => [r.key, r.value]));
  }

  set(key: string, value: string): void {
    this.sSet.run(key, value);
  }

  delete(key: string): void {
    this.sDel.run(key);
  }
}
