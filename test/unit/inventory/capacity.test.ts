// Review finding 5: spoofed SSDP/mDNS identities cannot grow the inventory without limit. At the cap
// a device offline for more than 7 days (the longest-offline first) is forgotten to make room: its
// row, identity keys and node ACL go with it; without one, new identities are refused with one
// warning a minute. The description queue is bounded too. The default cap leaves room for the
// discovery bench's 2,000 devices.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { createLogger } from '../../../bridge/core/logger.js';
import type { DescriptionResult } from '../../../bridge/inventory/description.js';
import { createInventory, FORGET_OFFLINE_AFTER_MS, MAX_DEVICES, type SightingInput } from '../../../bridge/inventory/index.js';
import { MAX_KEYS_PER_DEVICE } from '../../../bridge/inventory/capacity.js';
import { Limiter } from '../../../bridge/inventory/limiter.js';
import { openStore } from '../../../bridge/store/db.js';
import { DevicesRepo } from '../../../bridge/store/devices-repo.js';
import { OutboxRepo } from '../../../bridge/store/outbox-repo.js';
import { createTree } from '../../../bridge/tree/index.js';

const dir = mkdtempSync(join(tmpdir(), 'dmb-invcap-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const DAY = 86_400_000;
const config = {
  device: { devId: 'urn:dev:test', man: 'T', mod: 'T', lang: 'en-US' },
  discovery: { mdns: false, ssdp: false, ttlSeconds: 60, serviceTypes: [] }, authorities: [],
};

function open(file: string, o: { max?: number; describe?: (url: string) => Promise<DescriptionResult>; describeQueue?: number } = {}) {
  const lines: Array<{ level: number; msg: string }> = [];
  const log = createLogger({
    level: 'debug',
    destination: new Writable({ write(c: Buffer, _e, cb) { lines.push(JSON.parse(c.toString()) as { level: number; msg: string }); cb(); } }),
  });
  const clock = { t: Date.UTC(2025, 0, 1) };
  const store = openStore(file);
  const bundle = createTree({ store, config, log });
  const svc = createInventory({
    store, tree: bundle.tree, settings: bundle.settings, accounts: bundle.accounts, outbox: new OutboxRepo(store.db), log,
    now: () => clock.t, debounceMs: 10, describe: o.describe ?? (async () => ({ ok: false, reason: 'test' })), mac: () => undefined,
    ...(o.max === undefined ? {} : { capacity: { maxDevices: o.max } }),
    ...(o.describeQueue === undefined ? {} : { describeQueue: o.describeQueue }),
  });
  svc.mount();
  const sight = (n: number): SightingInput => ({
    source: 'ssdp', key: `uuid:d-${n}`, address: `10.1.${n >> 8}.${n & 255}`, seenAt: clock.t,
    ssdp: { uuid: `d-${n}`, location: `http://10.1.${n >> 8}.${n & 255}/d.xml`, server: '' },
  });
  const ids = () => svc.inventory.list().map((d) => d.devId);
  return { store, bundle, svc, inv: svc.inventory, clock, sight, ids, lines };
}

describe('inventory size cap', () => {
  test('full: new identities refused (one warning), then the longest-offline device >7 days is forgotten', async () => {
    const file = join(dir, 'cap.db');
    const x = open(file, { max: 3 });
    for (let n = 1; n <= 3; n++) x.inv.sighted(x.sight(n));
    for (let n = 4; n <= 40; n++) x.inv.sighted(x.sight(n)); // a flood of spoofed identities
    assert.deepEqual(x.ids(), ['upnp-d-1', 'upnp-d-2', 'upnp-d-3']);
    assert.equal(x.lines.filter((l) => l.msg.startsWith('inventory full: new devices refused')).length, 1, 'one rate-limited warning');

    // d-2 goes offline, d-1 is seen a day later then goes offline too; d-3 stays online
    x.clock.t += DAY;
    x.inv.lost(x.sight(2));
    x.clock.t += DAY;
    x.inv.sighted(x.sight(1));
    x.inv.lost(x.sight(1));
    x.clock.t += 7 * DAY; // d-2 unseen for 9 days, d-1 for 7 days (not more): only d-2 may go
    x.inv.sighted(x.sight(50));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(x.ids(), ['upnp-d-1', 'upnp-d-3', 'upnp-d-50'], 'the longest-offline device made room');
    assert.equal(x.bundle.tree.acls.has('./GwMO/DevInventory/Devices/upnp-d-2'), false, 'its node ACL is gone');
    assert.equal(x.bundle.tree.acls.has('./GwMO/DevInventory/Devices/upnp-d-50'), true);
    assert.deepEqual((await x.bundle.tree.get('./GwMO/DevInventory/Devices', null)).value?.children, ['upnp-d-1', 'upnp-d-3', 'upnp-d-50']);
    x.inv.sighted(x.sight(51));
    assert.deepEqual(x.ids(), ['upnp-d-1', 'upnp-d-3', 'upnp-d-50'], 'd-1 is not offline long enough yet');
    x.inv.flush();
    const repo = new DevicesRepo(x.store.db);
    assert.deepEqual(repo.all().map((d) => d.devId), ['upnp-d-1', 'upnp-d-3', 'upnp-d-50'], 'the row is deleted');
    assert.equal([...repo.keys().values()].includes('upnp-d-2'), false, 'its identity keys are deleted');
    x.inv.stop();
    x.store.close();

    // after a restart everything is offline until seen again: the longest unseen go first
    const y = open(file, { max: 3 });
    y.clock.t = x.clock.t + 2 * DAY;
    assert.deepEqual(y.ids(), ['upnp-d-1', 'upnp-d-3', 'upnp-d-50']);
    y.inv.sighted(y.sight(52));
    assert.deepEqual(y.ids(), ['upnp-d-1', 'upnp-d-50', 'upnp-d-52'], 'd-3, unseen for 11 days');
    y.inv.sighted(y.sight(53));
    assert.deepEqual(y.ids(), ['upnp-d-50', 'upnp-d-52', 'upnp-d-53'], 'then d-1, unseen for 9 days');
    y.inv.stop();
    y.store.close();
  });

  test('identity keys per device are bounded (random uuids announced from one device\'s address)', () => {
    const x = open(join(dir, 'keys.db'));
    for (let n = 0; n < 100; n++) {
      x.inv.sighted({ source: 'ssdp', key: `uuid:r-${n}`, address: '10.2.0.1', seenAt: x.clock.t, ssdp: { uuid: `r-${n}`, location: '', server: '' } });
    }
    assert.deepEqual(x.ids(), ['upnp-r-0'], 'one device: the address of an online device');
    x.inv.flush();
    const keys = [...new DevicesRepo(x.store.db).keys().values()].filter((id) => id === 'upnp-r-0');
    assert.equal(keys.length, MAX_KEYS_PER_DEVICE);
    x.inv.stop();
    x.store.close();
  });

  test('the default cap is 4,096 (room for the 2,000-device discovery bench), forgetting after 7 days', () => {
    assert.equal(MAX_DEVICES, 4096);
    assert.equal(FORGET_OFFLINE_AFTER_MS, 7 * DAY);
    const x = open(join(dir, 'default.db'));
    for (let n = 1; n <= 2000; n++) x.inv.sighted(x.sight(n));
    assert.equal(x.inv.size(), 2000);
    x.inv.stop();
    x.store.close();
  });
});

describe('bounded description queue', () => {
  test('Limiter: at most max running and maxQueue waiting; beyond, run() answers false and the task never runs', async () => {
    const l = new Limiter(1, 2);
    const started: number[] = [];
    const gates: Array<() => void> = [];
    const task = (i: number) => () => new Promise<void>((r) => { started.push(i); gates.push(r); });
    assert.deepEqual([1, 2, 3, 4].map((i) => l.run(task(i))), [true, true, true, false]);
    assert.equal(l.queued(), 2);
    for (let i = 0; i < 5; i++) {
      gates.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    assert.deepEqual(started, [1, 2, 3]);
  });

  test('inventory: fetches past 16 running + the queue are dropped (debug log) and retried on a later announcement', async () => {
    const urls: string[] = [];
    const gates: Array<() => void> = [];
    const describe = (url: string) => new Promise<DescriptionResult>((r) => {
      urls.push(url);
      gates.push(() => r({ ok: false, reason: 'test' }));
    });
    const x = open(join(dir, 'queue.db'), { describe, describeQueue: 2 });
    for (let n = 1; n <= 20; n++) x.inv.sighted(x.sight(n));
    assert.equal(urls.length, 16);
    assert.equal(x.lines.filter((l) => l.msg === 'inventory: description queue full; fetch dropped').length, 2);
    while (gates.length > 0) {
      gates.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(urls.length, 18, 'the two queued ones ran; the two dropped did not');
    x.inv.sighted(x.sight(20));
    assert.equal(urls.length, 19, 'a dropped fetch is tried again on the next announcement');
    assert.equal(urls.at(-1), 'http://10.1.0.20/d.xml');
    x.inv.stop();
    x.store.close();
  });
});
