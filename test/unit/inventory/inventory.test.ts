import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { silentLogger } from '../../../bridge/core/logger.js';
import type { DescriptionResult } from '../../../bridge/inventory/description.js';
import { createInventory, type SightingInput } from '../../../bridge/inventory/index.js';
import { openStore, type Store } from '../../../bridge/store/db.js';
import { OutboxRepo } from '../../../bridge/store/outbox-repo.js';
import { createTree } from '../../../bridge/tree/index.js';

const dir = mkdtempSync(join(tmpdir(), 'dmb-inv-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const account = (name: string, serverId: string) => ({
  account: name, serverId, protocol: 'dm1.2', serverUri: 'http://127.0.0.1:9/dm', notifyUri: null, encoding: 'xml',
  auth: { type: 'DIGEST', clientName: 'gw', clientSecret: 's', serverSecret: null }, pollSeconds: 86400,
  tls: { ca: null, pinSha256: null, cert: null, key: null }, bootstrap: false,
});
const config = {
  device: { devId: 'urn:dev:test', man: 'T', mod: 'T', lang: 'en-US' },
  discovery: { mdns: true, ssdp: true, ttlSeconds: 60, serviceTypes: ['_ipp._tcp'] },
  authorities: [account('isp', 'dm.isp'), account('sec', 'dm.sec'), account('oem', 'dm.oem')],
};
const DESC: DescriptionResult = {
  ok: true,
  value: { udn: 'u-1', deviceType: 'urn:schemas-upnp-org:device:MediaServer:1', friendlyName: 'Media', manufacturer: 'Acme', modelName: 'MS', modelNumber: '2',
    presentationUrl: '', services: [{ serviceType: 'urn:x:service:ContentDirectory:1', serviceId: 'cd', controlUrl: 'http://10.0.0.5/ctl', eventSubUrl: '', scpdUrl: '' }], embedded: ['u-emb'] },
};

function open(file: string, macs: Record<string, string> = {}) {
  const store: Store = openStore(file);
  const bundle = createTree({ store, config, log: silentLogger() });
  const outbox = new OutboxRepo(store.db);
  const svc = createInventory({
    store, tree: bundle.tree, settings: bundle.settings, accounts: bundle.accounts, outbox, log: silentLogger(),
    debounceMs: 20, startGraceMs: 60_000, describe: async () => DESC, mac: (a) => macs[a],
  });
  svc.mount();
  const events = (acc: string) => outbox.list(acc, 1000).map((r) => {
    const a = JSON.parse(r.payload) as { data: string; items: Array<{ source: { locUri: string }; meta: { type: string } }> };
    assert.equal(a.data, '1226');
    return `${a.items[0]!.meta.type.replace('org.dmbridge.device.', '')}:${a.items[0]!.source.locUri.split('/').pop()}`;
  });
  return { store, bundle, svc, inv: svc.inventory, events };
}

const mdns = (key: string, address: string, over: Partial<NonNullable<SightingInput['mdns']>> = {}): SightingInput => ({
  source: 'mdns', key, address, seenAt: Date.now(),
  mdns: { instance: 'Lab Printer', serviceType: '_ipp._tcp', host: 'lab.local', port: 631, txt: { usb_mfg: 'LabCorp', usb_mdl: 'P-1' }, ...over },
});
const ssdp = (uuid: string, address: string): SightingInput => ({ source: 'ssdp', key: uuid, address, seenAt: Date.now(), ssdp: { uuid, location: `http://${address}/d.xml`, server: '' } });
const tick = (ms = 60) => new Promise((r) => setTimeout(r, ms));

describe('inventory', () => {
  test('sightings become devices in ./GwMO/DevInventory; mDNS + UPnP of one MAC merge', async () => {
    const { store, bundle, inv } = open(join(dir, 'a.db'), { '10.0.0.5': '0242ac110005' });
    inv.sighted(mdns('lab printer._ipp._tcp.local', '10.0.0.5'));
    inv.sighted(mdns('lab printer._http._tcp.local', '10.0.0.5', { serviceType: '_http._tcp', port: 80 }));
    inv.sighted(ssdp('u-1', '10.0.0.5'));
    await tick(10);
    const t = bundle.tree;
    assert.deepEqual((await t.get('./GwMO/DevInventory/Devices', 'dm.isp')).value?.children, ['mdns-lab-printer.lab']);
    const leaf = async (l: string) => (await t.get(`./GwMO/DevInventory/Devices/mdns-lab-printer.lab/${l}`, 'dm.isp')).value?.value;
    assert.equal(await leaf('Name'), 'Media', 'the UPnP description wins over TXT');
    assert.equal(await leaf('Type'), 'MediaServer');
    assert.equal(await leaf('Manufacturer'), 'Acme');
    assert.equal(await leaf('Model'), 'MS 2');
    assert.equal(await leaf('Protocol'), 'mdns,upnp');
    assert.equal(await leaf('Status'), 'online');
    assert.equal(await leaf('Address'), '10.0.0.5');
    assert.match(String(await leaf('LastSeen')), /^\d{4}-\d\d-\d\dT/);
    assert.equal((await t.replace('./GwMO/DevInventory/Devices/mdns-lab-printer.lab/Name', { data: 'x' }, 'dm.isp')).status, 405);
    assert.deepEqual((await t.get('./GwMO/DevInventory/Groups', null)).value?.children, ['protocol-mdns', 'protocol-upnp', 'type-MediaServer']);
    assert.equal((await t.get('./GwMO/DevInventory/Groups/protocol-upnp/Members', null)).value?.value, 'mdns-lab-printer.lab');
    assert.equal((await t.get('./GwMO/DevInventory/Devices/nope', null)).status, 404);
    assert.equal(inv.get('mdns-lab-printer.lab')!.services.length, 3);
    inv.stop();
    store.close();
  });

  test('DevIDs survive restarts and address changes; devices load offline', async () => {
    const file = join(dir, 'b.db');
    let x = open(file);
    x.inv.sighted(ssdp('u-7', '10.0.0.7'));
    x.inv.sighted(mdns('cam._http._tcp.local', '10.0.0.8', { instance: 'Cam', host: 'cam.local', serviceType: '_http._tcp' }));
    await tick(10);
    const ids = x.inv.list().map((d) => d.devId);
    assert.deepEqual(ids, ['mdns-cam', 'upnp-u-7']);
    x.inv.stop();
    x.store.close();
    x = open(file);
    assert.deepEqual(x.inv.list().map((d) => [d.devId, d.status]), [['mdns-cam', 'offline'], ['upnp-u-7', 'offline']]);
    x.inv.sighted(ssdp('u-7', '10.0.0.99'));
    x.inv.sighted(mdns('cam._http._tcp.local', '10.0.0.98', { instance: 'Cam', host: 'cam.local', serviceType: '_http._tcp' }));
    assert.deepEqual(x.inv.list().map((d) => [d.devId, d.address, d.status]), [['mdns-cam', '10.0.0.98', 'online'], ['upnp-u-7', '10.0.0.99', 'online']]);
    x.inv.stop();
    x.store.close();
  });

  test('events: joined/left/changed debounced, flapping coalesced, per-MA ACL and DeviceEvents=false respected', async () => {
    const { store, bundle, inv, events } = open(join(dir, 'c.db'));
    const acc = bundle.accounts.get('oem')!;
    bundle.accounts.update({ ...acc, data: JSON.stringify({ ...JSON.parse(acc.data), deviceEvents: false }) });
    const s = mdns('p._ipp._tcp.local', '10.0.0.3', { instance: 'P', host: 'p.local' });
    inv.sighted(s);
    await tick();
    assert.deepEqual(events('isp'), ['joined:mdns-p']);
    // narrow the device ACL: "sec" may no longer Get it
    bundle.tree.acls.set('./GwMO/DevInventory/Devices/mdns-p', 'Get=dm.isp');
    for (let i = 0; i < 50; i++) {
      inv.lost(s);
      inv.sighted(s);
    }
    await tick();
    assert.deepEqual(events('isp'), ['joined:mdns-p'], 'a flapping device does not flood');
    inv.sighted({ ...s, mdns: { ...s.mdns!, txt: { usb_mdl: 'P-2' } } });
    await tick();
    inv.lost(s);
    await tick();
    assert.deepEqual(events('isp'), ['joined:mdns-p', 'changed:mdns-p', 'left:mdns-p']);
    assert.deepEqual(events('sec'), ['joined:mdns-p'], 'no Get after the ACL change: no more events');
    assert.deepEqual(events('oem'), [], 'DeviceEvents=false');
    inv.stop();
    store.close();
  });

  test('new device nodes take ./Bridge/Policy/DeviceACL; sightings without identity are ignored', async () => {
    const { store, bundle, inv } = open(join(dir, 'd.db'), { '10.0.0.9': 'aabbccddeeff' });
    bundle.settings.set('policy.deviceAcl', 'Exec=dm.isp&Get=dm.isp');
    inv.sighted(mdns('x._ipp._tcp.local', '10.0.0.9', { instance: '打印机', host: 'プリンタ.local' }));
    inv.sighted({ source: 'mdns', key: 'k', address: '10.0.0.10', seenAt: 1 });
    assert.deepEqual(inv.list().map((d) => d.devId), ['mac-aabbccddeeff']);
    assert.equal(bundle.tree.acls.own('./GwMO/DevInventory/Devices/mac-aabbccddeeff'), 'Exec=dm.isp&Get=dm.isp');
    assert.equal((await bundle.tree.get('./GwMO/DevInventory/Devices/mac-aabbccddeeff/Name', 'dm.sec')).status, 425);
    inv.stop();
    store.close();
  });
});
