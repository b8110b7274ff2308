import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import Router from '@koa/router';
import Koa from 'koa';
import { deviceJson, deviceRoutes, notModified, type DeviceLike, type DeviceLister } from '../../../bridge/api/routes/devices.js';

async function withApi(devices: DeviceLister, fn: (url: string) => Promise<void>): Promise<void> {
  const app = new Koa();
  const router = new Router();
  deviceRoutes(router, devices);
  app.use(router.routes());
  const s = createServer(app.callback());
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  try {
    await fn(`http://127.0.0.1:${(s.address() as AddressInfo).port}/api/v1/devices`);
  } finally {
    await new Promise((r) => s.close(r));
  }
}

const dev = (i: number, over: Partial<DeviceLike> = {}): DeviceLike => ({
  devId: `mdns-d${i}`, name: `Dev "${i}" <é>`, type: 'printer', manufacturer: 'Acme', model: '', protocols: ['mdns', 'upnp'],
  address: `10.0.0.${i}`, status: 'online', lastSeen: Date.UTC(2025, 0, 2, 3, 4, i), adapter: i % 2 ? 'ipp' : '', ...over,
});

/** A lister like the inventory: rows mutated in place, a version bumped on each change, list() calls counted. */
function lister(rows: DeviceLike[]) {
  const o = { rows, v: 0, calls: 0 };
  const devices: DeviceLister = { list: () => (o.calls++, o.rows), version: () => o.v };
  return { o, devices };
}

describe('GET /api/v1/devices body cache', () => {
  test('bytes and content type are exactly what koa sent for the array before (JSON.stringify, utf-8)', async () => {
    const rows = [dev(1), dev(2, { lastSeen: 0, status: 'offline' })];
    for (const devices of [lister(rows).devices, { list: () => rows }]) {
      await withApi(devices, async (url) => {
        const res = await fetch(url);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
        assert.equal(await res.text(), JSON.stringify(rows.map(deviceJson)));
        assert.match(res.headers.get('etag') ?? '', /^"[A-Za-z0-9_-]{27}"$/);
        assert.equal(res.headers.get('cache-control'), 'no-cache');
      });
    }
  });

  test('built once per version; a change (LastSeen only) is visible on the very next request', async () => {
    const { o, devices } = lister([dev(1), dev(2)]);
    await withApi(devices, async (url) => {
      const first = await (await fetch(url)).text();
      await fetch(url);
      await fetch(url);
      assert.equal(o.calls, 1, 'cached while the version stands');
      o.rows[0]!.lastSeen += 1000; // in place, as the inventory does
      o.v++;
      const next = (await (await fetch(url)).json()) as Array<{ lastSeen: string }>;
      assert.equal(next[0]!.lastSeen, '2025-01-02T03:04:02.000Z');
      assert.notEqual(JSON.stringify(next), first);
      assert.equal(o.calls, 2);
      o.rows.push(dev(3));
      o.v++;
      assert.equal(((await (await fetch(url)).json()) as unknown[]).length, 3);
    });
  });

  test('If-None-Match: 304 with the current ETag, 200 with the new body after a change', async () => {
    const { o, devices } = lister([dev(1)]);
    await withApi(devices, async (url) => {
      const a = await fetch(url);
      const etag = a.headers.get('etag')!;
      await a.arrayBuffer();
      const b = await fetch(url, { headers: { 'if-none-match': etag } });
      assert.equal(b.status, 304);
      assert.equal(await b.text(), '');
      o.rows[0]!.status = 'offline';
      o.v++;
      const c = await fetch(url, { headers: { 'if-none-match': etag } });
      assert.equal(c.status, 200);
      assert.notEqual(c.headers.get('etag'), etag);
      assert.equal(((await c.json()) as Array<{ status: string }>)[0]!.status, 'offline');
      // same content under another version (e.g. after a restart): same ETag, still 304
      const cur = c.headers.get('etag')!;
      o.v += 5;
      assert.equal((await fetch(url, { headers: { 'if-none-match': cur } })).status, 304);
    });
  });

  test('notModified: list, weak tags, *, no header', () => {
    assert.equal(notModified('', '"a"'), false);
    assert.equal(notModified('"b", W/"a"', '"a"'), true);
    assert.equal(notModified('*', '"a"'), true);
    assert.equal(notModified('"ab"', '"a"'), false);
  });

  test('without a version source every request builds the body (nothing cached)', async () => {
    const rows = [dev(1)];
    let calls = 0;
    await withApi({ list: () => (calls++, rows) }, async (url) => {
      await (await fetch(url)).arrayBuffer();
      rows[0]!.name = 'renamed';
      assert.equal(((await (await fetch(url)).json()) as Array<{ name: string }>)[0]!.name, 'renamed');
      assert.equal(calls, 2);
    });
  });
});
