import type { AclRepo } from '../store/acl-repo.js';
import { grants, isEmptyAcl, parseAcl, serializeAcl, withoutServerId, type Acl } from './acl.js';
import type { Journal } from './journal.js';
import type { Principal, Right } from './types.js';
import { isWithin, parentPath, ROOT } from './uri.js';

export const ROOT_DEFAULT_ACL = 'Add=*&Get=*';
/** Deleted nodes whose ACL in force before the delete is remembered (allowedBeforeDelete). */
const DELETED_KEPT = 256;

/**
 * The ACL property of every node, whatever provider owns it, persisted by path.
 * A node without an entry has the empty ACL and inherits, whole, from its nearest ancestor that has one.
 */
export class AclTable {
  private readonly acls = new Map<string, Acl>();
  /** path -> the ACL in force there just before its subtree was deleted (most recent last, bounded). */
  private readonly deleted = new Map<string, Acl>();

  constructor(
    private readonly repo: AclRepo,
    private readonly journal: Journal,
  ) {
    for (const { path, acl } of repo.all()) {
      const p = parseAcl(acl);
      if (p.ok && !isEmptyAcl(p.acl)) this.acls.set(path, p.acl);
    }
    if (!this.acls.has(ROOT)) this.set(ROOT, ROOT_DEFAULT_ACL);
  }

  /** The node's own ACL text ('' when it inherits). */
  own(path: string): string {
    const a = this.acls.get(path);
    return a ? serializeAcl(a) : '';
  }

  has(path: string): boolean {
    return this.acls.has(path);
  }

  /** The paths that have an ACL of their own. */
  paths(): string[] {
    return [...this.acls.keys()];
  }

  /** The ACL in force at `path`: its own, or the nearest ancestor's. */
  effective(path: string): Acl {
    let p: string | undefined = path;
    while (p !== undefined) {
      const a = this.acls.get(p);
      if (a) return a;
      p = parentPath(p);
    }
    return {};
  }

  allows(path: string, right: Right, principal: Principal): boolean {
    if (principal === null) return true;
    return grants(this.effective(path), right, principal);
  }

  /**
   * After a node's delete (its own ACL is gone with it): was `right` granted there just before?
   * A `left` alert is checked with this so that a node hidden by its own ACL does not leak its
   * departure through the parent's ACL. Without a remembered delete: allows().
   */
  allowedBeforeDelete(path: string, right: Right, principal: Principal): boolean {
    if (principal === null) return true;
    return grants(this.deleted.get(path) ?? this.effective(path), right, principal);
  }

  /** Set a node's ACL from text ('' clears it). The caller has validated the text. */
  set(path: string, text: string): void {
    const parsed = parseAcl(text);
    if (!parsed.ok) throw new Error(`invalid ACL for ${path}: ${parsed.reason}`);
    this.put(path, isEmptyAcl(parsed.acl) ? undefined : parsed.acl);
  }

  /** Set the ACL only when the node has none (factory seeding). */
  seed(path: string, text: string): void {
    if (!this.acls.has(path)) this.set(path, text);
  }

  /** Forget the ACLs of a subtree (its nodes were deleted). */
  deleteSubtree(path: string): void {
    this.deleted.delete(path);
    this.deleted.set(path, this.effective(path));
    if (this.deleted.size > DELETED_KEPT) this.deleted.delete(this.deleted.keys().next().value!);
    const gone = [...this.acls.entries()].filter(([p]) => isWithin(p, path));
    if (gone.length === 0) return;
    this.repo.deleteSubtree(path);
    for (const [p] of gone) this.acls.delete(p);
    this.journal.record(() => {
      for (const [p, a] of gone) this.acls.set(p, a);
    });
  }

  /** Move the ACLs of a subtree after a rename. */
  moveSubtree(from: string, to: string): void {
    const moved = [...this.acls.entries()].filter(([p]) => isWithin(p, from));
    this.deleteSubtree(from);
    for (const [p, a] of moved) this.put(to + p.slice(from.length), a);
  }

  /** A ServerID's account was deleted: strip it from every ACL (PROTOCOL.md §2.10). */
  removeServerId(serverId: string): number {
    let changed = 0;
    for (const [p, a] of [...this.acls.entries()]) {
      const next = withoutServerId(a, serverId, p === ROOT);
      if (serializeAcl(next) !== serializeAcl(a)) {
        this.put(p, isEmptyAcl(next) ? undefined : next);
        changed++;
      }
    }
    return changed;
  }

  private put(path: string, acl: Acl | undefined): void {
    this.deleted.delete(path); // the node exists again
    const before = this.acls.get(path);
    if (acl) {
      this.repo.set(path, serializeAcl(acl));
      this.acls.set(path, acl);
    } else {
      this.repo.delete(path);
      this.acls.delete(path);
    }
    this.journal.record(() => {
      if (before) this.acls.set(path, before);
      else this.acls.delete(path);
    });
  }
}
