// Review finding 15: a child named `__proto__` (or `constructor`, `prototype`) in a JSON tree is a valid
// DM node name (bridge/tree/uri.ts isValidSegment): the codec keeps it and an HPUT/HPOST writes it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeTree, parseJson } from '../../../bridge/dm/dm2/tree-json.js';
import { DEFAULT_DM2_LIMITS } from '../../../bridge/dm/dm2/types.js';
import { applyTree, readSubtree } from '../../../bridge/dm/dm2-tree-io.js';
import { makeTree } from '../tree/helpers.js';

const SPECIAL = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

function decode(text: string) {
  return decodeTree(parseJson(text, DEFAULT_DM2_LIMITS, 'tree'), DEFAULT_DM2_LIMITS);
}

test('children named __proto__, constructor and prototype are kept as own children, in order', () => {
  const tree = decode('{"format":"node","children":{"__proto__":{"format":"chr","value":"p"},"constructor":{"format":"int","value":7},"prototype":{"format":"node"}}}');
  const c = tree.children!;
  assert.deepEqual(Object.keys(c), ['__proto__', 'constructor', 'prototype']);
  assert.equal(Object.getPrototypeOf(c), Object.prototype, 'the children object itself is untouched');
  assert.deepEqual(Object.getOwnPropertyDescriptor(c, '__proto__')?.value, { format: 'chr', value: 'p' });
  assert.deepEqual(c.constructor, { format: 'int', value: 7 });
  assert.deepEqual(c.prototype, { format: 'node' });
  assert.equal(JSON.stringify(tree), '{"format":"node","children":{"__proto__":{"format":"chr","value":"p"},"constructor":{"format":"int","value":7},"prototype":{"format":"node"}}}');
});

test('an HPUT-style write of such a tree creates every node (it was answered 200 without writing __proto__), and a read gives them back', async () => {
  const f = makeTree();
  try {
    const root = decode('{"format":"node","children":{"__proto__":{"format":"chr","value":"p"},"constructor":{"format":"node","children":{"__proto__":{"format":"chr","value":"q"}}}}}');
    assert.equal(applyTree(f.tree, './Mine', root, null).status, 200);
    const get = (uri: string) => f.tree.get(uri, null) as { status: number; value?: { value?: string; children?: string[] } };
    assert.equal(get('./Mine/__proto__').value?.value, 'p');
    assert.equal(get('./Mine/constructor/__proto__').value?.value, 'q');
    assert.deepEqual(get('./Mine').value?.children, ['__proto__', 'constructor']);
    // and reading the subtree back (GET of an interior node, HPUT/HPOST) keeps them too
    const back = await readSubtree(f.tree, './Mine', null, 1000);
    assert.equal(back.status, 200);
    assert.equal(JSON.stringify(back.value?.children), '{"__proto__":{"format":"chr","value":"p"},"constructor":{"format":"node","children":{"__proto__":{"format":"chr","value":"q"}}}}');
  } finally {
    f.close();
  }
});

test('property: every child name that survives JSON is decoded as an own child with its value', () => {
  const name = fc.oneof(
    fc.constantFrom(...SPECIAL),
    fc.string({ minLength: 1, maxLength: 12 }).filter((s) => s !== '.' && s !== '..' && !/[/?]/.test(s)),
  );
  fc.assert(
    fc.property(fc.uniqueArray(name, { minLength: 1, maxLength: 8 }), (names) => {
      const children = Object.fromEntries(names.map((n, i) => [n, { format: 'int', value: i }]));
      const text = JSON.stringify({ format: 'node', children });
      const got = decode(text).children!;
      assert.deepEqual(Object.keys(got), Object.keys(children), 'same names in the same order');
      for (const [i, n] of names.entries()) {
        assert.ok(Object.hasOwn(got, n), n);
        assert.deepEqual(Object.getOwnPropertyDescriptor(got, n)?.value, { format: 'int', value: i }, n);
      }
      assert.equal(Object.getPrototypeOf(got), Object.prototype);
    }),
    { numRuns: 300 },
  );
});
