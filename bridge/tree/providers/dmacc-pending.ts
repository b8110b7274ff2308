import type { Clock } from '../../core/clock.js';
import type { Journal } from '../journal.js';
import type { Principal } from '../types.js';
import type { AccountData } from './dmacc-types.js';

/** An account being built by DM Adds: not run, not stored until complete. */
export interface Pending {
  d: AccountData;
  nonces: { client?: string; server?: string };
  /** Who adds it: only this MA (and the local operator) may see or change it. */
  by: Principal;
  /** Last change (epoch ms): the account is dropped `ttlMs` after it. */
  at: number;
}

/** The part of the ACL table pending accounts use. */
export interface PendingAcls {
  own(path: string): string;
  set(path: string, text: string): void;
  deleteSubtree(path: string): void;
}

export interface PendingOptions {
  journal: Journal;
  clock: Clock;
  acls: PendingAcls;
  /** Dropped this long after its last change when still incomplete (default 10 minutes). */
  ttlMs?: number;
  /** At most this many accounts being built per creator (default 8). */
  maxPerCreator?: number;
}

export const PENDING_TTL_MS = 10 * 60_000;
export const MAX_PENDING_PER_CREATOR = 8;

/**
 * The ACL of an account being built: every right for its creator only. Built by the local operator
 * (no ServerID to name): `Exec=*` is a non-empty ACL (nothing inherited from ./DMAcc's `Get=*`) that
 * grants no right a DMAcc node supports, so no MA can Get, Add, Replace or Delete it.
 */
export function pendingAcl(by: Principal): string {
  return by === null ? 'Exec=*' : `Add=${by}&Delete=${by}&Get=${by}&Replace=${by}`;
}

/**
 * DMAcc accounts being built through DM, in memory (a restart forgets them; `orphanAccountAcls`
 * then removes their ACL rows). Each carries an ACL row that hides it from every MA but its creator,
 * and is dropped with its ACL rows when it stays incomplete: `ttlMs` after its last change (checked
 * on every access, `sweep`), or when its creator's session ends (`dropBy`). In-memory changes are
 * journaled so that a rolled-back Atomic leaves nothing behind.
 */
export class PendingAccounts {
  private readonly map = new Map<string, Pending>();
  private readonly ttl: number;
  private readonly max: number;

  constructor(private readonly o: PendingOptions) {
    this.ttl = o.ttlMs ?? PENDING_TTL_MS;
    this.max = o.maxPerCreator ?? MAX_PENDING_PER_CREATOR;
  }

  get(name: string): Pending | undefined {
    this.sweep();
    return this.map.get(name);
  }

  /** May `by` start one more account (under its cap)? */
  canStart(by: Principal): boolean {
    this.sweep();
    let n = 0;
    for (const p of this.map.values()) if (p.by === by) n++;
    return n < this.max;
  }

  /** Record a new state of a pending account (its clock restarts) and make sure its ACL hides it. */
  put(name: string, next: Omit<Pending, 'at'>): void {
    this.write(name, { ...next, at: this.o.clock.now() });
    const path = pathOf(name);
    const acl = pendingAcl(next.by);
    // The tree gives an interior added without Replace on ./DMAcc its adder ACL (no Get) right after
    // the Add; the next change of the account restores the creator's ACL.
    if (this.o.acls.own(path) !== acl) this.o.acls.set(path, acl);
  }

  /** The account became complete (stored, with its factory ACL): forget it, keep its ACL rows. */
  completed(name: string): void {
    this.write(name, undefined);
  }

  /** Forget an account being built and its ACL rows. */
  drop(name: string): void {
    if (!this.map.has(name)) return;
    this.write(name, undefined);
    this.o.acls.deleteSubtree(pathOf(name));
  }

  /** Drop the accounts `by` is building (its session ended); every one when `by` is undefined. */
  dropBy(by?: Principal): number {
    const gone = [...this.map].filter(([, p]) => by === undefined || p.by === by).map(([n]) => n);
    for (const n of gone) this.drop(n);
    return gone.length;
  }

  /** Drop the accounts unchanged for `ttlMs`; how many went. */
  sweep(): number {
    if (this.map.size === 0) return 0;
    const limit = this.o.clock.now() - this.ttl;
    const gone = [...this.map].filter(([, p]) => p.at <= limit).map(([n]) => n);
    for (const n of gone) this.drop(n);
    return gone.length;
  }

  private write(name: string, next: Pending | undefined): void {
    const before = this.map.get(name);
    if (next) this.map.set(name, next);
    else this.map.delete(name);
    this.o.journal.record(() => (before ? this.map.set(name, before) : this.map.delete(name)));
  }
}

function pathOf(name: string): string {
  return `./DMAcc/${name}`;
}

/**
 * ACL paths under ./DMAcc that belong to no stored account (accounts being built before a restart,
 * accounts removed from the config): `./DMAcc/<x>` for each such x, to delete at start.
 */
export function orphanAccountAcls(aclPaths: readonly string[], accounts: ReadonlySet<string>): string[] {
  const out = new Set<string>();
  for (const p of aclPaths) {
    if (!p.startsWith('./DMAcc/')) continue;
    const name = p.slice('./DMAcc/'.length).split('/')[0]!;
    if (name !== '' && !accounts.has(name)) out.add(pathOf(name));
  }
  return [...out];
}
