// End to end, in network namespaces (TESTING.md): GENA eventing from a real UPnP device into the
// tree. The device is test/peers/upnp-media-server.ts (a real HTTP/SSDP/SOAP/GENA publisher per
// UDA 2.0 §4), not minidlna: Debian's minidlna 1.3.0 accepts SUBSCRIBE and connects to the CALLBACK
// but never writes a NOTIFY (its non-blocking connect() returns EINPROGRESS and the socket is never
// registered for writability: pselect's write set stays empty), so no event from it can arrive.
// In the gateway namespace: discovery + inventory + adapter host with the UPnP adapter, whose GENA
// callback server listens on the LAN-side address. Needs root and ip.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { createLan, type Lan } from './harness/netns.js';

const HERE = new URL('./harness/', import.meta.url).pathname;
const UUID = '6a0c3e2d-7b1f-4c55-9e0a-00000000be01';
const DEV = `upnp-${UUID}`;
const STATE = `./GwMO/DevInventory/Devices/${DEV}/MO/Services/ContentDirectory/State`;

interface Line {
  ready?: string;
  subscribe?: { sid: string; callbacks: string[]; renewal: boolean };
  delivery?: { sid: string; seq: number; status: number | string; vars: Record<string, string> };
  bumped?: number;
  attachedMs?: number;
  changed?: { uri: string; status: number; value?: string };
  get?: { uri: string; status: number; value?: string };
  at?: number;
  stopped?: boolean;
}

/** Every JSON line of a child, kept; `waitFor` looks at past and future lines. */
function lines(p: ChildProcess, name: string) {
  const all: Line[] = [];
  const waiters: Array<() => void> = [];
  let buf = '';
  p.stdout!.on('data', (chunk: Buffer) => {
    buf += chunk.toString('utf8');
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const l = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        all.push(JSON.parse(l) as Line);
      } catch {
        continue;
      }
      for (const w of waiters.splice(0)) w();
    }
  });
  p.stderr!.on('data', (b: Buffer) => { if (process.env.E2E_DEBUG) process.stderr.write(`[${name}] ${b.toString()}`); });
  return {
    all,
    send: (cmd: string): void => void p.stdin!.write(`${cmd}\n`),
    waitFor(pred: (l: Line) => boolean, ms: number, what: string): Promise<Line> {
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`${name}: timed out after ${ms} ms waiting for ${what}; got ${JSON.stringify(all).slice(-1500)}`)), ms);
        const check = (): void => {
          const hit = all.find(pred);
          if (hit) {
            clearTimeout(t);
            resolve(hit);
          } else waiters.push(check);
        };
        check();
      });
    },
  };
}

let lan: Lan;
let dev: ReturnType<typeof lines>;
let gw: ReturnType<typeof lines>;

describe('GENA events from a real UPnP device reach the tree', { timeout: 60_000 }, () => {
  before(async () => {
    lan = createLan('10.81.0');
    lan.addHost('gw', '1');
    lan.addHost('d1', '11');
    dev = lines(lan.spawn('d1', process.execPath, ['--import', 'tsx', `${HERE}gena-device.ts`, '10.81.0.11', UUID], { stdin: true }), 'device');
    await dev.waitFor((l) => l.ready !== undefined, 15_000, 'the device');
    gw = lines(lan.spawn('gw', process.execPath, ['--import', 'tsx', `${HERE}gena-side.ts`, DEV], { stdin: true }), 'bridge');
  });
  after(() => lan?.cleanup());

  test('the device is attached and subscribed with a CALLBACK on the gateway LAN address', async () => {
    const a = await gw.waitFor((l) => l.attachedMs !== undefined, 25_000, 'the attach');
    assert.ok(a.attachedMs! >= 0 && a.attachedMs! < 15_000, `attached in ${a.attachedMs} ms`);
    const s = await dev.waitFor((l) => l.subscribe !== undefined, 10_000, 'a SUBSCRIBE');
    assert.equal(s.subscribe!.renewal, false);
    assert.equal(s.subscribe!.callbacks.length, 1);
    assert.match(s.subscribe!.callbacks[0]!, /^http:\/\/10\.81\.0\.1:\d+\/gena\/[0-9a-f]{24}$/);
  });

  test('the initial event (SEQ 0) is accepted and its values reach the tree with tree.changed', async () => {
    const d = await dev.waitFor((l) => l.delivery?.seq === 0, 10_000, 'the initial NOTIFY');
    assert.equal(d.delivery!.status, 200, 'our callback server answered the NOTIFY');
    assert.deepEqual(d.delivery!.vars, { SystemUpdateID: '7', ContainerUpdateIDs: '', TransferIDs: '' });
    const c = await gw.waitFor((l) => l.changed?.uri === `${STATE}/SystemUpdateID`, 10_000, 'tree.changed of SystemUpdateID');
    assert.deepEqual(c.changed, { uri: `${STATE}/SystemUpdateID`, status: 200, value: '7' });
    await gw.waitFor((l) => l.changed?.uri === `${STATE}/ContainerUpdateIDs`, 5000, 'tree.changed of ContainerUpdateIDs');
  });

  test('a change on the device (SEQ 1) reaches the tree: evented value and tree.changed', async () => {
    const before = gw.all.length;
    const t0 = Date.now();
    dev.send('bump');
    const d = await dev.waitFor((l) => l.delivery?.seq === 1, 10_000, 'the change NOTIFY');
    assert.equal(d.delivery!.status, 200);
    assert.deepEqual(d.delivery!.vars, { SystemUpdateID: '8', ContainerUpdateIDs: '0,8' });
    const later = (uri: string) => (l: Line): boolean => gw.all.indexOf(l) >= before && l.changed?.uri === uri;
    const sys = await gw.waitFor(later(`${STATE}/SystemUpdateID`), 10_000, 'tree.changed of SystemUpdateID = 8');
    assert.equal(sys.changed!.value, '8');
    assert.ok(sys.at! - t0 < 5000, `within ${sys.at! - t0} ms`);
    // ContainerUpdateIDs has no getter action: its tree value can only come from the NOTIFY.
    const cu = await gw.waitFor(later(`${STATE}/ContainerUpdateIDs`), 5000, 'tree.changed of ContainerUpdateIDs');
    assert.deepEqual(cu.changed, { uri: `${STATE}/ContainerUpdateIDs`, status: 200, value: '0,8' });
    gw.send(`get ${STATE}/ContainerUpdateIDs`);
    const g = await gw.waitFor((l) => l.get?.uri === `${STATE}/ContainerUpdateIDs`, 5000, 'a Get');
    assert.equal(g.get!.value, '0,8');
  });

  test('on stop the bridge unsubscribes: later changes are not sent to it', async () => {
    gw.send('stop');
    await gw.waitFor((l) => l.stopped === true, 10_000, 'the bridge side stopped');
    const n = dev.all.filter((l) => l.delivery).length;
    dev.send('bump');
    await dev.waitFor((l) => l.bumped === 9, 5000, 'the second change');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(dev.all.filter((l) => l.delivery).length, n, 'no NOTIFY attempted: the subscription was cancelled');
  });
});
