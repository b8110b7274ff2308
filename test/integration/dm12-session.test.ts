// PROTOCOL.md §4.3 items 1-7 (session), over real HTTP on loopback against the reference server.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { AlertCode, type AlertCommand } from '../../bridge/dm/message.js';
import { add, get } from '../peers/dm12-script.js';
import { harness, type Harness } from './dm12-harness.js';

let h: Harness;
afterEach(async () => h?.close());

const open = (server: Partial<Parameters<typeof harness>[0][0]['server']> = {}) =>
  harness([{ account: 'isp', server: { serverId: 'dm.isp.example', authType: 'NONE', ...server } }]);

describe('DM 1.2 session flow', () => {
  test('1: client-initiated Package #1 = Alert 1201 + Replace of the 5 DevInfo leaves + Final, VerDTD 1.2, VerProto DM/1.2', async () => {
    h = await open();
    const r = await h.session('isp');
    assert.equal(r.outcome, 'ok');
    const rec = h.peers.get('isp')!.server.sessions[0]!;
    const p1 = rec.received[0]!;
    assert.equal(p1.header.verDTD, '1.2');
    assert.equal(p1.header.verProto, 'DM/1.2');
    assert.equal(p1.final, true);
    assert.equal(p1.commands[0]!.cmd, 'Alert');
    assert.equal((p1.commands[0] as AlertCommand).data, '1201');
    const replace = p1.commands.find((c) => c.cmd === 'Replace');
    assert.ok(replace && replace.cmd === 'Replace');
    assert.deepEqual(replace.items.map((i) => i.source?.locUri), ['./DevInfo/DevId', './DevInfo/Man', './DevInfo/Mod', './DevInfo/DmV', './DevInfo/Lang']);
    assert.equal(rec.devInfo['./DevInfo/DevId'], 'urn:dev:mac:0242ac110002');
  });

  test('3: a server package with nothing but Final ends the session without a reply', async () => {
    h = await open();
    const r = await h.session('isp');
    assert.equal(r.outcome, 'ok');
    assert.equal(r.messagesSent, 1);
    assert.equal(h.peers.get('isp')!.server.sessions[0]!.received.length, 1);
  });

  test('4 and 7: every server command gets exactly one Status with the right MsgRef/CmdRef/Cmd; MsgIDs count from 1', async () => {
    h = await open();
    const srv = h.peers.get('isp')!.server;
    srv.queue([get('./DevInfo/DevId'), get('./Nope'), add('./X', 'y')], [get('./DevDetail', './DevInfo/Man')]);
    const r = await h.session('isp');
    assert.equal(r.outcome, 'ok');
    const rec = srv.sessions[0]!;
    const sentCmds = rec.sent.flatMap((m) => m.commands.filter((c) => c.cmd !== 'Status'));
    assert.equal(rec.statuses.length, sentCmds.length);
    assert.ok(rec.statuses.every((s) => s.matched), 'each Status refers to a command the server sent');
    assert.deepEqual(rec.statuses.map((s) => s.code), [200, 404, 200, 200]);
    assert.deepEqual(rec.received.map((m) => m.header.msgId), ['1', '2', '3']);
    // the SyncHdr Status of every client reply uses CmdRef 0 and the server's MsgID
    for (const [i, m] of rec.received.slice(1).entries()) {
      const hdr = m.commands.find((c) => c.cmd === 'Status' && c.cmdRef === '0');
      assert.ok(hdr && hdr.cmd === 'Status');
      assert.equal(hdr.refCmd, 'SyncHdr');
      assert.equal(hdr.msgRef, String(i + 1));
    }
    assert.equal(rec.results.length, 2);
  });

  test('5: a server Alert 1223 aborts the session and the client does not answer', async () => {
    h = await open();
    const srv = h.peers.get('isp')!.server;
    srv.queue('abort');
    const r = await h.session('isp');
    assert.equal(r.outcome, 'aborted');
    assert.equal(srv.sessions[0]!.received.length, 1);
  });

  test('5: the client aborts with Alert 1223 + Final', async () => {
    h = await open();
    const srv = h.peers.get('isp')!.server;
    srv.queue([get('./DevInfo/DevId')], [get('./DevInfo/Man')]);
    const ctl = new AbortController();
    ctl.abort();
    const r = await (await import('../../bridge/authority/connection.js')).runDm12Session(
      { engine: h.engine, accounts: h.accounts, outbox: h.outbox, device: { devId: 'urn:dev:mac:0242ac110002', man: 'Acme', mod: 'HG-1', lang: 'en-US' }, log: (await import('../../bridge/core/logger.js')).silentLogger() },
      'isp',
      { kind: 'client' },
      { signal: ctl.signal },
    );
    assert.equal(r.outcome, 'aborted');
    const last = srv.sessions[0]!.received.at(-1)!;
    assert.ok(last.commands.some((c) => c.cmd === 'Alert' && c.data === AlertCode.SESSION_ABORT));
    assert.equal(last.final, true);
    assert.deepEqual(srv.sessions[0]!.received.map((m) => m.header.msgId), ['1', '2']);
  });

  test('6: a large Results set is split across messages under the server MaxMsgSize; the client asks 1222 and sends Final last', async () => {
    h = await open({ maxMsgSize: 1500 });
    const srv = h.peers.get('isp')!.server;
    const uris = Array.from({ length: 40 }, (_, i) => `./Data/N${i}`);
    h.tree.replace('.?prop=ACL', { data: 'Add=*&Get=*&Replace=*' }, null);
    h.tree.add('./Data', { format: 'node' }, null);
    srv.queue([...uris.map((u) => add(u, 'v'.repeat(60)))], [get(...uris.slice(0, 20)), get(...uris.slice(20))]);
    const r = await h.session('isp');
    assert.equal(r.outcome, 'ok', r.reason);
    const rec = srv.sessions[0]!;
    const sizes = rec.received.map((m) => m.commands.length);
    assert.ok(rec.received.length >= 5, `several messages (got ${sizes.join(',')})`);
    const nonFinal = rec.received.filter((m) => !m.final);
    assert.ok(nonFinal.length >= 2, 'the client package spans several messages');
    // between two of our messages in one package the server answered with Status + 1222 and no Final
    const nextMsgs = rec.sent.filter((m) => m.commands.some((c) => c.cmd === 'Alert' && c.data === AlertCode.NEXT_MESSAGE));
    assert.ok(nextMsgs.length >= 1);
    assert.ok(nextMsgs.every((m) => !m.final));
    const items = rec.results.flatMap((x) => x.items);
    assert.equal(items.length, 40);
    assert.ok(items.every((i) => i.data === 'v'.repeat(60)));
    assert.ok(rec.statuses.every((s) => s.code === 200 && s.matched));
  });

  test('WBXML: a whole session in application/vnd.syncml.dm+wbxml (with MD5 auth and a chunked object)', async () => {
    h = await harness([{ account: 'isp', server: { serverId: 'dm.isp.example', authType: 'DIGEST', chunkSize: 300 }, bridge: { encoding: 'wbxml' } }]);
    h.tree.replace('.?prop=ACL', { data: 'Add=*&Get=*&Replace=*' }, null);
    const srv = h.peers.get('isp')!.server;
    const big = 'w'.repeat(1000);
    srv.queue([get('./DevInfo/DevId', './DevInfo'), add('./Wb', big)], [get('./Wb')]);
    const r = await h.session('isp');
    assert.equal(r.outcome, 'ok', r.reason);
    const rec = srv.sessions[0]!;
    assert.ok(rec.contentTypes.every((c) => c === 'application/vnd.syncml.dm+wbxml'));
    assert.equal(rec.results[0]!.items[0]!.data, 'urn:dev:mac:0242ac110002');
    assert.equal(rec.results.at(-1)!.items[0]!.data, big);
    assert.deepEqual(rec.statuses.filter((s) => s.cmd !== 'Alert').map((s) => s.code), [200, 213, 213, 213, 200, 200]);
  });

  test('RespURI: later messages are posted to the RespURI the server gave', async () => {
    h = await open({ respUri: true });
    const srv = h.peers.get('isp')!.server;
    srv.queue([get('./DevInfo/DevId')]);
    const r = await h.session('isp');
    assert.equal(r.outcome, 'ok');
    assert.equal(srv.sessions[0]!.received.length, 2);
  });
});
