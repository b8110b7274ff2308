// The bridge side of the adapter e2e tests, wired as bridge/app.ts wires it: store + tree +
// discovery + inventory + adapter host. Build it, attach listeners, then start(); stop() tears it
// all down in the app's order. Runs inside the gateway namespace (discovery multicasts).
import { join } from 'node:path';
import type { Adapter } from '../../../adapters/sdk/index.js';
import { AdapterHost, type AdapterHostOptions } from '../../../bridge/adapter-host/index.js';
import type { Logger } from '../../../bridge/core/logger.js';
import { createDiscovery, type Discovery } from '../../../bridge/discovery/index.js';
import { createInventory, type InventoryService } from '../../../bridge/inventory/index.js';
import { openStore, type Store } from '../../../bridge/store/db.js';
import { OutboxRepo } from '../../../bridge/store/outbox-repo.js';
import { createTree, type TreeBundle } from '../../../bridge/tree/index.js';

type TreeConfig = Parameters<typeof createTree>[0]['config'];

export interface GatewayOptions {
  dir: string;
  config: TreeConfig & { discovery: { mdns: boolean; ssdp: boolean; ttlSeconds: number; serviceTypes: string[] } };
  log: Logger;
  adapters: Adapter[];
  host?: Partial<Omit<AdapterHostOptions, 'adapters' | 'devices' | 'settings' | 'events' | 'log'>>;
}

export interface Gateway {
  store: Store;
  bundle: TreeBundle;
  outbox: OutboxRepo;
  inv: InventoryService;
  host: AdapterHost;
  discovery: Discovery;
  start(): Promise<void>;
  /** Wait until `done()` holds (e.g. devices attached); false on timeout. */
  until(done: () => boolean, ms: number): Promise<boolean>;
  stop(): Promise<void>;
}

export function buildGateway(o: GatewayOptions): Gateway {
  const store = openStore(join(o.dir, 'bridge.db'));
  const bundle = createTree({ store, config: o.config, log: o.log, adapters: o.adapters.map((a) => a.name) });
  const outbox = new OutboxRepo(store.db);
  const inv = createInventory({ store, tree: bundle.tree, settings: bundle.settings, accounts: bundle.accounts, outbox, log: o.log, debounceMs: 300 });
  inv.mount();
  const host = new AdapterHost({ adapters: o.adapters, devices: inv.inventory, settings: bundle.settings, events: bundle.events, log: o.log.child({ mod: 'adapters' }), ...o.host });
  inv.provider.delegateMo(host.mo);
  const discovery = createDiscovery({ ...o.config.discovery, interfaces: [] }, { log: o.log, searchEveryMs: 2000 });
  discovery.events.on('up', (s) => inv.inventory.sighted(s));
  discovery.events.on('refresh', (s) => inv.inventory.sighted(s));
  discovery.events.on('down', ({ sighting }) => inv.inventory.lost(sighting));
  return {
    store, bundle, outbox, inv, host, discovery,
    async start() {
      host.start();
      await discovery.start();
    },
    async until(done, ms) {
      const t0 = Date.now();
      while (!done() && Date.now() - t0 < ms) await new Promise((r) => setTimeout(r, 50));
      return done();
    },
    async stop() {
      await discovery.stop();
      await host.stop();
      inv.stop();
      store.close();
    },
  };
}
