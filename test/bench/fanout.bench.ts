/**
 * Fan-out over 1,000 UPnP-like devices: each device is a real HTTP SOAP endpoint on loopback
 * (one small server per device), reached through a Provider mounted at its own
 * ./GwMO/DevInventory/Devices/<id>/MO (as an adapter would be). A fan-out Get of MO/Status runs
 * through the tree as an authority, with concurrency 32. Baseline: the same 1,000 SOAP calls made
 * directly (no tree, no fan-out) with the same bound. A second scenario makes one device hang.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../bridge/core/logger.js';
import { createFanout } from '../../bridge/fanout/index.js';
import { openStore } from '../../bridge/store/db.js';
import { createTree } from '../../bridge/tree/index.js';
import type { NodeInfo, Provider } from '../../bridge/tree/provider.js';
import { authority, treeConfig } from '../unit/tree/helpers.js';
import { fmt, median } from './util.js';

const N = 1000;
const CONCURRENCY = 32;
const TIMEOUT_MS = 600;
const RUNS = 3;
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY * 2 });
const ENVELOPE = '<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
  + '<u:GetStatus xmlns:u="urn:schemas-upnp-org:service:SwitchPower:1"/></s:Body></s:Envelope>';

/** One SOAP endpoint per device; `hang` never answers. */
async function device(i: number, hang: () => boolean): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (hang()) return;
      const ok = Buffer.concat(chunks).toString().includes('GetStatus');
      const body = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><u:GetStatusResponse xmlns:u="urn:schemas-upnp-org:service:SwitchPower:1"><ResultStatus>${ok ? i % 2 : 'x'}</ResultStatus></u:GetStatusResponse></s:Body></s:Envelope>`;
      res.writeHead(200, { 'content-type': 'text/xml; charset="utf-8"', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port };
}

function soap(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/ctl/SwitchPower', method: 'POST', agent,
      headers: { 'content-type': 'text/xml; charset="utf-8"', soapaction: '"urn:schemas-upnp-org:service:SwitchPower:1#GetStatus"' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve(/<ResultStatus>([^<]*)<\/ResultStatus>/.exec(text)?.[1] ?? ''));
    });
    req.on('error', reject);
    req.end(ENVELOPE);
  });
}

/** The device's adapter subtree: MO/Status, read by a SOAP call. */
class SoapDevice implements Provider {
  readonly transactional = false;
  constructor(private readonly port: number, private readonly stats: { inFlight: number; max: number }) {}
  node(segs: readonly string[]): NodeInfo | Promise<NodeInfo> | undefined {
    if (segs.length === 0) return { format: 'node', type: '', permanent: true, children: ['Status'] };
    if (segs.length !== 1 || segs[0] !== 'Status') return undefined;
    this.stats.inFlight++;
    this.stats.max = Math.max(this.stats.max, this.stats.inFlight);
    return soap(this.port).then((v): NodeInfo => ({ format: 'chr', type: 'text/plain', permanent: true, access: ['Get'], value: v }))
      .finally(() => this.stats.inFlight--);
  }
}

/** ./GwMO/DevInventory with Devices/<id> (the per-device MO subtrees are mounted separately). */
function inventory(ids: readonly string[]): Provider {
  const set = new Set(ids);
  return {
    transactional: false,
    node: (segs) => {
      const [top, id, ...rest] = segs;
      if (top === undefined) return { format: 'node', type: '', permanent: true, children: ['Devices', 'Groups'] };
      if (top === 'Groups') return id === undefined ? { format: 'node', type: '', permanent: true, children: [] } : undefined;
      if (top !== 'Devices') return undefined;
      if (id === undefined) return { format: 'node', type: '', permanent: true, children: [...ids] };
      return set.has(id) && rest.length === 0 ? { format: 'node', type: '', permanent: true, children: ['MO'] } : undefined;
    },
  };
}

async function directBounded(ports: readonly number[]): Promise<number> {
  let next = 0;
  let ok = 0;
  const lane = async () => {
    while (next < ports.length) {
      const p = ports[next++]!;
      if ((await soap(p)) !== '') ok++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  return ok;
}

export default async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dmb-fanout-bench-'));
  let hangOn = false;
  const devs = await Promise.all(Array.from({ length: N }, (_, i) => device(i, () => hangOn && i === 500)));
  const ids = devs.map((_, i) => `upnp-bench-${String(i).padStart(4, '0')}`);
  const store = openStore(join(dir, 'bridge.db'));
  const bundle = createTree({ store, config: treeConfig([authority('isp', 'dm.isp')]) });
  const tree = bundle.tree;
  const stats = { inFlight: 0, max: 0 };
  tree.mount('./GwMO/DevInventory', inventory(ids));
  tree.replace('./GwMO/DevInventory/Devices?prop=ACL', { data: 'Get=*&Replace=*&Exec=*' }, null);
  devs.forEach((d, i) => tree.mount(`./GwMO/DevInventory/Devices/${ids[i]}/MO`, new SoapDevice(d.port, stats)));
  const svc = createFanout({ store, tree, events: bundle.events, log: silentLogger(), limits: { concurrency: CONCURRENCY, timeoutMs: TIMEOUT_MS, maxTargets: N } });
  svc.mount();
  const F = './GwMO/Fanout/all';
  await tree.add(F, { format: 'node' }, 'dm.isp');
  await tree.add(`${F}/Command`, { data: 'Get' }, 'dm.isp');
  await tree.add(`${F}/Target`, { data: ids.join(',') }, 'dm.isp');
  await tree.add(`${F}/Path`, { data: 'MO/Status' }, 'dm.isp');

  const fanout = async (): Promise<{ ms: number; status: string; done: number }> => {
    let completion = 0;
    const t0 = performance.now();
    const r = await tree.exec(`${F}/Exec`, undefined, 'dm.isp', { correlator: 'b', complete: () => (completion = performance.now() - t0) });
    if (r.status !== 202) throw new Error(`Exec answered ${r.status}`);
    await svc.provider.finished.get('all');
    const results = (await tree.get(`${F}/Results`, 'dm.isp')).value?.children?.length ?? 0;
    return { ms: completion, status: (await tree.get(`${F}/Status`, 'dm.isp')).value?.value ?? '', done: results };
  };

  const ports = devs.map((d) => d.port);
  await directBounded(ports); // warm-up: sockets, JIT
  await fanout();
  const base: number[] = [];
  const fan: number[] = [];
  let last = { ms: 0, status: '', done: 0 };
  for (let k = 0; k < RUNS; k++) {
    const t0 = performance.now();
    const ok = await directBounded(ports);
    base.push(performance.now() - t0);
    if (ok !== N) throw new Error(`baseline: ${ok}/${N}`);
    stats.max = 0;
    last = await fanout();
    fan.push(last.ms);
  }
  const maxInFlight = stats.max;
  const b = median(base);
  const f = median(fan);
  console.log(`devices: ${N} real HTTP SOAP endpoints on loopback (one server each), concurrency ${CONCURRENCY}, per-device timeout ${TIMEOUT_MS} ms`);
  console.log(`baseline  direct SOAP calls, bounded ${CONCURRENCY}: median ${fmt(b, 1)} ms (${fmt((N / b) * 1000)} calls/s)`);
  console.log(`fan-out   Exec -> alert, through the tree:        median ${fmt(f, 1)} ms (${fmt((N / f) * 1000)} devices/s) — ${last.status}, ${last.done} results`);
  console.log(`ratio fan-out / baseline: ${fmt(f / b, 2)}x; max SOAP calls in flight: ${maxInFlight} (bound ${CONCURRENCY}); target <= 2000 ms: ${f <= 2000 ? 'met' : 'NOT met'}`);

  hangOn = true;
  stats.max = 0;
  const hung = await fanout();
  const cam = (await tree.get(`${F}/Results/${ids[500]}/Data`, 'dm.isp')).value?.value ?? '';
  console.log(`one device hangs: done in ${fmt(hung.ms, 1)} ms (healthy run ${fmt(f, 1)} ms + timeout ${TIMEOUT_MS} ms bound) — ${hung.status}; ${ids[500]}: "${cam}"; max in flight ${stats.max}`);
  if (!hung.status.includes('timeout=1') || hung.done !== N) throw new Error('the hung device was not reported');

  svc.stop();
  agent.destroy();
  for (const d of devs) d.server.closeAllConnections();
  await Promise.all(devs.map((d) => new Promise<void>((r) => d.server.close(() => r()))));
  store.close();
  rmSync(dir, { recursive: true, force: true });
}
