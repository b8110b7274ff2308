import type { Clock } from '../../core/clock.js';
import { Status } from '../../core/status.js';
import type { BridgeEvents, TypedEmitter } from '../../core/events.js';
import type { AccountRow, AccountsRepo } from '../../store/accounts-repo.js';
import type { TombstonesRepo } from '../../store/tombstones-repo.js';
import type { Journal } from '../journal.js';
import type { NodeInfo, OpContext, Provider } from '../provider.js';
import type { NodeInput, Outcome, Principal } from '../types.js';
import { checkValue } from '../values.js';
import { addOf, DMACC_INTERIORS, DMACC_LEAF_BY_PATH, DMACC_LEAVES, type Apply, type DmAccLeaf } from './dmacc-leaves.js';
import { accountProblem, blankAccount, missingLeaves, type AccountData } from './dmacc-types.js';
import { LeafIndex, type LeafSpec } from './leaf-tree.js';
import { PendingAccounts, type PendingAcls } from './dmacc-pending.js';

export type { AccountData, AuthoritySettings } from './dmacc-types.js';
export const DMACC_URN = 'urn:oma:mo:oma-dm-dmacc:1.0';

const SEGMENT = /^[A-Za-z0-9._~-]{1,64}$/;

export interface DmAccDeps {
  repo: AccountsRepo;
  tombstones: TombstonesRepo;
  journal: Journal;
  events: TypedEmitter<BridgeEvents>;
  clock: Clock;
  /**
   * The ACL table (factory ACL of a new account; a deleted account's ServerID leaves every ACL; an
   * account being built is hidden from every MA but its creator and dropped with its ACL rows).
   */
  acls: PendingAcls & { removeServerId(serverId: string): number };
  /** Purge an account's scoped state kept elsewhere (audit, sessions log). */
  purge?: (account: string) => void;
  /** An account still incomplete this long after its last change is dropped (default 10 minutes). */
  pendingTtlMs?: number;
  /** Accounts one MA may build at a time (default 8; 420 beyond). */
  maxPendingPerCreator?: number;
}

/**
 * ./DMAcc/<account>: one DMAcc MO per authority, from the accounts table (seeded from the config).
 * An MA with Add on ./DMAcc creates an account by adding `<x>` and its leaves; the account is stored,
 * gets its factory ACL and is announced (`account.changed` Add) once complete. Until then it lives in
 * memory (dmacc-pending.ts): unlisted, its ACL grants only its creator, and it is dropped with its
 * ACL rows 10 minutes after its last change or by `dropPending(serverId)` when the creator's session
 * ends. AAuthSecret, AAuthData and TLS/Key are never readable; nonces come from the auth state.
 */
export class DmAccProvider implements Provider {
  readonly transactional = true;
  private readonly pending: PendingAccounts;
  /** Accounts whose Add announcement is scheduled (Replace events before it are folded into it). */
  private readonly announcing = new Set<string>();

  constructor(private readonly o: DmAccDeps) {
    this.pending = new PendingAccounts({
      journal: o.journal, clock: o.clock, acls: o.acls,
      ...(o.pendingTtlMs !== undefined ? { ttlMs: o.pendingTtlMs } : {}),
      ...(o.maxPendingPerCreator !== undefined ? { maxPerCreator: o.maxPendingPerCreator } : {}),
    });
  }

  node(segs: readonly string[]): NodeInfo | undefined {
    if (segs.length === 0) {
      // Accounts being built are not listed: node() does not know who asks, and only their creator may see them.
      this.pending.sweep();
      const names = this.o.repo.all().map((r) => r.account);
      return { format: 'node', type: '', permanent: true, access: ['Get', 'Add'], children: names };
    }
    const acc = this.account(segs[0]!);
    if (!acc) return undefined;
    const rel = segs.slice(1).join('/');
    const info = this.index(acc.d, acc.row).info(rel, DMACC_URN, false);
    if (!info) return undefined;
    const growing = acc.d.nodes !== undefined;
    if (info.children && growing) info.access = segs.length === 1 ? ['Get', 'Add', 'Delete'] : ['Get', 'Add'];
    else if (segs.length === 1) info.access = ['Get', 'Delete'];
    return info;
  }

  add(segs: readonly string[], input: NodeInput, ctx: OpContext): Outcome {
    const name = segs[0] ?? '';
    if (segs.length === 1) {
      if (input.format !== 'node') return { status: Status.COMMAND_NOT_ALLOWED, reason: 'an account is an interior node' };
      if (!SEGMENT.test(name)) return { status: Status.BAD_REQUEST, reason: 'account names use [A-Za-z0-9._~-]' };
      if (!this.pending.canStart(ctx.principal)) return { status: Status.DEVICE_FULL, reason: 'too many accounts being built' };
      this.pending.put(name, { d: blankAccount(name), nonces: {}, by: ctx.principal });
      return { status: Status.OK };
    }
    const acc = this.account(name);
    if (!acc || acc.d.nodes === undefined) return { status: Status.COMMAND_NOT_ALLOWED };
    if (!this.mayChange(acc, ctx.principal)) return { status: Status.PERMISSION_DENIED };
    const rel = segs.slice(1).join('/');
    const nodes = [...acc.d.nodes, rel];
    if (DMACC_INTERIORS.has(rel)) {
      if (input.format !== 'node') return { status: Status.UNSUPPORTED_MEDIA_TYPE, reason: `${rel} is an interior node` };
      return this.apply(name, acc, { ...acc.d, nodes }, undefined, ctx.principal);
    }
    const leaf = DMACC_LEAF_BY_PATH.get(rel);
    const how = leaf ? addOf(leaf) : null;
    if (!leaf || !how) return { status: Status.COMMAND_NOT_ALLOWED, reason: `${rel} cannot be added to a DMAcc account` };
    const value = this.checked(leaf, input);
    if (typeof value !== 'string') return value;
    const c = how(value, acc.d);
    if ('error' in c) return c.error;
    return this.apply(name, acc, { ...c.data, nodes }, leaf.nonce && { dir: leaf.nonce, value }, ctx.principal);
  }

  replace(segs: readonly string[], input: NodeInput, ctx: OpContext): Outcome {
    const acc = this.account(segs[0] ?? '');
    if (!acc) return { status: Status.NOT_FOUND };
    if (!this.mayChange(acc, ctx.principal)) return { status: Status.PERMISSION_DENIED };
    return this.index(acc.d, acc.row, ctx.principal).replace(segs.slice(1).join('/'), input, ctx);
  }

  delete(segs: readonly string[], ctx: OpContext): Outcome {
    if (segs.length !== 1) return { status: Status.COMMAND_NOT_ALLOWED };
    const name = segs[0]!;
    const p = this.pending.get(name);
    if (p) {
      if (!this.mayChange({ d: p.d }, ctx.principal)) return { status: Status.PERMISSION_DENIED };
      this.pending.drop(name);
      return { status: Status.OK };
    }
    const row = this.o.repo.get(name);
    if (!row) return { status: Status.NOT_FOUND };
    this.o.repo.delete(row.account);
    this.o.tombstones.add(row.account, row.serverId, this.o.clock.now());
    this.o.acls.removeServerId(row.serverId);
    this.o.purge?.(row.account);
    this.o.journal.defer(() => this.o.events.emit('account.changed', { account: row.account, serverId: row.serverId, op: 'Delete' }));
    return { status: Status.OK };
  }

  /**
   * Forget the accounts `serverId` is still building, with their ACL rows (call when its session
   * ends); every account being built when no ServerID is given. Returns how many were dropped.
   */
  dropPending(serverId?: string): number {
    return this.pending.dropBy(serverId);
  }

  /** Drop the accounts left incomplete for the TTL (also done on every access to ./DMAcc). */
  sweepPending(): number {
    return this.pending.sweep();
  }

  // ---- internals ----

  private account(name: string): { d: AccountData; row?: AccountRow } | undefined {
    const p = this.pending.get(name);
    if (p) return { d: p.d };
    const row = this.o.repo.get(name);
    return row ? { d: JSON.parse(row.data) as AccountData, row } : undefined;
  }

  /** Only its creator (and the local operator) changes an account being built, whatever its ACL says. */
  private mayChange(acc: { d: AccountData; row?: AccountRow }, who: Principal): boolean {
    if (acc.row || who === null) return true;
    return this.pending.get(acc.d.account)?.by === who;
  }

  /** A leaf's Add/Replace value, checked against its format ('chr' data is accepted for any format). */
  private checked(leaf: DmAccLeaf, input: NodeInput): string | Outcome {
    const format = input.format ?? leaf.format;
    if (format !== leaf.format && format !== 'chr') return { status: Status.UNSUPPORTED_MEDIA_TYPE, reason: `format must be ${leaf.format}` };
    const v = input.data ?? '';
    const check = checkValue(leaf.format, v);
    return check.status === Status.OK ? v : check;
  }

  /** Store a changed account: a pending one becomes live once complete; a live one is saved and announced. */
  private apply(name: string, acc: { d: AccountData; row?: AccountRow }, next: AccountData, nonce: { dir: 'client' | 'server'; value: string } | undefined, by: Principal): Outcome {
    const { repo, clock } = this.o;
    if (next.serverId !== acc.d.serverId && repo.all().some((r) => r.serverId === next.serverId)) {
      return { status: Status.ALREADY_EXISTS, reason: `ServerID ${next.serverId} belongs to another account` };
    }
    if (acc.row) {
      if (nonce) repo.setNonce(name, nonce.dir, nonce.value, clock.now());
      return this.save(acc.row, next);
    }
    const p = this.pending.get(name)!;
    const nonces = nonce ? { ...p.nonces, [nonce.dir]: nonce.value } : p.nonces;
    if (missingLeaves(next).length > 0) {
      this.pending.put(name, { d: next, nonces, by: p.by });
      return { status: Status.OK };
    }
    const problem = accountProblem(next);
    if (problem !== null) return { status: Status.BAD_REQUEST, reason: problem };
    repo.insert({ account: name, serverId: next.serverId, origin: 'dm', data: JSON.stringify(next), updatedAt: clock.now() });
    for (const dir of ['client', 'server'] as const) {
      const n = nonces[dir];
      if (n !== undefined) repo.setNonce(name, dir, n, clock.now());
    }
    this.o.tombstones.remove(name);
    this.pending.completed(name);
    this.o.acls.set(`./DMAcc/${name}`, this.factoryAcl(next.serverId, by));
    this.o.journal.defer(() => this.announce(name, next.serverId));
    return { status: Status.OK };
  }

  private save(row: AccountRow, next: AccountData): Outcome {
    this.o.repo.update({ ...row, origin: 'dm', data: JSON.stringify(next), updatedAt: this.o.clock.now() });
    this.o.journal.defer(() => {
      if (!this.announcing.has(row.account)) this.o.events.emit('account.changed', { account: row.account, serverId: row.serverId, op: 'Replace' });
    });
    return { status: Status.OK };
  }

  /**
   * Emit the Add on the next turn of the event loop, so the leaves a server adds right after the
   * account became complete (same message) are part of what the supervisor starts with.
   */
  private announce(account: string, serverId: string): void {
    this.announcing.add(account);
    setImmediate(() => {
      this.announcing.delete(account);
      let live = false;
      try {
        live = this.o.repo.get(account)?.serverId === serverId;
      } catch {
        return; // the store closed meanwhile
      }
      if (live) this.o.events.emit('account.changed', { account, serverId, op: 'Add' });
    });
  }

  /** ./DMAcc/<x> of a new account: Get/Replace for it and the administrators, Add/Delete for the administrators. */
  private factoryAcl(serverId: string, by: Principal): string {
    const boot = this.o.repo
      .all()
      .filter((r) => r.serverId !== serverId && (JSON.parse(r.data) as AccountData).bootstrap)
      .map((r) => r.serverId);
    const admins = [...new Set([...boot, ...(by !== null && by !== serverId ? [by] : [])])];
    const all = [serverId, ...admins].join('+');
    if (admins.length === 0) return `Get=${all}&Replace=${all}`;
    return `Add=${admins.join('+')}&Delete=${admins.join('+')}&Get=${all}&Replace=${all}`;
  }

  /** The account's leaves (only the added ones for an account created through DM). */
  private index(d: AccountData, row: AccountRow | undefined, by: Principal = null): LeafIndex {
    const present = d.nodes ? new Set(d.nodes) : undefined;
    const name = d.account;
    const specs: LeafSpec[] = [];
    for (const leaf of DMACC_LEAVES) {
      if (present && !present.has(leaf.path)) continue;
      const get = leaf.nonce && row ? () => this.o.repo.nonce(name, leaf.nonce!) ?? '' : () => leaf.get(d);
      const spec: LeafSpec = { path: leaf.path, format: leaf.format, get };
      if (leaf.secret) spec.secret = true;
      const how: Apply | undefined = leaf.replace ?? (row ? undefined : addOf(leaf) ?? undefined);
      if (how) {
        spec.set = (v) => {
          const c = how(v, d);
          if ('error' in c) return c.error;
          const acc = row ? { d, row } : { d };
          return this.apply(name, acc, c.data, undefined, by);
        };
      }
      specs.push(spec);
    }
    const idx = new LeafIndex(specs);
    if (present) for (const p of present) if (DMACC_INTERIORS.has(p)) addInterior(idx, p);
    return idx;
  }
}

/** Make an explicitly added interior (and its parents) part of the index. */
function addInterior(idx: LeafIndex, path: string): void {
  const segs = path.split('/');
  for (let i = 0; i < segs.length; i++) {
    const parent = segs.slice(0, i).join('/');
    const here = segs.slice(0, i + 1).join('/');
    const kids = idx.interiors.get(parent) ?? [];
    if (!kids.includes(segs[i]!)) kids.push(segs[i]!);
    idx.interiors.set(parent, kids);
    if (!idx.interiors.has(here)) idx.interiors.set(here, []);
  }
}
