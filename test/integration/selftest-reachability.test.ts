// `dm-bridge selftest` reachability against real HTTPS and WebSocket servers on loopback (the
// multicast part is skipped here with --no-multicast; test/e2e/selftest-reachability.test.ts runs
// the whole command, DNS failure included, inside a loopback-only namespace).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WebSocketServer } from 'ws';
import { fingerprintSha256 } from '../../bridge/authority/http-transport.js';
import { checkUri, type ReachTarget } from '../../bridge/authority/reachability.js';
import { selftestCommand, selftestTargets } from '../../bridge/cli-selftest.js';
import { loadConfig } from '../../bridge/config.js';
import { readAccountsReadOnly } from '../../bridge/store/accounts-read-only.js';
import { AccountsRepo } from '../../bridge/store/accounts-repo.js';
import { openStore } from '../../bridge/store/db.js';
import { makePki } from './pki.js';

const pki = makePki();
const dir = mkdtempSync(join(tmpdir(), 'dmb-selftest-reach-'));
const NO_TLS = { ca: null, pinSha256: null, cert: null, key: null };
const seen: { method: string; url: string; body: number; auth: boolean }[] = [];
const servers: (Server | ReturnType<typeof createTcpServer>)[] = [];
const sockets = new Set<Socket>();
let httpsPort = 0;
let mtlsPort = 0;
let plainPort = 0;
let silentPort = 0;
let refusedPort = 0;

function record(req: IncomingMessage, res: { writeHead(s: number): unknown; end(): unknown }): void {
  let body = 0;
  req.on('data', (c: Buffer) => { body += c.length; });
  req.on('end', () => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', body, auth: req.headers.authorization !== undefined });
    res.writeHead(req.method === 'POST' ? 400 : 405);
    res.end();
  });
}

/** /ws upgrades, /ws-auth answers 401, any other upgrade path 404. */
function serveUpgrades(server: Server): void {
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    if (req.url === '/ws') wss.handleUpgrade(req, socket, head, (ws) => ws.close());
    else socket.end(`HTTP/1.1 ${req.url === '/ws-auth' ? '401 Unauthorized' : '404 Not Found'}\r\ncontent-length: 0\r\n\r\n`);
  });
}

async function listen(s: Server | ReturnType<typeof createTcpServer>): Promise<number> {
  servers.push(s);
  s.on('connection', (c: Socket) => { sockets.add(c); c.on('close', () => sockets.delete(c)); });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as AddressInfo).port;
}

before(async () => {
  const https = createHttpsServer({ key: pki.serverKey, cert: pki.serverCert }, record);
  serveUpgrades(https);
  httpsPort = await listen(https);
  mtlsPort = await listen(createHttpsServer({ key: pki.serverKey, cert: pki.serverCert, ca: pki.caCert, requestCert: true, rejectUnauthorized: true }, record));
  const plain = createHttpServer(record);
  serveUpgrades(plain);
  plainPort = await listen(plain);
  silentPort = await listen(createTcpServer(() => undefined)); // accepts, never speaks TLS
  const gone = createTcpServer();
  await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r));
  refusedPort = (gone.address() as AddressInfo).port;
  await new Promise((r) => gone.close(r));
});

after(async () => {
  for (const c of sockets) c.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  rmSync(pki.dir, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

const target = (tls: Partial<ReachTarget['tls']> = {}): ReachTarget => ({
  account: 'isp', source: 'config', serverUri: '', notifyUri: null, tls: { ...NO_TLS, ...tls },
});

describe('reachability of one URI', () => {
  test('HTTPS with the MA\'s CA: DNS, TCP, TLS, HTTP pass; the request is an OPTIONS without body or credentials', async () => {
    const n0 = seen.length;
    const r = await checkUri(target({ ca: pki.caCertPath }), 'server', `https://127.0.0.1:${httpsPort}/dm?x=1`);
    assert.equal(r.ok, true, `${r.failedStep}: ${r.reason}`);
    assert.equal(r.status, 405);
    assert.equal(r.address, '127.0.0.1');
    assert.deepEqual(r.steps.map((s) => s.step), ['DNS', 'TCP', 'TLS', 'HTTP']);
    assert.ok(r.ms >= 0 && r.ms < 3000);
    assert.deepEqual(seen.slice(n0), [{ method: 'OPTIONS', url: '/dm?x=1', body: 0, auth: false }]);
  });

  test('a matching SHA-256 pin passes; a wrong pin fails at TLS, named', async () => {
    const pin = fingerprintSha256(pki.serverCert);
    assert.equal((await checkUri(target({ ca: pki.caCert, pinSha256: pin }), 'server', `https://127.0.0.1:${httpsPort}/dm`)).ok, true);
    const r = await checkUri(target({ ca: pki.caCert, pinSha256: 'ab'.repeat(32) }), 'server', `https://127.0.0.1:${httpsPort}/dm`);
    assert.equal(r.ok, false);
    assert.equal(r.failedStep, 'TLS');
    assert.match(r.reason ?? '', /^certificate pin mismatch/);
    assert.deepEqual(r.steps.map((s) => s.step), ['DNS', 'TCP']);
  });

  test('a base64 pin (as the config allows) is converted by loadTls and passes', async () => {
    const pin = Buffer.from(fingerprintSha256(pki.serverCert), 'hex').toString('base64');
    assert.equal((await checkUri(target({ ca: pki.caCert, pinSha256: pin }), 'server', `https://127.0.0.1:${httpsPort}/`)).ok, true);
  });

  test('a certificate from another CA fails at TLS with the verification code', async () => {
    const r = await checkUri(target({ ca: pki.otherCaCertPath }), 'server', `https://127.0.0.1:${httpsPort}/dm`);
    assert.equal(r.failedStep, 'TLS');
    assert.match(r.reason ?? '', /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|ISSUER/);
  });

  test('an unreadable CA file fails at TLS before any network step', async () => {
    const r = await checkUri(target({ ca: join(dir, 'missing.pem') }), 'server', `https://127.0.0.1:${httpsPort}/dm`);
    assert.equal(r.failedStep, 'TLS');
    assert.match(r.reason ?? '', /cannot read tls\.ca .*ENOENT/);
    assert.deepEqual(r.steps, []);
  });

  test('a closed port fails at TCP: ECONNREFUSED', async () => {
    const r = await checkUri(target({ ca: pki.caCertPath }), 'server', `https://127.0.0.1:${refusedPort}/dm`);
    assert.equal(r.ok, false);
    assert.equal(r.failedStep, 'TCP');
    assert.equal(r.reason, 'ECONNREFUSED');
    assert.deepEqual(r.steps.map((s) => s.step), ['DNS']);
  });

  test('a server that never answers the handshake fails at TLS: ETIMEDOUT within the step deadline', async () => {
    const t0 = Date.now();
    const r = await checkUri(target({ ca: pki.caCertPath }), 'server', `https://127.0.0.1:${silentPort}/dm`, { stepTimeoutMs: 300 });
    assert.equal(r.failedStep, 'TLS');
    assert.equal(r.reason, 'ETIMEDOUT');
    assert.ok(Date.now() - t0 < 2000);
  });

  test('TRANSPORT: the client certificate is presented; without it the server\'s refusal is a TLS failure', async () => {
    const url = `https://127.0.0.1:${mtlsPort}/dm`;
    const ok = await checkUri(target({ ca: pki.caCertPath, cert: pki.clientCertPath, key: pki.clientKeyPath }), 'server', url);
    assert.equal(ok.ok, true, `${ok.failedStep}: ${ok.reason}`);
    const refused = await checkUri(target({ ca: pki.caCertPath }), 'server', url);
    assert.equal(refused.ok, false);
    assert.equal(refused.failedStep, 'TLS', `${refused.failedStep}: ${refused.reason}`);
    assert.match(refused.reason ?? '', /CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE/);
  });

  test('plain http: no TLS step', async () => {
    const r = await checkUri(target(), 'server', `http://127.0.0.1:${plainPort}/dm`);
    assert.equal(r.ok, true);
    assert.deepEqual(r.steps.map((s) => s.step), ['DNS', 'TCP', 'HTTP']);
  });

  test('a scheme that does not fit the role fails at URI; user:password never shows', async () => {
    const r = await checkUri(target(), 'notify', `https://user:secret@127.0.0.1:${httpsPort}/ws`);
    assert.equal(r.failedStep, 'URI');
    assert.match(r.reason ?? '', /unsupported scheme https:/);
    assert.doesNotMatch(r.uri, /secret|user/);
  });
});

describe('reachability of a WebSocket notifyUri', () => {
  test('wss: 101 with a valid Sec-WebSocket-Accept is reachable', async () => {
    const r = await checkUri(target({ ca: pki.caCertPath }), 'notify', `wss://127.0.0.1:${httpsPort}/ws`);
    assert.equal(r.ok, true, `${r.failedStep}: ${r.reason}`);
    assert.equal(r.status, 101);
    assert.deepEqual(r.steps.map((s) => s.step), ['DNS', 'TCP', 'TLS', 'HTTP']);
  });

  test('401 (credentials are never sent) is reachable; 404 is not a WebSocket endpoint', async () => {
    const auth = await checkUri(target(), 'notify', `ws://127.0.0.1:${plainPort}/ws-auth`);
    assert.equal(auth.ok, true);
    assert.equal(auth.status, 401);
    const nf = await checkUri(target({ ca: pki.caCertPath }), 'notify', `wss://127.0.0.1:${httpsPort}/elsewhere`);
    assert.equal(nf.ok, false);
    assert.equal(nf.failedStep, 'HTTP');
    assert.equal(nf.reason, 'status 404 (no WebSocket upgrade)');
  });

  test('wss with a wrong pin fails at TLS', async () => {
    const r = await checkUri(target({ ca: pki.caCertPath, pinSha256: '00'.repeat(32) }), 'notify', `wss://127.0.0.1:${httpsPort}/ws`);
    assert.equal(r.failedStep, 'TLS');
    assert.match(r.reason ?? '', /^certificate pin mismatch/);
  });
});

function authority(account: string, serverUri: string, notifyUri: string | null, tls: Partial<ReachTarget['tls']>): object {
  return {
    account, serverId: `dm.${account}`, protocol: 'dm2.0', serverUri, notifyUri,
    auth: { type: 'HTTP-BASIC', clientName: 'gw', clientSecret: 'pw' }, tls: { ...NO_TLS, ...tls },
  };
}

async function runCommand(config: object, extra: { json?: boolean } = {}): Promise<{ out: string; exit: number; message: string }> {
  const file = join(dir, `cfg-${Math.random().toString(16).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(config));
  let out = '';
  let exit = 0;
  let message = '';
  try {
    await selftestCommand({ config: file, multicast: false, timeout: '2000', ...extra }, (t) => { out += t; }, (m, c) => { exit = c; message = m; return new Error(m); });
  } catch (err) {
    if (exit === 0) throw err;
  }
  return { out, exit, message };
}

describe('dm-bridge selftest (--no-multicast)', () => {
  test('every authority reachable: one line per URI, exit 0; the missing store is not created', async () => {
    const store = join(dir, 'none', 'bridge.db');
    const r = await runCommand({
      store: { path: store },
      authorities: [authority('isp', `https://127.0.0.1:${httpsPort}/dm`, `wss://127.0.0.1:${httpsPort}/ws`, { ca: pki.caCertPath })],
    });
    assert.equal(r.exit, 0, r.out);
    assert.match(r.out, /^multicast: skipped \(--no-multicast\)$/m);
    assert.match(r.out, new RegExp(`^isp  server  https://127\\.0\\.0\\.1:${httpsPort}/dm  ok \\d+ ms \\(HTTP 405\\)$`, 'm'));
    assert.match(r.out, new RegExp(`^isp  notify  wss://127\\.0\\.0\\.1:${httpsPort}/ws  ok \\d+ ms \\(HTTP 101\\)$`, 'm'));
    assert.match(r.out, /^note: store: .* not found \(config accounts only\)$/m);
    assert.equal(existsSync(store), false);
  });

  test('one unreachable URI: its line names the step and reason, exit 1; --json has the structure', async () => {
    const config = {
      store: { path: join(dir, 'none.db') },
      authorities: [
        authority('good', `https://127.0.0.1:${httpsPort}/dm`, null, { ca: pki.caCertPath }),
        authority('pinned', `https://127.0.0.1:${httpsPort}/dm`, null, { ca: pki.caCertPath, pinSha256: 'cd'.repeat(32) }),
        authority('down', `http://127.0.0.1:${refusedPort}/dm`, null, {}),
      ],
    };
    const r = await runCommand(config);
    assert.equal(r.exit, 1);
    assert.equal(r.message, '2 of 3 authority URI(s) unreachable');
    assert.match(r.out, /^good\s+server\s+\S+\s+ok \d+ ms/m);
    assert.match(r.out, /^pinned\s+server\s+\S+\s+FAIL TLS: certificate pin mismatch/m);
    assert.match(r.out, /^down\s+server\s+\S+\s+FAIL TCP: ECONNREFUSED$/m);
    const j = await runCommand(config, { json: true });
    const parsed = JSON.parse(j.out) as { ok: boolean; multicast: unknown; reachability: { ok: boolean; checks: { account: string; failedStep: string | null }[] } };
    assert.equal(parsed.ok, false);
    assert.equal(parsed.multicast, null);
    assert.equal(parsed.reachability.ok, false);
    assert.deepEqual(parsed.reachability.checks.map((c) => [c.account, c.failedStep]), [['good', null], ['pinned', 'TLS'], ['down', 'TCP']]);
  });

  test('--timeout out of range is a usage error', async () => {
    await assert.rejects(selftestCommand({ multicast: false, timeout: '0' }, () => undefined, (m, c) => Object.assign(new Error(m), { c })), (e: Error & { c?: number }) => e.c === 2 && /--timeout/.test(e.message));
  });
});

describe('authorities from the store', () => {
  test('accounts created through DM are read read-only and win over a config entry; config rows follow the file', async () => {
    const path = join(dir, 'store', 'bridge.db');
    const s = openStore(path);
    const repo = new AccountsRepo(s.db);
    const data = (a: object): string => JSON.stringify(a);
    repo.insert({ account: 'isp', serverId: 'dm.isp', origin: 'dm', data: data(authority('isp', `https://127.0.0.1:${httpsPort}/dm`, null, { ca: pki.caCertPath })), updatedAt: 1 });
    repo.insert({ account: 'stale', serverId: 'dm.stale', origin: 'config', data: data(authority('stale', 'https://127.0.0.1:1/x', null, {})), updatedAt: 1 });
    repo.insert({ account: 'broken', serverId: 'dm.broken', origin: 'dm', data: '{', updatedAt: 1 });
    s.close();
    const size = statSync(path).size;
    const rows = readAccountsReadOnly(path);
    assert.equal(rows?.length, 3);
    const cfgFile = join(dir, 'store-cfg.json');
    writeFileSync(cfgFile, JSON.stringify({ store: { path }, authorities: [authority('isp', `http://127.0.0.1:${refusedPort}/old`, null, {})] }));
    const notes: string[] = [];
    const targets = selftestTargets(loadConfig({ file: cfgFile }), rows, notes);
    assert.deepEqual(targets.map((t) => [t.account, t.source, t.serverUri]), [['isp', 'store', `https://127.0.0.1:${httpsPort}/dm`]]);
    assert.deepEqual(notes, ['store: account broken has unreadable settings (skipped)']);
    const r = await runCommand({ store: { path }, authorities: [] });
    assert.equal(r.exit, 0, r.out);
    assert.match(r.out, /^isp \(store\)\s+server\s+\S+\s+ok \d+ ms/m);
    assert.match(r.out, /note: store: .*bridge\.db read \(3 account\(s\)\)/);
    assert.equal(statSync(path).size, size, 'the store file is unchanged');
  });
});
