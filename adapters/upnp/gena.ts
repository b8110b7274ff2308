import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { arr, obj, parseXml } from './xml.js';

const NOTIFY_MAX = 64 * 1024;
/** NOTIFY connections open at once (each may buffer up to NOTIFY_MAX): more are refused. */
const MAX_NOTIFY_CONNECTIONS = 64;
const NOTIFY_LIMITS = { maxBytes: NOTIFY_MAX, maxDepth: 8, maxElements: 1000 };

/** Evented variables of a NOTIFY body (e:propertyset/e:property/<var>value</var>). */
export function parsePropertySet(xml: string): { ok: true; value: Map<string, string> } | { ok: false; reason: string } {
  const p = parseXml(xml, NOTIFY_LIMITS);
  if (!p.ok) return p;
  const set = obj(p.value.propertyset);
  if (!set) return { ok: false, reason: 'no propertyset element' };
  const out = new Map<string, string>();
  for (const prop of arr(set.property)) {
    for (const [k, v] of Object.entries(obj(prop) ?? {})) {
      if (k.startsWith('#') || out.size >= 256) continue;
      if (typeof v === 'string' || typeof v === 'number') out.set(k, String(v).slice(0, 64 * 1024));
      else if (obj(v) && Object.keys(obj(v)!).length === 0) out.set(k, '');
    }
  }
  return { ok: true, value: out };
}

/** The local address this host uses toward `remote` (a UDP connect sends nothing). */
export function localAddressToward(remote: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createSocket(remote.includes(':') ? 'udp6' : 'udp4');
    s.once('error', (e) => { s.close(); reject(e); });
    s.connect(1900, remote, () => {
      const a = s.address().address;
      s.close();
      resolve(a);
    });
  });
}

type Listener = (vars: Map<string, string>) => void;

/** One small HTTP server on a LAN-side address receiving GENA NOTIFYs at /gena/<token>. */
export class CallbackServer {
  private readonly listeners = new Map<string, Listener>();
  private server: Server | null = null;
  private port = 0;

  constructor(readonly address: string) {}

  async start(): Promise<void> {
    if (this.server) return;
    const s = createServer((req, res) => this.onRequest(req, res));
    s.headersTimeout = 5000;
    s.requestTimeout = 5000;
    s.maxConnections = MAX_NOTIFY_CONNECTIONS;
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(0, this.address, () => resolve());
    });
    this.server = s;
    this.port = (s.address() as AddressInfo).port;
  }

  /** Register a listener; returns the callback URL. */
  add(fn: Listener): { url: string; token: string } {
    const token = randomBytes(12).toString('hex');
    this.listeners.set(token, fn);
    const host = this.address.includes(':') ? `[${this.address}]` : this.address;
    return { url: `http://${host}:${this.port}/gena/${token}`, token };
  }

  remove(token: string): void {
    this.listeners.delete(token);
  }

  get size(): number {
    return this.listeners.size;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const token = /^\/gena\/([0-9a-f]{24})$/.exec(req.url ?? '')?.[1];
    const fn = token === undefined ? undefined : this.listeners.get(token);
    if (req.method !== 'NOTIFY' || !fn) {
      res.writeHead(req.method !== 'NOTIFY' ? 405 : 412).end();
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > NOTIFY_MAX) {
        res.writeHead(413, { connection: 'close' }).end();
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (size > NOTIFY_MAX) return;
      const p = parsePropertySet(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(p.ok ? 200 : 400).end();
      if (p.ok) fn(p.value);
    });
    req.on('error', () => undefined);
  }
}

/** The longest subscription we believe a device grants (the renewal timer derives from it). */
export const MAX_SUBSCRIPTION_SEC = 86_400;

export interface SubscribeAnswer {
  sid: string;
  timeoutSec: number;
}

/** SUBSCRIBE (new: callback; renewal: sid) or UNSUBSCRIBE with a short deadline. */
export function genaRequest(
  method: 'SUBSCRIBE' | 'UNSUBSCRIBE',
  url: string,
  h: { callback?: string; sid?: string; timeoutSec?: number },
  timeoutMs = 4000,
): Promise<SubscribeAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    if (h.callback !== undefined) Object.assign(headers, { CALLBACK: `<${h.callback}>`, NT: 'upnp:event' });
    if (h.sid !== undefined) headers.SID = h.sid;
    if (method === 'SUBSCRIBE') headers.TIMEOUT = `Second-${h.timeoutSec ?? 300}`;
    const req = request(url, { method, headers, timeout: timeoutMs }, (res) => {
      res.resume();
      if (res.statusCode !== 200) return reject(new Error(`${method}: HTTP ${res.statusCode}`));
      const sid = String(res.headers.sid ?? h.sid ?? '');
      const t = /^Second-(\d+)$/i.exec(String(res.headers.timeout ?? ''));
      // the device's value sets our renewal timer: capped at a day (a huge one would overflow setTimeout
      // into a 1 ms SUBSCRIBE loop); "Second-infinite" and garbage fall back to what we asked for
      resolve({ sid, timeoutSec: t ? Math.min(Number(t[1]), MAX_SUBSCRIPTION_SEC) : h.timeoutSec ?? 300 });
    });
    req.on('timeout', () => req.destroy(new Error(`${method}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
