import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ApiError } from '../../../bridge/api/errors.js';
import { auditJson, parseLimit, recentFromLog, sessionLogJson } from '../../../bridge/api/routes/history.js';
import type { HistorySource, SessionLogRowLike } from '../../../bridge/api/types.js';

const row = (id: number, account: string, startedAt: number, durationMs: number): SessionLogRowLike => ({
  id, account, sessionId: `s${id}`, protocol: 'dm1.2', trigger: 'client', outcome: 'ok', reason: '', startedAt, durationMs, commands: id,
});

describe('parseLimit', () => {
  test('absent → fallback; 1..1000 accepted', () => {
    assert.equal(parseLimit(undefined, 50), 50);
    assert.equal(parseLimit('1', 50), 1);
    assert.equal(parseLimit('1000', 50), 1000);
    assert.equal(parseLimit('007', 50), 7);
  });

  test('anything else is a 400 ApiError', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.integer().map(String), fc.array(fc.string(), { minLength: 2, maxLength: 3 })), (raw) => {
      const ok = typeof raw === 'string' && /^[0-9]+$/.test(raw) && Number(raw) >= 1 && Number(raw) <= 1000;
      if (ok) assert.equal(parseLimit(raw, 5), Number(raw));
      else assert.throws(() => parseLimit(raw, 5), (e: unknown) => e instanceof ApiError && e.httpStatus === 400);
    }));
  });
});

describe('history JSON', () => {
  test('audit row: ISO time, only the listed fields', () => {
    const extra = { id: 3, account: 'isp', serverId: 'dm.isp', cmd: 'Replace', uri: './A', status: 200, at: 0, data: 'secret' };
    assert.deepEqual(auditJson(extra), { id: 3, at: '1970-01-01T00:00:00.000Z', account: 'isp', serverId: 'dm.isp', cmd: 'Replace', uri: './A', status: 200 });
  });

  test('session row: start and end as ISO', () => {
    const j = sessionLogJson(row(1, 'isp', 1000, 250));
    assert.equal(j.startedAt, '1970-01-01T00:00:01.000Z');
    assert.equal(j.endedAt, '1970-01-01T00:00:01.250Z');
  });
});

describe('recentFromLog', () => {
  test('newest end first across accounts, bounded, each account asked for at most the bound', () => {
    const logs: Record<string, SessionLogRowLike[]> = {
      a: [row(5, 'a', 500, 10), row(2, 'a', 100, 10)],
      b: [row(4, 'b', 300, 500), row(3, 'b', 200, 0)],
    };
    const asked: number[] = [];
    const history: HistorySource = {
      audit: () => [],
      sessions: (acc, n) => (asked.push(n), (logs[acc] ?? []).slice(0, n)),
    };
    const out = recentFromLog(history, ['a', 'b', 'gone'], 3);
    assert.deepEqual(out.map((s) => s.sessionId), ['s4', 's5', 's3']);
    assert.deepEqual(asked, [3, 3, 3]);
    assert.equal(out[0]!.endedAt, '1970-01-01T00:00:00.800Z');
    assert.equal(out[0]!.commandsExecuted, 4);
  });
});
