// Bridge side of discovery.bench.ts; runs INSIDE the gateway namespace
// (`ip netns exec NS node --expose-gc --import tsx this.ts DB`): store + tree + inventory + discovery
// wired as bridge/app.ts wires them (default discovery options of ARCHITECTURE.md). Records when each
// sighting key first reached the inventory and when each UPnP description was applied. Commands on
// stdin, one JSON line each: {"cmd":"rss"} | {"cmd":"seen"} | {"cmd":"stop"}; answers on stdout.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createLogger } from '../../bridge/core/logger.js';
import { createDiscovery, MulticastHealth, readDiscoverySettings, watchDiscoverySettings } from '../../bridge/discovery/index.js';
import { createInventory } from '../../bridge/inventory/index.js';
import { openStore } from '../../bridge/store/db.js';
import { OutboxRepo } from '../../bridge/store/outbox-repo.js';
import { createTree } from '../../bridge/tree/index.js';

const [dbPath = ':memory:'] = process.argv.slice(2);
const log = createLogger({ level: process.env.BENCH_LOG ?? 'warn', destination: process.stderr });
const store = openStore(dbPath);
const config = {
  device: { devId: 'urn:dev:bench', man: 'Bench', mod: 'B', lang: 'en-US' },
  discovery: { mdns: true, ssdp: true, interfaces: [] as string[], ttlSeconds: 1800, serviceTypes: ['_http._tcp', '_ipp._tcp', '_ipps._tcp', '_printer._tcp'] },
  authorities: [
    {
      account: 'isp', serverId: 'dm.isp.test', protocol: 'dm1.2' as const, serverUri: 'http://127.0.0.1:9/dm', notifyUri: null, encoding: 'xml' as const,
      auth: { type: 'DIGEST' as const, clientName: 'gw', clientSecret: 's', serverSecret: null }, pollSeconds: 86400,
      tls: { ca: null, pinSha256: null, cert: null, key: null }, bootstrap: false,
    },
  ],
};
const bundle = createTree({ store, config, log });
const outbox = new OutboxRepo(store.db);
const inv = createInventory({ store, tree: bundle.tree, settings: bundle.settings, accounts: bundle.accounts, outbox, log: log.child({ mod: 'inventory' }) });
inv.mount();
const discoveryLog = log.child({ mod: 'discovery' });
const discovery = createDiscovery({ ...config.discovery, ...readDiscoverySettings(bundle.settings) }, { log: discoveryLog });
discovery.events.on('up', (s) => inv.inventory.sighted(s));
discovery.events.on('refresh', (s) => inv.inventory.sighted(s));
discovery.events.on('down', ({ sighting }) => inv.inventory.lost(sighting));
const unwatch = watchDiscoverySettings(bundle.events, bundle.settings, discovery, discoveryLog);
const health = new MulticastHealth({ interfaces: config.discovery.interfaces, log: discoveryLog });
health.start();

/** sighting key -> epoch ms it first reached the inventory (listener registered after the inventory's). */
const seen = new Map<string, number>();
/** ssdp uuid -> epoch ms its description was applied (name set). */
const described = new Map<string, number>();
const undescribed = new Set<string>();
discovery.events.on('up', (s) => {
  if (seen.has(s.key)) return;
  seen.set(s.key, Date.now());
  if (s.ssdp) undescribed.add(s.ssdp.uuid);
});
const poll = setInterval(() => {
  for (const uuid of undescribed) {
    if ((inv.inventory.get(`upnp-${uuid}`)?.name ?? '') !== '') {
      described.set(uuid, Date.now());
      undescribed.delete(uuid);
    }
  }
}, 20);

function udpDrops(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
  const [names, values] = lines.map((l) => l.split(/\s+/).slice(1));
  const i = names?.indexOf('RcvbufErrors') ?? -1;
  return i >= 0 ? Number(values?.[i] ?? 0) : 0;
}

const out = (v: object): void => void process.stdout.write(`${JSON.stringify(v)}\n`);
await discovery.start();
out({ ready: true, status: discovery.status() });

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearInterval(poll);
  unwatch();
  await discovery.stop();
  await health.stop();
  inv.stop();
  store.close();
  out({ stopped: true });
}
process.on('SIGTERM', () => void stop());
createInterface({ input: process.stdin }).on('line', (line) => {
  const c = JSON.parse(line) as { cmd: string };
  if (c.cmd === 'rss') {
    (globalThis as { gc?: () => void }).gc?.();
    const m = process.memoryUsage();
    const st = readFileSync('/proc/self/status', 'utf8');
    const kb = (k: string): number => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(st)?.[1] ?? 0) * 1024;
    out({ rss: m.rss, rssAnon: kb('RssAnon'), rssFile: kb('RssFile'), heapTotal: m.heapTotal, external: m.external, heapUsed: m.heapUsed, devices: inv.inventory.size(), online: inv.inventory.list().filter((d) => d.status === 'online').length, sightings: discovery.status().sightings, udpDrops: udpDrops() });
  }
  if (c.cmd === 'seen') out({ seen: Object.fromEntries(seen), described: Object.fromEntries(described), devices: inv.inventory.size(), udpDrops: udpDrops(), status: discovery.status() });
  if (c.cmd === 'stop') void stop().then(() => process.exit(0));
});
