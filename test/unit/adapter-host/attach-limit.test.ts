// Review finding 5 (adapter side): a burst of new devices (e.g. spoofed SSDP) cannot start an
// unbounded number of attaches (each fetches a description and every SCPD): at most `maxAttaches`
// (default 16) run at once, the rest wait in arrival order, and a waiting device that goes offline
// is never attached.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Adapter, DeviceHandle } from '../../../adapters/sdk/index.js';
import { AdapterHost, ATTACH_CONCURRENCY } from '../../../bridge/adapter-host/host.js';
import { createLogger } from '../../../bridge/core/logger.js';
import { createInventory, type SightingInput } from '../../../bridge/inventory/index.js';
import { openStore } from '../../../bridge/store/db.js';
import { OutboxRepo } from '../../../bridge/store/outbox-repo.js';
import { createTree } from '../../../bridge/tree/index.js';

const log = createLogger({ level: 'silent' });
const tick = () => new Promise((r) => setTimeout(r, 10));

function setup(maxAttaches?: number) {
  const store = openStore(':memory:');
  const config = { device: { devId: 'urn:dev:test', man: 'T', mod: 'T', lang: 'en-US' }, discovery: { mdns: false, ssdp: false, ttlSeconds: 60, serviceTypes: [] }, authorities: [] };
  const started: string[] = [];
  const gates = new Map<string, () => void>();
  let inFlight = 0;
  let peak = 0;
  const handle: DeviceHandle = {
    describe: () => [], get: async () => 'v', replace: async () => undefined, exec: async () => ({ done: true }), detach: async () => undefined,
  };
  const adapter: Adapter = {
    name: 'slow',
    matches: (d) => d.location !== undefined,
    attach: (d) => {
      started.push(d.devId);
      peak = Math.max(peak, ++inFlight);
      return new Promise<DeviceHandle>((resolve) => gates.set(d.devId, () => { inFlight--; resolve(handle); }));
    },
  };
  const bundle = createTree({ store, config, log, adapters: [adapter.name] });
  const inv = createInventory({
    store, tree: bundle.tree, settings: bundle.settings, accounts: bundle.accounts, outbox: new OutboxRepo(store.db), log,
    describe: async () => ({ ok: false, reason: 'test' }), mac: () => undefined, debounceMs: 50,
  });
  inv.mount();
  const host = new AdapterHost({
    adapters: [adapter], devices: inv.inventory, settings: bundle.settings, events: bundle.events, log, attachMs: 60_000,
    ...(maxAttaches === undefined ? {} : { maxAttaches }),
  });
  inv.provider.delegateMo(host.mo);
  host.start();
  const sight = (n: number): SightingInput => ({
    source: 'ssdp', key: `uuid:dev-${n}`, address: `10.0.0.${n}`, seenAt: Date.now(),
    ssdp: { uuid: `dev-${n}`, location: `http://10.0.0.${n}:8200/d.xml`, server: 'x' },
  });
  const release = (id: string) => { gates.get(id)!(); gates.delete(id); };
  return { inv: inv.inventory, host, sight, started, release, peak: () => peak, close: async () => { await host.stop(); inv.stop(); store.close(); } };
}

test('at most maxAttaches attaches at once; the others wait in order; a waiting device gone offline is skipped', async () => {
  const x = setup(3);
  for (let n = 1; n <= 8; n++) x.inv.sighted(x.sight(n));
  await tick();
  assert.deepEqual(x.started, ['upnp-dev-1', 'upnp-dev-2', 'upnp-dev-3']);
  x.inv.sighted(x.sight(4)); // a repeated announcement does not jump the queue or start a 4th
  x.inv.lost(x.sight(5)); // offline while waiting
  await tick();
  assert.equal(x.started.length, 3);
  x.release('upnp-dev-2');
  await tick();
  assert.deepEqual(x.started.slice(3), ['upnp-dev-4']);
  for (const id of ['upnp-dev-1', 'upnp-dev-3', 'upnp-dev-4', 'upnp-dev-6', 'upnp-dev-7']) {
    await tick();
    x.release(id);
  }
  await tick();
  assert.deepEqual(x.started.slice(3), ['upnp-dev-4', 'upnp-dev-6', 'upnp-dev-7', 'upnp-dev-8'], 'dev-5 went offline: never attached');
  x.release('upnp-dev-8');
  await tick();
  assert.equal(x.peak(), 3);
  assert.deepEqual([...x.host.attached().keys()].sort(), ['upnp-dev-1', 'upnp-dev-2', 'upnp-dev-3', 'upnp-dev-4', 'upnp-dev-6', 'upnp-dev-7', 'upnp-dev-8']);
  await x.close();
});

test('the default bound is 16', async () => {
  assert.equal(ATTACH_CONCURRENCY, 16);
  const x = setup();
  for (let n = 1; n <= 40; n++) x.inv.sighted(x.sight(n));
  await tick();
  assert.equal(x.started.length, 16);
  assert.equal(x.peak(), 16);
  await x.close();
});
