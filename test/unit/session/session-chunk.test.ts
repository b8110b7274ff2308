// PROTOCOL.md §2.4: our large objects go in MoreData chunks, no message over the server's
// MaxMsgSize, the server's MaxObjSize respected.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { AlertCommand, Command, Header, Item, Message, ResultsCommand } from '../../../bridge/dm/message.js';
import type { Effect, ReplyDraft, SessionConfig } from '../../../bridge/dm/session/index.js';
import { commandSize, encodeMessage, messageEnvelopeSize, type SyncmlEncoding } from '../../../bridge/dm/syncml/index.js';
import { DEV_ID, Driver, SERVER_URI, alertCmd, get, hdrStatus, makeConfig, serverMsg, statuses } from './helpers.js';

interface Value {
  data: string;
  b64: boolean;
}

/** Server: Gets (one per value list) in one message; then Status + 1222 until our Final. */
function run(cfg: SessionConfig, values: Value[][], o: { maxMsgSize: number; maxObjSize?: number; status?: (cmdRef: string) => string }): Driver {
  const d = new Driver(cfg);
  d.start();
  const gets = values.map((vs, g) => ({ cmd: 'Get' as const, cmdId: String(g + 2), items: vs.map((_, i) => ({ target: { locUri: `./V/${g}/${i}` } })) }));
  const m1 = serverMsg(1, [hdrStatus('1', '1', '200'), ...gets], { maxMsgSize: o.maxMsgSize });
  if (o.maxObjSize !== undefined) m1.header.meta = { ...m1.header.meta, maxObjSize: o.maxObjSize };
  const r = d.receive(m1);
  d.execute(r, () =>
    gets.flatMap((g, gi): ReplyDraft[] => [
      { cmd: 'Status', cmdRef: g.cmdId, refCmd: 'Get', data: o.status?.(g.cmdId) ?? '200' },
      {
        cmd: 'Results',
        cmdRef: g.cmdId,
        items: (values[gi] ?? []).map((v, i) => ({ source: { locUri: `./V/${gi}/${i}` }, meta: { format: v.b64 ? 'b64' : 'chr' }, data: v.data })),
      },
    ]),
  );
  for (let n = 2; d.state.phase !== 'done' && n < 10_000; n++) {
    const last = d.lastSent();
    d.receive(serverMsg(n, last.final ? [hdrStatus('1', last.header.msgId, '200')] : [hdrStatus('1', last.header.msgId, '200'), alertCmd('2', '1222')], { final: last.final }));
  }
  assert.equal(d.doneEffect()?.outcome, 'ok');
  return d;
}

/** Join our Results chunks per CmdRef, checking MoreData/Size/cut rules on the way. */
function reassemble(sent: Message[]): Map<string, Item[]> {
  const out = new Map<string, Item[]>();
  let open: { ref: string; size: number | undefined } | null = null;
  for (const m of sent) {
    const results = m.commands.filter((c): c is ResultsCommand => c.cmd === 'Results');
    for (const [k, r] of results.entries()) {
      const items = out.get(r.cmdRef) ?? [];
      out.set(r.cmdRef, items);
      for (const [i, it] of r.items.entries()) {
        const data = it.data ?? '';
        if (open && i === 0) {
          assert.equal(open.ref, r.cmdRef, 'chunks of one object are contiguous');
          assert.equal(it.meta?.size, undefined, 'Size on the first chunk only');
          const prev = items[items.length - 1]!;
          prev.data = (prev.data ?? '') + data;
        } else {
          assert.equal(open, null, 'a new item while a chunked one is open');
          if (it.moreData) assert.ok(it.meta?.size !== undefined, 'first chunk carries Size');
          items.push({ ...it, data });
          if (it.moreData) open = { ref: r.cmdRef, size: it.meta?.size };
        }
        if (it.moreData) {
          assert.equal(i, r.items.length - 1, 'MoreData only on the last item');
          assert.equal(k, results.length - 1, 'the chunked Results ends the message');
          assert.equal(m.commands.at(-1), r, 'nothing after a chunk');
          assert.equal(m.final, false);
          assert.ok(data.length > 0);
          const code = data.charCodeAt(data.length - 1);
          assert.ok(!(code >= 0xd800 && code <= 0xdbff), 'never cut inside a surrogate pair');
          if (it.meta?.format === 'b64') assert.equal(data.length % 4, 0, 'b64 cut on 4 characters');
        } else if (open && i === 0) {
          const whole = items[items.length - 1]!.data ?? '';
          assert.equal(Buffer.byteLength(whole, 'utf8'), open.size, 'Size = UTF-8 bytes of the whole data');
          open = null;
        }
      }
    }
  }
  assert.equal(open, null, 'no object left open');
  return out;
}

const ALPHABET = ['a', 'b', 'Z', '0', ' ', 'é', '€', '😀', '<', '&', '"', '\n'];
/** A random pattern repeated up to a random length (fast-check keeps generated arrays small). */
const text = fc
  .tuple(fc.array(fc.constantFrom(...ALPHABET), { minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 12_000 }))
  .map(([pattern, n]) => {
    let s = '';
    for (let i = 0; s.length < n; i++) s += pattern[i % pattern.length];
    return s;
  });
const b64text = fc
  .tuple(fc.integer({ min: 0, max: 9_000 }), fc.integer({ min: 1, max: 255 }))
  .map(([n, seed]) => Buffer.from(Array.from({ length: n }, (_, i) => (i * seed + (i >> 3)) & 0xff)).toString('base64'));
const value: fc.Arbitrary<Value> = fc.oneof(
  text.map((data) => ({ data, b64: false })),
  b64text.map((data) => ({ data, b64: true })),
  fc.string({ maxLength: 40 }).map((data) => ({ data, b64: false })),
);
const scenario = fc.record({
  values: fc.array(fc.array(value, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
  maxMsgSize: fc.integer({ min: 1024, max: 8192 }),
});

function check(cfg: SessionConfig, values: Value[][], maxMsgSize: number, size: (m: Message) => number): void {
  const d = run(cfg, values, { maxMsgSize });
  for (const m of d.sent.slice(1)) assert.ok(size(m) <= maxMsgSize, `message ${m.header.msgId}: ${size(m)} > ${maxMsgSize}`);
  assert.equal(d.effects.some((e) => e.kind === 'oversize'), false);
  const got = reassemble(d.sent);
  values.forEach((vs, g) => assert.deepEqual((got.get(String(g + 2)) ?? []).map((i) => i.data), vs.map((v) => v.data)));
  assert.deepEqual(d.sent.map((m) => m.header.msgId), d.sent.map((_, i) => String(i + 1)));
  for (const m of d.sent) assert.equal(new Set(m.commands.map((c) => c.cmdId)).size, m.commands.length);
}

describe('DM 1.2 session: outbound large objects (§2.4)', () => {
  test('every message measures <= the server MaxMsgSize and the chunks rebuild the data (property)', () => {
    fc.assert(
      fc.property(scenario, ({ values, maxMsgSize }) => {
        const cfg = makeConfig();
        check(cfg, values, maxMsgSize, (m) => cfg.envelope + m.commands.reduce((n, c) => n + cfg.measure(c), 0));
      }),
      { numRuns: 150 },
    );
  });

  for (const enc of ['xml', 'wbxml'] as SyncmlEncoding[]) {
    test(`with the real ${enc} codec the encoded messages are <= MaxMsgSize (property)`, () => {
      const sample: Header = {
        verDTD: '1.2', verProto: 'DM/1.2', sessionId: '1', msgId: '99999',
        target: { locUri: SERVER_URI }, source: { locUri: DEV_ID }, meta: { maxMsgSize: 10000, maxObjSize: 100000 },
      };
      const cfg = makeConfig({ measure: (c: Command) => commandSize(c, enc), envelope: messageEnvelopeSize(sample, enc) });
      fc.assert(
        fc.property(scenario, ({ values, maxMsgSize }) => check(cfg, values, maxMsgSize, (m) => encodeMessage(m, enc).length)),
        { numRuns: 60 },
      );
    });
  }

  test('a 20 KB value in a 1024-byte limit: MoreData chunks, Size first, Final on the last, 1222 between', () => {
    const cfg = makeConfig();
    const data = 'x'.repeat(20_000);
    const d = run(cfg, [[{ data, b64: false }]], { maxMsgSize: 1024 });
    const withResults = d.sent.filter((m) => m.commands.some((c) => c.cmd === 'Results'));
    assert.ok(withResults.length >= 25, `${withResults.length} messages`);
    const items = withResults.map((m) => (m.commands.at(-1) as ResultsCommand).items[0]!);
    assert.ok(items.slice(0, -1).every((i) => i.moreData === true));
    assert.equal(items.at(-1)!.moreData, undefined);
    assert.equal(items[0]!.meta?.size, 20_000);
    assert.deepEqual([items[0]!.meta?.format, items[1]!.meta?.format], ['chr', 'chr']);
    assert.equal(items.map((i) => i.data).join(''), data);
    // the same CmdRef/MsgRef on every chunk, a new CmdID each time
    const rs = withResults.map((m) => m.commands.at(-1) as ResultsCommand);
    assert.ok(rs.every((r) => r.cmdRef === '2' && r.msgRef === '1'));
    assert.equal(new Set(rs.map((r) => r.cmdId)).size, rs.length);
    assert.deepEqual(withResults.map((m) => m.final), [...withResults.slice(1).map(() => false), true]);
    // every chunk message after the first answers the server's SyncHdr and its Alert 1222 first
    for (const m of withResults.slice(1)) assert.deepEqual(statuses(m).map((s) => s.refCmd), ['SyncHdr', 'Alert']);
  });

  test('several items that do not fit together go in several Results with the same CmdRef, no MoreData', () => {
    const cfg = makeConfig();
    const vs = Array.from({ length: 4 }, (_, i) => ({ data: String(i).repeat(400), b64: false }));
    const d = run(cfg, [vs], { maxMsgSize: 1200 });
    const rs = d.sent.flatMap((m) => m.commands.filter((c): c is ResultsCommand => c.cmd === 'Results'));
    assert.ok(rs.length >= 2);
    assert.ok(rs.every((r) => r.cmdRef === '2' && r.items.every((i) => !i.moreData && i.meta?.size === undefined)));
    assert.deepEqual(rs.flatMap((r) => r.items.map((i) => i.data)), vs.map((v) => v.data));
  });

  test('MaxObjSize: a Results item over the server MaxObjSize is not sent; its Get gets 413, others are untouched', () => {
    const cfg = makeConfig();
    const d = run(cfg, [[{ data: 'é'.repeat(60), b64: false }], [{ data: 'y'.repeat(119), b64: false }]], { maxMsgSize: 4000, maxObjSize: 119 });
    const m = d.sent[1]!;
    assert.deepEqual(statuses(m).map((s) => `${s.cmdRef}/${s.refCmd}/${s.data}`), ['0/SyncHdr/200', '2/Get/413', '3/Get/200']);
    const rs = m.commands.filter((c): c is ResultsCommand => c.cmd === 'Results');
    assert.deepEqual(rs.map((r) => [r.cmdRef, r.items[0]?.data]), [['3', 'y'.repeat(119)]]);
    // a failed Get keeps its own code
    const d2 = run(cfg, [[{ data: 'z'.repeat(500), b64: false }]], { maxMsgSize: 4000, maxObjSize: 100, status: () => '404' });
    assert.deepEqual(statuses(d2.sent[1]!).map((s) => s.data), ['200', '404']);
  });

  test('a server message without Final does not start a large object; it goes once the server package is complete', () => {
    const d = new Driver(makeConfig());
    d.start();
    const r = d.receive(serverMsg(1, [hdrStatus('1', '1', '200'), get('2', './Big')], { final: false, maxMsgSize: 1024 }));
    const m2 = d.execute(r, () => [
      { cmd: 'Status', cmdRef: '2', refCmd: 'Get', data: '200' },
      { cmd: 'Results', cmdRef: '2', items: [{ source: { locUri: './Big' }, data: 'q'.repeat(3000) }] },
    ]).send!.message;
    assert.deepEqual(m2.commands.map((c) => c.cmd), ['Status', 'Status', 'Alert']);
    assert.equal(m2.final, false);
    // the server's last message: now the chunks start
    const m3 = d.receive(serverMsg(2, [hdrStatus('1', '2', '200')], { final: true })).send!.message;
    const last = m3.commands.at(-1) as ResultsCommand;
    assert.deepEqual([last.cmd, last.items[0]?.moreData, last.items[0]?.meta?.size, m3.final], ['Results', true, 3000, false]);
  });

  test('new server commands while our object is being chunked: the next chunk still comes right after the head', () => {
    const d = new Driver(makeConfig());
    d.start();
    const r = d.receive(serverMsg(1, [hdrStatus('1', '1', '200'), get('2', './Big')], { maxMsgSize: 1024 }));
    const m2 = d.execute(r, () => [
      { cmd: 'Status', cmdRef: '2', refCmd: 'Get', data: '200' },
      { cmd: 'Results', cmdRef: '2', items: [{ source: { locUri: './Big' }, data: 'q'.repeat(3000) }] },
    ]).send!.message;
    assert.equal((m2.commands.at(-1) as ResultsCommand).items[0]?.moreData, true);
    // a server that does not wait for the last chunk
    const r3 = d.receive(serverMsg(2, [hdrStatus('1', '2', '200'), get('2', './Small')], { final: true }));
    const m3 = d.execute(r3, () => [{ cmd: 'Status', cmdRef: '2', refCmd: 'Get', data: '200' }, { cmd: 'Results', cmdRef: '2', items: [{ data: 's' }] }]).send!.message;
    assert.deepEqual(m3.commands.map((c) => c.cmd), ['Status', 'Results']);
    assert.equal((m3.commands[1] as ResultsCommand).msgRef, '1');
    assert.equal(d.state.outbox[0]?.continued, true);
  });

  test('a large Generic Alert in Package #1 is chunked; its ref is reported on the Status of the last chunk', () => {
    const d = new Driver(makeConfig({ assumedServerMaxMsgSize: 1500 }));
    const data = 'g'.repeat(5000);
    d.start('client', '1', [{ ref: 'big', alert: { cmd: 'Alert', data: '1226', items: [{ source: { locUri: './X' }, meta: { type: 'x-type', format: 'chr' }, data }] } }]);
    let n = 1;
    while (!d.lastSent().final) d.receive(serverMsg(++n, [hdrStatus('1', d.lastSent().header.msgId, '200'), alertCmd('2', '1222')], { final: false }));
    const pieces = d.sent.flatMap((m) => m.commands.filter((c): c is AlertCommand => c.cmd === 'Alert' && c.data === '1226'));
    assert.ok(pieces.length >= 4);
    assert.equal(pieces.map((p) => p.items[0]!.data).join(''), data);
    assert.ok(pieces.every((p) => p.items[0]!.meta?.type === 'x-type'));
    assert.equal(d.state.sentAlerts.length, 1);
    const lastMsg = d.lastSent();
    assert.equal(d.state.sentAlerts[0]!.msgId, lastMsg.header.msgId);
    const r = d.receive(serverMsg(++n, [hdrStatus('1', lastMsg.header.msgId, '200'), { cmd: 'Status', cmdId: '2', msgRef: lastMsg.header.msgId, cmdRef: d.state.sentAlerts[0]!.cmdId, refCmd: 'Alert', data: '200' }]));
    assert.deepEqual(r.effects.filter((e) => e.kind === 'alertStatus'), [{ kind: 'alertStatus', ref: 'big', code: 200 }]);
  });

  test('a command that cannot be split and does not fit is sent anyway with an oversize effect', () => {
    const d = new Driver(makeConfig());
    d.start();
    const r = d.receive(serverMsg(1, [hdrStatus('1', '1', '200'), alertCmd('2', '1102')], { maxMsgSize: 1024 }));
    const out = d.execute(r, () => [{ cmd: 'Status', cmdRef: '2', refCmd: 'Alert', data: '200', items: [{ data: 't'.repeat(2000) }] }]);
    assert.deepEqual(statuses(out.send!.message).map((s) => s.cmdRef), ['0', '2']);
    const ov = out.effects.find((e): e is Extract<Effect, { kind: 'oversize' }> => e.kind === 'oversize');
    assert.ok(ov);
    assert.equal(ov.limit, 1024);
    assert.ok(ov.size > 1024);
    assert.equal(ov.msgId, out.send!.message.header.msgId);
  });
});
