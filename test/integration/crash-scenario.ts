/**
 * Crash scenario (used by test/integration/supervisor-crash.test.ts with 3 kills and by
 * test/soak/crash.test.ts with 30): the real bridge process (`dm-bridge start`, discovery off) with a
 * DM 1.2 MA polling every second, whose server Adds nodes under ./Soak, and a DM 2.0 MA subscribed to
 * ./Soak (every Add queues an alert for it). The process is SIGKILLed at random points during
 * sessions; after each kill the store passes PRAGMA integrity_check, every Add the server got
 * Status 200 for is in the tree after the restart, and its alert is either delivered or still queued.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { add, addNode, setAcl } from '../peers/dm12-script.js';
import { Dm12Server } from '../peers/dm12-server.js';
import { Dm2Server } from '../peers/dm2-server.js';
import { freePort, waitFor } from './util.js';

const ROOT = new URL('../../', import.meta.url).pathname;

export interface CrashStats {
  kills: number;
  ackedWrites: number;
  alertsDelivered: number;
  durationMs: number;
}

/** URI -> value of every Add the server got a 200 Status for. */
function ackedAdds(server: Dm12Server): Map<string, string> {
  const out = new Map<string, string>();
  for (const rec of server.sessions) {
    for (const st of rec.statuses) {
      if (st.cmd !== 'Add' || st.code !== 200 || !st.matched) continue;
      const msg = rec.sent.find((m) => m.header.msgId === st.status.msgRef);
      const cmd = msg?.commands.find((c) => c.cmdId === st.status.cmdRef);
      if (cmd && cmd.cmd === 'Add') for (const it of cmd.items) if (it.data !== undefined) out.set(it.target?.locUri ?? '', it.data);
    }
  }
  return out;
}

export async function runCrash(opts: { kills: number }): Promise<CrashStats> {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'dmb-crash-'));
  const dbFile = join(dir, 'bridge.db');
  const isp = new Dm12Server({ serverId: 'isp.crash.test', clientName: 'gw-isp', clientSecret: 'isp-secret-1', authType: 'DIGEST' });
  const sec = new Dm2Server({ serverId: 'sec.crash.test', auth: { type: 'BASIC', username: 'gw-sec', password: 'sec-secret-2' } });
  const port = await freePort();
  const cfg = join(dir, 'config.json');
  writeFileSync(cfg, JSON.stringify({
    store: { path: dbFile },
    api: { host: '127.0.0.1', port, token: null },
    discovery: { mdns: false, ssdp: false },
    authorities: [
      { account: 'isp', serverId: 'isp.crash.test', protocol: 'dm1.2', serverUri: await isp.start(), pollSeconds: 1, auth: { type: 'DIGEST', clientName: 'gw-isp', clientSecret: 'isp-secret-1' } },
      { account: 'sec', serverId: 'sec.crash.test', protocol: 'dm2.0', serverUri: await sec.start(), pollSeconds: 0, auth: { type: 'HTTP-BASIC', clientName: 'gw-sec', clientSecret: 'sec-secret-2' } },
    ],
  }));
  let bridge: ChildProcess | null = null;
  let logs = '';
  const startBridge = (): ChildProcess => {
    logs = '';
    const p = spawn(process.execPath, ['--import', 'tsx', 'bridge/main.ts', 'start', '--config', cfg], { cwd: ROOT, env: { ...process.env, DM_BRIDGE_LOG_LEVEL: 'info' } });
    p.stdout!.on('data', (d: Buffer) => (logs = (logs + d.toString()).slice(-20_000)));
    p.stderr!.on('data', (d: Buffer) => (logs = (logs + d.toString()).slice(-20_000)));
    return p;
  };
  const exited = (p: ChildProcess): Promise<void> => (p.exitCode !== null || p.signalCode !== null ? Promise.resolve() : new Promise((r) => p.once('exit', () => r())));
  let n = 0;
  const topUp = (): void => {
    while (isp.pendingSteps < 6) isp.queue([add(`./Soak/k${++n}`, `v${n}`), add(`./Soak/k${++n}`, `v${n}`), add(`./Soak/k${++n}`, `v${n}`)]);
  };
  const verified = new Set<string>();
  const check = async (where: string): Promise<void> => {
    // the killed process left the files as they are: recovery + integrity check in this process
    const db = new Database(dbFile);
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok', `integrity_check ${where}`);
      const queued = new Set(db.prepare<[], { payload: string }>("SELECT payload FROM outbox WHERE account = 'sec'").all()
        .map((r) => (JSON.parse(r.payload) as { source?: string }).source ?? ''));
      const delivered = new Set(sec.sessions.flatMap((s) => s.alerts.map((a) => a.source ?? '')));
      for (const uri of ackedAdds(isp).keys()) {
        assert.ok(queued.has(uri) || delivered.has(uri), `${where}: the alert for acknowledged ${uri} is neither delivered nor queued`);
      }
    } finally {
      db.close();
    }
  };
  const checkTree = async (where: string): Promise<void> => {
    for (const [uri, value] of ackedAdds(isp)) {
      if (verified.has(uri)) continue;
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/tree?uri=${encodeURIComponent(uri)}`);
      assert.equal(res.status, 200, `${where}: acknowledged ${uri} lost (HTTP ${res.status})`);
      const body = (await res.json()) as { value?: unknown };
      assert.equal(String(body.value), value, `${where}: ${uri}`);
      verified.add(uri);
    }
  };
  const api = async (path: string): Promise<Response> => fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST' });
  try {
    // set-up run: ./Soak created by the DM 1.2 MA, subscribed by the DM 2.0 MA
    isp.queue([addNode('./Soak'), setAcl('./Soak', 'Add=*&Get=*&Replace=*&Delete=*')]);
    bridge = startBridge();
    await waitFor(() => isp.pendingSteps === 0 && isp.sessions.some((s) => s.outcome === 'ok'), 30_000, `set-up session\n${logs}`);
    sec.queue([{ id: 1, cmd: 'SUB', uri: './Soak', events: ['joined', 'changed', 'left'] }]);
    const r = await api('/api/v1/authorities/sec/session?wait=true');
    assert.equal(r.status, 200);
    assert.deepEqual(sec.sessions.flatMap((s) => s.results).find((x) => x.id === 1)?.status, 200);
    for (let k = 1; k <= opts.kills; k++) {
      topUp();
      const sessionsBefore = isp.sessions.length;
      if (!bridge) bridge = startBridge();
      await waitFor(() => isp.sessions.length > sessionsBefore, 30_000, `a session after restart ${k}\n${logs}`);
      await checkTree(`restart ${k}`);
      topUp();
      await new Promise((res) => setTimeout(res, Math.floor(Math.random() * 1500)));
      bridge.kill('SIGKILL');
      await exited(bridge);
      bridge = null;
      await check(`kill ${k}`);
    }
    // a last clean run: everything acknowledged is there and every queued alert goes out
    bridge = startBridge();
    const sessionsBefore = isp.sessions.length;
    await waitFor(() => isp.sessions.length > sessionsBefore, 30_000, `final restart\n${logs}`);
    await checkTree('final');
    await api('/api/v1/authorities/sec/session?wait=true');
    const acked = ackedAdds(isp);
    await waitFor(() => {
      const delivered = new Set(sec.sessions.flatMap((s) => s.alerts.map((a) => a.source ?? '')));
      return [...acked.keys()].every((u) => delivered.has(u));
    }, 30_000, 'every acknowledged write alerted');
    assert.ok(acked.size >= opts.kills, `${acked.size} acknowledged writes`);
    return { kills: opts.kills, ackedWrites: acked.size, alertsDelivered: sec.sessions.reduce((s, x) => s + x.alerts.length, 0), durationMs: Date.now() - started };
  } finally {
    if (bridge && bridge.exitCode === null) {
      bridge.kill('SIGKILL');
      await exited(bridge);
    }
    await isp.stop();
    await sec.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
