import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { silentLogger } from '../../../bridge/core/logger.js';
import { keptTxt, TXT_KEYS } from '../../../bridge/inventory/classify.js';
import { createInventory, type SightingInput } from '../../../bridge/inventory/index.js';
import { openStore } from '../../../bridge/store/db.js';
import { DevicesRepo } from '../../../bridge/store/devices-repo.js';
import { OutboxRepo } from '../../../bridge/store/outbox-repo.js';
import { createTree } from '../../../bridge/tree/index.js';

const dir = mkdtempSync(join(tmpdir(), 'dmb-txt-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const config = {
  device: { devId: 'urn:dev:test', man: 'T', mod: 'T', lang: 'en-US' },
  discovery: { mdns: true, ssdp: false, ttlSeconds: 60, serviceTypes: ['_ipp._tcp'] },
  authorities: [],
};
const sighting = (txt: Record<string, string>, port = 631): SightingInput => ({
  source: 'mdns', key: 'lab._ipp._tcp.local', address: '10.0.0.7', seenAt: 1000,
  mdns: { instance: 'Lab', serviceType: '_ipp._tcp', host: 'lab.local', port, txt },
});

test('keptTxt keeps only the TXT keys adapters use', () => {
  assert.deepEqual(TXT_KEYS, ['rp']);
  assert.deepEqual(keptTxt({ rp: 'ipp/print', ty: 'Lab', pdl: 'application/pdf' }), { rp: 'ipp/print' });
  assert.equal(keptTxt({ ty: 'Lab' }), undefined);
  assert.deepEqual(keptTxt({ rp: '' }), { rp: '' });
});

test('the inventory stores each mDNS service with its port and TXT rp, persisted; other TXT changes raise no change', () => {
  const file = join(dir, 'a.db');
  const store = openStore(file);
  const bundle = createTree({ store, config, log: silentLogger() });
  const inv = createInventory({
    store, tree: bundle.tree, settings: bundle.settings, accounts: bundle.accounts, outbox: new OutboxRepo(store.db), log: silentLogger(),
    debounceMs: 20, describe: async () => ({ ok: false, reason: 'none' }), mac: () => undefined,
  });
  inv.inventory.sighted(sighting({ rp: 'printers/lab', ty: 'Lab', note: 'hall' }));
  const [dev] = inv.inventory.list();
  assert.deepEqual(dev!.services, [{ protocol: 'mdns', type: '_ipp._tcp', id: 'Lab', port: 631, url: 'lab.local', txt: { rp: 'printers/lab' } }]);
  const v = inv.inventory.version();
  const before = JSON.stringify(inv.inventory.get(dev!.devId));
  inv.inventory.sighted(sighting({ rp: 'printers/lab', ty: 'Lab', note: 'moved to the office' }));
  assert.equal(JSON.stringify(inv.inventory.get(dev!.devId)), before, 'an unused TXT key is not kept');
  assert.ok(inv.inventory.version() > v);
  inv.inventory.sighted(sighting({ ty: 'Lab' }, 8631));
  assert.deepEqual(inv.inventory.get(dev!.devId)!.services[0], { protocol: 'mdns', type: '_ipp._tcp', id: 'Lab', port: 8631, url: 'lab.local' });
  inv.inventory.sighted(sighting({ rp: 'ipp/print' }, 8631));
  inv.stop();
  assert.deepEqual(new DevicesRepo(store.db).all()[0]!.services[0]!.txt, { rp: 'ipp/print' }, 'persisted');
  store.close();
});
