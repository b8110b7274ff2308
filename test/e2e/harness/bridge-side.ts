// Runs INSIDE the gateway namespace (`ip netns exec NS node --import tsx this.ts DB TTL`): the
// bridge's store + tree + discovery + inventory wired as app.ts wires them. Prints a JSON snapshot
// line whenever the inventory MO, the outbox or discovery's status changes; reads JSON commands
// ({"cmd":"set","key":"discovery.mdns","value":"false"} | {"cmd":"stop"}) on stdin.
import { createInterface } from 'node:readline';
import { readiness } from '../../../bridge/api/routes/readyz.js';
import { createLogger } from '../../../bridge/core/logger.js';
import { createDiscovery, MulticastHealth, watchDiscoverySettings } from '../../../bridge/discovery/index.js';
import { createInventory } from '../../../bridge/inventory/index.js';
import { openStore } from '../../../bridge/store/db.js';
import { OutboxRepo } from '../../../bridge/store/outbox-repo.js';
import { createTree } from '../../../bridge/tree/index.js';

const [dbPath = ':memory:', ttlArg = '4', debounceArg = '300'] = process.argv.slice(2);
const log = createLogger({ level: process.env.HARNESS_LOG ?? 'warn', destination: process.stderr });
const store = openStore(dbPath);
const serviceTypes = ['_ipp._tcp', '_http._tcp', '_printer._tcp'];
const config = {
  device: { devId: 'urn:dev:test', man: 'Test', mod: 'T', lang: 'en-US' },
  discovery: { mdns: true, ssdp: true, ttlSeconds: Number(ttlArg), serviceTypes },
  authorities: [
    {
      account: 'isp', serverId: 'dm.isp.test', protocol: 'dm1.2', serverUri: 'http://127.0.0.1:9/dm', notifyUri: null, encoding: 'xml',
      auth: { type: 'DIGEST', clientName: 'gw', clientSecret: 's', serverSecret: null }, pollSeconds: 86400,
      tls: { ca: null, pinSha256: null, cert: null, key: null }, bootstrap: false,
    },
  ],
};
const bundle = createTree({ store, config, log });
const outbox = new OutboxRepo(store.db);
const inv = createInventory({
  store, tree: bundle.tree, settings: bundle.settings, accounts: bundle.accounts, outbox, log, debounceMs: Number(debounceArg), startGraceMs: 30_000,
});
inv.mount();
const discovery = createDiscovery({ ...config.discovery, interfaces: [] }, { log, searchEveryMs: 2000 });
discovery.events.on('up', (s) => inv.inventory.sighted(s));
discovery.events.on('refresh', (s) => inv.inventory.sighted(s));
discovery.events.on('down', ({ sighting }) => inv.inventory.lost(sighting));
const unwatch = watchDiscoverySettings(bundle.events, bundle.settings, discovery, log);
const health = new MulticastHealth({ interfaces: [], log });
health.start();
await discovery.start();

async function read(uri: string): Promise<string | string[] | undefined> {
  const r = await bundle.tree.get(uri, 'dm.isp.test');
  return r.value?.children ?? r.value?.value;
}

async function snapshot(): Promise<object> {
  const devices: Record<string, Record<string, unknown>> = {};
  for (const id of ((await read('./GwMO/DevInventory/Devices')) as string[] | undefined) ?? []) {
    const leaves: Record<string, unknown> = {};
    for (const leaf of ((await read(`./GwMO/DevInventory/Devices/${id}`)) as string[]) ?? []) {
      if (leaf !== 'LastSeen') leaves[leaf] = await read(`./GwMO/DevInventory/Devices/${id}/${leaf}`);
    }
    leaves.ACL = (await bundle.tree.get(`./GwMO/DevInventory/Devices/${id}?prop=ACL`, null)).value?.value;
    devices[id] = leaves;
  }
  const groups: Record<string, unknown> = {};
  for (const g of ((await read('./GwMO/DevInventory/Groups')) as string[] | undefined) ?? []) {
    groups[g] = await read(`./GwMO/DevInventory/Groups/${g}/Members`);
  }
  const events = outbox.list('isp', 1000).map((r) => {
    const a = JSON.parse(r.payload) as { items: Array<{ source: { locUri: string }; meta: { type: string } }> };
    return `${a.items[0]!.meta.type.split('.').pop()}:${a.items[0]!.source.locUri.split('/').pop()}`;
  });
  const st = discovery.status();
  const rd = readiness({ storeOpen: () => store.db.open, discoveryEnabled: () => true, multicast: () => health.last() });
  return { devices, groups, events, status: { problem: st.problem, mdns: st.mdns, ssdp: st.ssdp, interfaces: st.interfaces.length }, ready: rd.ready, multicastDetail: rd.checks.multicast.detail };
}

let last = '';
const timer = setInterval(() => {
  void snapshot().then((s) => {
    const text = JSON.stringify(s);
    if (text !== last) {
      last = text;
      process.stdout.write(`${text}\n`);
    }
  });
}, 100);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearInterval(timer);
  unwatch();
  await discovery.stop();
  await health.stop();
  inv.stop();
  store.close();
  process.stdout.write('{"stopped":true}\n');
}
process.on('SIGTERM', () => void stop());
createInterface({ input: process.stdin }).on('line', (line) => {
  const c = JSON.parse(line) as { cmd: string; key?: string; value?: string };
  if (c.cmd === 'set') bundle.settings.set(c.key!, c.value!);
  if (c.cmd === 'stop') void stop().then(() => process.stdin.destroy());
});
