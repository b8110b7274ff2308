// Review finding 7 end to end: DM 2.0 MAs SUB ./GwMO/DevInventory/Devices in a real session (the
// DM2-BINDING example); a device joins and leaves; in the next session each MA receives each event
// exactly once: the MA that set DeviceEvents=false through its SUB, the other through the device
// event rule only (not a second time through its SUB).
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { silentLogger } from '../../bridge/core/logger.js';
import { createInventory, type InventoryService, type SightingInput } from '../../bridge/inventory/index.js';
import { dm2Harness, type Dm2Harness } from './dm2-harness.js';

let h: Dm2Harness;
let inv: InventoryService;
afterEach(async () => {
  inv?.stop();
  await h?.close();
});

test('SUB Devices [joined,left,changed]: joined and left reach each MA once, with or without DeviceEvents', async () => {
  h = await dm2Harness([{ account: 'isp', serverId: 'dm2.isp.example' }, { account: 'sec', serverId: 'dm2.sec.example' }]);
  const row = h.accounts.get('isp')!;
  h.accounts.update({ ...row, data: JSON.stringify({ ...JSON.parse(row.data), deviceEvents: false }) });
  inv = createInventory({
    store: h.store, tree: h.tree, settings: h.settings, accounts: h.accounts, outbox: h.outbox, log: silentLogger(), events: h.events,
    describe: () => Promise.reject(new Error('no description in this test')), mac: () => undefined, debounceMs: 10,
  });
  inv.mount();
  for (const a of ['isp', 'sec']) {
    h.dm2.get(a)!.queue([{ id: 7, cmd: 'SUB', uri: './GwMO/DevInventory/Devices', events: ['joined', 'left', 'changed'] }]);
    assert.equal((await h.session(a)).outcome, 'ok');
    assert.equal(h.dm2.get(a)!.sessions[0]!.results[0]?.status, 200);
  }
  const p: SightingInput = {
    source: 'mdns', key: 'Lab._ipp._tcp.local', address: '10.0.0.40', seenAt: Date.now(),
    mdns: { instance: 'Lab', serviceType: '_ipp._tcp', host: 'lab.local', port: 631, txt: {} },
  };
  inv.inventory.sighted(p);
  await new Promise((r) => setTimeout(r, 40));
  inv.inventory.lost(p);
  await new Promise((r) => setTimeout(r, 40));
  inv.inventory.flushEvents();
  for (const a of ['isp', 'sec']) {
    assert.equal((await h.session(a)).outcome, 'ok');
    const got = h.dm2.get(a)!.sessions[1]!.alerts.map((x) => [x.type, x.source]);
    assert.deepEqual(got, [
      ['org.dmbridge.device.joined', './GwMO/DevInventory/Devices/mdns-lab'],
      ['org.dmbridge.device.left', './GwMO/DevInventory/Devices/mdns-lab'],
    ], `${a}: each event once`);
  }
});
