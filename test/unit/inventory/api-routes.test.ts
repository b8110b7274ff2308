import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import Router from '@koa/router';
import Koa from 'koa';
import { deviceRoutes, type DeviceLike } from '../../../bridge/api/routes/devices.js';
import { readyzRoutes, type MulticastCheck } from '../../../bridge/api/routes/readyz.js';
import { formatDevices } from '../../../bridge/cli-devices.js';

async function withApi(setup: (r: Router) => void, fn: (base: string) => Promise<void>): Promise<void> {
  const app = new Koa();
  const router = new Router();
  setup(router);
  app.use(router.routes());
  const s = createServer(app.callback());
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  try {
    await fn(`http://127.0.0.1:${(s.address() as AddressInfo).port}`);
  } finally {
    await new Promise((r) => s.close(r));
  }
}

const dev: DeviceLike = {
  devId: 'upnp-u1', name: 'Media', type: 'MediaServer', manufacturer: 'Acme', model: 'MS', protocols: ['upnp'], address: '10.0.0.5',
  status: 'online', lastSeen: Date.UTC(2025, 0, 2, 3, 4, 5), adapter: '',
};

describe('API routes of the inventory', () => {
  test('GET /api/v1/devices lists the inventory fields', async () => {
    await withApi((r) => deviceRoutes(r, { list: () => [dev] }), async (base) => {
      const res = await fetch(`${base}/api/v1/devices`);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), [{
        devId: 'upnp-u1', name: 'Media', type: 'MediaServer', manufacturer: 'Acme', model: 'MS', protocols: ['upnp'], address: '10.0.0.5',
        status: 'online', lastSeen: '2025-01-02T03:04:05.000Z', adapter: null,
      }]);
    });
    assert.match(formatDevices([{ ...dev, lastSeen: '2025-01-02T03:04:05.000Z', adapter: null }]), /^DEVID\s+STATUS.*\nupnp-u1\s+online\s+10\.0\.0\.5/);
  });

  test('GET /readyz: 200 when store open and multicast works, 503 with the reason otherwise', async () => {
    let storeOpen = true;
    let check: MulticastCheck | null = null;
    let enabled = true;
    await withApi((r) => readyzRoutes(r, { storeOpen: () => storeOpen, discoveryEnabled: () => enabled, multicast: () => check }), async (base) => {
      const get = async () => { const r = await fetch(`${base}/readyz`); return { status: r.status, body: (await r.json()) as { ready: boolean; checks: { multicast: { detail: string }; store: { ok: boolean } } } }; };
      let r = await get();
      assert.equal(r.status, 503);
      assert.equal(r.body.checks.multicast.detail, 'multicast self-test pending');
      check = { at: 'now', ok: false, problem: 'no multicast-capable interface', interfaces: [] };
      r = await get();
      assert.equal(r.status, 503);
      assert.equal(r.body.checks.multicast.detail, 'no multicast-capable interface');
      check = { at: 'now', ok: true, problem: null, interfaces: [{ name: 'eth0', address: '10.0.0.1', multicast: true }] };
      r = await get();
      assert.equal(r.status, 200);
      assert.equal(r.body.checks.multicast.detail, 'multicast works on eth0');
      storeOpen = false;
      r = await get();
      assert.equal(r.status, 503);
      assert.equal(r.body.checks.store.ok, false);
      storeOpen = true;
      enabled = false;
      check = null;
      assert.equal((await get()).status, 200, 'discovery off: multicast is not needed');
    });
  });
});
