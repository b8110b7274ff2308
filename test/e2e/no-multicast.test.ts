// A namespace with loopback only (a container without host networking looks like this): the
// bridge's discovery starts, stays up, and reports why it cannot see the LAN; `dm-bridge selftest`
// says so per interface and fails; on a virtual LAN it passes and counts the peers.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { createLan, jsonLines, loopbackOnlyNs } from './harness/netns.js';

const run = promisify(execFile);
const HERE = new URL('./harness/', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'dmb-e2e-nomc-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Snap { status: { problem: string | null; interfaces: number }; ready: boolean; multicastDetail: string; devices: object }

describe('multicast self-test and degraded start', { timeout: 60_000 }, () => {
  test('loopback only: discovery runs degraded, readiness says why, selftest fails', async () => {
    const x = loopbackOnlyNs();
    try {
      const { spawn } = await import('node:child_process');
      const p = spawn('ip', ['netns', 'exec', x.ns, process.execPath, '--import', 'tsx', join(HERE, 'bridge-side.ts'), join(dir, 'a.db'), '10', '100'], { stdio: ['pipe', 'pipe', 'pipe'] });
      try {
        const snaps = jsonLines<Snap>(p);
        const s = await snaps.waitFor((v) => v.multicastDetail !== 'multicast self-test pending', 8000, 'self-test result');
        assert.match(s.status.problem ?? '', /no multicast-capable interface/);
        assert.equal(s.status.interfaces, 0);
        assert.equal(s.ready, false);
        assert.match(s.multicastDetail, /no multicast-capable interface/);
        await new Promise((r) => setTimeout(r, 500));
        assert.equal(p.exitCode, null, 'still running');
      } finally {
        p.stdin.end('{"cmd":"stop"}\n');
        await new Promise((r) => { p.once('exit', r); setTimeout(r, 3000); });
        if (p.exitCode === null) p.kill('SIGKILL');
      }
      const { stdout } = await run('ip', ['netns', 'exec', x.ns, process.execPath, '--import', 'tsx', join(HERE, 'selftest-cli.ts')]);
      const r = JSON.parse(stdout) as { exit: number; out: string };
      assert.equal(r.exit, 1);
      assert.match(r.out, /problem: no multicast-capable interface .*host networking or macvlan/);
    } finally {
      x.cleanup();
    }
  });

  test('virtual LAN: selftest passes per interface and counts the other hosts', async () => {
    const lan = createLan('10.79.0');
    try {
      lan.addHost('gw', '1');
      lan.addHost('peer', '2');
      const peer = lan.spawn('peer', '/usr/bin/python3', [join(HERE, 'zc-publish.py'), '10.79.0.2', 'peer-host', 'Peer Printer']);
      await new Promise<void>((resolve) => peer.stdout!.once('data', () => resolve()));
      const { stdout } = await run('ip', ['netns', 'exec', lan.ns('gw'), process.execPath, '--import', 'tsx', join(HERE, 'selftest-cli.ts')]);
      const r = JSON.parse(stdout) as { exit: number; out: string };
      assert.equal(r.exit, 0, r.out);
      assert.match(r.out, /^eth0\s+10\.79\.0\.1\s+multicast works\s+mDNS ok, 1 peer\(s\)\s+SSDP ok, 0 peer\(s\)/m);
    } finally {
      lan.cleanup();
    }
  });
});
