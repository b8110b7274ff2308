// The steps of one reachability check (`dm-bridge selftest`): DNS, TCP, TLS, then one HTTP exchange
// on the same socket. Each step has its own deadline and fails with a StepFailure naming the step.
import { createHash, randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { request, type IncomingMessage } from 'node:http';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { tlsTrust, type TlsSettings } from './http-transport.js';

export type StepName = 'URI' | 'DNS' | 'TCP' | 'TLS' | 'HTTP';

/** A step that failed: `reason` is short (an error code, or a one-line message), `detail` the full message. */
export class StepFailure extends Error {
  constructor(
    readonly step: StepName,
    readonly reason: string,
    detail?: string,
  ) {
    super(detail ?? reason);
    this.name = 'StepFailure';
  }
}

type Errno = Error & { code?: string };

/** The reason for a system error: its code (ENOTFOUND, ECONNREFUSED, ...) or its first line. */
export function reasonOf(err: unknown): string {
  const e = err as Errno;
  if (typeof e?.code === 'string' && e.code !== '') return e.code;
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!.slice(0, 200);
}

/** Run `start` with a deadline; on expiry `abort` cleans up and the step fails with ETIMEDOUT. */
function within<T>(step: StepName, ms: number, start: () => Promise<T>, abort: () => void = () => undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => {
      abort();
      reject(new StepFailure(step, 'ETIMEDOUT', `no answer within ${ms} ms`));
    }, ms);
    start().then(
      (v) => { clearTimeout(t); resolve(v); },
      (err: unknown) => { clearTimeout(t); reject(err instanceof StepFailure ? err : new StepFailure(step, reasonOf(err), (err as Error).message)); },
    );
  });
}

/** Host name of a URL without IPv6 brackets. */
export function hostOf(u: URL): string {
  return u.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** DNS: the first address of the host (IP literals resolve to themselves; /etc/hosts applies). */
export function resolveHost(host: string, ms: number): Promise<string> {
  return within('DNS', ms, async () => (await lookup(host)).address);
}

/** TCP: a connected socket to address:port. */
export function connectTcp(address: string, port: number, ms: number): Promise<Socket> {
  let sock: Socket | null = null;
  return within('TCP', ms, () => new Promise<Socket>((resolve, reject) => {
    const s = netConnect({ host: address, port });
    sock = s;
    s.once('connect', () => { s.removeAllListeners('error'); resolve(s); });
    s.once('error', reject);
  }), () => sock?.destroy());
}

/** The TLS options of an account (material already loaded by loadTls): CA, client cert, pin on top of the chain check. */
function tlsOptions(host: string, tls: TlsSettings): ConnectionOptions {
  const o: ConnectionOptions = { host };
  if (isIP(host) === 0) o.servername = host; // SNI never carries an IP address (RFC 6066)
  return Object.assign(o, tlsTrust(tls));
}

/** TLS: the handshake over a connected socket with the account's trust settings. */
export function handshake(socket: Socket, host: string, tls: TlsSettings, ms: number): Promise<TLSSocket> {
  let ts: TLSSocket | null = null;
  return within('TLS', ms, () => new Promise<TLSSocket>((resolve, reject) => {
    const s = tlsConnect({ ...tlsOptions(host, tls), socket });
    ts = s;
    s.once('secureConnect', () => { s.removeAllListeners('error'); resolve(s); });
    s.once('error', (err: Errno) => reject(new StepFailure('TLS', reasonOf(err), err.message)));
  }), () => { ts?.destroy(); socket.destroy(); });
}

/** An error on the HTTP exchange that is really the TLS layer (a TLS 1.3 server refusing our client certificate after the handshake). */
function httpFailure(err: Errno): StepFailure {
  if (err.code?.startsWith('ERR_SSL')) return new StepFailure('TLS', err.code, err.message);
  return new StepFailure('HTTP', reasonOf(err), err.message);
}

export interface HttpAnswer {
  status: number;
}

/**
 * HTTP: one OPTIONS request on the socket (safe by definition: a DM server starts no session and
 * counts no failed login for it); any status means the server answers.
 */
export function httpOptions(socket: Socket, u: URL, ms: number): Promise<HttpAnswer> {
  return within('HTTP', ms, () => new Promise<HttpAnswer>((resolve, reject) => {
    const req = request({
      createConnection: () => socket,
      method: 'OPTIONS',
      path: `${u.pathname}${u.search}`,
      headers: { host: u.host, 'user-agent': 'dm-bridge-selftest', connection: 'close' },
    }, (res: IncomingMessage) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
      socket.destroy();
    });
    req.once('error', (err: Errno) => reject(httpFailure(err)));
    req.end();
  }), () => socket.destroy());
}

/** Sec-WebSocket-Accept for a key (RFC 6455 §4.2.2). */
export function acceptFor(key: string): string {
  return createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
}

/**
 * WebSocket: an upgrade request without credentials (so it never displaces the bridge's own notify
 * channel); 101 with the right Sec-WebSocket-Accept, or 401, means the endpoint answers.
 */
export function wsUpgrade(socket: Socket, u: URL, ms: number): Promise<HttpAnswer> {
  const key = randomBytes(16).toString('base64');
  return within('HTTP', ms, () => new Promise<HttpAnswer>((resolve, reject) => {
    const req = request({
      createConnection: () => socket,
      method: 'GET',
      path: `${u.pathname}${u.search}`,
      headers: {
        host: u.host, 'user-agent': 'dm-bridge-selftest', connection: 'Upgrade', upgrade: 'websocket',
        'sec-websocket-version': '13', 'sec-websocket-key': key,
      },
    });
    req.once('upgrade', (res: IncomingMessage, s: Socket) => {
      s.destroy();
      if (res.headers['sec-websocket-accept'] !== acceptFor(key)) reject(new StepFailure('HTTP', 'bad Sec-WebSocket-Accept'));
      else resolve({ status: res.statusCode ?? 101 });
    });
    req.once('response', (res: IncomingMessage) => {
      res.resume();
      socket.destroy();
      const status = res.statusCode ?? 0;
      if (status === 401) resolve({ status });
      else reject(new StepFailure('HTTP', `status ${status} (no WebSocket upgrade)`));
    });
    req.once('error', (err: Errno) => reject(httpFailure(err)));
    req.end();
  }), () => socket.destroy());
}
