import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectUrl } from '../../bridge/api/client.js';
import { createApp } from '../../bridge/app.js';
import { parseConfig } from '../../bridge/config.js';
import { silentLogger } from '../../bridge/core/logger.js';
import { fmt } from './util.js';

/**
 * GET /api/v1/devices of a real app (koa, auth, limits, error middleware; discovery off) whose
 * inventory holds 2,000 devices put in through the real inventory, under autocannon (a separate
 * process, 10 connections, 5 s after a 1 s warm-up, loopback only). Baseline in the same run: a bare
 * node:http server answering the same JSON bytes. Printed: requests/s, p99 latency, MB/s, and the
 * ratio bare/app (how much the app's per-request work — list, map, JSON.stringify — costs).
 */

const DEVICES = 2000;
const CONNECTIONS = 10;
const SECONDS = 5;
const AUTOCANNON = fileURLToPath(new URL('../../node_modules/autocannon/autocannon.js', import.meta.url));

interface Result {
  rps: number;
  p99: number;
  mbps: number;
  non2xx: number;
  errors: number;
}

/** Run autocannon in a child process (so it does not share this event loop with the server). */
function cannon(url: string, seconds: number): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [AUTOCANNON, '--json', '-c', String(CONNECTIONS), '-d', String(seconds), url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 30) * 1000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`autocannon exited ${code}: ${err.slice(-500)}`));
      const r = JSON.parse(out) as {
        requests: { average: number }; latency: { p99: number }; throughput: { average: number }; non2xx: number; errors: number;
      };
      resolve({ rps: r.requests.average, p99: r.latency.p99, mbps: r.throughput.average / 1e6, non2xx: r.non2xx, errors: r.errors });
    });
  });
}

function line(name: string, r: Result): string {
  return `${name.padEnd(34)} ${fmt(r.rps).padStart(8)} req/s   p99 ${fmt(r.p99, 1).padStart(6)} ms   ${fmt(r.mbps, 1).padStart(6)} MB/s` +
    (r.non2xx + r.errors > 0 ? `   (${r.non2xx} non-2xx, ${r.errors} errors)` : '');
}

export default async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dmb-bench-api-'));
  const app = createApp(parseConfig({
    store: { path: join(dir, 'bridge.db') }, api: { host: '127.0.0.1', port: 0, token: null }, log: { level: 'silent' },
    discovery: { mdns: false, ssdp: false }, authorities: [],
  }), { log: silentLogger() });
  let bare: Server | undefined;
  try {
    await app.start();
    const now = Date.now();
    for (let i = 0; i < DEVICES; i++) {
      const a = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
      app.inventory.inventory.sighted({
        source: 'mdns', key: `Device ${i}._ipp._tcp.local`, address: a, seenAt: now,
        mdns: { instance: `Device ${i}`, serviceType: '_ipp._tcp', host: `device-${i}.local`, port: 631, txt: { ty: `Lab Printer ${i}`, usb_MFG: 'LabCorp' } },
      });
    }
    const addr = app.apiAddress();
    const url = `${connectUrl(addr.host, addr.port)}/api/v1/devices`;
    const res = await fetch(url);
    const bytes = Buffer.from(await res.arrayBuffer());
    const count = (JSON.parse(bytes.toString('utf8')) as unknown[]).length;
    if (count !== DEVICES) throw new Error(`expected ${DEVICES} devices, the API lists ${count}`);
    const type = res.headers.get('content-type') ?? 'application/json; charset=utf-8';

    bare = createServer((_req, r) => {
      r.writeHead(200, { 'content-type': type, 'content-length': bytes.length });
      r.end(bytes);
    });
    await new Promise<void>((resolve) => bare!.listen(0, '127.0.0.1', resolve));
    const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/api/v1/devices`;

    console.log(`GET /api/v1/devices, ${DEVICES} devices (${fmt(bytes.length / 1024)} KiB), ${CONNECTIONS} connections, ${SECONDS} s each`);
    await cannon(bareUrl, 1);
    const base = await cannon(bareUrl, SECONDS);
    await cannon(url, 1);
    const real = await cannon(url, SECONDS);
    console.log(line('baseline: bare node:http, same bytes', base));
    console.log(line('app: koa /api/v1/devices', real));
    console.log(`ratio bare/app: ${fmt(base.rps / real.rps, 1)}x requests/s; p99 app/bare: ${fmt(real.p99 / Math.max(base.p99, 0.001), 1)}x`);
  } finally {
    if (bare) await new Promise<void>((resolve) => bare!.close(() => resolve()));
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
