// The real bridge process (`dm-bridge start`) opens a session to each authority at boot — one DM 1.2
// (SyncML) and one DM 2.0 (JSON) reference server side by side — and
// `POST /api/v1/authorities/:account/session` / `dm-bridge session` trigger one. Discovery is off
// (no multicast outside a test namespace).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { get } from '../peers/dm12-script.js';
import { Dm12Server } from '../peers/dm12-server.js';
import { Dm2Server } from '../peers/dm2-server.js';
import { freePort } from './util.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'dmb-app-'));
const SECRET = 'client-secret-6f1d2c';
let server: Dm12Server;
let server2: Dm2Server;
const SECRET2 = 'dm2-secret-81a7e0';
let bridge: ChildProcess;
let port = 0;
let logs = '';
let cfgFile = '';


const api = (path: string, method = 'GET') => fetch(`http://127.0.0.1:${port}${path}`, { method });

before(async () => {
  server = new Dm12Server({ serverId: 'dm.isp.test', clientName: 'gw-test', clientSecret: SECRET, authType: 'DIGEST' });
  const uri = await server.start();
  server.queue([get('./DevInfo/DevId', './DevDetail/SwV')]);
  server2 = new Dm2Server({ serverId: 'dm2.sec.test', auth: { type: 'DIGEST', username: 'gw', password: SECRET2 } });
  const uri2 = await server2.start();
  server2.queue([{ id: 1, cmd: 'GET', uri: './DevInfo/Man' }]);
  port = await freePort();
  cfgFile = join(dir, 'config.json');
  writeFileSync(
    cfgFile,
    JSON.stringify({
      store: { path: join(dir, 'bridge.db') },
      api: { host: '127.0.0.1', port, token: null },
      discovery: { mdns: false, ssdp: false },
      authorities: [
        { account: 'isp', serverId: 'dm.isp.test', protocol: 'dm1.2', serverUri: uri, auth: { type: 'DIGEST', clientName: 'gw-test', clientSecret: SECRET } },
        { account: 'sec', serverId: 'dm2.sec.test', protocol: 'dm2.0', serverUri: uri2, auth: { type: 'HTTP-DIGEST', clientName: 'gw', clientSecret: SECRET2 } },
      ],
    }),
  );
  bridge = spawn(process.execPath, ['--import', 'tsx', 'bridge/main.ts', 'start', '--config', cfgFile], { cwd: ROOT, env: { ...process.env, DM_BRIDGE_LOG_LEVEL: 'debug' } });
  bridge.stdout!.on('data', (d: Buffer) => (logs += d.toString()));
  bridge.stderr!.on('data', (d: Buffer) => (logs += d.toString()));
  await server.waitForSessions(1, 20_000);
  await waitUntil(() => server2.sessions.some((x) => x.ended), 20_000, 'DM 2.0 boot session');
});

async function waitUntil(ok: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${logs.slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

after(async () => {
  if (bridge.exitCode === null) bridge.kill('SIGKILL');
  await server.stop();
  await server2.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('bridge process with a DM 1.2 and a DM 2.0 authority', () => {
  test('boot opens a session: DevInfo in Package #1, the scripted Gets answered', () => {
    const rec = server.sessions[0]!;
    assert.equal(rec.outcome, 'ok');
    assert.equal(rec.devInfo['./DevInfo/DevId'], 'urn:dev:mac:000000000000');
    assert.deepEqual(rec.statuses.map((s) => s.code), [200]);
    assert.equal(rec.results[0]!.items.length, 2);
  });

  test('boot also opens the DM 2.0 session: Digest answered, devInfo in package #1, the GET answered', () => {
    const rec = server2.sessions.find((x) => x.ended)!;
    assert.equal(rec.packages[0]!.devId, 'urn:dev:mac:000000000000');
    assert.deepEqual(rec.results, [{ id: 1, status: 200, data: 'dm-bridge' }]);
  });

  test('POST /api/v1/authorities/isp/session?wait=true runs a session and answers its report', async () => {
    const res = await api('/api/v1/authorities/isp/session?wait=true', 'POST');
    assert.equal(res.status, 200);
    const report = (await res.json()) as { outcome: string; account: string; messagesSent: number };
    assert.equal(report.outcome, 'ok');
    assert.equal(report.account, 'isp');
    assert.equal(server.sessions.length, 2);
    // the MD5 nonce the server issued in session 1 was used: no challenge in session 2
    assert.equal(server.sessions[1]!.authFailures, 0);
  });

  test('POST without wait answers 202 for either protocol; unknown account 404', async () => {
    const r1 = await api('/api/v1/authorities/isp/session', 'POST');
    assert.equal(r1.status, 202);
    assert.deepEqual(await r1.json(), { account: 'isp', accepted: true });
    await server.waitForSessions(3, 10_000);
    const r2 = await api('/api/v1/authorities/nobody/session', 'POST');
    assert.equal(r2.status, 404);
    assert.match(((await r2.json()) as { error: { message: string } }).error.message, /no authority/);
    const before = server2.sessions.length;
    const r3 = await api('/api/v1/authorities/sec/session?wait=true', 'POST');
    assert.equal(r3.status, 200);
    assert.equal(((await r3.json()) as { outcome: string }).outcome, 'ok');
    assert.equal(server2.sessions.length, before + 1);
  });

  test('GET /api/v1/authorities lists both authorities with state, last session and queued alerts', async () => {
    const res = await api('/api/v1/authorities');
    const list = (await res.json()) as Array<{ account: string; serverId: string; protocol: string; state: string; lastSession: { outcome: string } | null; queuedAlerts: number }>;
    const isp = list.find((a) => a.account === 'isp')!;
    assert.equal(isp.serverId, 'dm.isp.test');
    assert.equal(isp.lastSession?.outcome, 'ok');
    assert.equal(isp.queuedAlerts, 0);
    const sec = list.find((a) => a.account === 'sec')!;
    assert.equal(sec.protocol, 'dm2.0');
    assert.equal(sec.lastSession?.outcome, 'ok');
  });

  test('GET /metrics counts the sessions of both protocols and their commands by status', async () => {
    const res = await api('/metrics');
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /dmbridge_sessions_total\{account="isp",outcome="ok"\} [1-9]/);
    assert.match(text, /dmbridge_sessions_total\{account="sec",outcome="ok"\} [1-9]/);
    assert.match(text, /dmbridge_commands_total\{command="Get",status="200"\} [1-9]/);
    assert.match(text, /dmbridge_commands_total\{command="GET",status="200"\} [1-9]/);
    assert.match(text, /dmbridge_outbox_depth\{account="isp"\} 0/);
  });

  test('`dm-bridge session isp --wait` prints the report and exits 0', async () => {
    // async spawn: the reference server lives in this process and must keep serving meanwhile
    const child = spawn(process.execPath, ['--import', 'tsx', 'bridge/main.ts', 'session', 'isp', '--wait', '--config', cfgFile], { cwd: ROOT });
    const r = { stdout: '', stderr: '', status: null as number | null };
    child.stdout.on('data', (d: Buffer) => (r.stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (r.stderr += d.toString()));
    r.status = await new Promise((resolve) => child.once('close', resolve));
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { outcome: string }).outcome, 'ok');
  });

  test('no secret reaches the logs (debug level, several full sessions of both protocols): secrets, credentials, nonces', () => {
    assert.ok(logs.includes('DM session end'), 'sessions were logged');
    assert.ok(!logs.includes(SECRET), 'client secret never logged');
    assert.ok(logs.includes('DM 2.0 session end'), 'DM 2.0 sessions were logged');
    assert.ok(!logs.includes(SECRET2), 'DM 2.0 secret never logged');
    for (const s of server.sessions) for (const m of s.received) if (m.header.cred) assert.ok(!logs.includes(m.header.cred.data), 'credentials never logged');
    // the MD5 nonces the server issued (Chal NextNonce) are secrets too
    let nonces = 0;
    for (const s of server.sessions) {
      for (const m of s.sent) {
        for (const c of m.commands) {
          const n = c.cmd === 'Status' ? c.chal?.meta.nextNonce : undefined;
          if (n) {
            nonces++;
            assert.ok(!logs.includes(n), 'nonce never logged');
          }
        }
      }
    }
    assert.ok(nonces > 0, 'the server issued nonces');
    // DM 2.0 Digest: the Authorization headers' response hashes never reach the logs
    assert.ok(!/response="[0-9a-f]{32,}"/.test(logs), 'no digest response in the logs');
  });

  test('SIGTERM stops the bridge with exit code 0', async () => {
    const code = await new Promise<number | null>((resolve) => {
      bridge.once('exit', (c) => resolve(c));
      bridge.kill('SIGTERM');
    });
    assert.equal(code, 0);
  });
});
