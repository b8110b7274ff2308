// GET /metrics, GET / (status page) and GET /api/v1/sessions of a real app (discovery off), with and
// without an API token; devices go in through the real inventory.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connectUrl } from '../../bridge/api/client.js';
import { createMetrics } from '../../bridge/api/metrics.js';
import { createApiServer } from '../../bridge/api/server.js';
import { createApp, type App } from '../../bridge/app.js';
import { parseConfig, type BridgeConfig } from '../../bridge/config.js';
import { silentLogger } from '../../bridge/core/logger.js';

const dir = mkdtempSync(join(tmpdir(), 'dmb-api-status-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const TOKEN = 'tok-4f1c9e7a2b';
const HOSTILE = `<img src=x onerror="alert(1)">'&</script>`;

function config(token: string | null): BridgeConfig {
  return parseConfig({
    store: { path: join(dir, `db${++n}`, 'bridge.db') },
    api: { host: '127.0.0.1', port: 0, token },
    log: { level: 'silent' },
    discovery: { mdns: false, ssdp: false },
    authorities: [
      { account: 'isp', serverId: 'dm.isp.example', protocol: 'dm1.2', serverUri: 'http://127.0.0.1:9/dm',
        auth: { type: 'DIGEST', clientName: 'gw', clientSecret: 'client-secret-isp' } },
    ],
  });
}

function addDevices(app: App): void {
  const sighting = (i: number, instance: string) => ({
    source: 'mdns' as const, key: `${instance}._ipp._tcp.local`, address: `10.0.0.${i}`, seenAt: Date.now(),
    mdns: { instance, serviceType: '_ipp._tcp', host: `printer-${i}.local`, port: 631, txt: {} },
  });
  app.inventory.inventory.sighted(sighting(5, HOSTILE));
  app.inventory.inventory.sighted(sighting(6, 'Lab Printer'));
}

async function fetchText(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; text: string }> {
  const res = await fetch(url, { headers, redirect: 'manual' });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

async function startApp(token: string | null): Promise<{ app: App; base: string }> {
  const app = createApp(config(token), { log: silentLogger() });
  await app.start();
  await app.authorities.stop(); // no boot session retries toward the unreachable MA during the tests
  addDevices(app);
  const a = app.apiAddress();
  return { app, base: connectUrl(a.host, a.port) };
}

describe('status page and metrics without a token', () => {
  let app: App;
  let base = '';
  before(async () => ({ app, base } = await startApp(null)));
  after(() => app.stop());

  test('GET /metrics: Prometheus text with devices, outbox depth and process metrics', async () => {
    const r = await fetchText(`${base}/metrics`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4; charset=utf-8$/);
    assert.match(r.text, /^dmbridge_devices\{protocol="mdns",status="online"\} 2$/m);
    assert.match(r.text, /^dmbridge_outbox_depth\{account="isp"\} \d+$/m);
    assert.match(r.text, /^dmbridge_authority_in_session\{account="isp"\} 0$/m);
    assert.match(r.text, /^process_resident_memory_bytes \d+/m);
    assert.match(r.text, /^nodejs_eventloop_lag_seconds /m);
    assert.match(r.text, /^# TYPE dmbridge_session_duration_seconds histogram$/m);
  });

  test('GET /: HTML with a CSP nonce, authorities and devices; a hostile device name is escaped', async () => {
    const r = await fetchText(`${base}/`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(r.headers.get('cache-control'), 'no-store');
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    const csp = r.headers.get('content-security-policy') ?? '';
    const nonce = /script-src 'nonce-([A-Za-z0-9+/=]+)'/.exec(csp)?.[1];
    assert.ok(nonce, csp);
    assert.match(csp, /default-src 'none'/);
    assert.ok(r.text.includes(`<script nonce="${nonce}">`));
    assert.equal(r.text.match(/<script/g)?.length, 1);
    assert.match(r.text, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
    assert.match(r.text, /<td data-label="Account">isp<\/td><td data-label="Server ID">dm\.isp\.example<\/td>/);
    assert.ok(r.text.includes('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;&lt;/script&gt;'));
    assert.ok(!r.text.includes('<img'));
    assert.ok(r.text.includes('>Lab Printer</td>'));
    assert.match(r.text, /<span class="mute" id="devices-count">2<\/span>/);
    assert.match(r.text, /<body data-loaded="yes">/);
  });

  test('GET /api/v1/sessions: JSON array', async () => {
    const r = await fetchText(`${base}/api/v1/sessions`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /application\/json/);
    assert.ok(Array.isArray(JSON.parse(r.text)));
  });
});

describe('status page and metrics with a token', () => {
  let app: App;
  let base = '';
  before(async () => ({ app, base } = await startApp(TOKEN)));
  after(() => app.stop());
  const bearer = { authorization: `Bearer ${TOKEN}` };

  test('/metrics and /api/v1/sessions need the bearer token', async () => {
    for (const path of ['/metrics', '/api/v1/sessions']) {
      const no = await fetchText(`${base}${path}`);
      assert.equal(no.status, 401, path);
      assert.equal((JSON.parse(no.text) as { error: { code: string } }).error.code, 'UNAUTHORIZED');
      assert.equal((await fetchText(`${base}${path}`, { authorization: 'Bearer wrong' })).status, 401);
      assert.equal((await fetchText(`${base}${path}`, bearer)).status, 200, path);
    }
    assert.equal((await fetchText(`${base}/healthz`)).status, 200);
  });

  test('GET / without a token: 401 HTML with no data, the token form and the script', async () => {
    const r = await fetchText(`${base}/`);
    assert.equal(r.status, 401);
    assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.ok(!r.text.includes('Lab Printer'));
    assert.ok(!r.text.includes('dm.isp.example'));
    assert.match(r.text, /<body data-loaded="no">/);
    assert.match(r.text, /<form id="login" hidden/);
    assert.match(r.text, /<p id="error" role="alert" hidden><\/p>/);
  });

  test('GET /?token=: a wrong one is a 401 page saying so, the right one renders the data', async () => {
    const wrong = await fetchText(`${base}/?token=nope`);
    assert.equal(wrong.status, 401);
    assert.match(wrong.text, /<p id="error" role="alert">the API token is wrong<\/p>/);
    assert.ok(!wrong.text.includes('Lab Printer'));
    const right = await fetchText(`${base}/?token=${TOKEN}`);
    assert.equal(right.status, 200);
    assert.ok(right.text.includes('>Lab Printer</td>'));
    const header = await fetchText(`${base}/`, bearer);
    assert.equal(header.status, 200);
    assert.ok(header.text.includes('>Lab Printer</td>'));
  });

  test('?token= is accepted only for the page, never for the JSON routes', async () => {
    for (const path of ['/api/v1/devices', '/api/v1/authorities', '/metrics']) {
      assert.equal((await fetchText(`${base}${path}?token=${TOKEN}`)).status, 401, path);
    }
  });
});

describe('notify channel state and fed metrics through createApiServer', () => {
  const metrics = createMetrics({ processMetrics: false, now: () => Date.parse('2025-03-01T10:00:00Z') });
  const summary = (account: string) => ({
    account, serverId: `dm.${account}.example`, protocol: 'dm2.0', state: 'idle', queuedAlerts: 2,
    lastSession: { account, sessionId: `L-${account}`, outcome: 'ok', reason: '', durationMs: 40 },
  });
  const api = createApiServer({
    host: '127.0.0.1', port: 0, token: null, log: silentLogger(), metrics,
    tree: { get: () => ({ status: 404 }) },
    authorities: { list: () => [summary('isp'), summary('sec')], trigger: () => Promise.resolve({}) },
    notify: { list: () => [{ account: 'isp', state: 'open' }] },
  });
  let base = '';
  before(async () => {
    await api.start();
    base = connectUrl(api.address().host, api.address().port);
  });
  after(() => api.stop());

  test('/api/v1/authorities carries each MA\'s notify state (off without a channel)', async () => {
    const list = JSON.parse((await fetchText(`${base}/api/v1/authorities`)).text) as Array<{ account: string; notify: string }>;
    assert.deepEqual(list.map((a) => [a.account, a.notify]), [['isp', 'open'], ['sec', 'off']]);
    const m = (await fetchText(`${base}/metrics`)).text;
    assert.match(m, /^dmbridge_notify_channel_state\{account="isp",state="open"\} 1$/m);
    assert.match(m, /^dmbridge_notify_channel_state\{account="sec",state="off"\} 1$/m);
    assert.match(m, /^dmbridge_outbox_depth\{account="sec"\} 2$/m);
    const page = (await fetchText(`${base}/`)).text;
    assert.ok(page.includes('<td data-label="Connection">idle, notify open</td>'));
  });

  test('sessions fed to the metrics show in /metrics, /api/v1/sessions and the page, newest first', async () => {
    metrics.sessionEnded({ account: 'isp', sessionId: 'A1', outcome: 'auth-failed', reason: 'bad <digest>', durationMs: 12, commandsExecuted: 0 });
    metrics.sessionEnded({ account: 'sec', sessionId: 'B2', outcome: 'ok', reason: '', durationMs: 1500, commandsExecuted: 7 });
    const m = (await fetchText(`${base}/metrics`)).text;
    assert.match(m, /^dmbridge_sessions_total\{account="isp",outcome="auth-failed"\} 1$/m);
    const sessions = JSON.parse((await fetchText(`${base}/api/v1/sessions`)).text) as Array<{ sessionId: string; endedAt?: string }>;
    assert.deepEqual(sessions.map((s) => s.sessionId), ['B2', 'A1', 'L-isp', 'L-sec']);
    assert.equal(sessions[0]!.endedAt, '2025-03-01T10:00:00.000Z');
    const page = (await fetchText(`${base}/`)).text;
    assert.ok(page.includes('<td data-label="Reason">bad &lt;digest&gt;</td>'));
    assert.ok(page.includes('<td data-label="Duration">1.5 s</td><td data-label="Commands">7</td>'));
  });
});
