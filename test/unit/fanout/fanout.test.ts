import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { silentLogger } from '../../../bridge/core/logger.js';
import { createFanout, ownerAcl, type FanoutLimits, type FanoutService } from '../../../bridge/fanout/index.js';
import type { ExecOutcome, Principal } from '../../../bridge/tree/types.js';
import { authority, makeTree, treeConfig, type Fixture } from '../tree/helpers.js';
import { Lab, type Behaviour } from './lab.js';

const ISP = 'dm.isp';
const SEC = 'dm.sec';
let fx: Fixture | undefined;
let svc: FanoutService | undefined;
afterEach(() => {
  svc?.stop();
  fx?.close();
  fx = undefined;
  svc = undefined;
});

function setup(devices: Record<string, Behaviour>, opts: { groups?: Record<string, string[]>; limits?: Partial<FanoutLimits>; fixture?: Fixture } = {}) {
  fx = opts.fixture ?? makeTree(treeConfig([authority('isp', ISP), authority('sec', SEC)]));
  const lab = new Lab(new Map(Object.entries(devices)), new Map(Object.entries(opts.groups ?? {})));
  fx.tree.mount('./GwMO/DevInventory', lab);
  fx.tree.replace('./GwMO/DevInventory/Devices?prop=ACL', { data: 'Get=*&Replace=*&Exec=*' }, null);
  svc = createFanout({ store: fx.store, tree: fx.tree, events: fx.events, log: silentLogger(), limits: { timeoutMs: 150, ...opts.limits } });
  svc.mount();
  return { t: fx.tree, lab, svc, fx };
}

const F = './GwMO/Fanout';
async function define(t: Fixture['tree'], name: string, leaves: Record<string, string>, as: Principal = ISP): Promise<number[]> {
  const codes = [(await t.add(`${F}/${name}`, { format: 'node' }, as)).status];
  for (const [k, v] of Object.entries(leaves)) codes.push((await t.add(`${F}/${name}/${k}`, { data: v }, as)).status);
  return codes;
}
async function run(t: Fixture['tree'], name: string, as: Principal = ISP, correlator = 'c-1') {
  const done: ExecOutcome[] = [];
  const first = await t.exec(`${F}/${name}/Exec`, undefined, as, { correlator, complete: (o) => done.push(o) });
  await svc!.provider.finished.get(name);
  return { first, done };
}
const val = async (t: Fixture['tree'], uri: string, as: Principal = ISP) => {
  const r = await t.get(uri, as);
  return r.status === 200 ? (r.value?.children?.join('/') ?? r.value?.value) : `#${r.status}`;
};

describe('fan-out', () => {
  test('a Get over devices and a group: 202, per-device results (ok, 425 denied, timeout, 404), Status counts, the completion outcome', async () => {
    const { t } = setup({ d1: 'ok', d2: 'ok', d3: 'hang', d4: 'ok' }, { groups: { g1: ['d3', 'd4', 'd1'] } });
    t.replace('./GwMO/DevInventory/Devices/d2?prop=ACL', { data: `Get=${SEC}` }, null);
    assert.deepEqual(await define(t, 'q', { Command: 'get', Target: 'd1, d2,Groups/g1,nope', Path: 'MO/Value' }), [200, 200, 200, 200]);
    assert.equal(await val(t, `${F}/q/Command`), 'Get', 'stored canonical');
    assert.equal(await val(t, `${F}/q/Status`), 'pending;total=0;completed=0;ok=0;failed=0;timeout=0');
    const started = Date.now();
    const { first, done } = await run(t, 'q');
    assert.equal(first.status, 202);
    assert.ok(Date.now() - started < 1000, 'the hung device costs its timeout only');
    assert.equal(await val(t, `${F}/q/Status`), 'done;total=5;completed=5;ok=2;failed=2;timeout=1');
    assert.equal(await val(t, `${F}/q/Results`), 'd1/d2/d3/d4/nope', 'target order, duplicates dropped');
    const res = async (d: string) => [await val(t, `${F}/q/Results/${d}/Status`), await val(t, `${F}/q/Results/${d}/Data`)];
    assert.deepEqual(await res('d1'), ['200', 'v-d1']);
    assert.deepEqual(await res('d2'), ['425', '']);
    assert.deepEqual(await res('d3'), ['500', 'timeout: no answer within 150 ms']);
    assert.deepEqual(await res('d4'), ['200', 'v-d4']);
    assert.equal((await res('nope'))[0], '404');
    assert.deepEqual(done, [{ status: 500, data: 'done;total=5;completed=5;ok=2;failed=2;timeout=1' }]);
  });

  test('the node belongs to its creator: another authority cannot read, run, change or list it', async () => {
    const { t } = setup({ d1: 'ok' });
    await define(t, 'mine', { Command: 'Get', Target: 'd1', Path: 'Name' });
    assert.equal(t.acls.own(`${F}/mine`), ownerAcl(ISP));
    assert.equal(await val(t, `${F}/mine/Target`), 'd1');
    assert.equal(await val(t, `${F}/mine/Target`, SEC), '#425');
    assert.equal(await val(t, `${F}/mine/Status`, SEC), '#425');
    assert.equal((await t.exec(`${F}/mine/Exec`, undefined, SEC)).status, 425);
    assert.equal((await t.replace(`${F}/mine/Target`, { data: 'd2' }, SEC)).status, 425);
    assert.equal((await t.delete(`${F}/mine`, SEC)).status, 425);
    assert.equal(await val(t, F, SEC), '#425', 'the list is not readable by authorities');
    assert.equal(await val(t, F, null), 'mine');
    // an implicitly created fan-out node (Add of a leaf first) is its creator's too
    assert.equal((await t.add(`${F}/other/Command`, { data: 'Get' }, SEC)).status, 200);
    assert.equal(t.acls.own(`${F}/other`), ownerAcl(SEC));
  });

  test('device calls run as the ServerID that sent the Exec: Replace and async Exec', async () => {
    const { t, lab } = setup({ d1: 'ok', d2: 'async', d3: 'ok' });
    t.replace('./GwMO/DevInventory/Devices/d3?prop=ACL', { data: 'Get=*' }, null);
    await define(t, 'set', { Command: 'Replace', Target: 'd1,d3', Path: 'MO/Value', Data: 'on' });
    const r = await run(t, 'set');
    assert.equal(r.first.status, 202);
    assert.equal(lab.values.get('d1'), 'on');
    assert.equal(lab.values.get('d3'), undefined, 'd3 does not grant Replace');
    assert.equal(await val(t, `${F}/set/Results/d3/Status`), '425');
    await define(t, 'boot', { Command: 'Exec', Target: 'd1,d2', Path: 'MO/Reboot', Data: 'now' });
    const b = await run(t, 'boot');
    assert.deepEqual(b.done, [{ status: 200, data: 'done;total=2;completed=2;ok=2;failed=0;timeout=0' }]);
    assert.equal(await val(t, `${F}/boot/Results/d2/Data`), 'rebooted d2', 'an async device Exec is awaited');
    assert.deepEqual(lab.calls.filter((c) => c.startsWith('exec')), ['exec d1 now', 'exec d2 now']);
  });

  test('bad definitions are refused with DM statuses', async () => {
    const { t } = setup({ d1: { delayMs: 100 } });
    assert.deepEqual(await define(t, 'bad', { Command: 'Delete', Target: 'a b', Path: './abs', Other: 'x' }), [200, 400, 400, 400, 405]);
    assert.equal((await t.add(`${F}/leafy`, { data: 'x' }, ISP)).status, 405, 'a fan-out is interior');
    assert.equal((await t.exec(`${F}/bad/Exec`, undefined, ISP)).status, 412, 'Command missing');
    await define(t, 'g', { Command: 'Get', Target: 'Groups/none', Path: 'MO/Value' });
    assert.equal((await t.exec(`${F}/g/Exec`, undefined, ISP)).status, 404, 'unknown group');
    await define(t, 'slow', { Command: 'Get', Target: 'd1', Path: 'MO/Value' });
    assert.equal((await t.exec(`${F}/slow/Exec`, undefined, ISP)).status, 202);
    assert.equal((await t.exec(`${F}/slow/Exec`, undefined, ISP)).status, 500, 'already running');
    assert.equal((await t.delete(`${F}/slow`, ISP)).status, 500, 'running');
    assert.match(String(await val(t, `${F}/slow/Status`)), /^running;total=1;completed=0/);
    await svc!.provider.finished.get('slow');
    assert.equal((await t.delete(`${F}/slow/Exec`, ISP)).status, 405, 'permanent');
    assert.equal((await t.delete(`${F}/slow`, ISP)).status, 200);
    assert.equal(svc!.provider.finished.has('slow'), false, 'a deleted fan-out leaves nothing in memory');
    assert.equal(await val(t, `${F}/slow`), '#404');
  });

  test('limits: bounded concurrency, targets per run, fan-outs per authority, data size', async () => {
    const devs: Record<string, Behaviour> = {};
    for (let i = 0; i < 40; i++) devs[`s${i}`] = { delayMs: 10 };
    const { t, lab } = setup(devs, { limits: { concurrency: 4, maxTargets: 40, maxPerOwner: 3, maxDataBytes: 8 } });
    await define(t, 'many', { Command: 'Get', Target: Object.keys(devs).join(','), Path: 'Name' });
    await run(t, 'many');
    assert.equal(await val(t, `${F}/many/Status`), 'done;total=40;completed=40;ok=40;failed=0;timeout=0');
    assert.equal(await val(t, `${F}/many/Results/s7/Data`), 'dev s7');
    await define(t, 'slowget', { Command: 'Get', Target: Object.keys(devs).join(','), Path: 'MO/Value' });
    await run(t, 'slowget');
    assert.ok(lab.maxInFlight <= 4 && lab.maxInFlight >= 2, `max in flight ${lab.maxInFlight}`);
    await define(t, 'big', { Command: 'Get', Target: `${Object.keys(devs).join(',')},x41`, Path: 'Name' });
    assert.equal((await t.exec(`${F}/big/Exec`, undefined, ISP)).status, 413);
    assert.equal((await t.add(`${F}/fourth`, { format: 'node' }, ISP)).status, 420);
    assert.equal((await t.add(`${F}/fourth`, { format: 'node' }, SEC)).status, 200, 'the cap is per authority');
    await define(t, 'cut', { Command: 'Get', Target: 's1', Path: 'MO' }, SEC);
    await run(t, 'cut', SEC);
    assert.equal(await val(t, `${F}/cut/Results/s1/Data`, SEC), 'Value/Re', 'Data is cut to maxDataBytes');
  });

  test('definitions and results survive a restart; a run cut by a restart is reported as interrupted', async () => {
    const { t } = setup({ d1: 'ok', d2: 'hang' }, { limits: { timeoutMs: 1000, batchSize: 1 } });
    await define(t, 'q', { Command: 'Get', Target: 'd1,d2', Path: 'MO/Value' });
    assert.equal((await t.exec(`${F}/q/Exec`, undefined, ISP, { correlator: 'k-9' })).status, 202);
    await new Promise((r) => setTimeout(r, 30));
    svc!.stop();
    const next = setup({ d1: 'ok', d2: 'ok' }, { fixture: fx!.reopen() });
    const lost = next.svc.recover();
    assert.deepEqual(lost, [{ serverId: ISP, uri: `${F}/q/Exec`, correlator: 'k-9', status: 500, data: 'interrupted;total=2;completed=1;ok=1;failed=0;timeout=0' }]);
    assert.equal(await val(next.t, `${F}/q/Results/d1/Data`), 'v-d1', 'kept across the restart');
    assert.equal(await val(next.t, `${F}/q/Target`), 'd1,d2');
    assert.equal(next.t.acls.own(`${F}/q`), ownerAcl(ISP));
    assert.deepEqual(next.svc.recover(), [], 'reported once');
    const again = await run(next.t, 'q');
    assert.equal(again.done[0]!.status, 200);
    assert.equal(await val(next.t, `${F}/q/Status`), 'done;total=2;completed=2;ok=2;failed=0;timeout=0');
  });
});
