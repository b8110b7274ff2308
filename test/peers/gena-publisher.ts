// A real GENA publisher (UPnP Device Architecture 2.0 §4 "Eventing") for one service: accepts
// SUBSCRIBE (new, with CALLBACK + NT; renewal, with SID), UNSUBSCRIBE, answers with SID/TIMEOUT,
// sends the initial event (every evented variable, SEQ 0) once the SUBSCRIBE answer is out, and
// then one NOTIFY per change (SEQ +1, wrapping to 1), one at a time per subscriber, trying the
// CALLBACK URLs in order. Subscriptions expire. Used by end-to-end tests as the device side.
import { randomUUID } from 'node:crypto';
import { request, type IncomingMessage, type ServerResponse } from 'node:http';

export interface Delivery {
  sid: string;
  seq: number;
  status: number | string;
  vars: Record<string, string>;
}

interface Subscriber {
  sid: string;
  callbacks: string[];
  expires: number;
  seq: number;
  queue: Array<Record<string, string>>;
  sending: boolean;
}

const MAX_TIMEOUT_SEC = 1800;
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The e:propertyset body of an event (UDA 2.0 §4.3.2). */
export function propertySet(vars: Record<string, string>): string {
  const props = Object.entries(vars).map(([k, v]) => `<e:property><${k}>${esc(v)}</${k}></e:property>`).join('');
  return `<?xml version="1.0" encoding="utf-8"?>\n<e:propertyset xmlns:e="urn:schemas-upnp-org:event-1-0">${props}</e:propertyset>`;
}

export class GenaPublisher {
  private readonly subs = new Map<string, Subscriber>();
  private readonly values: Map<string, string>;
  /** Every NOTIFY attempt, in order (what the test asserts against). */
  readonly deliveries: Delivery[] = [];
  onDelivery: ((d: Delivery) => void) | undefined;
  onSubscribe: ((e: { sid: string; callbacks: string[]; renewal: boolean }) => void) | undefined;

  constructor(evented: Record<string, string>, private readonly now: () => number = Date.now) {
    this.values = new Map(Object.entries(evented));
  }

  get subscribers(): number {
    this.expire();
    return this.subs.size;
  }

  value(name: string): string | undefined {
    return this.values.get(name);
  }

  /** Change evented variables; every live subscriber gets one NOTIFY with them. */
  set(changes: Record<string, string>): void {
    for (const [k, v] of Object.entries(changes)) this.values.set(k, v);
    this.expire();
    for (const s of this.subs.values()) this.enqueue(s, { ...changes });
  }

  /** Handle SUBSCRIBE / UNSUBSCRIBE at the service's event URL. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    this.expire();
    const h = (n: string): string | undefined => {
      const v = req.headers[n];
      return typeof v === 'string' ? v.trim() : undefined;
    };
    const sid = h('sid');
    const callback = h('callback');
    const nt = h('nt');
    if (req.method === 'UNSUBSCRIBE') {
      if (sid === undefined) return void res.writeHead(412).end();
      if (callback !== undefined || nt !== undefined) return void res.writeHead(400).end();
      if (!this.subs.delete(sid)) return void res.writeHead(412).end();
      return void res.writeHead(200, { 'content-length': '0' }).end();
    }
    if (req.method !== 'SUBSCRIBE') return void res.writeHead(405, { allow: 'SUBSCRIBE, UNSUBSCRIBE' }).end();
    const t = /^Second-(\d+|infinite)$/i.exec(h('timeout') ?? '');
    const timeoutSec = !t || t[1]!.toLowerCase() === 'infinite' ? MAX_TIMEOUT_SEC : Math.min(MAX_TIMEOUT_SEC, Math.max(1, Number(t[1])));
    if (sid !== undefined) {
      if (callback !== undefined || nt !== undefined) return void res.writeHead(400).end();
      const s = this.subs.get(sid);
      if (!s) return void res.writeHead(412).end();
      s.expires = this.now() + timeoutSec * 1000;
      this.onSubscribe?.({ sid, callbacks: s.callbacks, renewal: true });
      return void this.answer(res, sid, timeoutSec);
    }
    const callbacks = [...(callback ?? '').matchAll(/<([^>]*)>/g)].map((m) => m[1]!).filter((u) => /^http:\/\/[^/]+/.test(u));
    if (nt !== 'upnp:event' || callbacks.length === 0) return void res.writeHead(412).end();
    const s: Subscriber = { sid: `uuid:${randomUUID()}`, callbacks, expires: this.now() + timeoutSec * 1000, seq: 0, queue: [], sending: false };
    this.subs.set(s.sid, s);
    this.onSubscribe?.({ sid: s.sid, callbacks, renewal: false });
    res.once('finish', () => this.enqueue(s, Object.fromEntries(this.values))); // initial event after the answer
    this.answer(res, s.sid, timeoutSec);
  }

  private answer(res: ServerResponse, sid: string, timeoutSec: number): void {
    res.writeHead(200, {
      date: new Date(this.now()).toUTCString(), server: 'Linux/6 UPnP/2.0 dmb-gena-peer/1', sid, timeout: `Second-${timeoutSec}`, 'content-length': '0',
    }).end();
  }

  private expire(): void {
    const now = this.now();
    for (const [sid, s] of this.subs) if (s.expires <= now) this.subs.delete(sid);
  }

  private enqueue(s: Subscriber, vars: Record<string, string>): void {
    s.queue.push(vars);
    if (!s.sending) void this.drain(s);
  }

  private async drain(s: Subscriber): Promise<void> {
    s.sending = true;
    while (s.queue.length > 0 && this.subs.get(s.sid) === s) {
      const vars = s.queue.shift()!;
      const seq = s.seq;
      s.seq = s.seq >= 0xffffffff ? 1 : s.seq + 1; // SEQ wraps to 1, never 0 again
      let status: number | string = 'no callback answered';
      for (const url of s.callbacks) {
        status = await notify(url, s.sid, seq, propertySet(vars)).catch((err: Error) => err.message);
        if (typeof status === 'number') break;
      }
      const d: Delivery = { sid: s.sid, seq, status, vars };
      this.deliveries.push(d);
      this.onDelivery?.(d);
    }
    s.sending = false;
  }
}

function notify(url: string, sid: string, seq: number, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request(u, {
      method: 'NOTIFY',
      headers: {
        HOST: u.host, 'CONTENT-TYPE': 'text/xml; charset="utf-8"', NT: 'upnp:event', NTS: 'upnp:propchange', SID: sid, SEQ: String(seq),
        'CONTENT-LENGTH': String(Buffer.byteLength(body)), CONNECTION: 'close',
      },
      timeout: 5000,
    }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('NOTIFY: no answer within 5000 ms')));
    req.on('error', reject);
    req.end(body);
  });
}
