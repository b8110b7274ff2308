import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { dm2Harness, type Dm2Harness } from './dm2-harness.js';

const SID = 'dm2.isp.example';
/** A node the MA creates gets Add/Delete/Replace for it but no Get (DM 1.2 rule): payloads grant Get too. */
const OWN = `Add=${SID}&Delete=${SID}&Get=${SID}&Replace=${SID}`;
let h: Dm2Harness;
afterEach(async () => h?.close());

const byId = (rs: Array<{ id: number; status: number; data?: unknown }>) => new Map(rs.map((r) => [r.id, r]));

describe('DM 2.0 session over HTTP: each command', () => {
  test('Package #1 carries devId, trigger, mos and devInfo; GET leaf/interior, DELETE, SHOW; END then empty ack', async () => {
    h = await dm2Harness([{ account: 'isp', serverId: SID }]);
    const s = h.dm2.get('isp')!;
    s.queue([
      { id: 1, cmd: 'GET', uri: './DevInfo/DevId' },
      { id: 2, cmd: 'GET', uri: './DevDetail/URI' },
      { id: 3, cmd: 'GET', uri: './DevDetail/LrgObj' },
      { id: 4, cmd: 'GET', uri: './Nope' },
      { id: 5, cmd: 'SHOW', href: 'https://portal.example/msg/1' },
    ], [{ id: 6, cmd: 'DELETE', uri: './DevInfo' }]);
    const report = await h.session('isp');
    assert.equal(report.outcome, 'ok', report.reason);
    const rec = s.sessions[0]!;
    const p1 = rec.packages[0]!;
    assert.equal(p1.msg, 1);
    assert.equal(p1.devId, 'urn:dev:mac:0242ac110002');
    assert.deepEqual(p1.trigger, { kind: 'client' });
    assert.ok(p1.mos?.some((m) => m.uri === './DevInfo'));
    assert.equal(p1.devInfo?.Man, 'Acme');
    assert.equal(p1.devInfo?.DmV, '2.0');
    const r = byId(rec.results);
    assert.deepEqual(r.get(1), { id: 1, status: 200, data: 'urn:dev:mac:0242ac110002' });
    const tree = r.get(2)!.data as { uri: string; format: string; children: Record<string, { format: string; value: unknown }> };
    assert.equal(tree.uri, './DevDetail/URI');
    assert.equal(tree.format, 'node');
    assert.equal(tree.children.MaxDepth!.format, 'int');
    assert.equal(tree.children.MaxDepth!.value, 16);
    assert.deepEqual(r.get(3), { id: 3, status: 200, data: true });
    assert.equal(r.get(4)!.status, 404);
    assert.equal(r.get(5)!.status, 406);
    assert.equal(r.get(6)!.status, 405); // permanent node
    assert.deepEqual(rec.packages.map((p) => p.msg), [1, 2, 3]); // #1, results after CONT, results after END
    assert.equal(rec.ended, true);
    assert.equal(report.messagesSent, 3);
  });

  test('DELETE of a dynamic node removes its subtree', async () => {
    h = await dm2Harness([{ account: 'isp', serverId: SID }]);
    h.tree.add('./Tmp/A/B', { format: 'chr', data: 'x' }, SID);
    h.dm2.get('isp')!.queue([{ id: 1, cmd: 'DELETE', uri: './Tmp/A' }, { id: 2, cmd: 'GET', uri: './Tmp/A/B' }]);
    await h.session('isp');
    assert.deepEqual(h.dm2.get('isp')!.sessions[0]!.results.map((r) => r.status), [200, 404]);
  });

  test('EXEC with a correlator answers 202 and the result comes as an alert with that correlator next session', async () => {
    h = await dm2Harness([{ account: 'isp', serverId: SID }]);
    const s = h.dm2.get('isp')!;
    s.queue([{ id: 1, cmd: 'EXEC', uri: './Ops/Reboot', data: 'now', correlator: 'c-7' }, { id: 2, cmd: 'EXEC', uri: './DevInfo/Man' }]);
    await h.session('isp');
    assert.deepEqual(s.sessions[0]!.results.map((r) => r.status), [202, 405]);
    assert.deepEqual(h.execCalls, [{ data: 'now', correlator: 'c-7' }]);
    await h.settle();
    assert.equal(h.outbox.count('isp'), 1);
    const report = await h.session('isp');
    assert.equal(report.alertsAcknowledged, 1);
    assert.deepEqual(s.sessions[1]!.alerts, [{ type: 'org.dmbridge.exec.result', source: './Ops/Reboot', data: 200, correlator: 'c-7' }]);
    assert.equal(s.sessions[1]!.packages[0]!.trigger?.kind, 'client');
    assert.equal(h.outbox.count('isp'), 0);
  });

  test('HGET writes a JSON tree (adds, replaces, acl), HPUT/HPOST send the subtree with secrets left out', async () => {
    h = await dm2Harness([{ account: 'isp', serverId: SID }]);
    const s = h.dm2.get('isp')!;
    const href = s.serve('cfg/x.json', {
      uri: './Cfg', format: 'node', acl: OWN, children: {
        Name: { format: 'chr', value: 'gw' },
        TTL: { format: 'int', value: 1800 },
        On: { format: 'bool', value: true },
        Sub: { format: 'node', acl: `Get=${SID}&Replace=${SID}`, children: { Ratio: { format: 'float', value: 0.5 } } },
      },
    });
    const href2 = s.serve('cfg/y.json', { format: 'node', children: { TTL: { format: 'int', value: 60 } } });
    s.queue([
      { id: 1, cmd: 'HGET', uri: './Cfg', href },
      { id: 2, cmd: 'HGET', uri: './Cfg', href: href2 },
      { id: 3, cmd: 'HPUT', uri: './Cfg', href: s.href('inv/put') },
      { id: 4, cmd: 'HPOST', uri: `./DMAcc/isp`, href: s.href('inbox') },
    ]);
    const report = await h.session('isp');
    assert.equal(report.outcome, 'ok', report.reason);
    assert.deepEqual(s.sessions[0]!.results.map((r) => r.status), [200, 200, 200, 200]);
    assert.equal((await h.tree.get('./Cfg/TTL', SID)).value?.value, '60');
    assert.equal((await h.tree.get('./Cfg/Sub/Ratio', SID)).value?.format, 'float');
    assert.equal((await h.tree.get('./Cfg/Sub?prop=ACL', null)).value?.value, `Get=${SID}&Replace=${SID}`);
    const put = s.drRequests.find((r) => r.path === 'inv/put')!;
    assert.equal(put.method, 'PUT');
    assert.equal(put.contentType, 'application/json');
    const sent = JSON.parse(put.body.toString()) as { uri: string; children: Record<string, { value?: unknown }> };
    assert.equal(sent.uri, './Cfg');
    assert.equal(sent.children.TTL!.value, 60);
    assert.equal(sent.children.On!.value, true);
    const post = s.drRequests.find((r) => r.path === 'inbox')!;
    assert.equal(post.method, 'POST');
    const text = post.body.toString();
    assert.ok(text.includes('ServerID'));
    assert.ok(!text.includes('AAuthSecret') && !text.includes('pw-isp') && !text.includes('ss-isp'), 'secrets left out');
  });

  test('HGET is all or nothing; a Data Repository failure fails only its command', async () => {
    h = await dm2Harness([{ account: 'isp', serverId: SID }]);
    const s = h.dm2.get('isp')!;
    const bad = s.serve('bad.json', { format: 'node', children: { A: { format: 'chr', value: 'a' }, B: { format: 'node', children: { X: { format: 'int', value: 1 } } }, DevInfo: { format: 'chr', value: 'z' } } });
    s.drFailures.add('down.json');
    s.drFailures.add('down-put');
    s.queue([
      { id: 1, cmd: 'HGET', uri: './Cfg2', href: bad }, // everything new: added
      { id: 2, cmd: 'HGET', uri: '.', href: bad }, // ./DevInfo exists as an interior node: leaf replace -> 405, all rolled back
      { id: 3, cmd: 'HGET', uri: './Cfg3', href: s.href('down.json') },
      { id: 4, cmd: 'HPUT', uri: './DevInfo', href: s.href('down-put') },
      { id: 5, cmd: 'HGET', uri: './Cfg4', href: s.href('missing.json') },
      { id: 6, cmd: 'GET', uri: './DevInfo/Mod' },
    ]);
    await h.session('isp');
    const st = s.sessions[0]!.results.map((r) => r.status);
    assert.deepEqual(st, [200, 405, 500, 500, 500, 200]);
    assert.equal(await h.tree.exists('./A'), false, 'nothing of the failed HGET stays');
    assert.equal(await h.tree.exists('./B/X'), false);
    assert.equal(await h.tree.exists('./Cfg2/B/X'), true);
    assert.equal((await h.tree.get('./DevInfo/Mod', SID)).value?.value, 'HG-1');
  });

  test('HGET of a ~1 MB tree', async () => {
    h = await dm2Harness([{ account: 'isp', serverId: SID }]);
    const s = h.dm2.get('isp')!;
    const dirs: Record<string, unknown> = {};
    for (let d = 0; d < 40; d++) {
      const leaves: Record<string, unknown> = {};
      for (let i = 0; i < 250; i++) leaves[`L${i}`] = { format: 'chr', value: `value-${d}-${i}-`.padEnd(80, 'x') };
      dirs[`D${d}`] = { format: 'node', children: leaves };
    }
    const body = JSON.stringify({ format: 'node', acl: OWN, children: dirs });
    assert.ok(body.length > 1_000_000, `payload ${body.length} bytes`);
    s.queue([{ id: 1, cmd: 'HGET', uri: './Big', href: s.serve('big.json', body) }, { id: 2, cmd: 'GET', uri: './Big/D39/L249' }]);
    const report = await h.session('isp');
    assert.equal(report.outcome, 'ok', report.reason);
    const r = s.sessions[0]!.results;
    assert.equal(r[0]!.status, 200);
    assert.equal(r[1]!.data, 'value-39-249-'.padEnd(80, 'x'));
  });
});
