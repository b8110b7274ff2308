import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { dm2Harness, type Dm2Harness } from './dm2-harness.js';

const SID = 'dm2.isp.example';
let h: Dm2Harness;
afterEach(async () => h?.close());

describe('DM 2.0 bad input over HTTP: a status or a logged drop, never a crash', () => {
  test('unknown cmd -> 406, wrong types -> 400, unknown field -> 400, duplicate id -> 400, no id -> no result; the rest still runs', async () => {
    h = await dm2Harness([{ account: 'isp', serverId: SID }]);
    const s = h.dm2.get('isp')!;
    s.queue([
      { id: 1, cmd: 'FROB', uri: './DevInfo' },
      { id: 2, cmd: 'GET', uri: 5 },
      { id: 3, cmd: 'GET', uri: './DevInfo/Man', extra: true },
      { id: 4, cmd: 'HGET', uri: './X', href: 'ftp://x/y' },
      { cmd: 'GET', uri: './DevInfo/Man' },
      { id: 5, cmd: 'SUB', uri: './DevInfo', events: ['exploded'] },
      { id: 6, cmd: 'GET', uri: './DevInfo/Man' },
      { id: 6, cmd: 'GET', uri: './DevInfo/Mod' },
      { id: 7, cmd: 'GET', uri: './DevInfo/Lang' },
      'not an object' as unknown as Record<string, unknown>,
    ]);
    const r = await h.session('isp');
    assert.equal(r.outcome, 'ok', r.reason);
    assert.deepEqual(s.sessions[0]!.results.map((x) => [x.id, x.status]), [[1, 406], [2, 400], [3, 400], [4, 400], [5, 400], [6, 200], [7, 200]]);
    assert.equal(s.sessions[0]!.results.find((x) => x.id === 7)!.data, 'en-US');
  });

  test('malformed JSON, a wrong envelope, a non-200 answer: the session ends as error and the next one works', async () => {
    h = await dm2Harness([{ account: 'isp', serverId: SID }]);
    const s = h.dm2.get('isp')!;
    s.queue({ raw: '{"dm": "2.0", "sid": ' });
    assert.equal((await h.session('isp')).outcome, 'error');
    s.queue({ raw: JSON.stringify({ dm: '1.2', sid: 'AB', msg: 1, cmds: [] }) });
    const r2 = await h.session('isp');
    assert.equal(r2.outcome, 'error');
    assert.match(r2.reason, /"dm" must be "2.0"/);
    s.queue({ raw: JSON.stringify({ dm: '2.0', sid: 'AB', msg: 1, cmds: {} }) });
    assert.equal((await h.session('isp')).outcome, 'error');
    s.queue({ raw: 'boom', status: 503 });
    const r4 = await h.session('isp');
    assert.equal(r4.outcome, 'error');
    assert.match(r4.reason, /HTTP 503/);
    s.queue([{ id: 1, cmd: 'GET', uri: './DevInfo/Man' }]);
    assert.equal((await h.session('isp')).outcome, 'ok');
  });

  test('oversize server package -> session error; oversize Data Repository payload -> 500 for that command only', async () => {
    h = await dm2Harness([{ account: 'isp', serverId: SID }]);
    const s = h.dm2.get('isp')!;
    const big = s.serve('big.json', { format: 'chr', value: 'x'.repeat(5000) });
    s.queue([{ id: 1, cmd: 'HGET', uri: './Big', href: big }, { id: 2, cmd: 'GET', uri: './DevInfo/Man' }]);
    const r = await h.session('isp', { kind: 'client' }, { limits: { maxBytes: 4000 } });
    assert.equal(r.outcome, 'ok', r.reason);
    assert.deepEqual(s.sessions[0]!.results.map((x) => x.status), [500, 200]); // over the transfer limit: the download is cut off
    s.queue([Array.from({ length: 200 }, (_, i) => ({ id: i + 1, cmd: 'GET', uri: './DevInfo/Man' }))].flat() as never);
    const r2 = await h.session('isp', { kind: 'client' }, { limits: { maxBytes: 4000 } });
    assert.equal(r2.outcome, 'error');
    assert.match(r2.reason, /larger than 4000/);
  });

  test('a Data Repository payload that is not a valid JSON tree -> 400 (wrong value type) for that command', async () => {
    h = await dm2Harness([{ account: 'isp', serverId: SID }]);
    const s = h.dm2.get('isp')!;
    s.queue([
      { id: 1, cmd: 'HGET', uri: './A', href: s.serve('a.json', { format: 'int', value: 'seven' }) },
      { id: 2, cmd: 'HGET', uri: './B', href: s.serve('b.json', '{not json') },
      { id: 3, cmd: 'HGET', uri: './C', href: s.serve('c.json', { format: 'node', children: { 'x/y': { format: 'chr', value: '' } } }) },
      { id: 4, cmd: 'HGET', uri: './D', href: s.serve('d.json', { format: 'chr', value: 'ok' }) },
    ]);
    await h.session('isp');
    assert.deepEqual(s.sessions[0]!.results.map((x) => x.status), [400, 400, 400, 200]);
    assert.equal(await h.tree.exists('./A'), false);
  });
});
