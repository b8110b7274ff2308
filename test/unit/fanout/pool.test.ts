import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { runPool, settle, type Settled } from '../../../bridge/fanout/pool.js';
import { cut, statusText } from '../../../bridge/fanout/run.js';
import { checkPath, parseTarget } from '../../../bridge/fanout/targets.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fan-out pool', () => {
  test('every item settles once, in-flight never exceeds the bound, a hung item times out without holding the others', async () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const seen = new Map<number, Settled<number>>();
    let inFlight = 0;
    let peak = 0;
    const started = Date.now();
    const rep = await runPool(items, { concurrency: 5, timeoutMs: 100 }, async (i) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      try {
        if (i === 3) await new Promise(() => undefined);
        if (i === 7) throw new Error('boom');
        await sleep(5);
        return i * 2;
      } finally {
        inFlight--;
      }
    }, (i, s) => {
      assert.ok(!seen.has(i), 'settled once');
      seen.set(i, s);
    });
    assert.equal(seen.size, 50);
    assert.deepEqual(seen.get(3), { kind: 'timeout' });
    assert.equal(seen.get(7)!.kind, 'error');
    assert.deepEqual(seen.get(9), { kind: 'done', value: 18 });
    assert.equal(rep.maxInFlight, 5);
    assert.ok(peak <= 5);
    assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
  });

  test('an aborted signal stops starting items; a synchronous throw is an error, not a crash', async () => {
    const ac = new AbortController();
    let n = 0;
    const rep = await runPool([1, 2, 3, 4, 5, 6], { concurrency: 2, timeoutMs: 50, signal: ac.signal }, async () => {
      if (++n === 2) ac.abort();
      await sleep(1);
    }, () => undefined);
    assert.equal(n, 2);
    assert.equal(rep.skipped, 4);
    assert.equal((await settle(() => { throw new Error('x'); }, 10)).kind, 'error');
    assert.deepEqual(await runPool([], { concurrency: 8, timeoutMs: 10 }, () => 1, () => assert.fail('no items')), { maxInFlight: 0, skipped: 0 });
  });

  test('cut keeps at most max UTF-8 bytes and never splits a character', () => {
    assert.equal(cut('héllo', 2), 'h');
    assert.equal(cut('abc', 8), 'abc');
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), fc.nat(40), (s, max) => {
      const c = cut(s, max);
      assert.ok(Buffer.byteLength(c) <= max || c === s);
      assert.ok(s.startsWith(c));
    }));
  });

  test('Target and Path grammar', () => {
    assert.deepEqual(parseTarget(' a, Groups/type-Printer ,./GwMO/DevInventory/Groups/g2,,b ').value, [
      { kind: 'device', devId: 'a' }, { kind: 'group', groupId: 'type-Printer' }, { kind: 'group', groupId: 'g2' }, { kind: 'device', devId: 'b' },
    ]);
    for (const bad of ['', ' , ', 'a/b', 'Groups/', 'Groups/x/y', 'dev id']) assert.equal(parseTarget(bad).status, 400, bad);
    for (const ok of ['', 'Name', 'MO/Services/urn-x/State/V']) assert.equal(checkPath(ok).status, 200, ok);
    for (const bad of ['/MO', './MO', 'MO/', 'MO//x', 'MO/../x', 'MO?prop=ACL']) assert.equal(checkPath(bad).status, 400, bad);
    assert.equal(statusText({ state: 'done', total: 3, ok: 1, failed: 1, timedOut: 1, finishedAt: 0 }, 3), 'done;total=3;completed=3;ok=1;failed=1;timeout=1');
  });
});
