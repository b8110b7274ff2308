import type { Db } from './db.js';

/** Node ACLs by canonical path (any provider's nodes). */
export class AclRepo {
  private readonly sAll;
  private readonly sSet;
  private readonly sDel;
  private readonly sDelTree;

  constructor(db: Db) {
    this.sAll = db.prepare<[], { path: string; acl: string }>('SELECT path, acl FROM acls');
    this.sSet = db.prepare<[string, string]>(
      'INSERT INTO acls (path, acl) VALUES (?, ?) ON CONFLICT(path) DO UPDATE SET acl = excluded.acl',
    );
    this.sDel = db.prepare<[string]>('DELETE FROM acls WHERE path = ?');
    this.sDelTree = db.prepare<[string, string, string]>('DELETE FROM acls WHERE path = ? OR (path >= ? AND path < ?)');
  }

  all(): Array<{ path: string; acl: string }> {
    return this.sAll.all();
  }

  set(path: string, acl: string): void {
    this.sSet.run(path, acl);
  }

  delete(path: string): void {
    this.sDel.run(path);
  }

  deleteSubtree(path: string): void {
    this.sDelTree.run(path, path + '/', path + '0');
  }
}
