import type { Clock } from '../core/clock.js';
import type { BridgeEvents, TypedEmitter } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { AccountsRepo } from '../store/accounts-repo.js';
import type { NotifyNonceRepo } from '../store/notify-nonce-repo.js';
import type { AccountData } from '../tree/providers/dmacc-provider.js';
import { NotifyChannel, type NotifyChannelDeps, type NotifyChannelStatus, type NotifyTimings, type NotifyTrigger } from './notify-channel.js';
import { Package0Gate } from './package0-gate.js';

export type { NotifyChannelStatus, NotifyTrigger } from './notify-channel.js';

export interface NotifyChannelsOptions {
  accounts: AccountsRepo;
  nonces: NotifyNonceRepo;
  events: TypedEmitter<BridgeEvents>;
  log: Logger;
  clock: Clock;
  /** A verified notification: open a session toward that MA only (e.g. authorities.trigger). */
  onTrigger: (account: string, trigger: NotifyTrigger) => unknown;
  timings?: Partial<NotifyTimings>;
  maxPayload?: number;
  random?: () => number;
  /** How long a Package #0 session id is remembered (default 10 min). */
  package0DedupeMs?: number;
}

interface Open {
  channel: NotifyChannel;
  /** The settings the channel was opened with: a change to any of them reopens it. */
  key: string;
}

/** The settings a channel depends on (notifyUri, ServerID, client credentials, TLS). */
function channelKey(acc: AccountData): string {
  return JSON.stringify([acc.notifyUri, acc.serverId, acc.auth.type, acc.auth.clientName, acc.auth.clientSecret, acc.tls]);
}

/**
 * One notify channel per account that has a notifyUri (the accounts table). start() opens them
 * and follows `account.changed`: an added account gets a channel, a replaced one is reopened when its
 * notify settings changed (or closed when its notifyUri is gone), a deleted one is closed.
 * One Package0Gate serves every channel, so a repeated session id starts one session across reconnects.
 */
export class NotifyChannels {
  private readonly open = new Map<string, Open>();
  private readonly closing = new Set<Promise<void>>();
  private readonly gate: Package0Gate;
  private unlisten: (() => void) | null = null;
  private stopped = false;

  constructor(private readonly o: NotifyChannelsOptions) {
    this.gate = new Package0Gate({
      accounts: o.accounts,
      log: o.log,
      clock: o.clock,
      ...(o.package0DedupeMs === undefined ? {} : { dedupeMs: o.package0DedupeMs }),
    });
  }

  start(): void {
    if (this.unlisten || this.stopped) return;
    this.unlisten = this.o.events.on('account.changed', ({ account }) => this.sync(account));
    for (const row of this.o.accounts.all()) this.sync(row.account);
  }

  /** Close every channel (no reconnects) and wait until the sockets are gone. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unlisten?.();
    this.unlisten = null;
    for (const account of [...this.open.keys()]) this.close(account);
    await Promise.allSettled([...this.closing]);
  }

  list(): NotifyChannelStatus[] {
    return [...this.open.values()].map((c) => c.channel.status()).sort((a, b) => a.account.localeCompare(b.account));
  }

  /** Bring one account's channel in line with its stored settings. */
  private sync(account: string): void {
    if (this.stopped) return;
    const acc = this.settings(account);
    const key = acc ? channelKey(acc) : null;
    const cur = this.open.get(account);
    if (cur && cur.key === key) return;
    if (cur) {
      this.o.log.info({ authority: account }, acc ? 'notify settings changed: reopening the channel' : 'notify channel closed: no notifyUri');
      this.close(account);
    }
    if (!acc || key === null) return;
    const deps: NotifyChannelDeps = {
      accounts: this.o.accounts, nonces: this.o.nonces, gate: this.gate, clock: this.o.clock, log: this.o.log, onTrigger: this.o.onTrigger,
      ...(this.o.timings ? { timings: this.o.timings } : {}),
      ...(this.o.maxPayload === undefined ? {} : { maxPayload: this.o.maxPayload }),
      ...(this.o.random ? { random: this.o.random } : {}),
    };
    const channel = new NotifyChannel(acc, deps);
    this.open.set(account, { channel, key });
    channel.start();
  }

  private close(account: string): void {
    const cur = this.open.get(account);
    if (!cur) return;
    this.open.delete(account);
    const p = cur.channel.stop().finally(() => this.closing.delete(p));
    this.closing.add(p);
  }

  /** The account's settings when it exists and has a notifyUri. */
  private settings(account: string): (AccountData & { notifyUri: string }) | null {
    const row = this.o.accounts.get(account);
    if (!row) return null;
    let acc: AccountData;
    try {
      acc = JSON.parse(row.data) as AccountData;
    } catch {
      this.o.log.error({ authority: account }, 'notify channel: account settings unreadable');
      return null;
    }
    if (typeof acc.notifyUri !== 'string' || acc.notifyUri === '') return null;
    return { ...acc, serverId: row.serverId, notifyUri: acc.notifyUri };
  }
}
