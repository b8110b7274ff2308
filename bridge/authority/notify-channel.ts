import WebSocket, { type ClientOptions, type RawData } from 'ws';
import { displayUrl } from '../core/display-url.js';
import type { AccountData } from '../tree/providers/dmacc-provider.js';
import { tlsTrust } from './http-transport.js';
import { formatNotifyAuth } from './notify-auth.js';
import { Backoff, NOTIFY_BACKOFF, type BackoffPolicy } from './backoff.js';
import { checkFrame, type FrameDeps, type NotifyTrigger } from './notify-frames.js';
import { loadTls } from './tls-material.js';

export type { NotifyTrigger } from './notify-frames.js';

export interface NotifyTimings {
  /** Ping period (ARCHITECTURE.md: 25 s). */
  pingIntervalMs: number;
  /** No pong this long after a ping: the peer is dead, the socket is terminated. */
  pongTimeoutMs: number;
  /** Upgrade (TCP + TLS + HTTP) deadline. */
  handshakeTimeoutMs: number;
  /** A connection that stayed open this long resets the backoff to its first step. */
  stableMs: number;
  backoff: BackoffPolicy;
}

export const DEFAULT_NOTIFY_TIMINGS: NotifyTimings = {
  pingIntervalMs: 25_000,
  pongTimeoutMs: 20_000,
  handshakeTimeoutMs: 15_000,
  stableMs: 60_000,
  backoff: NOTIFY_BACKOFF,
};

/** Largest frame accepted (a Package #0 or a notification is well under 1 KiB). */
export const NOTIFY_MAX_PAYLOAD = 16 * 1024;

export type NotifyState = 'connecting' | 'open' | 'backoff' | 'stopped';

export interface NotifyChannelStatus {
  account: string;
  /** The notify URI without user info, query or fragment. */
  uri: string;
  state: NotifyState;
  /** Reconnect attempts made since the channel started. */
  reconnects: number;
  lastError: string | null;
  /** Epoch ms of the current connection's opening (null when not open). */
  connectedAt: number | null;
  /** Delay (ms) of the pending reconnect while in backoff. */
  retryInMs: number | null;
  framesAccepted: number;
  framesDropped: number;
}

export interface NotifyChannelDeps extends FrameDeps {
  /** A verified frame: open a session toward that MA (the supervisor's trigger). May return a promise. */
  onTrigger: (account: string, trigger: NotifyTrigger) => unknown;
  timings?: Partial<NotifyTimings>;
  maxPayload?: number;
  /** [0, 1) source for the jitter (tests). */
  random?: () => number;
}

/**
 * One MA's notify channel: an outward WebSocket to its notifyUri, kept open for ever. The upgrade
 * carries the DMB-HMAC header (none with TRANSPORT auth: the TLS client certificate is enough); TLS
 * trusts the MA's CA, checks its SHA-256 pin and presents its client certificate, as HTTP does.
 * Pings every 25 s; no pong within the deadline terminates the socket. Every close leads to a
 * jittered exponential reconnect. Frames go through checkFrame; a verified one calls onTrigger.
 */
export class NotifyChannel {
  private readonly t: NotifyTimings;
  private readonly log: FrameDeps['log'];
  private readonly uri: string;
  private ws: WebSocket | null = null;
  private st: NotifyChannelStatus;
  private readonly backoff: Backoff;
  private retryTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private pongTimer: NodeJS.Timeout | null = null;
  private closed: Array<() => void> = [];

  constructor(
    private readonly acc: AccountData & { notifyUri: string },
    private readonly d: NotifyChannelDeps,
  ) {
    this.t = { ...DEFAULT_NOTIFY_TIMINGS, ...d.timings };
    this.uri = displayUrl(acc.notifyUri);
    this.backoff = new Backoff(this.t.backoff, d.random);
    this.log = d.log.child({ authority: acc.account, uri: this.uri });
    this.st = {
      account: acc.account, uri: this.uri, state: 'stopped', reconnects: 0, lastError: null, connectedAt: null, retryInMs: null,
      framesAccepted: 0, framesDropped: 0,
    };
  }

  status(): NotifyChannelStatus {
    return { ...this.st };
  }

  start(): void {
    if (this.st.state !== 'stopped' || this.ws) return;
    if (this.acc.notifyUri.startsWith('ws:')) this.log.warn('notify channel uses plain ws://: frames and credentials travel unencrypted');
    this.connect();
  }

  /** Close the socket (no reconnect) and resolve once it is gone. */
  async stop(): Promise<void> {
    this.clearTimers(true);
    const ws = this.ws;
    this.st.state = 'stopped';
    this.st.retryInMs = null;
    if (!ws) return;
    await new Promise<void>((resolve) => {
      this.closed.push(resolve);
      if (ws.readyState === WebSocket.OPEN) {
        ws.close(1001, 'bridge stopping');
        setTimeout(() => ws.terminate(), 1000).unref();
      } else {
        ws.terminate();
      }
    });
  }

  private connect(): void {
    this.st.state = 'connecting';
    this.st.retryInMs = null;
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.acc.notifyUri, this.options());
    } catch (err) {
      this.st.lastError = (err as Error).message;
      this.log.error({ err: this.st.lastError }, 'notify channel cannot connect');
      this.scheduleReconnect(null);
      return;
    }
    this.ws = ws;
    let openedAt: number | null = null;
    ws.on('open', () => {
      openedAt = this.d.clock.now();
      this.st.state = 'open';
      this.st.connectedAt = openedAt;
      this.log.info({ reconnects: this.st.reconnects }, 'notify channel open');
      this.startHeartbeat(ws);
    });
    ws.on('pong', () => this.clearPong());
    ws.on('message', (data: RawData, isBinary: boolean) => this.onFrame(data, isBinary));
    ws.on('error', (err: Error) => {
      this.st.lastError = err.message;
      const hint = /Unexpected server response: 401/.test(err.message) ? ' (the MA refused our credentials)' : '';
      this.log.warn({ err: err.message }, `notify channel error${hint}`);
    });
    ws.on('close', (code: number) => {
      if (this.ws === ws) this.ws = null;
      this.clearTimers(false);
      this.st.connectedAt = null;
      const waiters = this.closed;
      this.closed = [];
      for (const w of waiters) w();
      if (this.st.state === 'stopped') return;
      if (openedAt !== null) this.log.info({ code }, 'notify channel closed');
      this.scheduleReconnect(openedAt);
    });
  }

  private options(): ClientOptions {
    const o: ClientOptions = {
      handshakeTimeout: this.t.handshakeTimeoutMs,
      maxPayload: this.d.maxPayload ?? NOTIFY_MAX_PAYLOAD,
      perMessageDeflate: false,
      followRedirects: false,
      headers: {},
    };
    const a = this.acc.auth;
    if (a.type !== 'TRANSPORT') o.headers = { authorization: formatNotifyAuth(a.clientName, a.clientSecret, this.d.clock.now()) };
    if (this.acc.notifyUri.startsWith('wss:')) {
      // @types/ws types checkServerIdentity as returning boolean; Node's tls wants Error | undefined
      Object.assign(o, tlsTrust(loadTls(this.acc.tls)));
    }
    return o;
  }

  private startHeartbeat(ws: WebSocket): void {
    this.pingTimer = setInterval(() => {
      if (ws.readyState !== WebSocket.OPEN) return;
      ws.ping();
      if (this.pongTimer) return; // still waiting for the previous pong
      this.pongTimer = setTimeout(() => {
        this.pongTimer = null;
        this.st.lastError = `no pong within ${this.t.pongTimeoutMs} ms`;
        this.log.warn({ err: this.st.lastError }, 'notify channel peer is dead: terminating');
        ws.terminate();
      }, this.t.pongTimeoutMs);
    }, this.t.pingIntervalMs);
  }

  private clearPong(): void {
    if (this.pongTimer) clearTimeout(this.pongTimer);
    this.pongTimer = null;
  }

  private clearTimers(includingRetry: boolean): void {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.pingTimer = null;
    this.clearPong();
    if (includingRetry && this.retryTimer) clearTimeout(this.retryTimer);
    if (includingRetry) this.retryTimer = null;
  }

  private scheduleReconnect(openedAt: number | null): void {
    if (openedAt !== null && this.d.clock.now() - openedAt >= this.t.stableMs) this.backoff.reset();
    const delay = this.backoff.fail();
    this.st.state = 'backoff';
    this.st.retryInMs = delay;
    this.log.info({ delayMs: delay, attempt: this.backoff.failures }, 'notify channel reconnects later');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.st.state !== 'backoff') return;
      this.st.reconnects++;
      this.connect();
    }, delay);
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    try {
      const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
      const v = checkFrame(this.acc.account, bytes, isBinary, this.d);
      if (!v.ok) {
        this.st.framesDropped++;
        this.log.warn({ kind: isBinary ? 'package0' : 'dm2', bytes: bytes.length, reason: v.reason }, 'notify frame dropped');
        return;
      }
      this.st.framesAccepted++;
      this.log.info({ sessionId: v.trigger.sessionId }, 'notify frame accepted: opening a session');
      this.fire(v.trigger);
    } catch (err) {
      this.st.framesDropped++;
      this.log.error({ err: (err as Error).message }, 'notify frame dropped: handling failed');
    }
  }

  private fire(trigger: NotifyTrigger): void {
    const fail = (err: unknown): void => void this.log.warn({ err: (err as Error)?.message ?? String(err) }, 'notified session failed');
    try {
      const r = this.d.onTrigger(this.acc.account, trigger);
      if (r instanceof Promise) r.catch(fail);
    } catch (err) {
      fail(err);
    }
  }
}
