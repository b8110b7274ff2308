import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Command, Message } from '../../../bridge/dm/message.js';
import type { ReplyDraft } from '../../../bridge/dm/session/index.js';
import { Driver, alertCmd, hdrStatus, makeConfig, okReplies, serverMsg } from './helpers.js';

/** A server command template (CmdIDs are given when the message is built). */
type Tpl = { k: 'Get' | 'Replace' | 'Exec' | 'Delete' | 'Add' } | { k: 'UI' } | { k: 'Atomic' | 'Sequence'; n: number };

const tpl: fc.Arbitrary<Tpl> = fc.oneof(
  fc.constantFrom('Get', 'Replace', 'Exec', 'Delete', 'Add').map((k) => ({ k }) as Tpl),
  fc.constant({ k: 'UI' } as Tpl),
  fc.record({ k: fc.constantFrom('Atomic' as const, 'Sequence' as const), n: fc.integer({ min: 1, max: 3 }) }),
);

function build(t: Tpl, next: () => string): Command {
  switch (t.k) {
    case 'UI':
      return alertCmd(next(), '1101');
    case 'Atomic':
    case 'Sequence': {
      const id = next();
      return { cmd: t.k, cmdId: id, commands: Array.from({ length: t.n }, () => ({ cmd: 'Replace' as const, cmdId: next(), items: [{ target: { locUri: './X' }, data: 'v' }] })) };
    }
    default:
      return { cmd: t.k, cmdId: next(), items: [{ target: { locUri: './N/x' }, data: 'd' }] };
  }
}

function needing(cmds: Command[]): Command[] {
  return cmds.flatMap((c) => (c.cmd === 'Status' || c.cmd === 'Results' ? [] : c.cmd === 'Atomic' || c.cmd === 'Sequence' ? [c, ...needing(c.commands)] : [c]));
}

test('every server command gets exactly one Status with the right refs; MsgIDs increase by 1 (property)', () => {
  fc.assert(
    fc.property(
      // packages -> messages -> command templates
      fc.array(fc.array(fc.array(tpl, { minLength: 0, maxLength: 6 }), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
      fc.integer({ min: 500, max: 4000 }),
      fc.array(fc.boolean(), { minLength: 1, maxLength: 50 }),
      (packages, maxMsgSize, drops) => {
        const d = new Driver(makeConfig());
        d.start();
        let serverMsgId = 0;
        const expected = new Map<string, string>(); // "msgId/cmdId" -> cmd name
        const hdrExpected = new Set<string>();
        const queue = packages.map((p) => [...p]);
        let current: Tpl[][] | undefined;
        let dropIx = 0;
        for (let guard = 0; guard < 500 && d.state.phase !== 'done'; guard++) {
          const last = d.lastSent();
          const weAsk = last.commands.some((c) => c.cmd === 'Alert' && c.data === '1222');
          const msgId = String(++serverMsgId);
          let n = 1;
          const next = (): string => String(++n);
          let m: Message;
          if (!last.final && !weAsk) {
            m = serverMsg(msgId, [hdrStatus('1', last.header.msgId, '200'), alertCmd(next(), '1222')], { final: false, maxMsgSize });
          } else {
            if (!weAsk || !current || current.length === 0) current = queue.shift();
            const body = current?.shift();
            if (body === undefined) {
              m = serverMsg(msgId, [hdrStatus('1', last.header.msgId, '200')], { final: true, maxMsgSize });
            } else {
              m = serverMsg(msgId, [hdrStatus('1', last.header.msgId, '200'), ...body.map((t) => build(t, next))], { final: current?.length === 0, maxMsgSize });
            }
          }
          for (const c of needing(m.commands)) expected.set(`${m.header.msgId}/${c.cmdId}`, c.cmd);
          const before = d.sent.length;
          const r = d.receive(m);
          if (r.effects.some((e) => e.kind === 'execute')) {
            d.execute(r, (cmds) => okReplies(cmds).filter((x: ReplyDraft) => x.cmd !== 'Status' || !drops[dropIx++ % drops.length]));
          }
          if (d.sent.length > before) hdrExpected.add(m.header.msgId);
        }
        assert.equal(d.doneEffect()?.outcome, 'ok');
        // MsgIDs 1..n
        assert.deepEqual(d.sent.map((m) => m.header.msgId), d.sent.map((_, i) => String(i + 1)));
        // CmdIDs unique per message
        for (const m of d.sent) assert.equal(new Set(m.commands.map((c) => c.cmdId)).size, m.commands.length);
        // exactly one Status per server command, right Cmd; one SyncHdr Status per answered message
        const seen = new Map<string, number>();
        const hdrSeen: string[] = [];
        for (const m of d.sent.slice(1)) {
          for (const c of m.commands) {
            if (c.cmd !== 'Status') continue;
            if (c.cmdRef === '0') {
              assert.equal(c.refCmd, 'SyncHdr');
              hdrSeen.push(c.msgRef);
              continue;
            }
            const key = `${c.msgRef}/${c.cmdRef}`;
            assert.equal(expected.get(key), c.refCmd, `Status ${key} ${c.refCmd}`);
            seen.set(key, (seen.get(key) ?? 0) + 1);
          }
        }
        assert.deepEqual([...seen.keys()].sort(), [...expected.keys()].sort());
        assert.ok([...seen.values()].every((v) => v === 1));
        assert.deepEqual(hdrSeen.sort(), [...hdrExpected].sort());
        // Final only when the server had completed its package
        assert.equal(d.sent.every((m) => !(m.final && m.commands.some((c) => c.cmd === 'Alert' && c.data === '1222'))), true);
      },
    ),
    { numRuns: 300 },
  );
});
