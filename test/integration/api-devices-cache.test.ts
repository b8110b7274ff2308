// GET /api/v1/devices with the body cache keyed on the inventory's version(): a real app (discovery
// off, devices put in through the real inventory) and an API server wired as the app wires it.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createApiServer, type ApiServer } from '../../bridge/api/server.js';
import { createApp, type App } from '../../bridge/app.js';
import { parseConfig } from '../../bridge/config.js';
import { silentLogger } from '../../bridge/core/logger.js';
import type { SightingInput } from '../../bridge/inventory/index.js';

const dir = mkdtempSync(join(tmpdir(), 'dmb-api-devcache-'));
const T0 = Date.UTC(2025, 4, 1, 12, 0, 0);

const printer = (i: number, seenAt: number): SightingInput => ({
  source: 'mdns', key: `P${i}._ipp._tcp.local`, address: `10.0.0.${i}`, seenAt,
  mdns: { instance: `P${i}`, serviceType: '_ipp._tcp', host: `p${i}.local`, port: 631, txt: {} },
});

interface Dev { devId: string; status: string; lastSeen: string; address: string; name: string }

describe('GET /api/v1/devices never serves a stale cached body', () => {
  let app: App;
  let api: ApiServer;
  let url = '';
  before(async () => {
    app = createApp(parseConfig({
      store: { path: join(dir, 'bridge.db') }, api: { host: '127.0.0.1', port: 0, token: null }, log: { level: 'silent' },
      discovery: { mdns: false, ssdp: false }, authorities: [],
    }), { log: silentLogger() });
    await app.start();
    const inv = app.inventory.inventory;
    api = createApiServer({
      host: '127.0.0.1', port: 0, token: null, tree: app.tree, log: silentLogger(),
      devices: { list: () => inv.list(), version: () => inv.version() },
    });
    await api.start();
    url = `http://127.0.0.1:${api.address().port}/api/v1/devices`;
  });
  after(async () => {
    await api.stop();
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async (headers: Record<string, string> = {}) => {
    const r = await fetch(url, { headers });
    const text = await r.text();
    return { status: r.status, etag: r.headers.get('etag') ?? '', text, devs: r.status === 200 ? (JSON.parse(text) as Dev[]) : [] };
  };

  test('every kind of change shows on the next request; 304 only while nothing changed', async () => {
    const inv = app.inventory.inventory;
    inv.sighted(printer(1, T0));
    inv.sighted(printer(2, T0));
    const a = await get();
    assert.deepEqual(a.devs.map((d) => [d.devId, d.status, d.lastSeen]), [['mdns-p1', 'online', '2025-05-01T12:00:00.000Z'], ['mdns-p2', 'online', '2025-05-01T12:00:00.000Z']]);
    assert.equal((await get({ 'if-none-match': a.etag })).status, 304);
    assert.equal((await get()).text, a.text, 'same bytes while nothing changed');

    inv.sighted(printer(1, T0 + 5_000)); // LastSeen only (not even persisted yet): the API shows it
    const b = await get({ 'if-none-match': a.etag });
    assert.equal(b.status, 200);
    assert.equal(b.devs[0]!.lastSeen, '2025-05-01T12:00:05.000Z');

    inv.lost(printer(2, T0));
    const c = await get({ 'if-none-match': b.etag });
    assert.equal(c.devs[1]!.status, 'offline');

    inv.sighted({ ...printer(1, T0 + 6_000), address: '10.0.0.99' });
    assert.equal((await get()).devs[0]!.address, '10.0.0.99');

    inv.setAdapter('mdns-p1', 'ipp');
    assert.equal(((await get()).devs[0] as unknown as { adapter: string }).adapter, 'ipp');

    inv.sighted(printer(3, T0));
    const d = await get();
    assert.deepEqual(d.devs.map((x) => x.devId), ['mdns-p1', 'mdns-p2', 'mdns-p3']);
    assert.equal((await get({ 'if-none-match': d.etag })).status, 304);
    // the cached body is exactly what the app's own (uncached or cached) route sends
    const own = await fetch(`http://127.0.0.1:${app.apiAddress().port}/api/v1/devices`);
    assert.equal(await own.text(), d.text);
  });
});
