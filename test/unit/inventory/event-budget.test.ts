// Review finding 5 (outbox side): device events are rate-limited by one token bucket for the whole
// inventory (a burst, then N per minute). Events over it are deferred in arrival order, never
// dropped, and re-evaluated when their turn comes: a spoofed device that vanished meanwhile costs
// no alert, so a flood cannot push an MA's genuine alerts out of its outbox cap.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../../../bridge/core/logger.js';
import { EventBudget } from '../../../bridge/inventory/event-budget.js';
import { createInventory, DEVICE_EVENT_BURST, DEVICE_EVENTS_PER_MINUTE, type SightingInput } from '../../../bridge/inventory/index.js';
import { openStore } from '../../../bridge/store/db.js';
import { OutboxRepo } from '../../../bridge/store/outbox-repo.js';
import { createTree } from '../../../bridge/tree/index.js';

const account = {
  account: 'isp', serverId: 'dm.isp', protocol: 'dm1.2', serverUri: 'http://127.0.0.1:9/dm', notifyUri: null, encoding: 'xml',
  auth: { type: 'DIGEST', clientName: 'gw', clientSecret: 's', serverSecret: null }, pollSeconds: 86400,
  tls: { ca: null, pinSha256: null, cert: null, key: null }, bootstrap: false,
};
const config = {
  device: { devId: 'urn:dev:test', man: 'T', mod: 'T', lang: 'en-US' },
  discovery: { mdns: false, ssdp: false, ttlSeconds: 60, serviceTypes: [] }, authorities: [account],
};
const until = async (cond: () => boolean, ms = 2000) => {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
};

test('token bucket: a burst, then one per 60000/perMinute ms', () => {
  const clock = { t: 0 };
  const b = new EventBudget({ burst: 2, perMinute: 60 }, () => clock.t);
  assert.deepEqual([b.take(), b.take()], [0, 0]);
  assert.equal(b.take(), 1000);
  clock.t += 999;
  assert.equal(b.take(), 1);
  clock.t += 1;
  assert.equal(b.take(), 0);
  clock.t += 3_600_000;
  assert.deepEqual([b.take(), b.take(), b.take() > 0], [0, 0, true], 'never more than the burst saved up');
  assert.ok(DEVICE_EVENT_BURST >= 200 && DEVICE_EVENTS_PER_MINUTE > 0);
});

test('inventory: events past the budget wait in order; a device gone before its turn raises none', async () => {
  const clock = { t: Date.UTC(2025, 0, 1) };
  const store = openStore(':memory:');
  const bundle = createTree({ store, config, log: silentLogger() });
  const outbox = new OutboxRepo(store.db);
  const svc = createInventory({
    store, tree: bundle.tree, settings: bundle.settings, accounts: bundle.accounts, outbox, log: silentLogger(),
    now: () => clock.t, debounceMs: 5, describe: async () => ({ ok: false, reason: 'test' }), mac: () => undefined,
    eventBudget: { burst: 2, perMinute: 6000 }, // one token per 10 ms of the (frozen) clock
  });
  svc.mount();
  const events = () => outbox.list('isp', 100).map((r) => {
    const a = JSON.parse(r.payload) as { items: Array<{ source: { locUri: string }; meta: { type: string } }> };
    return `${a.items[0]!.meta.type.replace('org.dmbridge.device.', '')}:${a.items[0]!.source.locUri.split('/').pop()}`;
  });
  const sight = (n: number): SightingInput => ({
    source: 'mdns', key: `d${n}._ipp._tcp.local`, address: `10.0.0.${n}`, seenAt: clock.t,
    mdns: { instance: `D${n}`, serviceType: '_ipp._tcp', host: `d${n}.local`, port: 631, txt: {} },
  });
  for (let n = 1; n <= 5; n++) svc.inventory.sighted(sight(n));
  await until(() => events().length >= 2);
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(events(), ['joined:mdns-d1', 'joined:mdns-d2'], 'the burst; the clock stands still: no refill');
  svc.inventory.lost(sight(3)); // vanished before its turn (a spoofed announcement)
  svc.inventory.sighted(sight(1)); // a sighting of an announced device changes nothing
  clock.t += 10_000; // refills, but never past the burst of 2
  await until(() => events().length >= 4);
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(events(), ['joined:mdns-d1', 'joined:mdns-d2', 'joined:mdns-d4', 'joined:mdns-d5'], 'in order; d3 raised nothing');
  svc.inventory.lost(sight(4));
  svc.inventory.lost(sight(5));
  clock.t += 10;
  await until(() => events().length >= 5);
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(events().slice(4), ['left:mdns-d4'], 'one token: one event, the other still waits');
  clock.t += 10;
  await until(() => events().length >= 6);
  assert.deepEqual(events().slice(4), ['left:mdns-d4', 'left:mdns-d5']);
  svc.stop();
  store.close();
});
