import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { silentLogger } from '../../../bridge/core/logger.js';
import { openStore } from '../../../bridge/store/db.js';
import { OutboxRepo } from '../../../bridge/store/outbox-repo.js';

test('outbox: per-authority cap drops the oldest, counts and keeps order; other authorities untouched; survives reopen', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dmb-outbox-'));
  try {
    let store = openStore(join(dir, 'bridge.db'));
    const warnings: unknown[] = [];
    const log = silentLogger();
    log.warn = ((obj: unknown) => void warnings.push(obj)) as typeof log.warn;
    let outbox = new OutboxRepo(store.db, { maxPerAccount: 5, log });
    for (let i = 1; i <= 3; i++) outbox.add('b', `b${i}`, i);
    for (let i = 1; i <= 8; i++) outbox.add('a', `a${i}`, i);
    assert.equal(outbox.count('a'), 5);
    assert.deepEqual(outbox.list('a').map((r) => r.payload), ['a4', 'a5', 'a6', 'a7', 'a8']);
    assert.equal(outbox.dropped('a'), 3);
    assert.equal(outbox.dropped('b'), 0);
    assert.deepEqual(outbox.list('b').map((r) => r.payload), ['b1', 'b2', 'b3']);
    assert.equal(warnings.length, 3);
    assert.match(JSON.stringify(warnings[2]), /"droppedTotal":3/);
    // removal only by id (acknowledged), in order
    outbox.remove('a', outbox.list('a')[0]!.id);
    assert.equal(outbox.list('a')[0]!.payload, 'a5');
    store.close();
    store = openStore(join(dir, 'bridge.db'));
    outbox = new OutboxRepo(store.db);
    assert.deepEqual(outbox.list('a').map((r) => r.payload), ['a5', 'a6', 'a7', 'a8']);
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('outbox: the default cap is 10,000 per authority', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dmb-outbox-'));
  try {
    const store = openStore(join(dir, 'bridge.db'));
    const outbox = new OutboxRepo(store.db);
    store.db.transaction(() => {
      for (let i = 0; i < 10_003; i++) outbox.add('a', String(i), i);
    })();
    assert.equal(outbox.count('a'), 10_000);
    assert.equal(outbox.dropped('a'), 3);
    assert.equal(outbox.list('a', 1)[0]!.payload, '3');
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
