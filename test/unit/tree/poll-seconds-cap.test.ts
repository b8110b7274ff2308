import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_POLL_SECONDS } from '../../../bridge/core/timers.js';
import type { AccountData } from '../../../bridge/tree/providers/dmacc-provider.js';
import { authority, makeTree, treeConfig } from './helpers.js';

// Review finding 3: ./DMAcc/<x>/Ext/Bridge/PollSeconds accepted up to 999,999,999 s, which overflowed
// the poll timer. Now 60 .. 31,536,000 (one year); beyond -> 400 and nothing changes.

test('PollSeconds: 30 days and one year are accepted, one year + 1 s answers 400 and changes nothing', () => {
  const f = makeTree(treeConfig([authority('isp', 'dm.isp')]));
  try {
    const put = (v: string): { status: number; reason?: string } =>
      f.tree.replace('./DMAcc/isp/Ext/Bridge/PollSeconds', { data: v, format: 'int' }, 'dm.isp') as { status: number; reason?: string };
    const stored = (): number => (JSON.parse(f.accounts.get('isp')!.data) as AccountData).pollSeconds;
    assert.equal(put('2592000').status, 200);
    assert.equal(stored(), 2_592_000);
    assert.equal(put(String(MAX_POLL_SECONDS)).status, 200);
    assert.equal(stored(), MAX_POLL_SECONDS);
    const over = put(String(MAX_POLL_SECONDS + 1));
    assert.equal(over.status, 400);
    assert.match(over.reason ?? '', /31536000/);
    assert.equal(put('999999999').status, 400);
    assert.equal(stored(), MAX_POLL_SECONDS);
    assert.equal(put('59').status, 400);
  } finally {
    f.close();
  }
});
