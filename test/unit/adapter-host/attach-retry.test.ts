// The adapter host's attach lifecycle under a misbehaving adapter: attach() that throws or hangs is
// retried with doubling backoff up to a cap (production 5 s -> 5 min; injected here as 40 -> 160 ms),
// never blocks other devices, and a device that goes offline while its attach is pending is not
// attached (the attach is aborted, the late handle released, no retry scheduled).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { Adapter, AdapterContext, DeviceHandle } from '../../../adapters/sdk/index.js';
import { AdapterHost } from '../../../bridge/adapter-host/index.js';
import { createLogger } from '../../../bridge/core/logger.js';
import { createInventory, type SightingInput } from '../../../bridge/inventory/index.js';
import { openStore } from '../../../bridge/store/db.js';
import { OutboxRepo } from '../../../bridge/store/outbox-repo.js';
import { createTree } from '../../../bridge/tree/index.js';

const log = createLogger({ level: 'silent' });
const RETRY = 40;
const RETRY_MAX = 160;
const ATTACH_MS = 300;

type Mode = 'ok' | 'throw' | 'hang' | 'hang-deaf' | 'gate';

function scripted() {
  const mode = new Map<string, Mode>();
  const calls = new Map<string, Array<{ at: number; ctx: AdapterContext }>>();
  const detached: string[] = [];
  const gates = new Map<string, () => void>();
  const handle = (devId: string): DeviceHandle => ({
    describe: () => [{ path: 'State', format: 'chr', access: ['Get'] }],
    get: async () => 'v',
    replace: async () => undefined,
    exec: async () => ({ done: true }),
    async detach() {
      detached.push(devId);
    },
  });
  const adapter: Adapter = {
    name: 'flaky',
    matches: (d) => d.location !== undefined,
    async attach(d, ctx) {
      calls.set(d.devId, [...(calls.get(d.devId) ?? []), { at: Date.now(), ctx }]);
      switch (mode.get(d.devId) ?? 'ok') {
        case 'throw':
          throw new Error('device description unavailable');
        case 'hang':
          return new Promise<DeviceHandle>((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted'))));
        case 'hang-deaf':
          return new Promise<DeviceHandle>(() => undefined);
        case 'gate':
          return new Promise<DeviceHandle>((resolve) => gates.set(d.devId, () => resolve(handle(d.devId))));
        default:
          return handle(d.devId);
      }
    },
  };
  return { adapter, mode, calls, detached, gates, n: (id: string) => calls.get(id)?.length ?? 0 };
}

function setup() {
  const store = openStore(':memory:');
  const config = { device: { devId: 'urn:dev:test', man: 'T', mod: 'T', lang: 'en-US' }, discovery: { mdns: false, ssdp: false, ttlSeconds: 60, serviceTypes: [] }, authorities: [] };
  const fake = scripted();
  const bundle = createTree({ store, config, log, adapters: [fake.adapter.name] });
  const inv = createInventory({
    store, tree: bundle.tree, settings: bundle.settings, accounts: bundle.accounts, outbox: new OutboxRepo(store.db), log,
    describe: async () => ({ ok: false, reason: 'test' }), mac: () => undefined, debounceMs: 50,
  });
  inv.mount();
  const host = new AdapterHost({
    adapters: [fake.adapter], devices: inv.inventory, settings: bundle.settings, events: bundle.events, log,
    retryMs: RETRY, retryMaxMs: RETRY_MAX, attachMs: ATTACH_MS,
  });
  inv.provider.delegateMo(host.mo);
  host.start();
  const sight = (n: number): SightingInput => ({
    source: 'ssdp', key: `uuid:dev-${n}::upnp:rootdevice`, address: `10.0.0.${n}`, seenAt: Date.now(),
    ssdp: { uuid: `dev-${n}`, location: `http://10.0.0.${n}:8200/rootDesc.xml`, server: 'x' },
  });
  return { inv, host, fake, sight, close: async () => { await host.stop(); inv.stop(); store.close(); } };
}

const until = async (f: () => boolean, ms = 3000, what = 'condition'): Promise<void> => {
  const t0 = Date.now();
  while (!f()) {
    if (Date.now() - t0 > ms) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const id = (n: number): string => `upnp-dev-${n}`;

const ctx = setup();
after(() => ctx.close());

test('an attach that throws is retried with doubling backoff up to the cap, then attaches once it works', async () => {
  const { inv, host, fake, sight } = ctx;
  fake.mode.set(id(1), 'throw');
  inv.inventory.sighted(sight(1));
  await until(() => fake.n(id(1)) >= 5, 3000, 'five attempts');
  const at = fake.calls.get(id(1))!.map((c) => c.at);
  const gaps = at.slice(1, 5).map((t, i) => t - at[i]!);
  [RETRY, 2 * RETRY, RETRY_MAX, RETRY_MAX].forEach((want, i) => {
    assert.ok(gaps[i]! >= want - 5, `gap ${i} ${gaps[i]} ms >= ${want}`);
    assert.ok(gaps[i]! < want + 150, `gap ${i} ${gaps[i]} ms stays near ${want} (capped at ${RETRY_MAX})`);
  });
  assert.equal(host.attached().has(id(1)), false);
  fake.mode.set(id(1), 'ok');
  await until(() => host.attached().has(id(1)), RETRY_MAX + 500, 'attached after the device recovers');
  const n = fake.n(id(1));
  await sleep(RETRY_MAX + 50);
  assert.equal(fake.n(id(1)), n, 'no further attempts once attached');
});

test('a hanging attach is aborted at the deadline and retried, and never blocks another device', async () => {
  const { inv, host, fake, sight } = ctx;
  fake.mode.set(id(2), 'hang');
  fake.mode.set(id(3), 'hang-deaf'); // ignores its abort signal entirely
  inv.inventory.sighted(sight(2));
  inv.inventory.sighted(sight(3));
  await until(() => fake.n(id(2)) === 1 && fake.n(id(3)) === 1, 1000, 'both attaches started');
  const t0 = Date.now();
  inv.inventory.sighted(sight(4));
  const first = fake.calls.get(id(2))![0]!;
  await until(() => host.attached().has(id(4)), 1000, 'the healthy device attached');
  assert.equal(first.ctx.signal.aborted, false, `attached in ${Date.now() - t0} ms, while the other two attaches still hang`);
  assert.equal(fake.n(id(2)) + fake.n(id(3)), 2);
  await until(() => first.ctx.signal.aborted, ATTACH_MS + 200, 'the hung attach aborted at its deadline');
  assert.ok(Date.now() - first.at >= ATTACH_MS - 5);
  await until(() => fake.n(id(2)) >= 3 && fake.n(id(3)) >= 3, 4000, 'hung attaches retried');
  const at = fake.calls.get(id(3))!.map((c) => c.at);
  assert.ok(at[1]! - at[0]! >= ATTACH_MS + RETRY - 5, `deadline + first backoff: ${at[1]! - at[0]!} ms`);
  assert.ok(at[2]! - at[1]! >= ATTACH_MS + 2 * RETRY - 5, `deadline + doubled backoff: ${at[2]! - at[1]!} ms`);
  assert.equal(host.attached().has(id(2)), false);
  assert.equal(host.attached().has(id(3)), false);
  inv.inventory.lost(sight(2));
  inv.inventory.lost(sight(3));
  const n2 = fake.n(id(2));
  await sleep(ATTACH_MS + RETRY_MAX + 50);
  assert.equal(fake.n(id(2)), n2, 'an offline device is no longer retried');
});

test('a device that goes offline during a pending attach is not attached; the late handle is released', async () => {
  const { inv, host, fake, sight } = ctx;
  fake.mode.set(id(5), 'gate');
  inv.inventory.sighted(sight(5));
  await until(() => fake.gates.has(id(5)), 1000, 'the attach pending');
  const pending = fake.calls.get(id(5))![0]!;
  inv.inventory.lost(sight(5));
  assert.equal(pending.ctx.signal.aborted, true, 'the pending attach is aborted when the device goes offline');
  fake.gates.get(id(5))!(); // the adapter finishes anyway
  await until(() => fake.detached.includes(id(5)), 1000, 'the late handle detached');
  assert.equal(host.attached().has(id(5)), false);
  await sleep(ATTACH_MS + RETRY * 2);
  assert.equal(fake.n(id(5)), 1, 'no retry for an offline device');
  assert.equal(host.attached().has(id(5)), false);
  fake.mode.set(id(5), 'ok');
  inv.inventory.sighted(sight(5));
  await until(() => host.attached().has(id(5)), 1000, 'attached when back online');
  assert.equal(fake.n(id(5)), 2);
});
