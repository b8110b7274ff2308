import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parentPath } from '../../../bridge/tree/uri.js';
import { makeTree, treeConfig } from './helpers.js';

const SERVERS = ['s1', 's2', 's3'];
const NODES = ['./P', './P/C', './P/C/L', './Q'];
const aclText = fc
  .record({
    Add: fc.subarray(SERVERS),
    Delete: fc.subarray(SERVERS),
    Exec: fc.subarray(SERVERS),
    Get: fc.subarray(SERVERS),
    Replace: fc.subarray(SERVERS),
  })
  .map((r) =>
    Object.entries(r)
      .filter(([, ids]) => ids.length > 0)
      .map(([cmd, ids]) => `${cmd}=${ids.join('+')}`)
      .join('&'),
  );

test('property: an ACL change never grants a ServerID more than Replace on the node or its parent allows', () => {
  const f = makeTree(treeConfig());
  try {
    const { tree, acls } = { tree: f.tree, acls: f.tree.acls };
    tree.add('./P/C/L', { data: 'x' }, null);
    tree.add('./Q', { data: 'y' }, null);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(...NODES), aclText), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(...SERVERS),
        fc.constantFrom(...NODES),
        aclText,
        (initial, who, node, next) => {
          for (const n of NODES) tree.replace(`${n}?prop=ACL`, { data: '' }, null);
          for (const [n, text] of initial) tree.replace(`${n}?prop=ACL`, { data: text }, null);
          const before = new Map(NODES.map((n) => [n, acls.own(n)]));
          const parent = parentPath(node)!;
          const entitled = acls.allows(node, 'Replace', who) || acls.allows(parent, 'Replace', who);
          const out = tree.replace(`${node}?prop=ACL`, { data: next }, who) as { status: number };
          if (entitled) {
            assert.equal(out.status, 200);
            assert.equal(acls.own(node), next);
          } else {
            assert.equal(out.status, 425);
            for (const n of NODES) assert.equal(acls.own(n), before.get(n), `ACL of ${n} must be unchanged`);
          }
        },
      ),
      { numRuns: 300 },
    );
  } finally {
    f.close();
  }
});
