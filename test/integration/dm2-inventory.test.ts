// DM 2.0 HPUT of the whole device inventory (issue 4 "Must show"): the real inventory provider,
// fed with sightings as discovery feeds it, mounted at ./GwMO/DevInventory; an MA PUTs the subtree
// to its Data Repository and GETs one device's node.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { silentLogger } from '../../bridge/core/logger.js';
import { createInventory, type InventoryService } from '../../bridge/inventory/index.js';
import { dm2Harness, type Dm2Harness } from './dm2-harness.js';

let h: Dm2Harness;
let inv: InventoryService;
afterEach(async () => {
  inv?.stop();
  await h?.close();
});

interface JsonNode { format: string; value?: unknown; children?: Record<string, JsonNode> }

describe('DM 2.0 and the device inventory', () => {
  test('HPUT ./GwMO/DevInventory sends every device and group; GET of a device node returns its leaves', async () => {
    h = await dm2Harness([{ account: 'isp', serverId: 'dm2.isp.example' }]);
    inv = createInventory({
      store: h.store, tree: h.tree, settings: h.settings, accounts: h.accounts, outbox: h.outbox, log: silentLogger(),
      describe: () => Promise.reject(new Error('no description in this test')), mac: () => undefined, debounceMs: 10,
    });
    inv.mount();
    const N = 40;
    for (let i = 0; i < N; i++) {
      inv.inventory.sighted({
        source: 'mdns', key: `Printer ${i}._ipp._tcp.local`, address: `10.0.0.${i + 10}`, seenAt: Date.now(),
        mdns: { instance: `Printer ${i}`, serviceType: '_ipp._tcp', host: `printer-${i}.local`, port: 631, txt: { ty: `Lab Printer ${i}`, usb_MFG: 'LabCorp' } },
      });
    }
    const ids = (await h.tree.get('./GwMO/DevInventory/Devices', 'dm2.isp.example')).value?.children ?? [];
    assert.equal(ids.length, N);
    const s = h.dm2.get('isp')!;
    const href = s.href('inv/gw-0001');
    s.queue([
      { id: 1, cmd: 'HPUT', uri: './GwMO/DevInventory', href },
      { id: 2, cmd: 'GET', uri: `./GwMO/DevInventory/Devices/${ids[0]}` },
    ]);
    const report = await h.session('isp');
    assert.equal(report.outcome, 'ok', report.reason);
    const results = s.sessions[0]!.results;
    assert.equal(results.find((r) => r.id === 1)?.status, 200);
    const put = s.drRequests.find((r) => r.method === 'PUT' && r.path === 'inv/gw-0001');
    assert.ok(put, 'the Data Repository got the PUT');
    assert.match(put.contentType, /^application\/json/);
    const doc = JSON.parse(put.body.toString()) as JsonNode & { uri: string };
    assert.equal(doc.uri, './GwMO/DevInventory');
    const devices = doc.children!.Devices!.children!;
    assert.deepEqual(Object.keys(devices).sort(), [...ids].sort());
    const one = devices[ids[0]!]!.children!;
    assert.equal(one.Status!.value, 'online');
    assert.match(String(one.Address!.value), /^10\.0\.0\.\d+$/);
    assert.ok(doc.children!.Groups, 'groups are part of the inventory');
    const got = results.find((r) => r.id === 2)!;
    assert.equal(got.status, 200);
    const node = got.data as unknown as JsonNode;
    assert.equal(node.format, 'node');
    assert.equal(node.children!.Status!.value, 'online');
  });
});
