// Interface trouble never kills the bridge (network namespaces; needs root and ip): node-ssdp's
// addMembership failing (the kernel refuses the membership: igmp_max_memberships=0) used to throw
// an uncaught exception; the interface disappearing while discovery runs is reported in
// discovery.status().problem and the process lives on.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createLan, jsonLines, type Lan } from './harness/netns.js';

interface Status { running: boolean; mdns: boolean; ssdp: boolean; problem: string | null }
const HERE = new URL('./harness/', import.meta.url).pathname;

describe('discovery survives interface trouble', { timeout: 60_000 }, () => {
  let lan: Lan | undefined;
  after(() => lan?.cleanup());

  test('membership refused, then the interface deleted: reported, no crash', async () => {
    lan = createLan('10.77.0');
    const ns = lan.addHost('gw', '1');
    execFileSync('ip', ['netns', 'exec', ns, 'sysctl', '-q', 'net.ipv4.igmp_max_memberships=0']);
    const p = lan.spawn('gw', process.execPath, ['--import', 'tsx', join(HERE, 'iface-side.ts')]);
    let stderr = '';
    p.stderr!.on('data', (b: Buffer) => { stderr = (stderr + b.toString('utf8')).slice(-4000); });
    const status = jsonLines<Status>(p);
    const s1 = await status.waitFor((s) => /cannot join 239\.255\.255\.250.*ENOBUFS/.test(s.problem ?? ''), 15_000, 'membership problem reported');
    assert.equal(s1.ssdp, true, 'SSDP stays on (the join is retried)');
    execFileSync('ip', ['-n', ns, 'link', 'del', 'eth0']);
    await status.waitFor((s) => /interface eth0 went away/.test(s.problem ?? ''), 5000, 'interface loss reported');
    await new Promise((r) => setTimeout(r, 6000)); // past node-ssdp's and our 5 s retry
    assert.equal(p.exitCode, null, `the process is alive; stderr: ${stderr}`);
    assert.equal(p.signalCode, null);
    assert.doesNotMatch(stderr, /uncaught|unhandled/i);
    p.kill('SIGTERM');
  });
});
