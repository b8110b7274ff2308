import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createApiServer } from '../../bridge/api/server.js';
import { httpDataRepository } from '../../bridge/authority/dm2-data-repository.js';
import { pinnedLookup } from '../../bridge/authority/safe-destination.js';
import { createLogger } from '../../bridge/core/logger.js';
import { Dm2Ops } from '../../bridge/dm/dm2-ops.js';
import { openStore, type Store } from '../../bridge/store/db.js';
import { createTree } from '../../bridge/tree/index.js';
import type { Tree } from '../../bridge/tree/tree.js';

/**
 * Review finding 1 and 13: an MA's HGET/HPUT/HPOST href never reaches the bridge itself or the
 * local host (except the MA's own serverUri origin), and credentials never travel in clear to
 * another host. Real API server, real HTTP servers on loopback, real SQLite.
 */
const TLS = { ca: null, pinSha256: null, cert: null, key: null };
const acc = (account: string, serverId: string, serverUri: string) => ({
  account, serverId, protocol: 'dm2.0', serverUri, notifyUri: null, encoding: 'xml',
  auth: { type: 'HTTP-BASIC', clientName: `name-of-${account}`, clientSecret: 's3cret', serverSecret: null }, pollSeconds: 86400,
  tls: TLS, bootstrap: false,
});

interface Seen { method: string; url: string; headers: IncomingHttpHeaders }
async function recorder(doc: unknown): Promise<{ server: Server; origin: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(doc));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe('Data Repository destinations', () => {
  let store: Store;
  let tree: Tree;
  let api: ReturnType<typeof createApiServer>;
  let ma: Awaited<ReturnType<typeof recorder>>;
  let other: Awaited<ReturnType<typeof recorder>>;
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', destination: new Writable({ write(c: Buffer, _e, cb) { lines.push(c.toString()); cb(); } }) });
  const doc = { format: 'node', children: { TTL: { format: 'int', value: 60 } } };

  before(async () => {
    ma = await recorder(doc);
    other = await recorder(doc);
    store = openStore(':memory:');
    const config = { device: { devId: 'urn:dev:test', man: 'T', mod: 'T', lang: 'en-US' },
      discovery: { mdns: false, ssdp: false, ttlSeconds: 60, serviceTypes: [] },
      authorities: [acc('isp', 'dm.isp', 'http://127.0.0.1:9/dm'), acc('sec', 'dm.sec', `${ma.origin}/dm`)] };
    tree = createTree({ store, config: config as never, log, adapters: [] }).tree;
    api = createApiServer({ host: '127.0.0.1', port: 0, token: null, tree, log });
    await api.start();
  });
  after(async () => {
    await api.stop();
    store.close();
    ma.server.close();
    other.server.close();
  });

  const ops = (repo = httpDataRepository({ authType: 'HTTP-BASIC', username: 'name-of-sec', password: 's3cret', tls: TLS, timeoutMs: 2000, maxBytes: 1 << 20, serverUri: `${ma.origin}/dm` })): Dm2Ops =>
    new Dm2Ops({ tree, serverId: 'dm.sec', log, repo, subscriptions: { add() {}, remove: () => false } });

  test('HGET from the local API is refused with 403 and leaks nothing (the ACL still holds)', async () => {
    const target = './DMAcc/isp/AppAuth/Client/AAuthName';
    assert.equal((await tree.get(target, 'dm.sec')).status, 425, 'a direct Get is denied');
    const { port } = api.address();
    for (const host of ['127.0.0.1', 'localhost', '[::ffff:127.0.0.1]']) {
      const r = await ops().execute([
        { cmd: 'HGET', id: 1, uri: './Leak', href: `http://${host}:${port}/api/v1/tree?uri=${encodeURIComponent(target)}` },
        { cmd: 'GET', id: 2, uri: './Leak' },
      ]);
      assert.deepEqual(r.map((x) => [x.id, x.status]), [[1, 403], [2, 404]], host);
    }
  });

  test('HPUT/HPOST to another local service (another MA session endpoint) are refused before any request', async () => {
    const r = await ops().execute([
      { cmd: 'HPOST', id: 1, uri: './DevInfo', href: `${other.origin}/api/v1/authorities/isp/session` },
      { cmd: 'HPUT', id: 2, uri: './DevInfo', href: `${other.origin}/put` },
      { cmd: 'HGET', id: 3, uri: './X', href: `${other.origin}/x.json` },
    ]);
    assert.deepEqual(r.map((x) => x.status), [403, 403, 403]);
    assert.equal(other.seen.length, 0);
  });

  test('the Data Repository on the MA serverUri origin works and gets the credentials', async () => {
    const r = await ops().execute([{ cmd: 'HGET', id: 1, uri: './Cfg', href: `${ma.origin}/dr/cfg.json?sig=abc` }]);
    assert.equal(r[0]?.status, 200);
    assert.equal(await tree.exists('./Cfg/TTL'), true);
    const last = ma.seen.at(-1)!;
    assert.equal(last.url, '/dr/cfg.json?sig=abc');
    assert.equal(last.headers.authorization, `Basic ${Buffer.from('name-of-sec:s3cret').toString('base64')}`);
  });

  test('credentials never go over plain http to another origin', async () => {
    // a guard that lets the test reach a second loopback origin (it stands for a plain-http host on the Internet)
    const repo = httpDataRepository({ authType: 'HTTP-BASIC', username: 'name-of-sec', password: 's3cret', tls: TLS, timeoutMs: 2000, maxBytes: 1 << 20,
      serverUri: `${ma.origin}/dm`, guard: async () => ({ address: '127.0.0.1', family: 4, lookup: pinnedLookup('127.0.0.1', 4) }) });
    const r = await ops(repo).execute([{ cmd: 'HGET', id: 1, uri: './Cfg5', href: `${other.origin}/y.json` }]);
    assert.equal(r[0]?.status, 200);
    assert.equal(other.seen.length, 1);
    assert.equal(other.seen[0]?.headers.authorization, undefined);
  });

  test('logs carry the href without its query (pre-signed tokens)', async () => {
    lines.length = 0;
    await ops().execute([{ cmd: 'HGET', id: 1, uri: './Z', href: `http://127.0.0.1:1/x.json?X-Amz-Signature=TOPSECRET` }]);
    const text = lines.join('');
    assert.match(text, /Data Repository GET failed/);
    assert.match(text, /http:\/\/127\.0\.0\.1:1\/x\.json/);
    assert.doesNotMatch(text, /TOPSECRET/);
  });
});
