// End to end, in network namespaces (TESTING.md): a real UPnP MediaServer (minidlna) and a real mDNS
// publisher (python3-zeroconf) on a virtual LAN; the bridge's discovery + inventory in its own
// namespace lists them in ./GwMO/DevInventory; goodbye/byebye and kill -9 turn them offline within
// the TTL rules; live settings apply; a restart keeps the DevIDs. Needs root, ip, minidlna, python3-zeroconf.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MINIDLNA_UUID, minidlnaConfig } from './harness/minidlna.js';
import { createLan, jsonLines, type Lan } from './harness/netns.js';

interface Snap {
  devices: Record<string, Record<string, unknown>>;
  groups: Record<string, string>;
  events: string[];
  status: { problem: string | null; mdns: boolean; ssdp: boolean; interfaces: number };
  ready: boolean;
  multicastDetail: string;
  stopped?: boolean;
}

const HERE = new URL('./harness/', import.meta.url).pathname;
const TTL = 4;
const UPNP = `upnp-${MINIDLNA_UUID}`;
const MDNS = 'mdns-lab-zc-printer.lab-zc';
const dir = mkdtempSync(join(tmpdir(), 'dmb-e2e-disc-'));
const db = join(dir, 'bridge.db');
let lan: Lan;
let conf = '';
let bridge: ChildProcess | undefined;
let snaps: ReturnType<typeof jsonLines<Snap>>;
let dlna: ChildProcess | undefined;
let zc: ChildProcess | undefined;

const status = (id: string) => (s: Snap) => s.devices[id]?.Status as string | undefined;
const startDlna = (): ChildProcess => (dlna = lan.spawn('d1', 'minidlnad', ['-f', conf, '-P', join(dir, `dlna-${Date.now()}.pid`), '-d']));
const startZc = (): ChildProcess =>
  (zc = lan.spawn('d2', '/usr/bin/python3', [join(HERE, 'zc-publish.py'), '10.78.0.12', 'lab-zc', 'Lab ZC Printer']));
function startBridge(): void {
  bridge = lan.spawn('gw', process.execPath, ['--import', 'tsx', join(HERE, 'bridge-side.ts'), db, String(TTL), '300'], { stdin: true });
  bridge.stderr!.on('data', (b: Buffer) => { if (process.env.E2E_DEBUG) process.stderr.write(b); });
  snaps = jsonLines<Snap>(bridge);
}
function stopped(p: ChildProcess | undefined): Promise<void> {
  return new Promise((resolve) => (p === undefined || p.exitCode !== null || p.signalCode !== null ? resolve() : p.once('exit', () => resolve())));
}

describe('discovery + inventory on a virtual LAN', { timeout: 120_000 }, () => {
  before(() => {
    lan = createLan('10.78.0');
    lan.addHost('gw', '1');
    lan.addHost('d1', '11');
    lan.addHost('d2', '12');
    conf = minidlnaConfig(join(dir, 'dlna'));
    startDlna();
    startZc();
    startBridge();
  });
  after(async () => {
    bridge?.stdin?.end(JSON.stringify({ cmd: 'stop' }) + '\n');
    await Promise.race([stopped(bridge), new Promise((r) => setTimeout(r, 2000))]);
    lan.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  test('both real devices appear in ./GwMO/DevInventory with correct fields', async () => {
    const s = await snaps.waitFor((x) => status(UPNP)(x) === 'online' && x.devices[UPNP]?.Name === 'LabMediaServer' && status(MDNS)(x) === 'online', 10_000, 'both devices online');
    const u = s.devices[UPNP]!;
    assert.equal(u.DeviceID, UPNP);
    assert.equal(u.Type, 'MediaServer');
    assert.equal(u.Protocol, 'upnp');
    assert.equal(u.Address, '10.78.0.11');
    assert.match(String(u.Manufacturer), /\S/);
    assert.match(String(u.Model), /MiniDLNA|Windows Media/i);
    assert.deepEqual(String(u.ACL).split('&').sort(), ['Exec=*', 'Get=*', 'Replace=*'], 'a new device node gets ./Bridge/Policy/DeviceACL');
    const m = s.devices[MDNS]!;
    assert.deepEqual(
      { Name: m.Name, Type: m.Type, Manufacturer: m.Manufacturer, Model: m.Model, Protocol: m.Protocol, Address: m.Address },
      { Name: 'Lab ZC Printer', Type: 'Printer', Manufacturer: 'LabCorp', Model: 'ZC-1', Protocol: 'mdns', Address: '10.78.0.12' },
    );
    assert.equal(Object.keys(s.devices).length, 2, `only the two devices: ${Object.keys(s.devices).join(',')}`);
    assert.equal(s.groups['type-Printer'], MDNS);
    assert.equal(s.groups['protocol-upnp'], UPNP);
    const r = await snaps.waitFor((x) => x.ready, 3000, '/readyz ready once the self-test passed');
    assert.equal(r.multicastDetail, 'multicast works on eth0');
    const j = await snaps.waitFor((x) => x.events.includes(`joined:${UPNP}`) && x.events.includes(`joined:${MDNS}`), 3000, 'joined alerts');
    assert.equal(j.events.length, 2, `one joined alert each: ${j.events.join(' ')}`);
  });

  test('mDNS goodbye turns the printer offline at once', async () => {
    const t0 = Date.now();
    zc!.kill('SIGTERM');
    await snaps.waitFor((x) => status(MDNS)(x) === 'offline', 3000, 'printer offline after goodbye');
    assert.ok(Date.now() - t0 < TTL * 1000, 'faster than the TTL: it was the goodbye');
    assert.equal(status(UPNP)(snaps.last()!), 'online');
  });

  test('kill -9 of minidlna: offline within the TTL', async () => {
    const t0 = Date.now();
    dlna!.kill('SIGKILL');
    await snaps.waitFor((x) => status(UPNP)(x) === 'offline', (TTL + 3) * 1000, 'media server offline after kill -9');
    assert.ok(Date.now() - t0 >= 1000, 'not before it was actually missed');
    await snaps.waitFor((x) => x.events.includes(`left:${UPNP}`), 2000, 'left alert after the debounce window');
  });

  test('both come back with the same DevIDs; events were not duplicated', async () => {
    startDlna();
    startZc();
    const s = await snaps.waitFor((x) => status(UPNP)(x) === 'online' && status(MDNS)(x) === 'online', 10_000, 'both back online');
    assert.deepEqual(Object.keys(s.devices).sort(), [MDNS, UPNP].sort());
    const e = await snaps.waitFor((x) => x.events.length >= 6, 3000, 'six events');
    assert.deepEqual([...e.events].sort(), [`joined:${MDNS}`, `joined:${MDNS}`, `joined:${UPNP}`, `joined:${UPNP}`, `left:${MDNS}`, `left:${UPNP}`].sort());
  });

  test('./Bridge/Discovery/MDNS=false applies live, true brings the printer back', async () => {
    bridge!.stdin!.write(JSON.stringify({ cmd: 'set', key: 'discovery.mdns', value: 'false' }) + '\n');
    await snaps.waitFor((x) => !x.status.mdns && status(MDNS)(x) === 'offline', 3000, 'mdns off');
    assert.equal(status(UPNP)(snaps.last()!), 'online');
    bridge!.stdin!.write(JSON.stringify({ cmd: 'set', key: 'discovery.mdns', value: 'true' }) + '\n');
    await snaps.waitFor((x) => x.status.mdns && status(MDNS)(x) === 'online', 5000, 'mdns back on');
  });

  test('SSDP byebye turns the media server offline at once; kill -9 of the publisher within the TTL', async () => {
    let t0 = Date.now();
    dlna!.kill('SIGTERM');
    await snaps.waitFor((x) => status(UPNP)(x) === 'offline', 3000, 'media server offline after byebye');
    assert.ok(Date.now() - t0 < TTL * 1000);
    t0 = Date.now();
    zc!.kill('SIGKILL');
    await snaps.waitFor((x) => status(MDNS)(x) === 'offline', (TTL + 3) * 1000, 'printer offline after kill -9');
  });

  test('a restart of the bridge keeps the DevIDs (persisted, offline until seen again)', async () => {
    bridge!.stdin!.write(JSON.stringify({ cmd: 'stop' }) + '\n');
    await snaps.waitFor((x) => x.stopped === true, 5000, 'bridge stopped');
    await Promise.race([stopped(bridge), new Promise((r) => setTimeout(r, 3000))]);
    assert.notEqual(bridge!.exitCode, null, 'stop() released every socket and timer: the process exited by itself');
    startBridge();
    const s0 = await snaps.waitFor((x) => Object.keys(x.devices).length === 2, 5000, 'devices loaded from the store');
    assert.deepEqual(Object.values(s0.devices).map((d) => d.Status), ['offline', 'offline']);
    startDlna();
    startZc();
    const s = await snaps.waitFor((x) => status(UPNP)(x) === 'online' && status(MDNS)(x) === 'online', 10_000, 'rediscovered');
    assert.deepEqual(Object.keys(s.devices).sort(), [MDNS, UPNP].sort());
  });
});
