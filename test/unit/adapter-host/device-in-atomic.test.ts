import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { DeviceUnreachable, type Adapter, type DeviceHandle, type NodeSpec } from '../../../adapters/sdk/index.js';
import { AdapterHost } from '../../../bridge/adapter-host/index.js';
import { createLogger } from '../../../bridge/core/logger.js';
import { Status } from '../../../bridge/core/status.js';
import { applyTree } from '../../../bridge/dm/dm2-tree-io.js';
import { Engine } from '../../../bridge/dm/engine.js';
import type { Command, Item } from '../../../bridge/dm/message.js';
import { createInventory } from '../../../bridge/inventory/index.js';
import { openStore } from '../../../bridge/store/db.js';
import { OutboxRepo } from '../../../bridge/store/outbox-repo.js';
import { createTree } from '../../../bridge/tree/index.js';

// Review finding 2 end to end: a DM 2.0 HGET into a device MO leaf (applyTree runs in tree.atomic)
// or a DM 1.2 Atomic{Replace <device leaf>} while the device's Get fails crashed the process with
// an unhandled rejection. Now: 500 for the node, no device call, no unhandled rejection.

const rejections: unknown[] = [];
const onRejection = (e: unknown): void => void rejections.push(e);
process.on('unhandledRejection', onRejection);
after(() => void process.off('unhandledRejection', onRejection));

const log = createLogger({ level: 'silent' });
const SID = 'dm.isp.test';
const DEV = 'upnp-aaaa-1';
const LEAF = `./GwMO/DevInventory/Devices/${DEV}/MO/In/Arg`;

function setup() {
  const store = openStore(':memory:');
  const config = {
    device: { devId: 'urn:dev:test', man: 'T', mod: 'T', lang: 'en-US' },
    discovery: { mdns: false, ssdp: false, ttlSeconds: 60, serviceTypes: ['_ipp._tcp'] },
    authorities: [],
  };
  const deviceCalls: string[] = [];
  const adapter: Adapter = {
    name: 'fake',
    matches: (d) => d.protocols.includes('upnp') && d.location !== undefined,
    attach() {
      const specs: NodeSpec[] = [{ path: 'In/Arg', format: 'chr', access: ['Get', 'Replace'] }];
      const h: DeviceHandle = {
        describe: () => specs,
        get(path) {
          deviceCalls.push(`Get ${path}`);
          return Promise.reject(new DeviceUnreachable('connection refused'));
        },
        replace(path) {
          deviceCalls.push(`Replace ${path}`);
          return Promise.reject(new DeviceUnreachable('connection refused'));
        },
        detach: () => Promise.resolve(),
      };
      return Promise.resolve(h);
    },
  };
  const bundle = createTree({ store, config, log, adapters: ['fake'] });
  const inv = createInventory({
    store, tree: bundle.tree, settings: bundle.settings, accounts: bundle.accounts, outbox: new OutboxRepo(store.db), log,
    describe: () => Promise.resolve({ ok: false, reason: 'test' }), mac: () => undefined, debounceMs: 50,
  });
  inv.mount();
  const host = new AdapterHost({
    adapters: [adapter], devices: inv.inventory, settings: bundle.settings, events: bundle.events, log,
    deadlines: { getMs: 150, execMs: 150 }, retryMs: 50, changes: { intervalMs: 100, maxPerFlush: 2 },
    guard: { breakAfter: 100, breakMs: 400 },
  });
  inv.provider.delegateMo(host.mo);
  host.start();
  inv.inventory.sighted({
    source: 'ssdp', key: 'uuid:aaaa-1::upnp:rootdevice', address: '10.0.0.5', seenAt: Date.now(),
    ssdp: { uuid: 'aaaa-1', location: 'http://10.0.0.5:8200/rootDesc.xml', server: 'x' },
  });
  const close = async (): Promise<void> => {
    await host.stop();
    inv.stop();
    store.close();
  };
  return { tree: bundle.tree, host, deviceCalls, close };
}

const until = async (f: () => boolean, ms = 2000): Promise<void> => {
  const t0 = Date.now();
  while (!f()) {
    if (Date.now() - t0 > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

test('HGET (applyTree) into a failing device leaf: 500, no device call, no unhandled rejection', async () => {
  const c = setup();
  try {
    await until(() => c.host.attached().has(DEV));
    const r = applyTree(c.tree, LEAF, { format: 'chr', value: 'x' }, SID);
    assert.equal(r.status, Status.COMMAND_FAILED);
    assert.match(r.reason ?? '', /Atomic/);
    await new Promise((res) => setTimeout(res, 250)); // past the 150 ms device deadline
    assert.deepEqual(c.deviceCalls, []);
    assert.deepEqual(rejections, []);
    // outside a transaction the device is still reached, and its failure is an answer, not a crash
    const g = await Promise.resolve(c.tree.get(LEAF, null)).then(() => 'resolved', (e: unknown) => (e as Error).name);
    assert.notEqual(g, 'resolved');
    assert.deepEqual(c.deviceCalls, ['Get In/Arg']);
  } finally {
    await c.close();
  }
});

test('DM 1.2 Atomic{Replace <device leaf>}: 500 for the Replace, 507 for the Atomic, no unhandled rejection', async () => {
  const c = setup();
  try {
    await until(() => c.host.attached().has(DEV));
    const item: Item = { target: { locUri: LEAF }, data: 'x', meta: { format: 'chr' } };
    const atomic = { cmd: 'Atomic', cmdId: '1', commands: [{ cmd: 'Replace', cmdId: '2', items: [item] }] } as Command;
    const session = new Engine({ tree: c.tree }).open(SID);
    const out = await session.execute([atomic]);
    const codes = out.replies.filter((r) => r.cmd === 'Status').map((r) => Number((r as { data?: string }).data));
    assert.deepEqual(codes, [Status.ATOMIC_FAILED, Status.COMMAND_FAILED]);
    await new Promise((res) => setTimeout(res, 250));
    assert.deepEqual(c.deviceCalls, []);
    assert.deepEqual(rejections, []);
  } finally {
    await c.close();
  }
});
