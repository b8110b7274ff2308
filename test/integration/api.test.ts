import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenMatches } from '../../bridge/api/auth.js';
import { connectUrl } from '../../bridge/api/client.js';
import { createApiServer, type ApiServer } from '../../bridge/api/server.js';
import type { TreeReader } from '../../bridge/api/types.js';
import { createApp } from '../../bridge/app.js';
import { parseConfig, type BridgeConfig } from '../../bridge/config.js';
import { BridgeError } from '../../bridge/core/errors.js';
import { createLogger, silentLogger } from '../../bridge/core/logger.js';

const dir = mkdtempSync(join(tmpdir(), 'dmb-api-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function config(over: Record<string, unknown> = {}): BridgeConfig {
  return parseConfig({
    store: { path: join(dir, `db${++n}`, 'bridge.db') },
    api: { host: '127.0.0.1', port: 0 },
    log: { level: 'silent' },
    discovery: { mdns: false, ssdp: false },
    authorities: [
      { account: 'isp', serverId: 'dm.isp.example', protocol: 'dm1.2', serverUri: 'https://isp.example/dm',
        auth: { type: 'DIGEST', clientName: 'gw', clientSecret: 'client-secret-isp' } },
      { account: 'sec', serverId: 'dm.sec.example', protocol: 'dm2.0', serverUri: 'https://sec.example/dm',
        auth: { type: 'HTTP-DIGEST', clientName: 'gw', clientSecret: 'client-secret-sec' } },
    ],
    ...over,
  });
}

interface Reply {
  status: number;
  headers: Headers;
  json: unknown;
}

async function get(base: string, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  const res = await fetch(base + path, { headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

const tree = (uri: string, as?: string): string =>
  `/api/v1/tree?${new URLSearchParams(as === undefined ? { uri } : { uri, as }).toString()}`;

function assertError(r: Reply, http: number, code: string, dm?: number): void {
  assert.equal(r.status, http);
  const body = r.json as { error: { code: string; message: string; status?: number } };
  assert.deepEqual(Object.keys(body), ['error']);
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, 'string');
  assert.ok(body.error.message.length > 0);
  assert.equal(body.error.status, dm);
}

/** Raw HTTP (fetch forbids some of what these tests send): returns status and body text. */
function raw(base: string, opts: { method: string; path: string; headers?: Record<string, string>; body?: Buffer; chunks?: Buffer[] }): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: opts.method, path: opts.path, headers: opts.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    if (opts.chunks) for (const c of opts.chunks) req.write(c);
    req.end(opts.body);
  });
}

describe('local API with the real tree (no token)', () => {
  const app = createApp(config(), { log: silentLogger() });
  let base = '';
  before(async () => {
    await app.start();
    const a = app.apiAddress();
    assert.notEqual(a.port, 0);
    base = connectUrl(a.host, a.port);
  });
  after(() => app.stop());

  test('GET /healthz', async () => {
    const r = await get(base, '/healthz');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /application\/json/);
    assert.deepEqual(r.json, { status: 'ok' });
  });

  test('a leaf: uri, format, type, value', async () => {
    const r = await get(base, tree('./DevInfo/DevId'));
    assert.equal(r.status, 200);
    assert.deepEqual(r.json, { uri: './DevInfo/DevId', format: 'chr', type: 'text/plain', value: 'urn:dev:mac:000000000000' });
  });

  test('an interior node: uri, format, type, children', async () => {
    const r = await get(base, tree('./DevInfo'));
    assert.equal(r.status, 200);
    const body = r.json as Record<string, unknown>;
    assert.deepEqual(Object.keys(body), ['uri', 'format', 'type', 'children']);
    assert.equal(body.format, 'node');
    assert.deepEqual([...(body.children as string[])].sort(), ['DevId', 'DmV', 'Lang', 'Man', 'Mod']);
  });

  test('the root, as "." and "./"', async () => {
    for (const uri of ['.', './']) {
      const r = await get(base, tree(uri));
      assert.equal(r.status, 200);
      const body = r.json as { uri: string; children: string[] };
      assert.equal(body.uri, '.');
      for (const c of ['DevInfo', 'DevDetail', 'DMAcc', 'Bridge']) assert.ok(body.children.includes(c), c);
    }
  });

  test('accounts from the config appear under ./DMAcc', async () => {
    const r = await get(base, tree('./DMAcc'));
    assert.deepEqual([...(r.json as { children: string[] }).children].sort(), ['isp', 'sec']);
  });

  test('as=SERVERID applies that authority\'s ACL: own account readable, other denied (425 -> 403)', async () => {
    const own = await get(base, tree('./DMAcc/isp/ServerID', 'dm.isp.example'));
    assert.equal(own.status, 200);
    assert.equal((own.json as { value: string }).value, 'dm.isp.example');
    assertError(await get(base, tree('./DMAcc/isp/ServerID', 'dm.sec.example')), 403, 'PERMISSION_DENIED', 425);
  });

  test('unknown node -> 404 with DM status', async () => {
    assertError(await get(base, tree('./NoSuchNode')), 404, 'NODE_NOT_FOUND', 404);
  });

  test('a secret leaf is never readable -> 405', async () => {
    assertError(await get(base, tree('./DMAcc/isp/AppAuth/Client/AAuthSecret')), 405, 'NOT_ALLOWED', 405);
  });

  test('malformed URIs -> 400; over the tree limits -> 414', async () => {
    assertError(await get(base, tree('./a//b')), 400, 'URI_INVALID', 400);
    assertError(await get(base, tree('./DevInfo/')), 400, 'URI_INVALID', 400);
    assertError(await get(base, tree(`./${'a/'.repeat(40)}b`)), 414, 'URI_TOO_LONG', 414);
    assertError(await get(base, tree(`./${'s'.repeat(300)}`)), 414, 'URI_TOO_LONG', 414);
  });

  test('missing or repeated query parameters -> 400', async () => {
    assertError(await get(base, '/api/v1/tree'), 400, 'BAD_REQUEST');
    assertError(await get(base, '/api/v1/tree?uri='), 400, 'BAD_REQUEST');
    assertError(await get(base, '/api/v1/tree?uri=.&uri=./DevInfo'), 400, 'BAD_REQUEST');
    assertError(await get(base, '/api/v1/tree?uri=.&as='), 400, 'BAD_REQUEST');
  });

  test('unknown route -> 404 JSON; wrong method -> 405 JSON', async () => {
    assertError(await get(base, '/nope'), 404, 'NOT_FOUND');
    const r = await raw(base, { method: 'POST', path: '/healthz' });
    assert.equal(r.status, 405);
    assert.equal((JSON.parse(r.body) as { error: { code: string } }).error.code, 'METHOD_NOT_ALLOWED');
  });

  test('URL over 8 KiB -> 414 (no DM status)', async () => {
    const long = `./${'x'.repeat(9000)}`;
    assertError(await get(base, tree(long)), 414, 'URI_TOO_LONG');
    // just under the HTTP limit still reaches the tree (which then applies its own limit)
    assertError(await get(base, tree(`./${'y'.repeat(7000)}`)), 414, 'URI_TOO_LONG', 414);
  });

  test('declared body over 64 KiB -> 413', async () => {
    const body = Buffer.alloc(64 * 1024 + 1, 0x61);
    const r = await raw(base, { method: 'POST', path: '/healthz', headers: { 'content-length': String(body.length) }, body });
    assert.equal(r.status, 413);
    assert.equal((JSON.parse(r.body) as { error: { code: string } }).error.code, 'TOO_LARGE');
  });

  test('chunked body over 64 KiB -> 413; a small body is accepted', async () => {
    const chunks = Array.from({ length: 5 }, () => Buffer.alloc(16 * 1024, 0x62));
    const r = await raw(base, { method: 'POST', path: '/healthz', headers: { 'transfer-encoding': 'chunked' }, chunks });
    assert.equal(r.status, 413);
    const ok = await raw(base, { method: 'GET', path: tree('./DevInfo/Man'), headers: { 'content-type': 'text/plain', 'content-length': '5' }, body: Buffer.from('hello') });
    assert.equal(ok.status, 200);
  });

  test('the server still serves after rejected requests', async () => {
    assert.equal((await get(base, '/healthz')).status, 200);
  });
});

describe('local API with a token', () => {
  const TOKEN = 'tok-3f9a8c';
  const app = createApp(config({ api: { host: '127.0.0.1', port: 0, token: TOKEN } }), { log: silentLogger() });
  let base = '';
  before(async () => {
    await app.start();
    base = connectUrl(app.apiAddress().host, app.apiAddress().port);
  });
  after(() => app.stop());

  test('/healthz needs no token', async () => {
    assert.equal((await get(base, '/healthz')).status, 200);
  });

  test('no header -> 401 with WWW-Authenticate', async () => {
    const r = await get(base, tree('./DevInfo'));
    assertError(r, 401, 'UNAUTHORIZED');
    assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/);
  });

  test('wrong token, wrong scheme, token prefix -> 401', async () => {
    assertError(await get(base, tree('./DevInfo'), { authorization: 'Bearer nope' }), 401, 'UNAUTHORIZED');
    assertError(await get(base, tree('./DevInfo'), { authorization: `Basic ${TOKEN}` }), 401, 'UNAUTHORIZED');
    assertError(await get(base, tree('./DevInfo'), { authorization: `Bearer ${TOKEN.slice(0, -1)}` }), 401, 'UNAUTHORIZED');
    assertError(await get(base, tree('./DevInfo'), { authorization: `Bearer ${TOKEN}x` }), 401, 'UNAUTHORIZED');
  });

  test('unknown routes need the token too', async () => {
    assertError(await get(base, '/nope'), 401, 'UNAUTHORIZED');
  });

  test('the right token -> 200 (scheme case-insensitive)', async () => {
    assert.equal((await get(base, tree('./DevInfo'), { authorization: `Bearer ${TOKEN}` })).status, 200);
    assert.equal((await get(base, tree('./DevInfo'), { authorization: `bearer ${TOKEN}` })).status, 200);
  });

  test('tokenMatches is exact', () => {
    assert.equal(tokenMatches('abc', 'abc'), true);
    assert.equal(tokenMatches('abc', 'abd'), false);
    assert.equal(tokenMatches('abc', 'abcd'), false);
    assert.equal(tokenMatches('abc', ''), false);
  });
});

describe('API error middleware', () => {
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', destination: { write: (s: string) => void lines.push(s) } });
  const stub: TreeReader = {
    get(uri) {
      if (uri === './boom') throw new Error('secret internal detail');
      if (uri === './typed') throw new BridgeError('STORE_FAILURE', 'store is gone');
      if (uri === './async') return Promise.resolve({ status: 200, value: { uri, format: 'int', type: 'text/plain', value: '7' } });
      if (uri === './nil') return { status: 200 };
      return { status: 406, reason: 'feature off' };
    },
  };
  let server: ApiServer;
  let base = '';
  before(async () => {
    server = createApiServer({ host: '127.0.0.1', port: 0, token: null, tree: stub, log });
    await server.start();
    base = connectUrl('127.0.0.1', server.address().port);
  });
  after(() => server.stop());

  test('an unexpected error is a 500 without internals, and is logged', async () => {
    const r = await get(base, tree('./boom'));
    assertError(r, 500, 'INTERNAL');
    assert.ok(!JSON.stringify(r.json).includes('secret internal detail'));
    assert.ok(lines.some((l) => l.includes('secret internal detail')), 'logged');
  });

  test('a BridgeError keeps its code and DM status', async () => {
    assertError(await get(base, tree('./typed')), 500, 'STORE_FAILURE', 510);
  });

  test('an async tree answer; a 200 without a value is an error', async () => {
    assert.deepEqual((await get(base, tree('./async'))).json, { uri: './async', format: 'int', type: 'text/plain', value: '7' });
    assertError(await get(base, tree('./nil')), 500, 'COMMAND_FAILED', 500);
  });

  test('other DM statuses map through httpStatusOf and keep the reason', async () => {
    const r = await get(base, tree('./other'));
    assertError(r, 406, 'NOT_SUPPORTED', 406);
    assert.equal((r.json as { error: { message: string } }).error.message, 'feature off');
  });

  test('start twice is harmless; stop frees the port', async () => {
    const s = createApiServer({ host: '127.0.0.1', port: 0, token: null, tree: stub, log: silentLogger() });
    await s.start();
    await s.start();
    const port = s.address().port;
    await s.stop();
    await s.stop();
    await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`));
  });

  test('a busy port is a clear startup error', async () => {
    const s = createApiServer({ host: '127.0.0.1', port: server.address().port, token: null, tree: stub, log: silentLogger() });
    await assert.rejects(s.start(), { message: /^api: cannot listen on 127\.0\.0\.1:\d+ \(EADDRINUSE\)$/ });
  });
});

describe('createApp lifecycle', () => {
  test('stop closes the API and then the store; data persists across apps', async () => {
    const cfg = config();
    const app = createApp(cfg, { log: silentLogger() });
    await app.start();
    const port = app.apiAddress().port;
    app.store.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('probe', '1');
    await app.stop();
    assert.equal(app.store.db.open, false);
    await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`));
    const again = createApp(cfg, { log: silentLogger() });
    try {
      assert.equal(again.store.db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get('probe'), '1');
    } finally {
      await again.stop();
    }
  });

  test('a failing start leaves the store closable', async () => {
    const blocker = createApp(config(), { log: silentLogger() });
    await blocker.start();
    const app = createApp(config({ api: { host: '127.0.0.1', port: blocker.apiAddress().port } }), { log: silentLogger() });
    await assert.rejects(app.start(), /EADDRINUSE/);
    await app.stop();
    assert.equal(app.store.db.open, false);
    await blocker.stop();
  });
});
