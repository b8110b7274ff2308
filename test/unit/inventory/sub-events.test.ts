// Review finding 7: a DM 2.0 SUB on ./GwMO/DevInventory/Devices receives joined/changed/left (the
// inventory emits tree.changed on the device node), and one event reaches an MA once: an MA that
// gets the device event (DeviceEvents not false) gets no second alert from its SUB. Get rights and
// the SUB's event list still apply.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startSubscriptionAlerts } from '../../../bridge/authority/dm2-subscriptions.js';
import { systemClock } from '../../../bridge/core/clock.js';
import { silentLogger } from '../../../bridge/core/logger.js';
import { createInventory, type SightingInput } from '../../../bridge/inventory/index.js';
import { openStore } from '../../../bridge/store/db.js';
import { OutboxRepo } from '../../../bridge/store/outbox-repo.js';
import { SubscriptionsRepo } from '../../../bridge/store/subscriptions-repo.js';
import { createTree } from '../../../bridge/tree/index.js';

const dir = mkdtempSync(join(tmpdir(), 'dmb-invsub-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const DEVICES = './GwMO/DevInventory/Devices';

const account = (name: string, serverId: string) => ({
  account: name, serverId, protocol: 'dm2.0', serverUri: 'http://127.0.0.1:9/dm', notifyUri: null, encoding: 'xml',
  auth: { type: 'HTTP-BASIC', clientName: 'gw', clientSecret: 's', serverSecret: null }, pollSeconds: 86400,
  tls: { ca: null, pinSha256: null, cert: null, key: null }, bootstrap: false,
});
const config = {
  device: { devId: 'urn:dev:test', man: 'T', mod: 'T', lang: 'en-US' },
  discovery: { mdns: false, ssdp: false, ttlSeconds: 60, serviceTypes: [] },
  authorities: [account('isp', 'dm.isp'), account('sec', 'dm.sec'), account('oem', 'dm.oem'), account('hid', 'dm.hid'), account('few', 'dm.few')],
};

test('SUB on Devices: joined/changed/left once per MA, whether it comes through DeviceEvents, the SUB, or both', async () => {
  const store = openStore(join(dir, 'sub.db'));
  const bundle = createTree({ store, config, log: silentLogger() });
  const outbox = new OutboxRepo(store.db);
  const subscriptions = new SubscriptionsRepo(store.db);
  const noDeviceEvents = (a: string) => {
    const row = bundle.accounts.get(a)!;
    bundle.accounts.update({ ...row, data: JSON.stringify({ ...JSON.parse(row.data), deviceEvents: false }) });
  };
  noDeviceEvents('isp'); // SUB only
  noDeviceEvents('hid'); // SUB only, but may not Get the devices
  noDeviceEvents('few'); // SUB only, on `left` only
  bundle.settings.set('policy.deviceAcl', 'Get=dm.isp+dm.sec+dm.oem+dm.few');
  for (const a of ['isp', 'sec', 'hid']) subscriptions.put(a, DEVICES, ['joined', 'left', 'changed'], 1);
  subscriptions.put('few', DEVICES, ['left'], 1);
  subscriptions.put('sec', `${DEVICES}/mdns-p`, ['joined', 'left', 'changed'], 1); // overlapping SUBs: still once
  const nudged: string[] = [];
  const stopSubs = startSubscriptionAlerts({
    events: bundle.events, tree: bundle.tree, accounts: bundle.accounts, subscriptions, outbox, clock: systemClock, onQueued: (a) => nudged.push(a),
  });
  const svc = createInventory({
    store, tree: bundle.tree, settings: bundle.settings, accounts: bundle.accounts, outbox, log: silentLogger(), events: bundle.events,
    debounceMs: 10, describe: async () => ({ ok: false, reason: 'test' }), mac: () => undefined,
  });
  svc.mount();
  // each queued alert as "<event>:<rule>": 1226 = the device-event rule, sub = the SUB rule
  const alerts = (acc: string) => outbox.list(acc, 100).map((r) => {
    const p = JSON.parse(r.payload) as { cmd?: string; items?: Array<{ meta: { type: string }; source: { locUri: string } }>; type?: string; source?: string; data?: unknown };
    if (p.cmd === 'Alert') {
      assert.equal(p.items![0]!.source.locUri, `${DEVICES}/mdns-p`);
      return `${p.items![0]!.meta.type.replace('org.dmbridge.device.', '')}:1226`;
    }
    assert.equal(p.source, `${DEVICES}/mdns-p`);
    return `${p.type!.replace('org.dmbridge.device.', '')}:sub:${(p.data as { op: string }).op}`;
  });
  const p: SightingInput = {
    source: 'mdns', key: 'p._ipp._tcp.local', address: '10.0.0.3', seenAt: Date.now(),
    mdns: { instance: 'P', serviceType: '_ipp._tcp', host: 'p.local', port: 631, txt: { usb_mdl: 'P-1' } },
  };
  const settle = async () => {
    await new Promise((r) => setTimeout(r, 30));
    svc.inventory.flushEvents();
  };

  svc.inventory.sighted(p);
  await settle();
  svc.inventory.sighted({ ...p, mdns: { ...p.mdns!, txt: { usb_mdl: 'P-2' } } });
  await settle();
  svc.inventory.lost(p);
  await settle();

  assert.deepEqual(alerts('isp'), ['joined:sub:Add', 'changed:sub:Replace', 'left:sub:Delete'], 'DeviceEvents=false + SUB: each once, from the SUB');
  assert.deepEqual(alerts('sec'), ['joined:1226', 'changed:1226', 'left:1226'], 'DeviceEvents + SUB: each once, not twice');
  assert.deepEqual(alerts('oem'), ['joined:1226', 'changed:1226', 'left:1226'], 'DeviceEvents only');
  assert.deepEqual(alerts('hid'), [], 'no Get right on the device: nothing from either rule');
  assert.deepEqual(alerts('few'), ['left:sub:Delete'], 'the SUB\'s event list applies');
  assert.ok(nudged.includes('isp') && nudged.includes('few'), 'a SUB alert opens a session');
  assert.equal(svc.inventory.get('mdns-p')?.status, 'offline', 'the device node stays (offline)');
  assert.equal((await bundle.tree.get(`${DEVICES}/mdns-p/Status`, 'dm.isp')).value?.value, 'offline');

  stopSubs();
  svc.stop();
  store.close();
});
