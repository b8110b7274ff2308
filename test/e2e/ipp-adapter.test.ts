// End to end, in network namespaces (TESTING.md): two real IPP Everywhere printers (ippeveprinter,
// each with its own dbus + avahi in a private mount namespace) on a virtual LAN — d1 plain `_ipp._tcp`,
// d2 with a key folder so it also offers `_ipps._tcp` with a self-signed certificate. In the gateway
// namespace the bridge's mDNS discovery + inventory + adapter host with the IPP adapter, and a real
// DM 1.2 session with the reference server on that namespace's loopback that Gets each printer's
// State, StateReasons, MakeModel and Uri and Execs Identify-Printer. d1 advertises `_ipps._tcp` too
// but cannot encrypt (no credentials: it resets the handshake), so the adapter falls back to `ipp`.
// Needs root, ip, unshare, cups-ipp-utils, avahi-daemon, avahi-utils, dbus.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { IPP_PORT, ippevePrinter } from './harness/ippeve.js';
import { createLan, jsonLines, type Lan } from './harness/netns.js';

interface Service { protocol: string; type: string; id: string; port?: number; url?: string; txt?: Record<string, string> }
interface Out {
  attachedMs: number;
  devIds: string[];
  outcome: string;
  reason: string;
  statuses: string[];
  results: Array<{ uri: string; format: string; data: string }>;
  services: Record<string, Service[]>;
  children: Record<string, string[]>;
  warnings: string[];
  stopped?: boolean;
}

const HERE = new URL('./harness/', import.meta.url).pathname;
const SUBNET = '10.81.0';
const dir = mkdtempSync(join(tmpdir(), 'dmb-e2e-ipp-'));
let lan: Lan;
let out: Out;
/** devId -> value of a leaf under MO/Printer/. */
const leaf = (devId: string, name: string): { format: string; data: string } | undefined =>
  out.results.find((r) => r.uri === `./GwMO/DevInventory/Devices/${devId}/MO/Printer/${name}`);
const byModel = (model: string): string => {
  const id = out.devIds.find((d) => leaf(d, 'MakeModel')?.data === model);
  assert.ok(id, `a printer with MakeModel "${model}" in ${JSON.stringify(out.results)}`);
  return id;
};

describe('IPP adapter against real ippeveprinter printers through a DM 1.2 session', { timeout: 45_000 }, () => {
  before(async () => {
    lan = createLan(SUBNET);
    lan.addHost('gw', '1');
    lan.addHost('d1', '11');
    lan.addHost('d2', '12');
    const [c1, a1] = ippevePrinter(join(dir, 'p1'), { hostName: 'labipp1', name: 'LabPlain', manufacturer: 'LabCorp', model: 'Plain IPP', tls: false });
    const [c2, a2] = ippevePrinter(join(dir, 'p2'), { hostName: 'labipp2', name: 'LabSecure', manufacturer: 'LabCorp', model: 'Secure IPP', tls: true });
    for (const [alias, c, a] of [['d1', c1, a1], ['d2', c2, a2]] as const) {
      const p = lan.spawn(alias, c, a);
      p.stderr!.on('data', (b: Buffer) => { if (process.env.E2E_DEBUG) process.stderr.write(`[${alias}] ${b.toString()}`); });
    }
    const side = lan.spawn('gw', process.execPath, ['--import', 'tsx', join(HERE, 'ipp-side.ts'), '2']);
    side.stderr!.on('data', (b: Buffer) => { if (process.env.E2E_DEBUG) process.stderr.write(b); });
    const lines = jsonLines<Out>(side);
    out = await lines.waitFor((x) => x.outcome !== undefined, 30_000, 'the session report');
    await lines.waitFor((x) => x.stopped === true, 10_000, 'the bridge side stopped cleanly');
  });
  after(() => {
    lan?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  test('both printers are discovered by mDNS and attached to the IPP adapter', () => {
    assert.equal(out.devIds.length, 2, `after ${out.attachedMs} ms: ${JSON.stringify(out.devIds)} ${JSON.stringify(out.warnings)}`);
    assert.ok(out.attachedMs < 15_000, `attached in ${out.attachedMs} ms`);
    assert.equal(out.outcome, 'ok', out.reason);
    for (const id of out.devIds) {
      assert.equal(out.results.find((r) => r.uri === `./GwMO/DevInventory/Devices/${id}/Adapter`)?.data, 'ipp');
      assert.deepEqual(out.children[id], ['State', 'StateReasons', 'Info', 'MakeModel', 'Uri', 'Markers', 'Identify']);
    }
  });

  test('the inventory carries each service port and TXT rp; not the port-0 _printer._tcp placeholder', () => {
    const plain = out.services[byModel('LabCorp Plain IPP')]!;
    const ipp = plain.find((s) => s.type === '_ipp._tcp');
    assert.deepEqual({ port: ipp?.port, txt: ipp?.txt }, { port: IPP_PORT, txt: { rp: 'ipp/print' } });
    assert.equal(plain.some((s) => s.type === '_printer._tcp'), false, 'the port-0 placeholder is not a service');
    // without a key folder ippeveprinter still advertises _ipps but fails every handshake
    assert.equal(plain.find((s) => s.type === '_ipps._tcp')?.port, IPP_PORT);
    const secure = out.services[byModel('LabCorp Secure IPP')]!;
    assert.deepEqual(secure.find((s) => s.type === '_ipps._tcp')?.txt, { rp: 'ipp/print' });
  });

  test('Get State, StateReasons, MakeModel and Uri; ipps (self-signed, pinned) where it works, else ipp', () => {
    const plain = byModel('LabCorp Plain IPP');
    const secure = byModel('LabCorp Secure IPP');
    for (const id of [plain, secure]) {
      assert.equal(leaf(id, 'State')?.data, 'idle');
      assert.equal(leaf(id, 'State')?.format, 'chr');
      assert.match(leaf(id, 'StateReasons')?.data ?? '', /^[a-z-]+(,[a-z-]+)*$/);
    }
    assert.equal(leaf(plain, 'Uri')?.data, `ipp://${SUBNET}.11:${IPP_PORT}/ipp/print`);
    assert.equal(leaf(secure, 'Uri')?.data, `ipps://${SUBNET}.12:${IPP_PORT}/ipp/print`);
    const pinned = out.warnings.filter((w) => w.includes('unverified TLS certificate'));
    assert.equal(pinned.length, 1, `one warning for the one ipps attachment: ${JSON.stringify(out.warnings)}`);
  });

  test('Exec Identify-Printer succeeds on both; Exec of a Get-only leaf and Get of an unknown leaf are refused', () => {
    const perDevice = ['Get:200', 'Exec:200', 'Exec:405', 'Get:404'];
    assert.deepEqual(out.statuses, [...perDevice, ...perDevice]);
  });
});
