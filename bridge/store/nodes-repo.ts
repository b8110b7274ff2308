import type { Db } from './db.js';

/** One persisted static node. */
export interface NodeRow {
  path: string;
  parent: string;
  format: string;
  type: string;
  value: string | null;
  title: string | null;
  tstamp: number;
  verno: number;
  permanent: number;
}

/** Static tree nodes. Descendants of P are the paths in [P + '/', P + '0'): '/' is 0x2F, '0' 0x30. */
export class NodesRepo {
  private readonly sAll;
  private readonly sUpsert;
  private readonly sValue;
  private readonly sTitle;
  private readonly sDeleteTree;
  private readonly sSelectTree;
  private readonly sDelete;

  constructor(db: Db) {
    this.sAll = db.prepare<[], NodeRow>('SELECT * FROM nodes ORDER BY path');
    this.sUpsert = db.prepare<NodeRow>(
      `INSERT INTO nodes (path, parent, format, type, value, title, tstamp, verno, permanent)
       VALUES (@path, @parent, @format, @type, @value, @title, @tstamp, @verno, @permanent)
       ON CONFLICT(path) DO UPDATE SET parent=excluded.parent, format=excluded.format, type=excluded.type,
         value=excluded.value, title=excluded.title, tstamp=excluded.tstamp, verno=excluded.verno,
         permanent=excluded.permanent`,
    );
    this.sValue = db.prepare<[string, string, string | null, number, number, string]>(
      'UPDATE nodes SET format = ?, type = ?, value = ?, tstamp = ?, verno = ? WHERE path = ?',
    );
    this.sTitle = db.prepare<[string | null, number, number, string]>(
      'UPDATE nodes SET title = ?, tstamp = ?, verno = ? WHERE path = ?',
    );
    this.sDelete = db.prepare<[string]>('DELETE FROM nodes WHERE path = ?');
    this.sDeleteTree = db.prepare<[string, string, string]>(
      'DELETE FROM nodes WHERE path = ? OR (path >= ? AND path < ?)',
    );
    this.sSelectTree = db.prepare<[string, string, string], NodeRow>(
      'SELECT * FROM nodes WHERE path = ? OR (path >= ? AND path < ?) ORDER BY path',
    );
  }

  all(): NodeRow[] {
    return this.sAll.all();
  }

  upsert(row: NodeRow): void {
    this.sUpsert.run(row);
  }

  setValue(path: string, format: string, type: string, value: string | null, tstamp: number, verno: number): void {
    this.sValue.run(format, type, value, tstamp, verno, path);
  }

  setTitle(path: string, title: string | null, tstamp: number, verno: number): void {
    this.sTitle.run(title, tstamp, verno, path);
  }

  delete(path: string): void {
    this.sDelete.run(path);
  }

  deleteSubtree(path: string): void {
    this.sDeleteTree.run(path, path + '/', path + '0');
  }

  subtree(path: string): NodeRow[] {
    return this.sSelectTree.all(path, path + '/', path + '0');
  }
}
