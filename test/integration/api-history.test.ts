// GET /api/v1/authorities/:account/audit and /sessions of a real app (discovery off) against the
// reference DM 1.2 server: the MA's Add/Replace come back as audit rows (never values), its sessions
// as log rows, newest first, behind the token; the status page's recent sessions survive a restart.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connectUrl } from '../../bridge/api/client.js';
import { createApp, type App } from '../../bridge/app.js';
import { parseConfig, type BridgeConfig } from '../../bridge/config.js';
import { silentLogger } from '../../bridge/core/logger.js';
import { add, addNode, get, replace } from '../peers/dm12-script.js';
import { Dm12Server } from '../peers/dm12-server.js';

const dir = mkdtempSync(join(tmpdir(), 'dmb-api-history-'));
const TOKEN = 'tok-hist-93be1f0c';
const SECRET = 'client-secret-hist-5a2e';
const VALUE1 = 'first-v4lue-7c1d';
const VALUE2 = 'second-v4lue-e90a';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface AuditJson { id: number; at: string; account: string; serverId: string; cmd: string; uri: string; status: number }
interface SessionJson {
  id: number; account: string; sessionId: string; protocol: string; trigger: string; outcome: string; reason: string;
  startedAt: string; endedAt: string; durationMs: number; commands: number;
}

let server: Dm12Server;
let app: App;
let base = '';

function config(serverUri: string): BridgeConfig {
  return parseConfig({
    store: { path: join(dir, 'bridge.db') },
    api: { host: '127.0.0.1', port: 0, token: TOKEN },
    log: { level: 'silent' },
    discovery: { mdns: false, ssdp: false },
    authorities: [
      { account: 'isp', serverId: 'dm.isp.test', protocol: 'dm1.2', serverUri, auth: { type: 'DIGEST', clientName: 'gw-test', clientSecret: SECRET } },
    ],
  });
}

async function startApp(serverUri: string): Promise<void> {
  app = createApp(config(serverUri), { log: silentLogger() });
  await app.start();
  const a = app.apiAddress();
  base = connectUrl(a.host, a.port);
}

async function api(path: string, token: string | null = TOKEN, method = 'GET'): Promise<{ status: number; text: string }> {
  const res = await fetch(`${base}${path}`, { method, headers: token === null ? {} : { Authorization: `Bearer ${token}` } });
  return { status: res.status, text: await res.text() };
}

async function json<T>(path: string): Promise<T> {
  const r = await api(path);
  assert.equal(r.status, 200, r.text);
  return JSON.parse(r.text) as T;
}

before(async () => {
  server = new Dm12Server({ serverId: 'dm.isp.test', clientName: 'gw-test', clientSecret: SECRET, authType: 'DIGEST' });
  const uri = await server.start();
  // boot session: build a subtree and change a leaf
  server.queue([addNode('./Vendor'), add('./Vendor/Setting', VALUE1), replace('./Vendor/Setting', VALUE2)]);
  await startApp(uri);
  await server.waitForSessions(1, 20_000);
  // a second (read-only) session, triggered through the API
  server.queue([get('./DevInfo/DevId')]);
  const r = await api('/api/v1/authorities/isp/session?wait=true', TOKEN, 'POST');
  assert.equal(r.status, 200, r.text);
});

after(async () => {
  await app?.stop();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('per-MA history routes', () => {
  test('audit: the Add/Replace of the session, newest first, ISO times, no values', async () => {
    const r = await api('/api/v1/authorities/isp/audit');
    assert.equal(r.status, 200);
    assert.ok(!r.text.includes(VALUE1) && !r.text.includes(VALUE2), 'no value in the audit trail');
    assert.ok(!r.text.includes(SECRET), 'no secret in the audit trail');
    const rows = JSON.parse(r.text) as AuditJson[];
    assert.deepEqual(
      rows.map((x) => [x.cmd, x.uri, x.status]),
      [['Replace', './Vendor/Setting', 200], ['Add', './Vendor/Setting', 200], ['Add', './Vendor', 200]],
    );
    for (const x of rows) {
      assert.equal(x.account, 'isp');
      assert.equal(x.serverId, 'dm.isp.test');
      assert.match(x.at, ISO);
    }
    assert.ok(rows[0]!.id > rows[1]!.id && rows[1]!.id > rows[2]!.id);
    assert.deepEqual(Object.keys(rows[0]!).sort(), ['account', 'at', 'cmd', 'id', 'serverId', 'status', 'uri']);
  });

  test('audit ?limit=1 answers only the newest row', async () => {
    const rows = await json<AuditJson[]>('/api/v1/authorities/isp/audit?limit=1');
    assert.deepEqual(rows.map((x) => x.cmd), ['Replace']);
  });

  test('sessions: both sessions, newest first, with protocol, trigger, commands and ISO times', async () => {
    const rows = await json<SessionJson[]>('/api/v1/authorities/isp/sessions');
    assert.equal(rows.length, 2);
    assert.deepEqual(rows.map((x) => x.outcome), ['ok', 'ok']);
    assert.deepEqual(rows.map((x) => x.sessionId), [server.sessions[1]!.sessionId, server.sessions[0]!.sessionId]);
    assert.ok(rows[0]!.id > rows[1]!.id);
    assert.equal(rows[1]!.commands, 3); // the boot session's Add, Add, Replace
    assert.equal(rows[0]!.commands, 1); // the triggered session's Get
    for (const x of rows) {
      assert.equal(x.account, 'isp');
      assert.equal(x.protocol, 'dm1.2');
      assert.match(x.startedAt, ISO);
      assert.match(x.endedAt, ISO);
      assert.equal(Date.parse(x.endedAt) - Date.parse(x.startedAt), x.durationMs);
    }
    assert.ok(Date.parse(rows[0]!.endedAt) >= Date.parse(rows[1]!.endedAt));
    const limited = await json<SessionJson[]>('/api/v1/authorities/isp/sessions?limit=1');
    assert.deepEqual(limited, [rows[0]]);
  });

  test('the bearer token is required; a wrong one is refused', async () => {
    for (const path of ['/api/v1/authorities/isp/audit', '/api/v1/authorities/isp/sessions']) {
      assert.equal((await api(path, null)).status, 401);
      assert.equal((await api(path, 'wrong-token')).status, 401);
    }
  });

  test('an unknown account is 404; a bad account name or limit is 400', async () => {
    for (const kind of ['audit', 'sessions']) {
      const r = await api(`/api/v1/authorities/nobody/${kind}`);
      assert.equal(r.status, 404);
      assert.equal((JSON.parse(r.text) as { error: { code: string } }).error.code, 'NOT_FOUND');
      for (const limit of ['0', '1001', '-1', 'abc', '1.5', '', '10&limit=20', '99999']) {
        const b = await api(`/api/v1/authorities/isp/${kind}?limit=${limit}`);
        assert.equal(b.status, 400, `limit=${limit}`);
        assert.equal((JSON.parse(b.text) as { error: { code: string } }).error.code, 'BAD_REQUEST');
      }
      assert.equal((await api(`/api/v1/authorities/isp/${kind}?limit=1000`)).status, 200);
      assert.equal((await api(`/api/v1/authorities/is%20p/${kind}`)).status, 400);
    }
  });
});

describe('recent sessions from the log', () => {
  test('survive a restart: the new app lists the sessions the old one ran', async () => {
    const before = await json<Array<{ sessionId: string }>>('/api/v1/sessions');
    const ids = server.sessions.map((s) => s.sessionId);
    await app.stop();
    await server.stop(); // the restarted app's boot session fails: only the log knows the earlier ones
    await startApp('http://127.0.0.1:9/dm');
    const after = await json<Array<{ account: string; sessionId: string; outcome: string; endedAt: string }>>('/api/v1/sessions');
    for (const id of ids) assert.ok(after.some((s) => s.sessionId === id && s.outcome === 'ok'), `session ${id} listed after restart`);
    assert.ok(before.length >= 2);
    for (const s of after) assert.match(s.endedAt, ISO);
    const page = await api('/');
    assert.equal(page.status, 200);
    for (const id of ids) assert.ok(page.text.includes(id), `page lists session ${id}`);
  });
});
