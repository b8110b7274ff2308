import { BridgeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { AccountsRepo } from '../store/accounts-repo.js';
import type { OutboxRepo } from '../store/outbox-repo.js';
import type { AccountData } from '../tree/providers/dmacc-provider.js';
import { runDm12Session, type SessionReport, type SessionTrigger } from './connection.js';
import { runDm20Session, type Dm2ConnectionDeps, type Dm2SessionTrigger } from './dm2-connection.js';

/** Why a session runs; DM 1.2 sessions treat `alert` (a queued alert wants out) as client-initiated. */
export type AnyTrigger = SessionTrigger | Dm2SessionTrigger;

const PROTOCOLS = new Set(['dm1.2', 'dm2.0']);

export interface AuthorityStatus {
  account: string;
  serverId: string;
  protocol: string;
  state: 'idle' | 'in-session';
  lastSession: SessionReport | null;
  queuedAlerts: number;
}

interface Slot {
  running: Promise<SessionReport> | null;
  again: Promise<SessionReport> | null;
  abort: AbortController | null;
  last: SessionReport | null;
}

/**
 * Runs DM sessions per authority: at most one session per authority at a time (a trigger during a
 * session runs one more session right after it, coalescing further triggers), all authorities
 * concurrently, each in its own protocol (DM 1.2/1.3 SyncML or DM 2.0 JSON). Boot sessions on
 * start(); stop() aborts running sessions (Alert 1223 / DM 2.0 abort) and waits.
 * The full supervisor (polling, backoff, notify channel) comes with the authorities issue.
 */
export class Authorities {
  private readonly slots = new Map<string, Slot>();
  private stopped = false;

  constructor(private readonly o: { deps: Dm2ConnectionDeps; accounts: AccountsRepo; outbox: OutboxRepo; log: Logger }) {}

  /** Open a session to every authority (not awaited: results are logged). */
  start(): void {
    for (const row of this.o.accounts.all()) {
      this.trigger(row.account).catch((err: unknown) => this.o.log.error({ err, authority: row.account }, 'boot session failed'));
    }
  }

  async stop(deadlineMs = 5000): Promise<void> {
    this.stopped = true;
    const running = [...this.slots.values()].flatMap((s) => {
      s.abort?.abort();
      return [s.running, s.again].filter((p): p is Promise<SessionReport> => p !== null);
    });
    await Promise.race([Promise.allSettled(running), new Promise((r) => setTimeout(r, deadlineMs).unref())]);
  }

  /**
   * Start a session now (or right after the running one); resolves with its report.
   * Throws at once (not through the promise) when the account is unknown, its protocol unknown, or the bridge stops.
   */
  trigger(account: string, trigger: AnyTrigger = { kind: 'client' }): Promise<SessionReport> {
    if (this.stopped) throw new BridgeError('NOT_ALLOWED', 'the bridge is stopping');
    const row = this.o.accounts.get(account);
    if (!row) throw new BridgeError('NODE_NOT_FOUND', `no authority "${account}"`);
    const acc = JSON.parse(row.data) as AccountData;
    if (!PROTOCOLS.has(acc.protocol)) throw new BridgeError('NOT_SUPPORTED', `authority "${account}" speaks an unknown protocol ${acc.protocol}`);
    const slot = this.slot(account);
    if (!slot.running) return this.run(account, acc.protocol, slot, trigger);
    slot.again ??= slot.running.catch(() => undefined).then(() => {
      slot.again = null;
      return this.run(account, acc.protocol, slot, trigger);
    });
    return slot.again;
  }

  /** A pending alert wants delivery: open a session when possible; never throws. */
  nudge(account: string): void {
    try {
      this.trigger(account).catch(() => undefined);
    } catch (err) {
      this.o.log.debug({ authority: account, err: (err as Error).message }, 'no session for pending alert');
    }
  }

  list(): AuthorityStatus[] {
    return this.o.accounts.all().map((row) => {
      const acc = JSON.parse(row.data) as AccountData;
      const slot = this.slots.get(row.account);
      return {
        account: row.account,
        serverId: row.serverId,
        protocol: acc.protocol,
        state: slot?.running ? 'in-session' : 'idle',
        lastSession: slot?.last ?? null,
        queuedAlerts: this.o.outbox.count(row.account),
      };
    });
  }

  private slot(account: string): Slot {
    let s = this.slots.get(account);
    if (!s) this.slots.set(account, (s = { running: null, again: null, abort: null, last: null }));
    return s;
  }

  private run(account: string, protocol: string, slot: Slot, trigger: AnyTrigger): Promise<SessionReport> {
    const abort = new AbortController();
    slot.abort = abort;
    const control = { signal: abort.signal };
    const session =
      protocol === 'dm2.0'
        ? runDm20Session(this.o.deps, account, trigger, control)
        : runDm12Session(this.o.deps, account, trigger.kind === 'server' ? { kind: 'server', sessionId: trigger.sessionId } : { kind: 'client' }, control);
    const p = session.then(
      (report) => {
        slot.last = report;
        return report;
      },
      (err: unknown) => {
        this.o.log.error({ err, authority: account }, 'session failed');
        throw err;
      },
    );
    slot.running = p;
    const clear = (): void => {
      if (slot.running === p) {
        slot.running = null;
        slot.abort = null;
      }
    };
    p.then(clear, clear);
    return p;
  }
}
