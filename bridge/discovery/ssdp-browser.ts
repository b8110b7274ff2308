import type { RemoteInfo } from 'node:dgram';
import ssdp from 'node-ssdp';
import type { Logger } from '../core/logger.js';
import type { McastInterface } from './interfaces.js';
import { toAnnouncement, type SsdpAnnouncement } from './ssdp-headers.js';
import { hardenSsdp, type SocketProblem } from './ssdp-sockets.js';

export interface SsdpBrowserHooks {
  announcement(a: SsdpAnnouncement, address: string): void;
  /** A socket cannot join the group (null: it can again). */
  problem?: SocketProblem;
}

/** The part of a node-ssdp Client we use (tests substitute a fake). */
export interface SsdpClientLike {
  on(event: string, fn: (...args: unknown[]) => void): unknown;
  removeAllListeners(): unknown;
  start(): Promise<void>;
  search(st: string): unknown;
  stop(): void;
}

/** A node-ssdp Client whose sockets never throw membership errors (reported via `problem`). */
export function openSsdpClient(ifaces: readonly McastInterface[], log: Logger, problem: SocketProblem = () => undefined): SsdpClientLike {
  const opts = {
    interfaces: ifaces.map((i) => i.name),
    // NOTIFY (alive/byebye) reaches a client only when it listens on 1900.
    sourcePort: 1900,
    reuseAddr: true,
    explicitSocketBind: false,
    customLogger: (fmt: string, ...args: unknown[]) => log.trace({ args: args.map(String).slice(0, 2) }, `node-ssdp: ${fmt}`),
  };
  const client = new ssdp.Client(opts as ConstructorParameters<typeof ssdp.Client>[0]);
  hardenSsdp(client, log, problem);
  return client as unknown as SsdpClientLike;
}

/** SSDP: passive NOTIFY alive/byebye plus M-SEARCH ssdp:all now, periodically and on demand. */
export class SsdpBrowser {
  private client: SsdpClientLike | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly hooks: SsdpBrowserHooks,
    private readonly log: Logger,
    private readonly open: (ifaces: readonly McastInterface[], log: Logger, problem?: SocketProblem) => SsdpClientLike = openSsdpClient,
  ) {}

  async start(ifaces: readonly McastInterface[], searchEveryMs: number): Promise<void> {
    if (this.client || ifaces.length === 0) return;
    const client = this.open(ifaces, this.log, (address, p) => this.hooks.problem?.(address, p));
    this.client = client;
    const handle = (kind: 'notify' | 'response') => (headers: unknown, rinfo: unknown) => {
      try {
        const address = (rinfo as RemoteInfo | undefined)?.address ?? '';
        const r = toAnnouncement((headers ?? {}) as Record<string, unknown>, kind, address);
        if (!r.ok) {
          this.log.debug({ from: address, reason: r.reason }, 'ssdp: message ignored');
          return;
        }
        this.hooks.announcement(r.value, address);
      } catch (err) {
        this.log.debug({ err: (err as Error).message }, 'ssdp: message ignored');
      }
    };
    client.on('advertise-alive', handle('notify'));
    client.on('advertise-bye', handle('notify'));
    client.on('response', (headers, _status, rinfo) => handle('response')(headers, rinfo));
    try {
      await client.start();
    } catch (err) {
      this.client = undefined;
      client.removeAllListeners();
      throw err;
    }
    this.search();
    this.reschedule(searchEveryMs);
  }

  /** Change the period of M-SEARCH ssdp:all. */
  reschedule(searchEveryMs: number): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => this.search(), Math.max(1000, searchEveryMs));
    this.timer.unref();
  }

  /** M-SEARCH ssdp:all on every interface. */
  search(): void {
    try {
      this.client?.search('ssdp:all');
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'ssdp: M-SEARCH failed');
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const c = this.client;
    this.client = undefined;
    if (!c) return;
    c.removeAllListeners();
    try {
      c.stop();
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, 'ssdp: stop failed');
    }
  }
}
