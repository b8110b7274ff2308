// Discovery + inventory at scale on a virtual LAN of network namespaces (needs root, ip):
// 250 simulated UPnP devices (own address each, NOTIFY ssdp:alive, description over HTTP, M-SEARCH
// answers) and 250 mDNS printers (own host name and address each) announce at once while the bridge
// (store + tree + discovery + inventory as app.ts wires them) runs in the gateway namespace in its own
// process. Reports the time from announce until each device is in the inventory (target p95 <= 1 s)
// and the bridge's RSS with 2,000 devices known (1,500 more printers announced) against its RSS with
// none, measured in the same process. Every namespace is deleted at the end, also on error.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLan, type Lan } from '../e2e/harness/netns.js';
import { fmt } from './util.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const SUBNET = '10.79.0';
const SSDP_DEVICES = 250;
const MDNS_FIRST = 250;
const TOTAL = 2000;
const TARGET_P95_MS = 1000;
const TARGET_RSS_MB = 120;

type Line = Record<string, unknown>;

/** Every JSON line a child prints, in order; next() waits for the first unread line that matches. */
interface Child {
  next(pred: (v: Line) => boolean, ms: number): Promise<Line>;
  send(v: object): void;
  exited(ms: number): Promise<void>;
}
function lines(p: ChildProcess, name: string): Child {
  const queue: Line[] = [];
  let wake: (() => void) | undefined;
  let buf = '';
  let exited = false;
  p.stdout!.on('data', (b: Buffer) => {
    buf += b.toString('utf8');
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const text = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        queue.push(JSON.parse(text) as Line);
      } catch { /* not ours */ }
    }
    wake?.();
  });
  let err = '';
  p.stderr!.on('data', (b: Buffer) => {
    err = (err + b.toString('utf8')).slice(-4000);
    if (process.env.BENCH_DEBUG) process.stderr.write(b);
  });
  p.once('exit', () => { exited = true; wake?.(); });
  return {
    send: (v) => void p.stdin!.write(`${JSON.stringify(v)}\n`),
    exited: (ms) => new Promise((r) => {
      if (exited) return r();
      const t = setTimeout(r, ms);
      p.once('exit', () => { clearTimeout(t); r(); });
    }),
    async next(pred, ms) {
      const deadline = Date.now() + ms;
      for (;;) {
        const i = queue.findIndex(pred);
        if (i >= 0) return queue.splice(0, i + 1)[i]!;
        if (exited) throw new Error(`${name} exited (${p.exitCode ?? p.signalCode}): ${err}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`${name}: no answer within ${ms} ms; stderr: ${err}`);
        await new Promise<void>((r) => {
          const t = setTimeout(r, left);
          wake = () => { clearTimeout(t); r(); };
        });
        wake = undefined;
      }
    },
  };
}

const pct = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
function latencies(announced: Record<string, number>, seen: Record<string, number>): { sorted: number[]; missing: number } {
  const out: number[] = [];
  let missing = 0;
  for (const [k, t] of Object.entries(announced)) {
    const s = seen[k];
    if (s === undefined) missing++;
    else out.push(Math.max(0, s - t));
  }
  return { sorted: out.sort((a, b) => a - b), missing };
}
const line = (what: string, l: { sorted: number[]; missing: number }): string =>
  `${what.padEnd(34)} n=${l.sorted.length} p50=${fmt(pct(l.sorted, 50))} ms  p95=${fmt(pct(l.sorted, 95))} ms  max=${fmt(l.sorted.at(-1) ?? NaN)} ms${l.missing ? `  MISSING=${l.missing}` : ''}`;

async function seenAll(bridge: Child, keys: readonly string[], ms: number, also: (v: Line) => boolean = () => true): Promise<Line> {
  const deadline = Date.now() + ms;
  for (;;) {
    bridge.send({ cmd: 'seen' });
    const s = await bridge.next((v) => 'seen' in v, 5000);
    const seen = s.seen as Record<string, number>;
    if ((keys.every((k) => k in seen) && also(s)) || Date.now() > deadline) return s;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The V8 flags the product runs with (package.json `start`, bin/dm-bridge.js, Dockerfile): measured as shipped. */
const PRODUCT_FLAGS = '--max-semi-space-size=1';

export default async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dmb-bench-disc-'));
  let lan: Lan | undefined;
  const onSignal = (): void => { lan?.cleanup(); rmSync(dir, { recursive: true, force: true }); process.exit(130); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    lan = createLan(SUBNET);
    lan.addHost('gw', '1');
    const ssdpNs = lan.addHost('ssdp', '254');
    lan.addHost('mdns', '253');
    const addrs = Array.from({ length: SSDP_DEVICES }, (_, i) => `${SUBNET}.${2 + i}`);
    execFileSync('ip', ['-n', ssdpNs, '-batch', '-'], { input: addrs.map((a) => `addr add ${a}/32 dev eth0`).join('\n') });

    const node = (alias: string, script: string, args: string[], flags: string[] = []): Child =>
      lines(lan!.spawn(alias, process.execPath, [...flags, '--import', 'tsx', join(HERE, script), ...args], { stdin: true }), alias);
    const bridge = node('gw', 'discovery-bridge.ts', [join(dir, 'bridge.db')], ['--expose-gc', ...(process.env.BENCH_BRIDGE_FLAGS ?? PRODUCT_FLAGS).split(' ').filter(Boolean)]);
    const ready = await bridge.next((v) => v.ready === true, 20_000);
    if ((ready.status as { problem: string | null }).problem) throw new Error(`discovery: ${JSON.stringify(ready.status)}`);
    await new Promise((r) => setTimeout(r, 1500));
    bridge.send({ cmd: 'rss' });
    const base = await bridge.next((v) => 'rss' in v, 5000);

    const ssdp = node('ssdp', 'ssdp-devices.ts', [`${SUBNET}.254`, addrs.join(',')]);
    const mdns = node('mdns', 'mdns-devices.ts', [`${SUBNET}.253`, SUBNET.split('.').slice(0, 2).join('.')]);
    await ssdp.next((v) => v.ready === true, 20_000);
    await mdns.next((v) => v.ready === true, 20_000);

    // phase 1: 250 + 250 devices announce at once
    ssdp.send({ cmd: 'announce' });
    mdns.send({ cmd: 'announce', from: 0, count: MDNS_FIRST });
    const a1 = (await ssdp.next((v) => 'announced' in v, 5000)).announced as Record<string, number>;
    const a2 = (await mdns.next((v) => 'announced' in v, 5000)).announced as Record<string, number>;
    await seenAll(bridge, [...Object.keys(a1), ...Object.keys(a2)], 15_000);
    const s1 = await seenAll(bridge, [], 8000, (v) => Object.keys(v.described as object).length >= SSDP_DEVICES);
    const seen1 = s1.seen as Record<string, number>;
    const both = latencies({ ...a1, ...a2 }, seen1);
    const upnp = latencies(a1, seen1);
    const zc = latencies(a2, seen1);
    const desc = latencies(a1, s1.described as Record<string, number>);

    // phase 2: seed up to 2,000 devices with more announcements (500 printers at a time)
    const a3: Record<string, number> = {};
    for (let from = MDNS_FIRST; from < TOTAL - SSDP_DEVICES; from += 500) {
      mdns.send({ cmd: 'announce', from, count: Math.min(500, TOTAL - SSDP_DEVICES - from) });
      const a = (await mdns.next((v) => 'announced' in v, 5000)).announced as Record<string, number>;
      Object.assign(a3, a);
      await seenAll(bridge, Object.keys(a), 15_000);
    }
    const s3 = await seenAll(bridge, Object.keys(a3), 5000);
    const seed = latencies(a3, s3.seen as Record<string, number>);
    await new Promise((r) => setTimeout(r, 1500));
    bridge.send({ cmd: 'rss' });
    const full = await bridge.next((v) => 'rss' in v, 5000);
    bridge.send({ cmd: 'stop' });
    await bridge.next((v) => v.stopped === true, 5000).catch(() => undefined);
    await bridge.exited(5000);

    const mb = (v: unknown): number => Number(v) / (1024 * 1024);
    const p95 = pct(both.sorted, 95);
    console.log(line('announce -> in inventory (all 500)', both));
    console.log(line('  UPnP devices (250)', upnp));
    console.log(line('  mDNS printers (250)', zc));
    console.log(line('announce -> UPnP description applied', desc));
    console.log(line('seeding 1,500 more printers', seed));
    console.log(`UDP receive-buffer drops in the gateway namespace: ${String(full.udpDrops)}`);
    console.log(`bridge process V8 flags: ${process.env.BENCH_BRIDGE_FLAGS ?? PRODUCT_FLAGS} (as the product runs; override with BENCH_BRIDGE_FLAGS)`);
    console.log(`bridge RSS, 0 devices (baseline): ${fmt(mb(base.rss), 1)} MB (heap ${fmt(mb(base.heapUsed), 1)} MB)`);
    console.log(`bridge RSS, ${String(full.devices)} devices (${String(full.online)} online, ${String(full.sightings)} sightings): ${fmt(mb(full.rss), 1)} MB (heap ${fmt(mb(full.heapUsed), 1)} MB)`);
    if (process.env.BENCH_DEBUG) console.log(JSON.stringify({ base, full }));
    console.log(`ratio RSS ${String(full.devices)} devices / baseline: ${fmt(Number(full.rss) / Number(base.rss), 2)}x`);
    const ok = both.missing === 0 && p95 <= TARGET_P95_MS && mb(full.rss) <= TARGET_RSS_MB && Number(full.devices) === TOTAL;
    console.log(`targets (p95 <= ${TARGET_P95_MS} ms, RSS <= ${TARGET_RSS_MB} MB with ${TOTAL} devices): ${ok ? 'met' : 'MISSED'}`);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    lan?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}
