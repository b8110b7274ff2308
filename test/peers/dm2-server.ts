/**
 * Reference DM 2.0 server + Data Repository for tests and the demo (DM2-BINDING.md): real HTTP on
 * loopback, a script of server packages (CONT/END added automatically), Basic/Digest challenges,
 * records every client package, result and alert, serves JSON trees at /dr/... and records what the
 * client PUTs/POSTs there, with injectable failures; a notify WebSocket at /notify that pushes
 * DM 2.0 notifications (HMAC-SHA256 with the server secret, DM2-BINDING.md last section).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeClientPackage, encodePackage, type ClientPackage, type Dm2Alert, type Dm2Command, type Dm2Result } from '../../bridge/dm/dm2/index.js';
import { notificationMac } from '../../bridge/dm/dm2/notification.js';
import { ServerAuth, type Dm2AuthOptions } from './dm2-auth.js';
import { closePeerServer, NotifyServer } from './notify-server.js';

export interface Dm2ServerOptions {
  serverId: string;
  auth?: Dm2AuthOptions;
  /** The Data Repository asks for the same credentials (default true). */
  drAuth?: boolean;
  maxBody?: number;
  /** Key of the notification MAC (the bridge's auth.serverSecret for this MA). */
  serverSecret?: string;
}

/** One server package: commands (CONT or END appended unless present), or a raw body to send as is. */
export type Dm2Step = Array<Dm2Command | Record<string, unknown>> | { raw: string | Buffer; status?: number };

export interface Dm2SessionRecord {
  sid: string;
  packages: ClientPackage[];
  results: Dm2Result[];
  alerts: Dm2Alert[];
  devInfo: Record<string, string>;
  trigger: ClientPackage['trigger'];
  ended: boolean;
  /** Commands sent, per server package. */
  sent: unknown[][];
}

export interface DrRequest {
  method: string;
  path: string;
  body: Buffer;
  contentType: string;
}

export class Dm2Server {
  readonly sessions: Dm2SessionRecord[] = [];
  readonly drRequests: DrRequest[] = [];
  /** Documents served at /dr/<path>. */
  readonly documents = new Map<string, Buffer>();
  /** Data Repository paths that answer 500 (any method). */
  readonly drFailures = new Set<string>();
  readonly auth: ServerAuth;
  readonly drAuth: ServerAuth;
  private readonly steps: Dm2Step[] = [];
  private readonly live = new Map<string, { rec: Dm2SessionRecord; msg: number; endSent: boolean }>();
  private server: Server | null = null;
  url = '';
  /** The notify channel endpoint (DMB-HMAC with the auth username/password; none with auth NONE). */
  readonly notify: NotifyServer;
  private nid = 0;

  constructor(readonly opts: Dm2ServerOptions) {
    const a = opts.auth ?? { type: 'NONE', username: '', password: '' };
    this.auth = new ServerAuth(a);
    this.drAuth = new ServerAuth(opts.drAuth === false ? { ...a, type: 'NONE' } : { ...a, staleOnce: false });
    this.notify = new NotifyServer({ clientName: a.username, clientSecret: a.password, requireHeader: a.type !== 'NONE' });
  }

  get notifyUri(): string {
    return `${this.url.replace(/^http/, 'ws')}/notify`;
  }

  /** A notification frame for session `sid` (fresh nid and nonce unless given); overrides build forged variants. */
  notification(sid: string, o: { nid?: string; nonce?: string; secret?: string; serverId?: string; mac?: string } = {}): string {
    const secret = o.secret ?? this.opts.serverSecret;
    if (!secret) throw new Error('Dm2Server: no serverSecret to sign a notification with');
    const f = { serverId: o.serverId ?? this.opts.serverId, sid, nid: o.nid ?? `n-${++this.nid}`, nonce: o.nonce ?? randomBytes(16).toString('base64') };
    return JSON.stringify({ dm: '2.0', type: 'notify', ...f, mac: o.mac ?? notificationMac(secret, f) });
  }

  /** Push a notification over the notify channel (replay a frame with notify.sendText); returns the frame sent. */
  sendNotification(sid: string, o: Parameters<Dm2Server['notification']>[1] = {}): string {
    const frame = this.notification(sid, o);
    if (this.notify.sendText(frame) === 0) throw new Error('Dm2Server: no notify client connected');
    return frame;
  }

  queue(...steps: Dm2Step[]): this {
    this.steps.push(...steps);
    return this;
  }

  get pendingSteps(): number {
    return this.steps.length;
  }

  /** Serve a JSON document (object or raw text) at `${url}/dr/${path}`; returns that href. */
  serve(path: string, doc: unknown): string {
    this.documents.set(path, typeof doc === 'string' || Buffer.isBuffer(doc) ? Buffer.from(doc) : Buffer.from(JSON.stringify(doc)));
    return this.href(path);
  }

  href(path: string): string {
    return `${this.url}/dr/${path}`;
  }

  async start(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.onRequest(req, res));
    this.notify.attach(this.server);
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return `${this.url}/dm`;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    await closePeerServer(s, this.notify);
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const body = await readBody(req, this.opts.maxBody ?? 32 * 1024 * 1024);
      if (!body) return end(res, 413, 'too large');
      const path = req.url ?? '/';
      const verdict = (path.startsWith('/dr/') ? this.drAuth : this.auth).check(req.method ?? '', path, req.headers.authorization);
      if (!verdict.ok) {
        res.writeHead(401, verdict.challenge ? { 'www-authenticate': verdict.challenge } : {});
        return void res.end();
      }
      if (path.startsWith('/dr/')) return this.dataRepository(req, res, path.slice(4), body);
      if (req.method !== 'POST' || path !== '/dm') return end(res, 404, 'not found');
      if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) return end(res, 415, 'expected application/json');
      let pkg: ClientPackage;
      try {
        pkg = decodeClientPackage(body);
      } catch (err) {
        return end(res, 400, (err as Error).message);
      }
      this.dm(pkg, res);
    } catch (err) {
      end(res, 500, (err as Error).stack ?? String(err));
    }
  }

  private dm(pkg: ClientPackage, res: ServerResponse): void {
    let s = this.live.get(pkg.sid);
    if (!s || s.rec.ended || pkg.msg === 1) {
      const rec: Dm2SessionRecord = { sid: pkg.sid, packages: [], results: [], alerts: [], devInfo: pkg.devInfo ?? {}, trigger: pkg.trigger, ended: false, sent: [] };
      this.sessions.push(rec);
      s = { rec, msg: 0, endSent: false };
      this.live.set(pkg.sid, s);
    } else if (pkg.msg !== s.msg + 1) {
      // msg counts 1, 2, 3 ... per side (DM2-BINDING.md); a 401 retry re-sends the same msg but never reaches here
      return end(res, 400, `msg ${pkg.msg} out of sequence: expected ${s.msg + 1}`);
    }
    const { rec } = s;
    rec.packages.push(pkg);
    rec.results.push(...(pkg.results ?? []));
    rec.alerts.push(...(pkg.alerts ?? []));
    s.msg++;
    if (s.endSent) {
      rec.ended = true;
      return json(res, encodePackage({ dm: '2.0', sid: pkg.sid, msg: s.msg, cmds: [] }));
    }
    const step = this.steps.shift() ?? [];
    if (!Array.isArray(step)) {
      s.endSent = true;
      rec.ended = true;
      res.writeHead(step.status ?? 200, { 'content-type': 'application/json' });
      return void res.end(step.raw);
    }
    const cmds: unknown[] = [...step];
    const last = (cmds[cmds.length - 1] as { cmd?: string } | undefined)?.cmd;
    if (last !== 'END' && last !== 'CONT') cmds.push({ cmd: this.steps.length > 0 ? 'CONT' : 'END' });
    if (cmds.some((c) => (c as { cmd?: string }).cmd === 'END')) s.endSent = true;
    rec.sent.push(cmds);
    json(res, Buffer.from(JSON.stringify({ dm: '2.0', sid: pkg.sid, msg: s.msg, cmds })));
  }

  private dataRepository(req: IncomingMessage, res: ServerResponse, path: string, body: Buffer): void {
    const method = req.method ?? '';
    if (this.drFailures.has(path)) return end(res, 500, 'injected failure');
    if (method === 'GET') {
      const doc = this.documents.get(path);
      if (!doc) return end(res, 404, 'no such document');
      return json(res, doc);
    }
    if (method === 'PUT' || method === 'POST') {
      this.drRequests.push({ method, path, body, contentType: String(req.headers['content-type'] ?? '') });
      if (method === 'PUT') this.documents.set(path, body);
      res.writeHead(method === 'PUT' ? 204 : 201);
      return void res.end();
    }
    end(res, 405, 'method not allowed');
  }
}

function json(res: ServerResponse, body: Buffer): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
  res.end(body);
}

function end(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'content-type': 'text/plain' });
  res.end(text);
}

async function readBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > max) return null;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}
