import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { AlertCommand, Command, ItemCommand, ResultsCommand } from '../../../bridge/dm/message.js';
import { buildPackage0, parsePackage0, sessionIdHex } from '../../../bridge/dm/syncml/package0.js';
import { BridgeError } from '../../../bridge/core/errors.js';
import { Driver, DEV_ID, SERVER_URI, alertCmd, get, hdrStatus, makeConfig, replace, serverMsg, statuses } from './helpers.js';

describe('DM 1.2 session: packages (§4.3 items 1-7)', () => {
  test('1: client-initiated Package #1 = Alert 1201 + Replace of 5 DevInfo leaves + Final', () => {
    const d = new Driver(makeConfig());
    const m = d.start('client', '1');
    assert.equal(m.header.verDTD, '1.2');
    assert.equal(m.header.verProto, 'DM/1.2');
    assert.equal(m.header.sessionId, '1');
    assert.equal(m.header.msgId, '1');
    assert.deepEqual(m.header.target, { locUri: SERVER_URI });
    assert.deepEqual(m.header.source, { locUri: DEV_ID });
    assert.equal(m.header.cred, undefined);
    assert.deepEqual(m.header.meta, { maxMsgSize: 10000, maxObjSize: 100000 });
    assert.equal(m.final, true);
    assert.equal(m.commands.length, 2);
    const [a, r] = m.commands as [AlertCommand, ItemCommand];
    assert.deepEqual([a.cmd, a.data, a.cmdId], ['Alert', '1201', '1']);
    assert.deepEqual([r.cmd, r.cmdId], ['Replace', '2']);
    assert.deepEqual(
      r.items.map((i) => [i.source?.locUri, i.data, i.meta?.format, i.meta?.type]),
      [
        ['./DevInfo/DevId', DEV_ID, 'chr', 'text/plain'],
        ['./DevInfo/Man', 'Acme', 'chr', 'text/plain'],
        ['./DevInfo/Mod', 'HG-1', 'chr', 'text/plain'],
        ['./DevInfo/DmV', '1.2', 'chr', 'text/plain'],
        ['./DevInfo/Lang', 'en-US', 'chr', 'text/plain'],
      ],
    );
    assert.equal(d.last?.send?.url, SERVER_URI);
  });

  test('Generic Alerts given at start go into Package #1; their Status is reported by ref', () => {
    const d = new Driver(makeConfig());
    const m = d.start('client', '7', [
      { ref: 'ev-1', alert: { cmd: 'Alert', data: '1226', items: [{ source: { locUri: './GwMO' }, meta: { type: 'org.dmbridge.device.joined', format: 'chr' }, data: 'x' }] } },
    ]);
    const ga = m.commands[2] as AlertCommand;
    assert.deepEqual([ga.cmd, ga.data, ga.cmdId, ga.items[0]?.meta?.type], ['Alert', '1226', '3', 'org.dmbridge.device.joined']);
    d.receive(serverMsg(1, [hdrStatus('1', '1', '200'), { cmd: 'Status', cmdId: '2', msgRef: '1', cmdRef: '3', refCmd: 'Alert', data: '202' }], { sessionId: '7' }));
    assert.deepEqual(d.effects.filter((e) => e.kind === 'alertStatus'), [{ kind: 'alertStatus', ref: 'ev-1', code: 202 }]);
  });

  test('2: server-initiated after Package #0 with session 0x00AB -> SessionID "AB" + Alert 1200', () => {
    const pkg0 = parsePackage0(buildPackage0({ serverId: 'dm.example', serverSecret: 's', nonce: Buffer.from('n'), sessionId: 0x00ab }));
    const d = new Driver(makeConfig());
    const m = d.start('server', sessionIdHex(pkg0.sessionId));
    assert.equal(m.header.sessionId, 'AB');
    assert.equal((m.commands[0] as AlertCommand).data, '1200');
    // the server must echo the SessionID; another one ends the session with an error
    d.receive(serverMsg(1, [hdrStatus('1', '1', '200'), get('2', './DevInfo/Man')], { sessionId: 'AB', final: true }));
    assert.equal(d.state.phase, 'executing');
  });

  test('SessionID mismatch -> done(error)', () => {
    const d = new Driver(makeConfig());
    d.start('client', '5');
    const r = d.receive(serverMsg(1, [hdrStatus('1', '1', '200')], { sessionId: '6' }));
    assert.equal(r.send, undefined);
    assert.equal(d.doneEffect()?.outcome, 'error');
  });

  test('3: Package #2 with only Final (statuses, no commands, no challenge) -> nothing sent, done ok', () => {
    const d = new Driver(makeConfig());
    d.start();
    const r = d.receive(serverMsg(1, [hdrStatus('1', '1', '200'), { cmd: 'Status', cmdId: '2', msgRef: '1', cmdRef: '1', refCmd: 'Alert', data: '200' }]));
    assert.equal(r.send, undefined);
    assert.deepEqual(d.doneEffect(), { kind: 'done', outcome: 'ok', reason: 'server package had no operations' });
    assert.equal(d.state.phase, 'done');
    const bare = new Driver(makeConfig());
    bare.start();
    assert.equal(bare.receive(serverMsg(1, [])).send, undefined);
    assert.equal(bare.doneEffect()?.outcome, 'ok');
  });

  test('4: one Status per server command with MsgRef/CmdRef/Cmd; SyncHdr Status CmdRef 0; Results after the Get Status', () => {
    const d = new Driver(makeConfig());
    d.start();
    const atomic: Command = { cmd: 'Atomic', cmdId: '5', commands: [replace('6', './A/x', '1'), replace('7', './A/y', '2')] };
    const cmds: Command[] = [hdrStatus('1', '1', '200'), get('2', './DevInfo/Man'), replace('3', './X', 'v'), alertCmd('4', '1100'), atomic];
    const r = d.receive(serverMsg(1, cmds, { final: true }));
    assert.equal(r.send, undefined);
    const ex = r.effects.find((e) => e.kind === 'execute');
    assert.ok(ex && ex.kind === 'execute');
    assert.deepEqual(ex.commands.map((c) => c.cmdId), ['2', '3', '4', '5'], 'no Status handed to the engine, order kept');
    const out = d.execute(r);
    const m = out.send?.message;
    assert.ok(m);
    assert.equal(m.header.msgId, '2');
    assert.equal(m.final, true);
    const refs = m.commands.map((c) => (c.cmd === 'Status' ? `S:${c.msgRef}/${c.cmdRef}/${c.refCmd}` : c.cmd === 'Results' ? `R:${c.msgRef}/${c.cmdRef}` : c.cmd));
    assert.deepEqual(refs, ['S:1/0/SyncHdr', 'S:1/2/Get', 'R:1/2', 'S:1/3/Replace', 'S:1/4/Alert', 'S:1/5/Atomic', 'S:1/6/Replace', 'S:1/7/Replace']);
    assert.deepEqual(m.commands.map((c) => c.cmdId), ['1', '2', '3', '4', '5', '6', '7', '8'].map((n) => String(Number(n) + 2)));
    const hdr = statuses(m)[0];
    assert.deepEqual([hdr?.targetRefs, hdr?.sourceRefs, hdr?.data], [[DEV_ID], [SERVER_URI], '200']);
    // server closes with Final only -> done
    const end = d.receive(serverMsg(2, [hdrStatus('1', '2', '200')]));
    assert.equal(end.send, undefined);
    assert.equal(d.doneEffect()?.outcome, 'ok');
  });

  test('missing engine Status -> 500 filled in; duplicates dropped; NoResp gets none', () => {
    const d = new Driver(makeConfig());
    d.start();
    const noResp: Command = { ...replace('4', './Z', 'z'), noResp: true };
    const r = d.receive(serverMsg(1, [hdrStatus('1', '1', '200'), replace('2', './X', 'v'), replace('3', './Y', 'v'), noResp]));
    const out = d.execute(r, () => [
      { cmd: 'Status', cmdRef: '2', refCmd: 'Replace', data: '200' },
      { cmd: 'Status', cmdRef: '2', refCmd: 'Replace', data: '418' },
    ]);
    const st = statuses(out.send!.message).map((s) => `${s.cmdRef}:${s.data}`);
    assert.deepEqual(st, ['0:200', '2:200', '3:500']);
  });

  test('executed with a wrong MsgRef or out of phase is a caller error', () => {
    const d = new Driver(makeConfig());
    d.start();
    assert.throws(() => d.step({ kind: 'executed', msgRef: '1', replies: [] }), BridgeError);
    d.receive(serverMsg(1, [hdrStatus('1', '1', '200'), get('2', './A')]));
    assert.throws(() => d.step({ kind: 'executed', msgRef: '9', replies: [] }), BridgeError);
    assert.throws(() => d.step({ kind: 'start', sessionId: '1', trigger: 'client' }), BridgeError);
  });

  test('5a: server Alert 1223 -> done(aborted), nothing sent', () => {
    const d = new Driver(makeConfig());
    d.start();
    const r = d.receive(serverMsg(1, [hdrStatus('1', '1', '200'), alertCmd('2', '1223')]));
    assert.equal(r.send, undefined);
    assert.equal(r.effects.some((e) => e.kind === 'execute'), false);
    assert.equal(d.doneEffect()?.outcome, 'aborted');
  });

  test('5b: abort input -> Alert 1223 + Final, done(aborted)', () => {
    const d = new Driver(makeConfig());
    d.start();
    d.receive(serverMsg(1, [hdrStatus('1', '1', '200'), get('2', './A')]));
    const r = d.step({ kind: 'abort', reason: 'shutdown' });
    const m = r.send?.message;
    assert.ok(m);
    assert.deepEqual(m.commands.map((c) => [c.cmd, (c as AlertCommand).data]), [['Alert', '1223']]);
    assert.equal(m.final, true);
    assert.equal(m.header.msgId, '2');
    assert.deepEqual(d.doneEffect(), { kind: 'done', outcome: 'aborted', reason: 'shutdown' });
    assert.deepEqual(d.step({ kind: 'abort', reason: 'again' }).effects, [], 'abort after done is a no-op');
  });

  test('transportError -> done(error)', () => {
    const d = new Driver(makeConfig());
    d.start();
    const r = d.step({ kind: 'transportError', reason: 'ECONNRESET' });
    assert.equal(r.send, undefined);
    assert.deepEqual(d.doneEffect(), { kind: 'done', outcome: 'error', reason: 'transport: ECONNRESET' });
  });

  test('RespURI is followed for later messages', () => {
    const d = new Driver(makeConfig());
    d.start();
    const r = d.receive(serverMsg(1, [hdrStatus('1', '1', '200'), get('2', './A')], { respUri: 'https://dm.example/dm?s=42' }));
    const out = d.execute(r);
    assert.equal(out.send?.url, 'https://dm.example/dm?s=42');
    assert.equal(out.send?.message.header.target.locUri, SERVER_URI);
  });

  test('6a: a large Results set is split under the server MaxMsgSize; Final only on the last; next on 1222', () => {
    const cfg = makeConfig();
    const d = new Driver(cfg);
    d.start();
    const gets = Array.from({ length: 12 }, (_, i) => get(String(i + 2), `./N/${i}`));
    const r = d.receive(serverMsg(1, [hdrStatus('1', '1', '200'), ...gets], { maxMsgSize: 1200 }));
    const big = 'x'.repeat(150);
    d.execute(r, (cmds) =>
      cmds.flatMap((c) => [
        { cmd: 'Status' as const, cmdRef: c.cmdId, refCmd: c.cmd, data: '200' },
        { cmd: 'Results' as const, cmdRef: c.cmdId, items: [{ source: { locUri: './N' }, data: big }] },
      ]),
    );
    let serverId = 2;
    while (!d.lastSent().final) {
      const m = d.lastSent();
      const size = cfg.envelope + m.commands.reduce((n, c) => n + cfg.measure(c), 0);
      assert.ok(size <= 1200 || m.commands.length === 1, `message ${m.header.msgId} is ${size} bytes`);
      assert.equal(m.commands.some((c) => c.cmd === 'Alert'), false, 'no 1222 from us while the server waits');
      // server: Status for our SyncHdr + Alert 1222, no Final
      const r2 = d.receive(serverMsg(serverId, [hdrStatus('1', m.header.msgId, '200'), alertCmd('2', '1222')], { final: false }));
      const next = r2.send?.message;
      assert.ok(next);
      const st = statuses(next);
      assert.deepEqual(st.slice(0, 2).map((s) => `${s.msgRef}/${s.cmdRef}/${s.refCmd}/${s.data}`), [`${serverId}/0/SyncHdr/200`, `${serverId}/2/Alert/200`]);
      serverId++;
    }
    assert.ok(d.sent.length >= 4, `split into ${d.sent.length - 1} messages`);
    const results = d.sent.flatMap((m) => m.commands.filter((c): c is ResultsCommand => c.cmd === 'Results'));
    assert.deepEqual(results.map((r) => r.cmdRef), gets.map((g) => g.cmdId), 'every Get answered, in order');
    assert.deepEqual(d.sent.map((m) => m.header.msgId), d.sent.map((_, i) => String(i + 1)), '7: MsgID +1 per message');
    for (const m of d.sent.slice(1, -1)) assert.equal(m.final, false);
  });

  test('6b: server message without Final -> statuses so far + Alert 1222, no Final; then its last message', () => {
    const d = new Driver(makeConfig());
    d.start();
    const r = d.receive(serverMsg(1, [hdrStatus('1', '1', '200'), replace('2', './A', '1')], { final: false }));
    const m2 = d.execute(r).send?.message;
    assert.ok(m2);
    assert.equal(m2.final, false);
    assert.deepEqual(m2.commands.map((c) => c.cmd === 'Status' ? `S${c.cmdRef}` : `${c.cmd}${(c as AlertCommand).data}`), ['S0', 'S2', 'Alert1222']);
    const r3 = d.receive(serverMsg(2, [hdrStatus('1', '2', '200'), replace('2', './B', '2')], { final: true }));
    const m3 = d.execute(r3).send?.message;
    assert.ok(m3);
    assert.equal(m3.final, true);
    assert.deepEqual(statuses(m3).map((s) => `${s.msgRef}/${s.cmdRef}`), ['2/0', '2/2']);
    // only statuses from the server mid-package: we still ask for more
    const d2 = new Driver(makeConfig());
    d2.start();
    const m = d2.receive(serverMsg(1, [hdrStatus('1', '1', '200')], { final: false })).send?.message;
    assert.ok(m);
    assert.deepEqual([m.final, m.commands.map((c) => c.cmd)], [false, ['Status', 'Alert']]);
  });

  test('large-object chunks are passed to the engine in order, one batch per message', () => {
    const d = new Driver(makeConfig());
    d.start();
    const chunk = (id: string, data: string, more: boolean): Command => ({ cmd: 'Replace', cmdId: id, items: [{ target: { locUri: './F' }, data, ...(more ? { moreData: true } : {}) }] });
    const r1 = d.receive(serverMsg(1, [hdrStatus('1', '1', '200'), chunk('2', 'aa', true)], { final: false }));
    const ex1 = r1.effects.find((e) => e.kind === 'execute');
    assert.ok(ex1 && ex1.kind === 'execute');
    assert.deepEqual(ex1.commands.map((c) => (c as ItemCommand).items[0]?.data), ['aa']);
    const m2 = d.execute(r1, (c) => [{ cmd: 'Status', cmdRef: c[0]!.cmdId, refCmd: 'Replace', data: '213' }]).send!.message;
    assert.deepEqual(m2.commands.map((c) => (c.cmd === 'Status' ? c.data : (c as AlertCommand).data)), ['200', '213', '1222']);
    const r2 = d.receive(serverMsg(2, [hdrStatus('1', '2', '200'), chunk('2', 'bb', false)]));
    const ex2 = r2.effects.find((e) => e.kind === 'execute');
    assert.ok(ex2 && ex2.kind === 'execute');
    assert.deepEqual([ex2.msgRef, (ex2.commands[0] as ItemCommand).items[0]?.data], ['2', 'bb']);
  });

  test('Package #1 itself is split when it exceeds the assumed server MaxMsgSize', () => {
    const cfg = makeConfig({ assumedServerMaxMsgSize: 900 });
    const d = new Driver(cfg);
    const alerts = Array.from({ length: 6 }, (_, i) => ({ ref: `a${i}`, alert: { cmd: 'Alert' as const, data: '1226', items: [{ data: 'y'.repeat(100) }] } }));
    const m1 = d.start('client', '1', alerts);
    assert.equal(m1.final, false);
    let n = 1;
    while (!d.lastSent().final) {
      d.receive(serverMsg(++n, [hdrStatus('1', d.lastSent().header.msgId, '200'), alertCmd('2', '1222')], { final: false }));
    }
    const all = d.sent.flatMap((m) => m.commands.filter((c): c is AlertCommand => c.cmd === 'Alert' && c.data === '1226'));
    assert.equal(all.length, 6);
    assert.equal(d.state.sentAlerts.length, 6);
  });
});
