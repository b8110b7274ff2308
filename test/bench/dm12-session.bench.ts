import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Command, Message } from '../../bridge/dm/message.js';
import { commandSize, CONTENT_TYPE_XML, decodeMessage } from '../../bridge/dm/syncml/index.js';
import { harness, type Harness, type PeerSpec } from '../integration/dm12-harness.js';
import { get } from '../peers/dm12-script.js';
import { fmt, median } from './util.js';

/**
 * A whole DM 1.2 session over loopback HTTP: runDm12Session (bridge client: SQLite tree, engine,
 * codec, state machine) against the reference server, which sends one package of 50 Gets of
 * ~100-byte leaves. Median latency over SESSIONS sessions, auth NONE and DIGEST, with and without
 * a server MaxMsgSize of 4096. Baseline in the same run: as many round trips, with bodies of the
 * same sizes, against a bare node:http echo server (sizes taken from a probe session through a
 * counting proxy). The probe also checks that no client message exceeds the server's MaxMsgSize.
 */

const SESSIONS = 30;
const WARMUP = 10;
const GETS = 50;
const SERVER_MAX_MSG = 4096;
const BIG = 'B'.repeat(6000);
const VALUE = (i: number): string => `leaf ${i} `.padEnd(100, 'abcdefghij');

interface Variant {
  label: string;
  account: string;
  authType: 'NONE' | 'DIGEST';
  maxMsgSize?: number;
}

const VARIANTS: Variant[] = [
  { label: 'NONE', account: 'none', authType: 'NONE' },
  { label: 'DIGEST', account: 'digest', authType: 'DIGEST' },
  { label: `NONE, server MaxMsgSize ${SERVER_MAX_MSG}`, account: 'none4k', authType: 'NONE', maxMsgSize: SERVER_MAX_MSG },
  { label: `DIGEST, server MaxMsgSize ${SERVER_MAX_MSG}`, account: 'digest4k', authType: 'DIGEST', maxMsgSize: SERVER_MAX_MSG },
];

/** One HTTP round trip seen by the proxy: client body size, server body size, decoded client message. */
interface Trip {
  req: number;
  res: number;
  sent: Message;
}

/** Counting proxy: forwards each POST to `target` and records the body sizes. */
class Proxy {
  target = '';
  trips: Trip[] = [];
  private server: Server | null = null;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void readAll(req).then((body) => {
        const out = request(this.target, { method: 'POST', headers: { ...req.headers, host: new URL(this.target).host } }, (up) => {
          void readAll(up).then((answer) => {
            this.trips.push({ req: body.length, res: answer.length, sent: decodeMessage(body, CONTENT_TYPE_XML).message });
            res.writeHead(up.statusCode ?? 502, up.headers);
            res.end(answer);
          });
        });
        out.end(body);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/dm`;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

/** Bare node:http server: reads the body and answers with as many bytes as the x-answer header asks. */
async function echoServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    void readAll(req).then(() => {
      const n = Number(req.headers['x-answer'] ?? 0);
      const body = Buffer.alloc(n, 0x61);
      res.writeHead(200, { 'content-type': CONTENT_TYPE_XML, 'content-length': String(n) });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

async function readAll(s: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The same round trips as a session, with bare node:http (default agent, like the bridge's transport). */
async function bareSession(url: string, trips: readonly Trip[], bodies: Map<number, Buffer>): Promise<void> {
  for (const t of trips) {
    const body = bodies.get(t.req)!;
    await new Promise<void>((resolve, reject) => {
      const req = request(url, { method: 'POST', headers: { 'content-type': CONTENT_TYPE_XML, 'content-length': String(body.length), 'x-answer': String(t.res) } }, (res) => {
        void readAll(res).then((b) => (b.length === t.res ? resolve() : reject(new Error('short answer'))), reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  }
}

/**
 * MaxMsgSize check on the client messages of a probe session: every message sent after the server
 * advertised a MaxMsgSize must fit it, unless it holds a single command that alone exceeds the
 * budget (sent alone by design until large Results are chunked). Returns the oversize counts.
 */
function checkSizes(trips: readonly Trip[], maxMsgSize: number): { oversize: number; singleTooBig: number } {
  let oversize = 0;
  let singleTooBig = 0;
  for (const [i, t] of trips.entries()) {
    if (i === 0 || t.req <= maxMsgSize) continue; // message 1 is sent before the server states its size
    oversize++;
    const sizes = t.sent.commands.map((c: Command) => commandSize(c, 'xml'));
    if (sizes.some((s) => s > maxMsgSize)) singleTooBig++;
    else throw new Error(`client message ${t.sent.header.msgId} is ${t.req} B > server MaxMsgSize ${maxMsgSize} with ${sizes.length} commands (largest ${Math.max(...sizes)} B): it should have been cut`);
  }
  return { oversize, singleTooBig };
}

function script(h: Harness, account: string, uris: readonly string[]): void {
  h.peers.get(account)!.server.queue(uris.map((u) => get(u)));
}

async function session(h: Harness, account: string, uris: readonly string[]): Promise<number> {
  script(h, account, uris);
  const t0 = performance.now();
  const r = await h.session(account);
  const ms = performance.now() - t0;
  if (r.outcome !== 'ok') throw new Error(`${account}: session ${r.outcome}: ${r.reason}`);
  return ms;
}

export default async function run(): Promise<void> {
  const proxy = new Proxy();
  const proxyUrl = await proxy.start();
  const specs: PeerSpec[] = [];
  for (const v of VARIANTS) {
    const server = { serverId: `dm.${v.account}.example`, authType: v.authType, ...(v.maxMsgSize ? { maxMsgSize: v.maxMsgSize } : {}) };
    specs.push({ account: v.account, server });
    specs.push({ account: `${v.account}-probe`, server: { ...server, serverId: `dm.${v.account}-probe.example` }, bridge: { serverUri: proxyUrl } });
  }
  specs.push({ account: 'big-probe', server: { serverId: 'dm.big-probe.example', authType: 'NONE', maxMsgSize: SERVER_MAX_MSG }, bridge: { serverUri: proxyUrl } });
  const h = await harness(specs);
  const echo = await echoServer();
  try {
    const uris = Array.from({ length: GETS }, (_, i) => `./Bench/L${i}`);
    h.store.transaction(() => {
      for (const [i, u] of uris.entries()) h.tree.add(u, { format: 'chr', data: VALUE(i) }, null);
      h.tree.add('./Bench/Big', { format: 'chr', data: BIG }, null);
    });
    h.tree.replace('./Bench?prop=ACL', { data: `Get=${specs.map((s) => s.server.serverId).join('+')}` }, null);

    console.log(`dm12-session: client-initiated DM 1.2 session over loopback HTTP, server package of ${GETS} Gets (~100 B values), XML`);
    console.log(`  median of ${SESSIONS} sessions (after ${WARMUP} warm-up each); the ratio includes the reference server's own work; baseline = same round trips and body sizes on a bare node:http echo server`);
    // 1. probe each variant through the counting proxy: sizes of each round trip, MaxMsgSize check
    const probes = new Map<string, { trips: Trip[]; sizes: ReturnType<typeof checkSizes> | null; bodies: Map<number, Buffer> }>();
    for (const v of VARIANTS) {
      proxy.target = h.peers.get(`${v.account}-probe`)!.server.url + '/dm';
      await session(h, `${v.account}-probe`, uris); // the first DIGEST session also gets the server's nonce
      proxy.trips = [];
      await session(h, `${v.account}-probe`, uris);
      const trips = proxy.trips;
      proxy.trips = [];
      const rec = h.peers.get(`${v.account}-probe`)!.server.sessions.at(-1)!;
      const results = rec.results.flatMap((r) => r.items);
      if (results.length !== GETS || !results.every((it, i) => it.data === VALUE(i)) || !rec.statuses.every((s) => s.code === 200 && s.matched)) {
        throw new Error(`${v.label}: expected ${GETS} Results with the leaf values and all statuses 200, got ${results.length}`);
      }
      const sizes = v.maxMsgSize ? checkSizes(trips, v.maxMsgSize) : null;
      probes.set(v.account, { trips, sizes, bodies: new Map(trips.map((t) => [t.req, Buffer.alloc(t.req, 0x3c)])) });
    }
    // 2. warm up everything, then measure each variant, its sessions interleaved with the baseline's
    for (let i = 0; i < WARMUP; i++) {
      for (const v of VARIANTS) {
        const p = probes.get(v.account)!;
        await session(h, v.account, uris);
        await bareSession(echo.url, p.trips, p.bodies);
      }
    }
    for (const v of VARIANTS) {
      const { trips, sizes, bodies } = probes.get(v.account)!;
      const ours: number[] = [];
      const base: number[] = [];
      for (let i = 0; i < SESSIONS; i++) {
        ours.push(await session(h, v.account, uris));
        const t0 = performance.now();
        await bareSession(echo.url, trips, bodies);
        base.push(performance.now() - t0);
      }
      const o = median(ours);
      const b = median(base);
      const bytesUp = trips.reduce((a, t) => a + t.req, 0);
      const bytesDown = trips.reduce((a, t) => a + t.res, 0);
      console.log(
        `  ${v.label.padEnd(32)} ${fmt(o, 2).padStart(6)} ms/session (${fmt((GETS * 1000) / o)} cmd/s)  | bare http ${fmt(b, 2).padStart(5)} ms  | ratio ${fmt(o / b, 2)}` +
          `  | ${trips.length} round trips, client msgs ${trips.map((t) => t.req).join('/')} B (${fmt(bytesUp)} up, ${fmt(bytesDown)} down)` +
          (sizes ? `  | over MaxMsgSize: ${sizes.oversize}` : ''),
      );
    }

    // a Results that alone exceeds the server's budget: sent oversize as is, or chunked (MoreData) once that lands
    const bigSrv = h.peers.get('big-probe')!.server;
    proxy.target = bigSrv.url + '/dm';
    proxy.trips = [];
    bigSrv.queue([get('./Bench/Big'), ...uris.slice(0, 5).map((u) => get(u))]);
    const r = await h.session('big-probe');
    if (r.outcome !== 'ok') throw new Error(`big-probe: ${r.outcome} ${r.reason}`);
    const bigItems = bigSrv.sessions.at(-1)!.results.flatMap((x) => x.items).filter((it) => it.source?.locUri === './Bench/Big');
    if (bigItems.map((it) => it.data ?? '').join('') !== BIG) throw new Error('big-probe: the 6,000 B value did not arrive intact');
    const big = checkSizes(proxy.trips, SERVER_MAX_MSG);
    const pieces = proxy.trips.flatMap((t) => t.sent.commands).filter((c) => c.cmd === 'Results')
      .flatMap((c) => c.items).filter((it) => it.source?.locUri === './Bench/Big').length;
    console.log(
      `  MaxMsgSize ${SERVER_MAX_MSG}, one Get of a ${fmt(BIG.length)} B leaf + 5 small: ${big.oversize} client message(s) over the limit` +
        ` (${big.singleTooBig} holding a single command larger than the limit); value sent in ${pieces} item(s)` +
        `${pieces > 1 ? ' (MoreData chunks)' : ''}, arrived intact; client msgs ${proxy.trips.map((t) => t.req).join('/')} B`,
    );
  } finally {
    echo.server.closeAllConnections();
    await new Promise<void>((resolve) => echo.server.close(() => resolve()));
    await proxy.stop();
    await h.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
