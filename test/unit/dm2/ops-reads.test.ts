import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Status } from '../../../bridge/core/status.js';
import { Dm2Ops } from '../../../bridge/dm/dm2-ops.js';
import type { NodeInfo, Provider } from '../../../bridge/tree/provider.js';
import { makeTree } from '../tree/helpers.js';

// Review pass: an interior GET read its root twice (once to see it is interior, once more in
// readSubtree); UNSUB canonicalises its URI with the tree's own parser (parseUri), as SUB stores it.

const leaf = (value: string): NodeInfo => ({ format: 'chr', type: 'text/plain', permanent: true, access: ['Get'], value });

function counting(): { provider: Provider; reads: Map<string, number> } {
  const reads = new Map<string, number>();
  const provider: Provider = {
    transactional: false,
    node(segs) {
      const k = segs.join('/');
      reads.set(k, (reads.get(k) ?? 0) + 1);
      if (k === '') return { format: 'node', type: 'urn:dev', permanent: true, access: ['Get'], children: ['A', 'B'] };
      return k === 'A' || k === 'B' ? leaf(k) : undefined;
    },
  };
  return { provider, reads };
}

const noRepo = { fetch: () => Promise.reject(new Error('unused')), send: () => Promise.reject(new Error('unused')) };

test('an interior GET reads its root no more often than a plain tree walk does', async () => {
  const f = makeTree();
  try {
    const { provider, reads } = counting();
    f.tree.mount('./Dev', provider);
    // what one Get of the root and one of each child cost in root reads (ACL inheritance included)
    await f.tree.get('./Dev', null);
    await f.tree.get('./Dev/A', null);
    await f.tree.get('./Dev/B', null);
    const walk = reads.get('') ?? 0;
    reads.clear();
    const ops = new Dm2Ops({ tree: f.tree, serverId: 'dm.isp', repo: noRepo, subscriptions: { add: () => undefined, remove: () => false } });
    const [r] = await ops.execute([{ cmd: 'GET', id: 1, uri: './Dev' }]);
    assert.equal(r?.status, Status.OK);
    assert.deepEqual(Object.keys((r?.data as { children?: Record<string, unknown> }).children ?? {}), ['A', 'B']);
    assert.ok(walk > 0);
    assert.equal(reads.get(''), walk, 'the root is read once, not again by the subtree walk');
  } finally {
    f.close();
  }
});

test('UNSUB: "A/B", "./A/B", "." and "./" reach the store in the canonical form SUB stores; ?prop= is left as sent', async () => {
  const f = makeTree();
  try {
    const removed: string[] = [];
    const ops = new Dm2Ops({ tree: f.tree, serverId: 'dm.isp', repo: noRepo, subscriptions: { add: () => undefined, remove: (u) => (removed.push(u), u === './A/B') } });
    const r = await ops.execute([
      { cmd: 'UNSUB', id: 1, uri: 'A/B' }, { cmd: 'UNSUB', id: 2, uri: './A/B' }, { cmd: 'UNSUB', id: 3, uri: '.' },
      { cmd: 'UNSUB', id: 4, uri: './' }, { cmd: 'UNSUB', id: 5, uri: './A/B?prop=ACL' },
    ]);
    assert.deepEqual(removed, ['./A/B', './A/B', '.', '.', './A/B?prop=ACL']);
    assert.deepEqual(r.map((x) => x.status), [Status.OK, Status.OK, Status.NOT_FOUND, Status.NOT_FOUND, Status.NOT_FOUND]);
  } finally {
    f.close();
  }
});
