// PROTOCOL.md §4.3 items 25-30 and 36-37: ACLs and several authorities, over real sessions.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { buildPackage0 } from '../../bridge/dm/syncml/package0.js';
import { Package0Gate } from '../../bridge/authority/package0-gate.js';
import { silentLogger } from '../../bridge/core/logger.js';
import { systemClock } from '../../bridge/core/clock.js';
import { add, addNode, del, get, replace, setAcl } from '../peers/dm12-script.js';
import { harness, type Harness } from './dm12-harness.js';
import type { Step } from '../peers/dm12-server.js';

let h: Harness;
afterEach(async () => h?.close());

const two = () =>
  harness([
    { account: 'isp', server: { serverId: 'dm.isp', authType: 'DIGEST', serverSecret: 'isp-srv' } },
    { account: 'sec', server: { serverId: 'dm.sec', authType: 'BASIC', serverSecret: 'sec-srv' } },
  ]);

async function session(account: string, ...steps: Step[]) {
  const srv = h.peers.get(account)!.server;
  srv.queue(...steps);
  const r = await h.session(account);
  assert.equal(r.outcome, 'ok', r.reason);
  const rec = srv.sessions.at(-1)!;
  return { rec, codes: rec.statuses.map((s) => s.code), results: rec.results.flatMap((x) => x.items) };
}

describe('ACLs across authorities', () => {
  test('36: two DMAcc accounts; one authority cannot read or change the other\'s account or protected subtree (425)', async () => {
    h = await two();
    const isp = await session('isp', [get('./DMAcc/isp/ServerID', './DMAcc/isp/AppAddr/1/Addr'), addNode('./ISP'), add('./ISP/Setting', 'on'), setAcl('./ISP', 'Get=dm.isp&Replace=dm.isp&Add=dm.isp&Delete=dm.isp')]);
    assert.deepEqual(isp.codes, [200, 200, 200, 200]);
    const sec = await session('sec', [get('./DMAcc/isp/ServerID'), replace('./DMAcc/isp/Name', 'pwned'), get('./ISP/Setting'), replace('./ISP/Setting', 'off'), del('./ISP'), setAcl('./ISP', 'Get=*'), get('./DMAcc/sec/ServerID', './DevInfo/DevId')]);
    assert.deepEqual(sec.codes, [425, 425, 425, 425, 425, 425, 200]);
    assert.equal(sec.results.length, 2);
    assert.equal((h.tree.get('./ISP/Setting', null) as { value?: { value?: string } }).value?.value, 'on');
    const secrets = await session('isp', [get('./DMAcc/isp/AppAuth/Client/AAuthSecret'), get('./DMAcc/isp/AppAuth/Server/AAuthData')]);
    assert.deepEqual(secrets.codes, [405, 405]);
  });

  test('25/28: a new interior node gets Add/Delete/Replace for its creator; children inherit; Get of an empty ACL is empty', async () => {
    h = await two();
    const r = await session('isp', [addNode('./Own'), add('./Own/Leaf', 'x'), replace('./Own/Leaf', 'y'), get('./Own/Leaf')]);
    // the creator gets exactly Add, Delete and Replace (PROTOCOL.md §2.10): not Get
    assert.deepEqual(r.codes, [200, 200, 200, 425]);
    const acl = (uri: string) => (h.tree.get(`${uri}?prop=ACL`, null) as { value?: { value?: string } }).value?.value;
    assert.equal(acl('./Own'), 'Add=dm.isp&Delete=dm.isp&Replace=dm.isp');
    assert.equal(acl('./Own/Leaf'), '', 'the leaf inherits');
    const other = await session('sec', [replace('./Own/Leaf', 'z'), add('./Own/Other', 'z')]);
    assert.deepEqual(other.codes, [425, 425]);
  });

  test('26: the root ACL is Add=*&Get=*; an authority cannot change it; removing Add=* is refused (405)', async () => {
    h = await two();
    const r = await session('isp', [get('.?prop=ACL'), setAcl('.', 'Add=*&Get=*&Replace=dm.isp')]);
    assert.deepEqual(r.codes, [200, 425]);
    assert.equal(r.results[0]!.data, 'Add=*&Get=*');
    h.tree.replace('.?prop=ACL', { data: 'Add=*&Get=*&Replace=dm.isp' }, null);
    const r2 = await session('isp', [setAcl('.', 'Get=*&Replace=dm.isp')]);
    assert.deepEqual(r2.codes, [405]);
  });

  test('27: Replace on the parent lets an authority take over a child\'s ACL', async () => {
    h = await two();
    h.tree.add('./Shared/Child', { data: 'c' }, null);
    h.tree.replace('./Shared?prop=ACL', { data: 'Get=*&Replace=dm.isp' }, null);
    h.tree.replace('./Shared/Child?prop=ACL', { data: 'Get=dm.sec&Replace=dm.sec' }, null);
    const r = await session('isp', [get('./Shared/Child'), setAcl('./Shared/Child', 'Get=dm.isp&Replace=dm.isp'), get('./Shared/Child')]);
    assert.deepEqual(r.codes, [425, 200, 200]);
  });

  test('29: deleting an authority\'s account strips its ServerID from every ACL (root commands left empty become *)', async () => {
    h = await harness([
      { account: 'boot', server: { serverId: 'dm.boot', authType: 'NONE' }, bridge: { bootstrap: true } },
      { account: 'isp', server: { serverId: 'dm.isp', authType: 'NONE' } },
    ]);
    h.tree.replace('.?prop=ACL', { data: 'Add=*&Get=*&Exec=dm.isp' }, null);
    await session('isp', [addNode('./IspArea')]);
    const r = await session('boot', [del('./DMAcc/isp'), get('./DMAcc', '.?prop=ACL', './IspArea?prop=ACL')]);
    assert.deepEqual(r.codes, [200, 200]);
    assert.deepEqual(r.results.map((i) => i.data ?? ''), ['boot', 'Add=*&Exec=*&Get=*', '']);
  });

  test('30: a malformed ACL in a Replace is refused and nothing changes', async () => {
    h = await two();
    const r = await session('isp', [addNode('./M'), setAcl('./M', 'Get=dm isp'), setAcl('./M', 'Fetch=*'), setAcl('./M', 'Get=*+dm.isp'), setAcl('./M', 'Get=dm.isp&Replace=dm.isp'), get('./M?prop=ACL')]);
    assert.deepEqual(r.codes, [200, 400, 400, 400, 200, 200]);
    assert.equal(r.results[0]!.data, 'Get=dm.isp&Replace=dm.isp');
  });
});

describe('Package #0 (server-initiated sessions)', () => {
  test('2/13/14: a verified Package #0 starts a session toward that authority with SessionID in uppercase hex and Alert 1200', async () => {
    h = await two();
    const gate = new Package0Gate({ accounts: h.accounts, log: silentLogger(), clock: systemClock });
    const pkg = buildPackage0({ serverId: 'dm.isp', serverSecret: 'isp-srv', nonce: Buffer.alloc(4), sessionId: 0x00ab, uiMode: 1 });
    const ok = gate.accept(pkg);
    assert.deepEqual(ok, { account: 'isp', sessionId: 'AB', uiMode: 1 });
    const r = await h.session('isp', { kind: 'server', sessionId: ok.sessionId });
    assert.equal(r.outcome, 'ok');
    const first = h.peers.get('isp')!.server.sessions[0]!.received[0]!;
    assert.equal(first.header.sessionId, 'AB');
    assert.ok(first.commands.some((c) => c.cmd === 'Alert' && c.data === '1200'));
  });

  test('14/15/37: forged digest, unknown ServerID and a repeated session id start nothing; A\'s notification never targets B', async () => {
    h = await two();
    const gate = new Package0Gate({ accounts: h.accounts, log: silentLogger(), clock: systemClock });
    assert.equal(gate.accept(buildPackage0({ serverId: 'dm.isp', serverSecret: 'wrong', nonce: Buffer.alloc(4), sessionId: 1 })), null);
    assert.equal(gate.accept(buildPackage0({ serverId: 'dm.unknown', serverSecret: 'x', nonce: Buffer.alloc(4), sessionId: 1 })), null);
    assert.equal(gate.accept(Buffer.from('garbage')), null);
    const good = buildPackage0({ serverId: 'dm.isp', serverSecret: 'isp-srv', nonce: Buffer.alloc(4), sessionId: 0x1234 });
    assert.equal(gate.accept(good, 'sec'), null, 'a notification from isp arriving on sec\'s channel is dropped');
    assert.equal(gate.accept(good)?.account, 'isp');
    assert.equal(gate.accept(good), null, 'same session id again: one session only');
    // the stored server nonce is used when present, the default nonce (both forms) as fallback
    h.accounts.setNonce('sec', 'server', Buffer.from('n-1').toString('base64'), Date.now());
    assert.equal(gate.accept(buildPackage0({ serverId: 'dm.sec', serverSecret: 'sec-srv', nonce: Buffer.from('n-1'), sessionId: 7 }))?.account, 'sec');
    assert.equal(gate.accept(buildPackage0({ serverId: 'dm.sec', serverSecret: 'sec-srv', nonce: Buffer.alloc(4), sessionId: 8 }))?.sessionId, '8');
    assert.equal(gate.accept(buildPackage0({ serverId: 'dm.sec', serverSecret: 'sec-srv', nonce: Buffer.from('0x00000000'), sessionId: 9 }))?.sessionId, '9');
  });
});
