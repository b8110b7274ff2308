// The whole `dm-bridge selftest` (multicast and authority reachability) inside namespaces: a
// loopback-only one (multicast fails) and a virtual LAN host (multicast works). Name lookups go to a
// responder inside the namespace (/etc/netns/NS/resolv.conf), so nothing leaves the machine.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { createLan, loopbackOnlyNs } from './harness/netns.js';

const run = promisify(execFile);
const SIDE = new URL('./harness/selftest-reach-side.ts', import.meta.url).pathname;

interface Outcome { exit: number; message: string; out: string }

/** Run the side in `ns` with its own resolv.conf (removed afterwards). */
async function selftestIn(ns: string, mode: 'ok' | 'dns'): Promise<Outcome> {
  const etc = `/etc/netns/${ns}`;
  mkdirSync(etc, { recursive: true });
  try {
    writeFileSync(join(etc, 'resolv.conf'), 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n');
    const { stdout } = await run('ip', ['netns', 'exec', ns, process.execPath, '--import', 'tsx', SIDE, mode], { timeout: 30_000 });
    return JSON.parse(stdout) as Outcome;
  } finally {
    rmSync(etc, { recursive: true, force: true });
  }
}

describe('selftest: multicast and reachability together', { timeout: 90_000 }, () => {
  test('loopback only: multicast fails and an unresolvable authority fails at DNS; exit 1 names both', async () => {
    const x = loopbackOnlyNs();
    try {
      const r = await selftestIn(x.ns, 'dns');
      assert.equal(r.exit, 1, r.out);
      assert.match(r.out, /^problem: no multicast-capable interface/m);
      assert.match(r.out, /^isp \s+server\s+https:\/\/127\.0\.0\.1:\d+\/dm\s+ok \d+ ms \(HTTP 405\)$/m);
      assert.match(r.out, /^isp \s+notify\s+wss:\/\/127\.0\.0\.1:\d+\/notify\s+ok \d+ ms \(HTTP 101\)$/m);
      assert.match(r.out, /^gone\s+server\s+https:\/\/nonexistent\.invalid:\d+\/dm\s+FAIL DNS: ENOTFOUND$/m);
      assert.match(r.out, /^gone\s+notify\s+wss:\/\/nonexistent\.invalid:\d+\/notify\s+FAIL DNS: ENOTFOUND$/m);
      assert.match(r.message, /no multicast-capable interface.*; 2 of 4 authority URI\(s\) unreachable$/);
    } finally {
      x.cleanup();
    }
  });

  test('virtual LAN host: multicast works and every authority answers: exit 0; one unresolvable authority: exit 1', async () => {
    const lan = createLan('10.78.0');
    try {
      lan.addHost('gw', '1');
      const ok = await selftestIn(lan.ns('gw'), 'ok');
      assert.equal(ok.exit, 0, ok.out);
      assert.match(ok.out, /^eth0\s+10\.78\.0\.1\s+multicast works/m);
      assert.match(ok.out, /^isp\s+notify\s+\S+\s+ok \d+ ms \(HTTP 101\)$/m);
      const bad = await selftestIn(lan.ns('gw'), 'dns');
      assert.equal(bad.exit, 1, bad.out);
      assert.equal(bad.message, '2 of 4 authority URI(s) unreachable');
      assert.match(bad.out, /FAIL DNS: ENOTFOUND/);
    } finally {
      lan.cleanup();
    }
  });
});
