// End to end, in network namespaces (TESTING.md): a real UPnP MediaServer (minidlna) on a virtual
// LAN; in the gateway namespace the bridge's discovery + inventory + adapter host with the UPnP
// adapter, and a real DM 1.2 session with the reference server on that namespace's loopback that
// Gets a ContentDirectory state variable and Execs GetSystemUpdateID and Browse (In args Replaced
// first), reading Out. Needs root, ip, minidlna.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MINIDLNA_UUID, minidlnaConfig } from './harness/minidlna.js';
import { createLan, jsonLines, type Lan } from './harness/netns.js';

interface Out {
  attachedMs: number;
  outcome: string;
  reason: string;
  statuses: string[];
  results: Array<{ uri: string; format: string; data: string }>;
  changed: string[];
  children: string[];
  stopped?: boolean;
}

const HERE = new URL('./harness/', import.meta.url).pathname;
const DEV = `upnp-${MINIDLNA_UUID}`;
const MO = `./GwMO/DevInventory/Devices/${DEV}/MO/Services/ContentDirectory`;
const dir = mkdtempSync(join(tmpdir(), 'dmb-e2e-upnpad-'));
let lan: Lan;
let out: Out;

describe('UPnP adapter against a real minidlna through a DM 1.2 session', { timeout: 60_000 }, () => {
  before(async () => {
    lan = createLan('10.79.0');
    lan.addHost('gw', '1');
    lan.addHost('d1', '11');
    const conf = minidlnaConfig(join(dir, 'dlna'));
    lan.spawn('d1', 'minidlnad', ['-f', conf, '-P', join(dir, 'dlna.pid'), '-d']);
    const side = lan.spawn('gw', process.execPath, ['--import', 'tsx', join(HERE, 'upnp-side.ts'), DEV]);
    side.stderr!.on('data', (b: Buffer) => { if (process.env.E2E_DEBUG) process.stderr.write(b); });
    const lines = jsonLines<Out>(side);
    out = await lines.waitFor((x) => x.outcome !== undefined, 40_000, 'the session report');
    await lines.waitFor((x) => x.stopped === true, 10_000, 'the bridge side stopped cleanly');
  });
  after(() => {
    lan?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the device is attached and its ContentDirectory exposed under MO/', () => {
    assert.ok(out.attachedMs < 15_000, `attached in ${out.attachedMs} ms`);
    assert.deepEqual(out.children, ['State', 'Actions']);
    assert.equal(out.outcome, 'ok', out.reason);
  });

  test('Get of the Adapter leaf and of a ContentDirectory state variable', () => {
    const r = new Map(out.results.map((x) => [x.uri, x]));
    assert.equal(r.get(`./GwMO/DevInventory/Devices/${DEV}/Adapter`)?.data, 'upnp');
    const v = r.get(`${MO}/State/SystemUpdateID`);
    assert.equal(v?.format, 'int');
    assert.match(v?.data ?? '', /^\d+$/);
  });

  test('Exec GetSystemUpdateID and Browse (In args Replaced first), Out read back', () => {
    assert.deepEqual(out.statuses.slice(0, 13), [
      'Get:200', 'Exec:200', 'Get:200', 'Replace:200', 'Replace:200', 'Replace:200', 'Replace:200', 'Replace:200', 'Replace:200',
      'Exec:200', 'Get:200', 'Replace:400', 'Exec:404',
    ]);
    const r = new Map(out.results.map((x) => [x.uri, x]));
    assert.equal(r.get(`${MO}/Actions/GetSystemUpdateID/Out/Id`)?.data, r.get(`${MO}/State/SystemUpdateID`)?.data);
    assert.match(r.get(`${MO}/Actions/Browse/Out/Result`)?.data ?? '', /^<DIDL-Lite[\s\S]*<container [\s\S]*<\/DIDL-Lite>$/);
    const n = Number(r.get(`${MO}/Actions/Browse/Out/NumberReturned`)?.data);
    assert.ok(n >= 1 && n <= 10, `NumberReturned ${n}`);
    assert.equal(r.get(`${MO}/Actions/Browse/Out/NumberReturned`)?.format, 'int');
  });

});
