import { BridgeError } from '../core/errors.js';
import type { BridgeEvents, TypedEmitter } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { Metrics } from '../core/metrics.js';
import type { AccountsRepo } from '../store/accounts-repo.js';
import type { OutboxRepo } from '../store/outbox-repo.js';
import type { SessionsLogRepo } from '../store/sessions-log-repo.js';
import type { AccountData } from '../tree/providers/dmacc-provider.js';
import { runDm12Session, type SessionReport } from './connection.js';
import { runDm20Session, type Dm2ConnectionDeps } from './dm2-connection.js';
import { DEFAULT_TIMING, Supervisor, type AnyTrigger, type SupervisorStatus, type SupervisorTiming } from './supervisor.js';

export type { AnyTrigger } from './supervisor.js';

const PROTOCOLS = new Set(['dm1.2', 'dm2.0']);

export interface AuthorityStatus extends SupervisorStatus {
  account: string;
  serverId: string;
  protocol: string;
  queuedAlerts: number;
  /** Queued alerts dropped (oldest first) because the outbox cap was reached, since the bridge started. */
  droppedAlerts: number;
}

export interface AuthoritiesOptions {
  deps: Dm2ConnectionDeps;
  accounts: AccountsRepo;
  outbox: OutboxRepo;
  log: Logger;
  /** `account.changed` (Add/Replace/Delete through DM) starts, reschedules and stops supervisors. */
  events?: TypedEmitter<BridgeEvents>;
  /** Backoff policy, poll jitter, clock, timers, randomness (tests make them fast). */
  timing?: Partial<SupervisorTiming>;
  /** Per-authority sessions log (every ended session: trigger, outcome, duration, commands). */
  sessionsLog?: SessionsLogRepo;
  /** Sessions by authority and outcome, durations (/metrics). */
  metrics?: Metrics;
  /** A session of this authority ended (either way): e.g. drop the DMAcc accounts it left half-built. */
  onSessionEnd?: (account: string) => void;
}

/**
 * One supervisor per Management Authority (supervisor.ts): at most one session per authority at a
 * time, all authorities concurrently, each in its own protocol (DM 1.2/1.3 SyncML or DM 2.0 JSON).
 * start() opens a boot session to every authority and follows `account.changed`; stop() aborts
 * running sessions (Alert 1223 / DM 2.0 abort) and waits.
 */
export class Authorities {
  private readonly sups = new Map<string, Supervisor>();
  private readonly timing: SupervisorTiming;
  private started = false;
  private stopped = false;
  private unlisten: (() => void) | null = null;

  constructor(private readonly o: AuthoritiesOptions) {
    this.timing = { ...DEFAULT_TIMING, ...(o.deps.clock ? { clock: o.deps.clock } : {}), ...o.timing };
  }

  /** Boot a session to every authority (not awaited: results are logged) and follow account changes. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.unlisten = this.o.events?.on('account.changed', (e) => this.onAccountChanged(e)) ?? null;
    for (const row of this.o.accounts.all()) this.boot(row.account);
  }

  async stop(deadlineMs = 5000): Promise<void> {
    this.stopped = true;
    this.unlisten?.();
    this.unlisten = null;
    const all = [...this.sups.values()].map((s) => s.stop());
    let t: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.allSettled(all), new Promise((r) => (t = setTimeout(r, deadlineMs).unref()))]);
    clearTimeout(t);
  }

  /**
   * Start a session now, regardless of backoff (or right after the running one); resolves with its
   * report. `{kind:'server', ...}` is a verified notification; anything else is a manual trigger.
   * Throws at once (not through the promise) when the account is unknown, its protocol unknown, or the bridge stops.
   */
  trigger(account: string, trigger: AnyTrigger = { kind: 'client' }): Promise<SessionReport> {
    if (this.stopped) throw new BridgeError('NOT_ALLOWED', 'the bridge is stopping');
    this.settings(account);
    const cause = trigger.kind === 'server' ? 'notification' : 'manual';
    return this.supervisor(account).request(trigger, cause, { force: true, wait: true })!;
  }

  /**
   * A pending alert wants delivery: a session now, after the running one, or with the next retry; never throws.
   * Before start() it does nothing: the boot session reads the whole outbox (no extra session ahead of it).
   */
  nudge(account: string): void {
    try {
      if (this.stopped || !this.started) return;
      this.settings(account);
      this.supervisor(account).request({ kind: 'alert' }, 'alert', { force: false, wait: false });
    } catch (err) {
      this.o.log.debug({ authority: account, err: (err as Error).message }, 'no session for pending alert');
    }
  }

  list(): AuthorityStatus[] {
    return this.o.accounts.all().map((row) => {
      const acc = JSON.parse(row.data) as AccountData;
      const sup = this.sups.get(row.account);
      const status: SupervisorStatus = sup?.status() ?? { state: 'idle', lastSession: null, lastError: null, backoff: null, nextSession: null };
      return {
        account: row.account,
        serverId: row.serverId,
        protocol: acc.protocol,
        ...status,
        queuedAlerts: this.o.outbox.count(row.account),
        droppedAlerts: this.o.outbox.dropped(row.account),
      };
    });
  }

  /** Follow DMAcc changes made through DM (or by the config at start). */
  onAccountChanged(e: BridgeEvents['account.changed']): void {
    if (!this.started || this.stopped) return;
    if (e.op === 'Delete') {
      const sup = this.sups.get(e.account);
      this.sups.delete(e.account);
      if (sup) {
        this.o.log.info({ authority: e.account }, 'account deleted: supervisor stops');
        sup.stop().catch((err: unknown) => this.o.log.error({ err, authority: e.account }, 'stopping a supervisor failed'));
      }
      return;
    }
    if (!this.o.accounts.get(e.account)) return;
    if (e.op === 'Add' || !this.sups.has(e.account)) {
      this.o.log.info({ authority: e.account, op: e.op }, 'account added: supervisor starts');
      this.boot(e.account);
    } else {
      this.sups.get(e.account)!.reschedule();
    }
  }

  private boot(account: string): void {
    try {
      this.settings(account);
      this.supervisor(account).request({ kind: 'client' }, 'boot', { force: true, wait: true })!
        .catch((err: unknown) => this.o.log.error({ err, authority: account }, 'boot session failed'));
    } catch (err) {
      this.o.log.error({ err, authority: account }, 'cannot supervise authority');
    }
  }

  /** The account's settings; throws for an unknown account or protocol. */
  private settings(account: string): AccountData {
    const row = this.o.accounts.get(account);
    if (!row) throw new BridgeError('NODE_NOT_FOUND', `no authority "${account}"`);
    const acc = JSON.parse(row.data) as AccountData;
    if (!PROTOCOLS.has(acc.protocol)) throw new BridgeError('NOT_SUPPORTED', `authority "${account}" speaks an unknown protocol ${acc.protocol}`);
    return acc;
  }

  private supervisor(account: string): Supervisor {
    const have = this.sups.get(account);
    if (have && !have.isStopped) return have;
    const sup = new Supervisor({
      account,
      run: (trigger, signal) => this.run(account, trigger, signal),
      pollSeconds: () => {
        const row = this.o.accounts.get(account);
        return row ? ((JSON.parse(row.data) as AccountData).pollSeconds ?? 0) : null;
      },
      alertsPending: () => this.o.outbox.count(account) > 0,
      timing: this.timing,
      log: this.o.log,
    });
    this.sups.set(account, sup);
    return sup;
  }

  private run(account: string, trigger: AnyTrigger, signal: AbortSignal): Promise<SessionReport> {
    const acc = this.settings(account); // the current settings: a Replace takes effect here
    const control = { signal };
    const session =
      acc.protocol === 'dm2.0'
        ? runDm20Session(this.o.deps, account, trigger, control)
        : runDm12Session(this.o.deps, account, trigger.kind === 'server' ? { kind: 'server', sessionId: trigger.sessionId } : { kind: 'client' }, control);
    const started = this.timing.clock.now();
    const ended = (): void => {
      try {
        this.o.onSessionEnd?.(account);
      } catch (err) {
        this.o.log.error({ err, authority: account }, 'session end hook failed');
      }
    };
    return session.then((report) => {
      ended();
      this.o.metrics?.sessionEnded({ ...report, protocol: acc.protocol });
      try {
        this.o.sessionsLog?.recordReport(report, acc.protocol, trigger.kind, this.timing.clock.now());
      } catch (err) {
        this.o.log.error({ err, authority: account }, 'sessions log not written');
      }
      return report;
    }, (err: unknown) => {
      ended();
      const reason = err instanceof Error ? err.message : String(err);
      this.o.metrics?.sessionEnded({ account, protocol: acc.protocol, outcome: 'error', reason, durationMs: this.timing.clock.now() - started });
      throw err;
    });
  }
}
