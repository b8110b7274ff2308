import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { AdapterError, BadValue, DeviceUnreachable, NotSupported, type Adapter, type DeviceHandle, type NodeSpec, type Value } from '../../../adapters/sdk/index.js';
import { AdapterHost } from '../../../bridge/adapter-host/index.js';
import { createLogger } from '../../../bridge/core/logger.js';
import { createInventory, type SightingInput } from '../../../bridge/inventory/index.js';
import { openStore } from '../../../bridge/store/db.js';
import { OutboxRepo } from '../../../bridge/store/outbox-repo.js';
import { createTree } from '../../../bridge/tree/index.js';

const log = createLogger({ level: 'silent' });
const SID = 'dm.isp.test';
const DEV = 'upnp-aaaa-1';
const DEV2 = 'upnp-bbbb-2';
const MO = (id: string, p = ''): string => `./GwMO/DevInventory/Devices/${id}/MO${p === '' ? '' : '/' + p}`;

/** A scriptable device family: behaviour per device chosen by the test. */
function fakeAdapter(name: string) {
  const behaviour = new Map<string, 'ok' | 'hang' | 'throw' | 'plain-throw'>();
  const attached = new Set<string>();
  let attaches = 0;
  const emitters = new Map<string, (path: string, v: Value) => void>();
  const adapter: Adapter = {
    name,
    matches: (d) => d.protocols.includes('upnp') && d.location !== undefined,
    async attach(d) {
      attaches++;
      attached.add(d.devId);
      const values = new Map<string, string>([['In/Arg', '']]);
      const specs: NodeSpec[] = [
        { path: 'State', format: 'node', access: ['Get'] },
        { path: 'State/Count', format: 'int', access: ['Get'] },
        { path: 'State/Flag', format: 'bool', access: ['Get'] },
        { path: 'In/Arg', format: 'chr', access: ['Get', 'Replace'] },
        { path: 'Run', format: 'null', access: ['Exec'] },
        { path: 'Later', format: 'null', access: ['Exec'] },
        { path: 'bad seg', format: 'chr', access: ['Get'] },
      ];
      const h: DeviceHandle = {
        describe: () => specs,
        async get(path, ctx) {
          const b = behaviour.get(d.devId) ?? 'ok';
          if (b === 'hang') return new Promise<Value>((_, reject) => ctx.signal.addEventListener('abort', () => reject(new DeviceUnreachable('aborted'))));
          if (b === 'throw') throw new DeviceUnreachable('connection refused');
          if (b === 'plain-throw') throw new TypeError('oops');
          if (path === 'State/Count') return 42;
          if (path === 'State/Flag') return true;
          return values.get(path) ?? '';
        },
        async replace(path, v) {
          if (v === 'bad') throw new BadValue('not that');
          values.set(path, v);
        },
        async exec(path, arg, ctx) {
          if (path === 'Later') return { done: false, later: new Promise((r) => setTimeout(() => r({ data: `later:${ctx.authority}` }), 20)) };
          if (values.get('In/Arg') === 'fault') throw new AdapterError('Browse: UPnP error 501: Action Failed');
          if (values.get('In/Arg') === 'nosup') throw new NotSupported('Browse: UPnP error 401: Invalid Action');
          return { done: true, data: `ran:${arg ?? ''}` };
        },
        onChange: (cb) => void emitters.set(d.devId, cb),
        async detach() {
          attached.delete(d.devId);
        },
      };
      return h;
    },
  };
  return { adapter, behaviour, attached, emitters, attaches: () => attaches };
}

function setup() {
  const store = openStore(':memory:');
  const config = {
    device: { devId: 'urn:dev:test', man: 'T', mod: 'T', lang: 'en-US' },
    discovery: { mdns: false, ssdp: false, ttlSeconds: 60, serviceTypes: ['_ipp._tcp'] },
    authorities: [{
      account: 'isp', serverId: SID, protocol: 'dm1.2', serverUri: 'http://127.0.0.1:9/dm', notifyUri: null, encoding: 'xml',
      auth: { type: 'DIGEST', clientName: 'gw', clientSecret: 's', serverSecret: null }, pollSeconds: 86400,
      tls: { ca: null, pinSha256: null, cert: null, key: null }, bootstrap: false,
    }],
  };
  const fake = fakeAdapter('fake');
  const bundle = createTree({ store, config, log, adapters: ['fake'] });
  const inv = createInventory({
    store, tree: bundle.tree, settings: bundle.settings, accounts: bundle.accounts, outbox: new OutboxRepo(store.db), log,
    describe: async () => ({ ok: false, reason: 'test' }), mac: () => undefined, debounceMs: 50,
  });
  inv.mount();
  const changes: string[] = [];
  bundle.events.on('tree.changed', ({ uri }) => changes.push(uri));
  const host = new AdapterHost({
    adapters: [fake.adapter], devices: inv.inventory, settings: bundle.settings, events: bundle.events, log,
    deadlines: { getMs: 150, execMs: 150 }, retryMs: 50, changes: { intervalMs: 100, maxPerFlush: 2 },
    guard: { breakAfter: 2, breakMs: 400 },
  });
  inv.provider.delegateMo(host.mo);
  host.start();
  const sight = (id: string, uuid: string, addr: string): SightingInput => ({
    source: 'ssdp', key: `uuid:${uuid}::upnp:rootdevice`, address: addr, seenAt: Date.now(),
    ssdp: { uuid, location: `http://${addr}:8200/rootDesc.xml`, server: 'x' },
  });
  const close = async (): Promise<void> => {
    await host.stop();
    inv.stop();
    store.close();
  };
  return { bundle, inv, host, fake, changes, sight, close, tree: bundle.tree };
}

const until = async (f: () => boolean, ms = 2000): Promise<void> => {
  const t0 = Date.now();
  while (!f()) {
    if (Date.now() - t0 > ms) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

const ctx = setup();
after(() => ctx.close());

test('an online device is attached; its MO subtree is served through the inventory with typed values', async () => {
  const { inv, tree, sight, host } = ctx;
  inv.inventory.sighted(sight(DEV, 'aaaa-1', '10.0.0.5'));
  await until(() => host.attached().has(DEV));
  const dev = await tree.get(`./GwMO/DevInventory/Devices/${DEV}`, SID);
  assert.ok(dev.value?.children?.includes('MO'));
  const root = await tree.get(MO(DEV), SID);
  assert.deepEqual(root.value?.children, ['State', 'In', 'Run', 'Later'], 'the invalid segment "bad seg" is dropped');
  assert.equal((await tree.get(MO(DEV, 'State/Count'), SID)).value?.value, '42');
  const flag = await tree.get(MO(DEV, 'State/Flag'), SID);
  assert.deepEqual([flag.value?.format, flag.value?.value], ['bool', 'true']);
  assert.equal((await tree.get(`./GwMO/DevInventory/Devices/${DEV}/Adapter`, SID)).value?.value, 'fake');
});

test('Replace and Exec reach the handle; typed errors become DM statuses', async () => {
  const { tree } = ctx;
  assert.equal((await tree.replace(MO(DEV, 'In/Arg'), { data: 'hello' }, SID)).status, 200);
  assert.equal((await tree.get(MO(DEV, 'In/Arg'), SID)).value?.value, 'hello');
  assert.equal((await tree.replace(MO(DEV, 'In/Arg'), { data: 'bad' }, SID)).status, 400);
  assert.equal((await tree.replace(MO(DEV, 'State/Count'), { data: '1' }, SID)).status, 405);
  assert.deepEqual(await tree.exec(MO(DEV, 'Run'), 'x', SID), { status: 200, data: 'ran:x' });
  await tree.replace(MO(DEV, 'In/Arg'), { data: 'fault' }, SID);
  const f = await tree.exec(MO(DEV, 'Run'), undefined, SID);
  assert.equal(f.status, 500);
  assert.match(f.reason ?? '', /UPnP error 501/);
  await tree.replace(MO(DEV, 'In/Arg'), { data: 'nosup' }, SID);
  assert.equal((await tree.exec(MO(DEV, 'Run'), undefined, SID)).status, 406);
  assert.equal((await tree.exec(MO(DEV, 'State/Count'), undefined, SID)).status, 405);
});

test('an accepted Exec answers 202 and completes later', async () => {
  let done: { status: number; data?: string } | undefined;
  const r = await ctx.tree.exec(MO(DEV, 'Later'), undefined, SID, { complete: (o) => (done = o) });
  assert.equal(r.status, 202);
  await until(() => done !== undefined);
  assert.deepEqual(done, { status: 200, data: `later:${SID}` });
});

test('a hanging device times out (and then fails fast) while another device answers at once', async () => {
  const { inv, tree, sight, host, fake } = ctx;
  inv.inventory.sighted(sight(DEV2, 'bbbb-2', '10.0.0.6'));
  await until(() => host.attached().has(DEV2));
  fake.behaviour.set(DEV, 'hang');
  const t0 = Date.now();
  const slow = Promise.resolve(tree.get(MO(DEV, 'State/Count'), SID)).then(() => 'resolved', (e: { status?: number; message: string }) => e);
  const other = await tree.get(MO(DEV2, 'State/Count'), SID);
  assert.equal(other.value?.value, '42');
  assert.ok(Date.now() - t0 < 100, 'the other device is not stalled');
  const e = (await slow) as { status: number; message: string };
  assert.equal(e.status, 500);
  assert.match(e.message, /timeout/);
  await assert.rejects(Promise.resolve(tree.get(MO(DEV, 'State/Count'), SID)), /timeout/);
  const t1 = Date.now();
  await assert.rejects(Promise.resolve(tree.get(MO(DEV, 'State/Count'), SID)), /not responding/);
  assert.ok(Date.now() - t1 < 50, 'breaker open: fails fast');
  await new Promise((r) => setTimeout(r, 450));
  fake.behaviour.set(DEV, 'throw');
  await assert.rejects(Promise.resolve(tree.get(MO(DEV, 'State/Count'), SID)), (err: { status: number; message: string }) => err.status === 500 && /unreachable/.test(err.message));
  fake.behaviour.set(DEV, 'plain-throw');
  await assert.rejects(Promise.resolve(tree.get(MO(DEV, 'State/Count'), SID)), /adapter failed: oops/);
  fake.behaviour.set(DEV, 'ok');
  assert.equal((await tree.get(MO(DEV, 'State/Count'), SID)).value?.value, '42');
});

test('a flood of changes is coalesced and rate-limited into tree.changed events', async () => {
  const { fake, changes } = ctx;
  changes.length = 0;
  const emit = fake.emitters.get(DEV)!;
  for (let i = 0; i < 1000; i++) emit(i % 2 === 0 ? 'State/Count' : 'State/Flag', i);
  emit('Not/A/Node', 1);
  await new Promise((r) => setTimeout(r, 250));
  assert.ok(changes.length >= 2 && changes.length <= 4, `coalesced: ${changes.length}`);
  assert.deepEqual([...new Set(changes)].sort(), [MO(DEV, 'State/Count'), MO(DEV, 'State/Flag')]);
});

test('offline detaches (MO disappears), back online reattaches', async () => {
  const { inv, tree, sight, host, fake } = ctx;
  const s = sight(DEV, 'aaaa-1', '10.0.0.5');
  inv.inventory.lost(s);
  assert.equal(host.attached().has(DEV), false);
  assert.equal((await tree.get(MO(DEV), SID)).status, 404);
  await until(() => !fake.attached.has(DEV));
  const n = fake.attaches();
  inv.inventory.sighted(s);
  await until(() => host.attached().has(DEV));
  assert.equal(fake.attaches(), n + 1);
  assert.equal((await tree.get(MO(DEV, 'State/Count'), SID)).value?.value, '42');
});

test('./Bridge/Adapters/<name>/Enabled applies live', async () => {
  const { tree, host } = ctx;
  assert.equal((await tree.get('./Bridge/Adapters/fake/Enabled', SID)).value?.value, 'true');
  assert.equal((await tree.replace('./Bridge/Adapters/fake/Enabled', { data: 'false' }, SID)).status, 200);
  assert.equal(host.attached().size, 0);
  assert.equal((await tree.get(`./GwMO/DevInventory/Devices/${DEV}/Adapter`, SID)).value?.value, '');
  assert.equal((await tree.replace('./Bridge/Adapters/fake/Enabled', { data: 'true' }, SID)).status, 200);
  await until(() => host.attached().size === 2);
});
