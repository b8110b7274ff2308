// PROTOCOL.md §4.3 items 16-24 and 35 through a real session against the reference server.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { Provider } from '../../bridge/tree/provider.js';
import { add, addNode, atomic, copy, del, exec, get, replace, sequence, uiAlert } from '../peers/dm12-script.js';
import { harness, type Harness } from './dm12-harness.js';
import type { Step } from '../peers/dm12-server.js';

let h: Harness;
afterEach(async () => h?.close());

async function run(...steps: Step[]) {
  h = await harness([{ account: 'isp', server: { serverId: 'dm.isp', authType: 'NONE' } }]);
  // the ISP owns the tree root in these tests (as a bootstrap profile would set it)
  h.tree.replace('.?prop=ACL', { data: 'Add=*&Get=*&Replace=dm.isp&Delete=dm.isp&Exec=dm.isp' }, null);
  const srv = h.peers.get('isp')!.server;
  srv.queue(...steps);
  const r = await h.session('isp');
  assert.equal(r.outcome, 'ok', r.reason);
  const rec = srv.sessions[0]!;
  return { rec, codes: rec.statuses.map((s) => s.code), results: rec.results.flatMap((x) => x.items) };
}

describe('tree commands over DM 1.2', () => {
  test('16: Get of an interior node lists children with Format node; an empty one gives empty Data and 200', async () => {
    const { codes, results } = await run([addNode('./Empty'), get('./DevInfo', './Empty')]);
    assert.deepEqual(codes, [200, 200]);
    assert.equal(results[0]!.data, 'DevId/Man/Mod/DmV/Lang');
    assert.equal(results[0]!.meta?.format, 'node');
    assert.equal(results[1]!.data ?? '', '');
  });

  test('17: Add of an existing node -> 418; Add under a missing parent creates it implicitly', async () => {
    const { codes, results } = await run([add('./A/B/C', 'v'), add('./A/B/C', 'w'), get('./A/B')]);
    assert.deepEqual(codes, [200, 418, 200]);
    assert.equal(results[0]!.data, 'C');
  });

  test('18: Delete of a permanent node -> 405; Delete of an interior node removes its subtree', async () => {
    const { codes } = await run([add('./T/U/V', 'x'), del('./DevInfo/DevId'), del('./T'), get('./T/U/V')]);
    assert.deepEqual(codes, [200, 405, 200, 404]);
  });

  test('19: ?prop= Get; Replace of Format 405; unknown property 406; rename onto a sibling 418', async () => {
    const { codes, results } = await run([
      add('./P1', '1', { format: 'int' }),
      add('./P2', '2'),
      get('./P1?prop=Format', './P1?prop=Name', './P1?prop=Type', './P1?prop=Size', './P1?prop=VerNo', './P1?prop=ACL', './P1?prop=Title', './P1?prop=TStamp'),
      replace('./P1?prop=Format', 'chr'),
      get('./P1?prop=Colour'),
      replace('./P1?prop=Name', 'P2'),
      replace('./P1?prop=Name', 'P3'),
      get('./P3'),
    ]);
    assert.deepEqual(codes, [200, 200, 200, 405, 406, 418, 200, 200]);
    assert.deepEqual(results.slice(0, 7).map((i) => i.data ?? ''), ['int', 'P1', '', '1', '0', '', '']);
    assert.match(results[7]!.data!, /^\d{8}T\d{6}Z$/);
    assert.equal(results[8]!.data, '1');
  });

  test('20: too long or too deep URIs -> 414; trailing slash, inner ./ and ../ rejected', async () => {
    const deep = './' + Array.from({ length: 17 }, (_, i) => `d${i}`).join('/');
    const { codes } = await run([get(deep), get('./' + 'x'.repeat(65)), get('./DevInfo/'), get('./DevInfo/./DevId'), get('./DevInfo/../DevInfo')]);
    assert.deepEqual(codes, [414, 414, 400, 400, 400]);
  });

  test('21: Atomic: all succeed 200; one fails -> 507 with 216 for the others; Get inside or nested Atomic -> 500', async () => {
    const { codes } = await run([
      atomic(add('./At/1', 'a'), add('./At/2', 'b')),
      atomic(add('./Bt/1', 'a'), add('./At/1', 'dup')),
      atomic(add('./Ct', 'a'), get('./DevInfo')),
      atomic(atomic(add('./Dt', 'a'))),
      get('./Bt', './Ct'),
    ]);
    assert.deepEqual(codes, [200, 200, 200, 507, 216, 418, 500, 215, 215, 500, 215, 215, 404]);
  });

  test('22: Sequence keeps its order', async () => {
    const { codes, results } = await run([sequence(add('./S', '1'), replace('./S', '2'), get('./S'), replace('./S', '3'), get('./S'))]);
    assert.deepEqual(codes, [200, 200, 200, 200, 200, 200]);
    assert.deepEqual(results.map((i) => i.data), ['2', '3']);
  });

  test('Copy copies a leaf value (needs Get on the source, Add/Replace on the target)', async () => {
    const { codes, results } = await run([copy('./CopyOfMan', './DevInfo/Man'), get('./CopyOfMan')]);
    assert.deepEqual(codes, [200, 200]);
    assert.equal(results[0]!.data, 'Acme');
  });

  test('23: Exec with a Correlator -> 202, then a Generic Alert 1226 with that Correlator in the next session', async () => {
    h = await harness([{ account: 'isp', server: { serverId: 'dm.isp', authType: 'NONE' } }]);
    const device: Provider = {
      transactional: false,
      node: (segs) => (segs.length === 0 ? { format: 'node', type: '', permanent: true, children: ['Reboot'] } : segs[0] === 'Reboot' ? { format: 'null', type: '', permanent: true, access: ['Exec'] } : undefined),
      exec: (_segs, _data, ctx) => {
        setTimeout(() => ctx.complete?.({ status: 200 }), 20);
        return { status: 202 };
      },
    };
    h.tree.mount('./Dev', device);
    h.tree.replace('./Dev?prop=ACL', { data: 'Exec=dm.isp' }, null);
    const srv = h.peers.get('isp')!.server;
    srv.queue([exec('./Dev/Reboot', undefined, 'corr-42')]);
    assert.equal((await h.session('isp')).outcome, 'ok');
    assert.deepEqual(srv.sessions[0]!.statuses.map((s) => s.code), [202]);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(h.outbox.count('isp'), 1, 'the result is queued durably');
    const r2 = await h.session('isp');
    assert.equal(r2.alertsAcknowledged, 1);
    const ga = srv.sessions[1]!.alerts.find((a) => a.data === '1226');
    assert.ok(ga, 'Generic Alert sent in Package #1');
    assert.equal(ga.correlator, 'corr-42');
    assert.equal(ga.items[0]!.source?.locUri, './Dev/Reboot');
    assert.equal(ga.items[0]!.data, '200');
    assert.equal(h.outbox.count('isp'), 0, 'removed once the server acknowledged it');
  });

  test('a Generic Alert refused by the server stays queued for the next session', async () => {
    h = await harness([{ account: 'isp', server: { serverId: 'dm.isp', authType: 'NONE', genericAlertStatus: () => 500 } }]);
    h.outbox.add('isp', JSON.stringify({ cmd: 'Alert', data: '1226', items: [{ source: { locUri: './X' }, meta: { type: 't', format: 'chr' }, data: 'x' }] }), Date.now());
    await h.session('isp');
    assert.equal(h.outbox.count('isp'), 1);
  });

  test('24: ./Inbox is not provided (optional MO): Get -> 404', async () => {
    const { codes } = await run([get('./Inbox')]);
    assert.deepEqual(codes, [404]);
  });

  test('35: UI alerts 1100-1104 are answered headless: default response, 408 on MAXDT, else 215', async () => {
    const { codes, rec } = await run([
      uiAlert('1100', 'MINDT=10', 'Hello'),
      uiAlert('1101', 'DR=1', 'Proceed?'),
      uiAlert('1101', 'MAXDT=30', 'Proceed?'),
      uiAlert('1102', 'DR=gateway+one', 'Name?'),
      uiAlert('1103', '', 'Pick', 'a', 'b'),
      uiAlert('1104', 'DR=1-2', 'Pick', 'a', 'b'),
    ]);
    assert.deepEqual(codes, [200, 200, 408, 200, 215, 200]);
    assert.equal(rec.statuses[3]!.status.items?.[0]?.data, 'gateway one');
  });
});
