/**
 * The MA side of the notify channel (ARCHITECTURE.md "Notify channel"), shared by the reference
 * DM 1.2 and DM 2.0 servers: a WebSocket endpoint on their HTTP(S) server (path /notify) that checks
 * the DMB-HMAC upgrade header (401 otherwise), keeps the connected clients and pushes frames to them.
 * `silent` stops answering pings (a dead peer as the client sees it).
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { verifyNotifyAuth } from '../../bridge/authority/notify-auth.js';

export interface NotifyServerOptions {
  clientName: string;
  clientSecret: string;
  /** Check the DMB-HMAC header (default true; false for TRANSPORT auth: the TLS client certificate is enough). */
  requireHeader?: boolean;
  path?: string;
}

export interface NotifyRefusal {
  status: number;
  reason: string;
}

export class NotifyServer {
  readonly clients = new Set<WebSocket>();
  readonly refusals: NotifyRefusal[] = [];
  /** Upgrades accepted since the start. */
  connections = 0;
  pingsSeen = 0;
  /** Stop answering pings (and keep the socket open): the client must detect a dead peer. */
  silent = false;
  private readonly wss = new WebSocketServer({ noServer: true, autoPong: false });
  private waiters: Array<() => void> = [];

  constructor(readonly opts: NotifyServerOptions) {}

  /** Serve upgrades on `server` (an http or https server). */
  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
  }

  /** Send a binary frame (a DM 1.2 Package #0) to every client; returns how many got it. */
  sendBinary(bytes: Uint8Array): number {
    for (const c of this.clients) c.send(bytes, { binary: true });
    return this.clients.size;
  }

  /** Send a text frame (a DM 2.0 notification) to every client. */
  sendText(text: string): number {
    for (const c of this.clients) c.send(text, { binary: false });
    return this.clients.size;
  }

  /** Resolve once `n` upgrades have been accepted in total (reconnects count) and one client is connected. */
  async waitForConnections(n: number, timeoutMs = 5000): Promise<void> {
    await this.until(() => this.connections >= n && this.clients.size > 0, timeoutMs, () => `${this.connections}/${n} connections`);
  }

  async waitForRefusals(n: number, timeoutMs = 5000): Promise<void> {
    await this.until(() => this.refusals.length >= n, timeoutMs, () => `${this.refusals.length}/${n} refusals`);
  }

  /** Drop every client at once (no close handshake), as a crashing server would. */
  terminateAll(): void {
    for (const c of this.clients) c.terminate();
    this.clients.clear();
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined); // a client resetting a refused upgrade is not a server error
    const path = (req.url ?? '').split('?')[0];
    if (path !== (this.opts.path ?? '/notify')) return this.refuse(socket, 404, 'no such endpoint');
    if (this.opts.requireHeader !== false) {
      const v = verifyNotifyAuth(req.headers.authorization, { name: this.opts.clientName, secret: this.opts.clientSecret, nowMs: Date.now() });
      if (!v.ok) return this.refuse(socket, 401, v.reason);
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.connections++;
      this.clients.add(ws);
      ws.on('ping', (data: Buffer) => {
        this.pingsSeen++;
        if (!this.silent) ws.pong(data);
      });
      ws.on('close', () => this.clients.delete(ws));
      ws.on('error', () => this.clients.delete(ws));
      this.wake();
    });
  }

  private refuse(socket: Duplex, status: number, reason: string): void {
    this.refusals.push({ status, reason });
    const text = status === 401 ? 'Unauthorized' : 'Not Found';
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private async until(done: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timeout: ${what()}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 50));
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

/** Stop a reference server's HTTP(S) listener and drop its notify clients and open connections. */
export async function closePeerServer(s: Server | null, notify: NotifyServer): Promise<void> {
  if (!s) return;
  notify.terminateAll();
  s.closeAllConnections();
  await new Promise<void>((resolve) => s.close(() => resolve()));
}
