import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { Command } from '../../bridge/dm/message.js';
import { dm2Harness, type Dm2Harness } from './dm2-harness.js';

const ISP = 'dm2.isp.example';
const OEM = 'dm12.oem.example';
let h: Dm2Harness;
afterEach(async () => h?.close());

let n = 0;
const c12 = (cmd: 'Get' | 'Add' | 'Replace', uri: string, data?: string, format?: string): Command => ({
  cmd, cmdId: String(++n), items: [{ target: { locUri: uri }, ...(data === undefined ? {} : { data }), ...(format ? { meta: { format } } : {}) }],
});

describe('two authorities on one tree: DM 1.2 (oem) and DM 2.0 (isp), ACL isolation', () => {
  test('each reads its own DMAcc, never the other one (425); subtrees each creates stay its own', async () => {
    h = await dm2Harness([{ account: 'isp', serverId: ISP }], [{ account: 'oem', server: { serverId: OEM, authType: 'NONE' } }]);
    const isp = h.dm2.get('isp')!;
    const oem = h.dm12.get('oem')!;
    oem.queue([
      c12('Add', './OemData', undefined, 'node'),
      c12('Replace', './OemData?prop=ACL', `Add=${OEM}&Delete=${OEM}&Get=${OEM}&Replace=${OEM}`),
      c12('Add', './OemData/Secret', 'oem-only'),
      c12('Get', './DMAcc/oem/ServerID'),
      c12('Get', './DMAcc/isp/ServerID'),
    ]);
    const r1 = await h.session12('oem');
    assert.equal(r1.outcome, 'ok', r1.reason);
    const codes = oem.sessions[0]!.statuses.filter((s) => s.cmd !== 'SyncHdr' && s.cmd !== 'Alert').map((s) => s.code);
    assert.deepEqual(codes, [200, 200, 200, 200, 425]);

    const href = isp.serve('cfg.json', { format: 'node', acl: `Add=${ISP}&Delete=${ISP}&Get=${ISP}&Replace=${ISP}`, children: { Plan: { format: 'chr', value: 'gold' } } });
    isp.queue([
      { id: 1, cmd: 'GET', uri: './DMAcc/isp/ServerID' },
      { id: 2, cmd: 'GET', uri: './DMAcc/oem/ServerID' },
      { id: 3, cmd: 'GET', uri: './OemData/Secret' },
      { id: 4, cmd: 'DELETE', uri: './OemData' },
      { id: 5, cmd: 'HGET', uri: './OemData', href },
      { id: 6, cmd: 'HPUT', uri: './OemData', href: isp.href('steal') },
      { id: 7, cmd: 'HGET', uri: './IspData', href },
      { id: 8, cmd: 'SUB', uri: './OemData' },
    ]);
    const r2 = await h.session('isp');
    assert.equal(r2.outcome, 'ok', r2.reason);
    const res = isp.sessions[0]!.results;
    assert.deepEqual(res.map((x) => x.status), [200, 425, 425, 425, 425, 425, 200, 425]);
    assert.equal(res[0]!.data, ISP);
    assert.equal(isp.drRequests.length, 0, 'nothing of the other authority left the gateway');
    assert.equal((await h.tree.get('./OemData/Secret', OEM)).value?.value, 'oem-only');

    oem.queue([c12('Get', './IspData/Plan'), c12('Replace', './IspData/Plan', 'free')]);
    await h.session12('oem');
    const codes2 = oem.sessions[1]!.statuses.filter((s) => s.cmd === 'Get' || s.cmd === 'Replace').map((s) => s.code);
    assert.deepEqual(codes2, [425, 425]);
    assert.equal((await h.tree.get('./IspData/Plan', ISP)).value?.value, 'gold');
  });
});
