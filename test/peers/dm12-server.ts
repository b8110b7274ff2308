/**
 * Reference DM 1.2 server for tests and the demo: a real HTTP(S) server speaking the server side of
 * SyncML DM 1.2 (XML or WBXML, as the client sends): client authentication (Basic, MD5 with nonces,
 * HMAC), its own credentials toward the client, multi-message packages, outbound large objects,
 * RespURI, and a script of management commands per session; a notify WebSocket at /notify that
 * pushes real Package #0 notifications (digest over the nonce the client issued to this server).
 */
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import type { AddressInfo } from 'node:net';
import { decodeMessage, encodeMessage, encodingOf } from '../../bridge/dm/syncml/index.js';
import { formatHmacHeader, HMAC_HEADER, hmacMac, nonceBytes } from '../../bridge/dm/syncml/auth.js';
import { buildPackage0, DEFAULT_NONCE_BYTES, type UiMode } from '../../bridge/dm/syncml/package0.js';
import { ServerSession } from './dm12-server-session.js';
import { closePeerServer, NotifyServer } from './notify-server.js';
import type { Dm12ServerOptions, ServerShared, SessionRecord, Step } from './dm12-types.js';

export type { Dm12ServerOptions, SessionRecord, Step } from './dm12-types.js';

const MAX_BODY = 4 * 1024 * 1024;

export class Dm12Server {
  readonly sessions: SessionRecord[] = [];
  private readonly live = new Map<string, ServerSession>();
  private readonly shared: ServerShared;
  private server: Server | null = null;
  private waiters: Array<() => void> = [];
  url = '';
  /** The notify channel endpoint (DMB-HMAC with the client's credentials; none with authType NONE). */
  readonly notify: NotifyServer;

  constructor(readonly opts: Dm12ServerOptions) {
    this.shared = {
      opts,
      steps: [],
      clientNonce: opts.initialClientNonce ?? null,
      serverNonce: null,
      staleUsed: false,
      onEnd: () => this.wakeWaiters(),
    };
    this.notify = new NotifyServer({ clientName: opts.clientName, clientSecret: opts.clientSecret, requireHeader: opts.authType !== 'NONE' });
  }

  /** ws(s)://host:port/notify once started. */
  get notifyUri(): string {
    return `${this.url.replace(/^http/, 'ws')}/notify`;
  }

  /**
   * A Package #0 for `sessionId`, digest with this server's secret and the nonce the client issued
   * to it last (the default nonce, 4 zero bytes, before any). Overrides build forged variants.
   */
  package0(sessionId: number, o: { secret?: string; nonce?: Uint8Array; serverId?: string; uiMode?: UiMode } = {}): Uint8Array {
    const secret = o.secret ?? this.opts.serverSecret;
    if (!secret) throw new Error('Dm12Server: no serverSecret to sign a Package #0 with');
    const nonce = o.nonce ?? (this.shared.serverNonce ? nonceBytes(this.shared.serverNonce) : DEFAULT_NONCE_BYTES);
    return buildPackage0({ serverId: o.serverId ?? this.opts.serverId, serverSecret: secret, nonce, sessionId, uiMode: o.uiMode ?? 1 });
  }

  /** Push a Package #0 (or given bytes, e.g. a replay) over the notify channel; returns the bytes sent. */
  sendPackage0(sessionId: number | Uint8Array, o: Parameters<Dm12Server['package0']>[1] = {}): Uint8Array {
    const bytes = typeof sessionId === 'number' ? this.package0(sessionId, o) : sessionId;
    if (this.notify.sendBinary(bytes) === 0) throw new Error('Dm12Server: no notify client connected');
    return bytes;
  }

  /** Queue server packages: each step is the commands of one server package (or an abort). */
  queue(...steps: Step[]): this {
    this.shared.steps.push(...steps);
    return this;
  }

  get pendingSteps(): number {
    return this.shared.steps.length;
  }

  /** The nonce the client must use next (what this server issued last). */
  get clientNonce(): string | null {
    return this.shared.clientNonce;
  }

  async start(port = 0): Promise<string> {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.onRequest(req, res);
    const t = this.opts.tls;
    this.server = t
      ? createHttps({ key: t.key, cert: t.cert, ...(t.clientCa ? { ca: t.clientCa, requestCert: true, rejectUnauthorized: true } : {}) }, handler)
      : createHttp(handler);
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.notify.attach(this.server);
    const { port: p } = this.server.address() as AddressInfo;
    this.url = `${this.opts.tls ? 'https' : 'http'}://127.0.0.1:${p}`;
    return `${this.url}/dm`;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    await closePeerServer(s, this.notify);
  }

  /** Resolve once `n` sessions have ended (any outcome). */
  async waitForSessions(n: number, timeoutMs = 10_000): Promise<SessionRecord[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.sessions.filter((s) => s.outcome !== null).length < n) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timeout: ${this.sessions.filter((s) => s.outcome !== null).length}/${n} sessions ended`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.sessions;
  }

  private wakeWaiters(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (req.method !== 'POST' || !(req.url ?? '').startsWith('/dm')) return end(res, 404, 'not found');
      const ct = req.headers['content-type'] ?? '';
      let encoding;
      try {
        encoding = encodingOf(ct);
      } catch {
        return end(res, 415, 'unsupported content type');
      }
      const body = await readBody(req);
      if (!body) return end(res, 413, 'too large');
      let decoded;
      try {
        decoded = decodeMessage(body, ct);
      } catch (err) {
        return end(res, 400, (err as Error).message);
      }
      const m = decoded.message;
      const key = `${m.header.source.locUri}\n${m.header.sessionId}`;
      let s = this.live.get(key);
      if (!s || s.ended) {
        const rec: SessionRecord = {
          sessionId: m.header.sessionId,
          devId: m.header.source.locUri,
          received: [], sent: [], alerts: [], devInfo: {}, statuses: [], results: [], rawResults: [], chunkErrors: [], bodySizes: [], headerStatuses: [],
          authFailures: 0, outcome: null, contentTypes: [],
        };
        this.sessions.push(rec);
        s = new ServerSession(rec, this.shared);
        this.live.set(key, s);
      }
      s.rec.contentTypes.push(ct);
      s.rec.bodySizes.push(body.length);
      const hmacHeader = req.headers[HMAC_HEADER];
      const reply = s.handle({ message: m, body, hmacHeader: Array.isArray(hmacHeader) ? hmacHeader[0] : hmacHeader, baseUrl: this.url });
      const out = encodeMessage(reply.message, encoding);
      const headers: Record<string, string> = { 'content-type': ct.split(';')[0]!.trim(), 'content-length': String(out.length) };
      if (reply.hmac) {
        const mac = hmacMac(reply.hmac.username, reply.hmac.secret, nonceBytes(reply.hmac.nonce), out);
        headers[HMAC_HEADER] = formatHmacHeader({ username: reply.hmac.username, mac });
      }
      res.writeHead(200, headers);
      res.end(out);
    } catch (err) {
      end(res, 500, (err as Error).stack ?? String(err));
    }
  }
}

function end(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'content-type': 'text/plain' });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Uint8Array | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}
