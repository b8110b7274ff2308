// Review finding 16: notify_nonces is bounded per authority, and a nonce no longer kept as a row
// stays refused (folded into a per-authority Bloom digest, persisted): never replayable.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { openStore, type Store } from '../../../bridge/store/db.js';
import { addToDigest, digestFalsePositiveRate, digestHas, emptyDigest } from '../../../bridge/store/nonce-digest.js';
import { KEEP_NONCES, NotifyNonceRepo } from '../../../bridge/store/notify-nonce-repo.js';

function withDir(fn: (dir: string, open: () => Store) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'dmb-nonces-'));
  const opened: Store[] = [];
  try {
    fn(dir, () => {
      const s = openStore(join(dir, 'bridge.db'));
      opened.push(s);
      return s;
    });
  } finally {
    for (const s of opened) s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows = (s: Store, account: string) =>
  s.db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM notify_nonces WHERE account = ?').get(account)!.n;
const nonce = (i: number) => Buffer.from(`nonce-${i}`).toString('base64');

test('rows stay bounded per authority; every nonce ever accepted is still refused, across a restart', () => {
  withDir((_dir, open) => {
    let s = open();
    let repo = new NotifyNonceRepo(s.db, { keep: 100 });
    for (let i = 0; i < 1000; i++) assert.equal(repo.record('isp', nonce(i), i), true, `first ${i}`);
    const { kept, folded } = repo.stats('isp');
    assert.ok(kept >= 100 && kept <= 110, `kept ${kept}`);
    assert.equal(rows(s, 'isp'), kept);
    assert.equal(kept + folded, 1000);
    s.close();
    s = open();
    repo = new NotifyNonceRepo(s.db, { keep: 100 });
    for (let i = 0; i < 1000; i++) {
      assert.equal(repo.seen('isp', nonce(i)), true, `seen ${i}`);
      assert.equal(repo.record('isp', nonce(i), 5000), false, `replay ${i}`);
    }
    assert.equal(repo.stats('isp').kept, kept, 'replays add nothing');
  });
});

test('the newest nonces are the ones kept as rows; other authorities are not affected', () => {
  withDir((_dir, open) => {
    const s = open();
    const repo = new NotifyNonceRepo(s.db, { keep: 10 });
    for (let i = 0; i < 50; i++) repo.record('isp', nonce(i), 1000 + i);
    const kept = s.db.prepare<[], { nonce: string }>("SELECT nonce FROM notify_nonces WHERE account = 'isp' ORDER BY seen_at").all().map((r) => r.nonce);
    assert.ok(kept.length >= 10 && kept.length <= 11, `kept ${kept.length}`);
    assert.deepEqual(kept, Array.from({ length: kept.length }, (_, j) => nonce(50 - kept.length + j)));
    assert.equal(repo.seen('other', nonce(0)), false, 'a digest is per authority');
    assert.equal(repo.record('other', nonce(0), 1), true);
  });
});

test(`the default bound: ${KEEP_NONCES} rows, folded a tenth at a time`, () => {
  withDir((_dir, open) => {
    const s = open();
    const repo = new NotifyNonceRepo(s.db);
    s.transaction(() => {
      for (let i = 0; i <= KEEP_NONCES * 1.1 + 1; i++) repo.record('isp', nonce(i), i);
    });
    assert.deepEqual(repo.stats('isp'), { kept: KEEP_NONCES + 1, folded: KEEP_NONCES / 10 + 1 });
    assert.equal(repo.seen('isp', nonce(0)), true);
  });
});

test('prune(before) folds old nonces instead of forgetting them', () => {
  withDir((_dir, open) => {
    const s = open();
    const repo = new NotifyNonceRepo(s.db);
    repo.record('isp', 'old', 1);
    repo.record('isp', 'new', 100);
    assert.equal(repo.prune(50), 1);
    assert.equal(rows(s, 'isp'), 1);
    assert.equal(repo.seen('isp', 'old'), true);
    assert.equal(repo.record('isp', 'old', 200), false, 'still a replay');
  });
});

test('digest: no false negative (property); no false positive among fresh random nonces at this fill', () => {
  fc.assert(
    fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 40 }), { maxLength: 200 }), (list) => {
      const bits = emptyDigest();
      for (const n of list) addToDigest(bits, n);
      return list.every((n) => digestHas(bits, n));
    }),
    { numRuns: 200 },
  );
  const bits = emptyDigest();
  for (let i = 0; i < 5000; i++) addToDigest(bits, nonce(i));
  let fp = 0;
  for (let i = 0; i < 20_000; i++) if (digestHas(bits, randomBytes(16).toString('base64'))) fp++;
  assert.equal(fp, 0, `expected rate ${digestFalsePositiveRate(5000)}`);
  assert.ok(digestFalsePositiveRate(100_000) < 0.01 && digestFalsePositiveRate(10_000) < 1e-8);
});
