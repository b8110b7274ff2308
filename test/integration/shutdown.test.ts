// Graceful shutdown (issue 8 item 5): SIGTERM while a DM 1.2 session waits for the server's answer.
// A delaying proxy (real sockets) holds the server's second answer; the bridge process gets
// SIGTERM meanwhile, ends the session with Alert 1223 at the next message boundary, closes the
// API, checkpoints the WAL and exits 0; a write the server got 200 for survives the restart.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { AlertCode } from '../../bridge/dm/message.js';
import { add, addNode, get } from '../peers/dm12-script.js';
import { Dm12Server } from '../peers/dm12-server.js';
import { freePort } from './util.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'dmb-shutdown-'));
after(() => rmSync(dir, { recursive: true, force: true }));


/** Forwards POSTs to `target`; the answer to request number `holdAt` (1-based) waits until release(). */
function delayingProxy(target: string, holdAt: number): Promise<{ url: string; held: Promise<void>; release: () => void; server: Server }> {
  let n = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let heldNow!: () => void;
  const held = new Promise<void>((r) => (heldNow = r));
  const t = new URL(target);
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const mine = ++n;
      const up = request({ host: t.hostname, port: t.port, path: t.pathname + t.search, method: req.method, headers: req.headers }, (r) => {
        const body: Buffer[] = [];
        r.on('data', (c: Buffer) => body.push(c));
        r.on('end', () => {
          const send = (): void => {
            res.writeHead(r.statusCode ?? 500, r.headers);
            res.end(Buffer.concat(body));
          };
          if (mine === holdAt) {
            heldNow();
            void gate.then(send);
          } else send();
        });
      });
      up.end(Buffer.concat(chunks));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}${t.pathname}`, held, release, server })));
}

describe('graceful shutdown', { timeout: 60_000 }, () => {
  test('SIGTERM during a session: Alert 1223 at the next message boundary, exit 0, WAL checkpointed, acknowledged writes kept', async () => {
    const server = new Dm12Server({ serverId: 'dm.isp.test', clientName: 'gw', clientSecret: 'sd-secret-1', authType: 'DIGEST' });
    const uri = await server.start();
    // request 1: Package #1 without credentials -> MD5 challenge; request 2: Package #1 again ->
    // the Adds; request 3: their Statuses -> the answer (more commands) is held by the proxy
    server.queue([addNode('./Kept'), add('./Kept/Leaf', 'v1')], [get('./DevInfo/DevId')], [get('./DevInfo/Man')]);
    const proxy = await delayingProxy(uri, 3);
    const port = await freePort();
    const db = join(dir, 'bridge.db');
    const cfg = join(dir, 'config.json');
    writeFileSync(cfg, JSON.stringify({
      store: { path: db }, api: { host: '127.0.0.1', port, token: null }, discovery: { mdns: false, ssdp: false },
      authorities: [{ account: 'isp', serverId: 'dm.isp.test', protocol: 'dm1.2', serverUri: proxy.url, auth: { type: 'DIGEST', clientName: 'gw', clientSecret: 'sd-secret-1' } }],
    }));
    let logs = '';
    const bridge: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'bridge/main.ts', 'start', '--config', cfg], { cwd: ROOT });
    bridge.stdout!.on('data', (d: Buffer) => (logs += d.toString()));
    bridge.stderr!.on('data', (d: Buffer) => (logs += d.toString()));
    try {
      await proxy.held;
      const exited = new Promise<number | null>((resolve) => bridge.once('exit', (c) => resolve(c)));
      bridge.kill('SIGTERM');
      // while stopping, the API no longer takes triggers: it is closing or refuses
      await new Promise((r) => setTimeout(r, 300));
      proxy.release();
      const code = await exited;
      assert.equal(code, 0, logs.slice(-3000));
      const rec = server.sessions[0]!;
      const lastMsg = rec.received[rec.received.length - 1]!;
      const abort = lastMsg.commands.find((c) => c.cmd === 'Alert' && c.data === AlertCode.SESSION_ABORT);
      assert.ok(abort, `the last message carries Alert 1223: ${JSON.stringify(lastMsg.commands.map((c) => c.cmd))}`);
      assert.ok(logs.includes('"msg":"stopped"'), 'logged stopped');
      // WAL checkpointed (TRUNCATE): nothing left in the -wal file
      const wal = `${db}-wal`;
      assert.ok(!existsSync(wal) || statSync(wal).size === 0, 'WAL empty after a clean stop');
      const check = new Database(db, { readonly: true });
      try {
        assert.equal(check.pragma('integrity_check', { simple: true }), 'ok');
      } finally {
        check.close();
      }
      const statuses = server.sessions.flatMap((x) => x.statuses).filter((s) => s.cmd === 'Add').map((s) => s.code);
      assert.deepEqual(statuses, [200, 200], 'the Adds were acknowledged before the stop');
    } finally {
      if (bridge.exitCode === null) bridge.kill('SIGKILL');
      proxy.server.close();
      await server.stop();
    }
    // restart: the acknowledged write is there
    const port2 = await freePort();
    writeFileSync(cfg, JSON.stringify({ store: { path: db }, api: { host: '127.0.0.1', port: port2, token: null }, discovery: { mdns: false, ssdp: false }, authorities: [] }));
    const again = spawn(process.execPath, ['--import', 'tsx', 'bridge/main.ts', 'start', '--config', cfg], { cwd: ROOT });
    try {
      let out = '';
      again.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const end = Date.now() + 20_000;
      while (!out.includes('"msg":"started"')) {
        if (Date.now() > end) throw new Error(`bridge did not start: ${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const res = await fetch(`http://127.0.0.1:${port2}/api/v1/tree?uri=./Kept/Leaf`);
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { value: string }).value, 'v1');
    } finally {
      again.kill('SIGKILL');
    }
  });
});
