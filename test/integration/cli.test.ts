import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from './util.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const MAIN = join(ROOT, 'bridge/main.ts');
const BIN = join(ROOT, 'bin/dm-bridge.js');
const dir = mkdtempSync(join(tmpdir(), 'dmb-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A port that was free a moment ago (bind 0, read, close). */

function writeConfig(name: string, obj: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof obj === 'string' ? obj : JSON.stringify(obj));
  return p;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run the CLI to completion (node --import tsx bridge/main.ts ARGS). */
function runCli(args: string[], entry: string[] = ['--import', 'tsx', MAIN]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...entry, ...args], { cwd: ROOT, env: { ...process.env, DM_BRIDGE_CONFIG: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

async function waitHealthy(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`bridge exited with ${child.exitCode}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('bridge did not become healthy');
}

describe('dm-bridge start / tree get / SIGTERM', () => {
  let port = 0;
  let cfgFile = '';
  let child: ChildProcess;
  let stdout = '';
  let stderr = '';
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  before(async () => {
    port = await freePort();
    cfgFile = writeConfig('bridge.json', {
      device: { devId: 'urn:dev:mac:0242ac110099' },
      store: { path: join(dir, 'store', 'bridge.db') },
      api: { host: '127.0.0.1', port },
      discovery: { mdns: false, ssdp: false },
      authorities: [
        { account: 'isp', serverId: 'dm.isp.example', protocol: 'dm1.2', serverUri: 'http://127.0.0.1:9/dm',
          auth: { type: 'DIGEST', clientName: 'gw', clientSecret: 'cli-secret-value' } },
      ],
    });
    child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'start', '--config', cfgFile], { cwd: ROOT });
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    await waitHealthy(port, child);
  });
  after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  test('logs one JSON "started" line with the API address; warns about plain http', () => {
    const lines = stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    const started = lines.filter((l) => l.msg === 'started');
    assert.equal(started.length, 1);
    assert.equal(started[0]?.api, `127.0.0.1:${port}`);
    assert.ok(lines.some((l) => l.level === 40 && String(l.msg).includes('plain http')));
    assert.ok(!stdout.includes('cli-secret-value'), 'no secret in the log');
  });

  test('tree get prints the node as JSON', async () => {
    const r = await runCli(['tree', 'get', './DevInfo/DevId', '--config', cfgFile]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { uri: './DevInfo/DevId', format: 'chr', type: 'text/plain', value: 'urn:dev:mac:0242ac110099' });
    assert.equal(r.stderr, '');
  });

  test('tree get --as applies that ServerID', async () => {
    const r = await runCli(['tree', 'get', './DMAcc/isp/ServerID', '--as', 'dm.isp.example', '--config', cfgFile]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { value: string }).value, 'dm.isp.example');
    const denied = await runCli(['tree', 'get', './DMAcc/isp/ServerID', '--as', 'dm.other.example', '--config', cfgFile]);
    assert.equal(denied.code, 1);
    assert.equal(denied.stdout, '');
    assert.match(denied.stderr, /^dm-bridge: .*403.*425\)?\n$/);
  });

  test('tree get of a missing node: one line, exit 1', async () => {
    const r = await runCli(['tree', 'get', './Nope', '--config', cfgFile]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^dm-bridge: no node \.\/Nope \(HTTP 404 NODE_NOT_FOUND, DM status 404\)\n$/);
  });

  test('npx-style entry bin/dm-bridge.js works with no build step', async () => {
    const r = await runCli(['tree', 'get', './DevInfo', '--config', cfgFile], [BIN]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { format: string }).format, 'node');
  });

  test('SIGTERM stops the bridge with exit code 0', async () => {
    child.kill('SIGTERM');
    const { code, signal } = await exited;
    assert.equal(signal, null);
    assert.equal(code, 0);
    assert.match(stdout, /"msg":"stopped"/);
    assert.equal(stderr, '');
    await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`));
  });

  test('tree get when the bridge is not running: one line, exit 1', async () => {
    const r = await runCli(['tree', 'get', './DevInfo', '--config', cfgFile]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^dm-bridge: bridge not reachable at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\); is it running\?\n$/);
  });
});

describe('dm-bridge start with a bad config', () => {
  const oneLine = (r: Run): string => {
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    const lines = r.stderr.split('\n');
    assert.equal(lines.length, 2, `exactly one line: ${r.stderr}`);
    assert.equal(lines[1], '');
    return lines[0] ?? '';
  };

  test('unknown key: exit 2, one line naming the key', async () => {
    const f = writeConfig('unknown.json', { api: { port: 1, bogusKey: true } });
    assert.equal(oneLine(await runCli(['start', '--config', f])), 'dm-bridge: config: api.bogusKey: unknown key');
  });

  test('bad JSON: exit 2, one line', async () => {
    const f = writeConfig('bad.json', '{ "api": ');
    assert.match(oneLine(await runCli(['start', '--config', f])), /^dm-bridge: config: .*bad\.json is not valid JSON: /);
  });

  test('missing file: exit 2, one line', async () => {
    assert.match(oneLine(await runCli(['start', '--config', join(dir, 'none.json')])), /^dm-bridge: config: cannot read .*none\.json \(ENOENT\)$/);
  });

  test('DM_BRIDGE_CONFIG is used when --config is absent', async () => {
    const f = writeConfig('env.json', { log: { level: 'nope' } });
    const r = await new Promise<Run>((resolve) => {
      const c = spawn(process.execPath, ['--import', 'tsx', MAIN, 'start'], { cwd: ROOT, env: { ...process.env, DM_BRIDGE_CONFIG: f } });
      let stdout = '';
      let stderr = '';
      c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      c.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    });
    assert.match(oneLine(r), /^dm-bridge: config: log\.level: expected one of /);
  });

  test('a startup error (port in use): exit 2, one line', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const addr = blocker.address();
    const busy = typeof addr === 'object' && addr ? addr.port : 0;
    try {
      const f = writeConfig('busy.json', { store: { path: join(dir, 'busy', 'b.db') }, api: { port: busy }, discovery: { mdns: false, ssdp: false } });
      const r = await runCli(['start', '--config', f]);
      assert.equal(r.code, 2);
      const errLines = r.stderr.split('\n').filter((l) => l !== '');
      assert.deepEqual(errLines, [`dm-bridge: api: cannot listen on 127.0.0.1:${busy} (EADDRINUSE)`]);
    } finally {
      blocker.close();
    }
  });

  test('unknown command: usage error, exit 2', async () => {
    const r = await runCli(['frobnicate']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command/);
  });
});
