import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  decodeClientPackage, decodeServerPackage, decodeTree, Dm2Error, encodePackage, DEFAULT_DM2_LIMITS, parseJson,
  type ClientPackage, type Dm2Command, type JsonTreeNode, type OutgoingServerPackage,
} from '../../../bridge/dm/dm2/index.js';

const sid = fc.stringMatching(/^[0-9A-F]{1,8}$/);
const uri = fc.stringMatching(/^\.\/[A-Za-z0-9]{1,8}(\/[A-Za-z0-9]{1,8}){0,3}$/);
const href = fc.constantFrom('https://dr.example/a', 'http://127.0.0.1:8080/x?y=1');
const id = fc.integer({ min: 1, max: 1_000_000 });

const command: fc.Arbitrary<Dm2Command> = fc.oneof(
  fc.record({ id, cmd: fc.constantFrom('GET' as const, 'DELETE' as const, 'UNSUB' as const), uri }),
  fc.record({ id, cmd: fc.constant('EXEC' as const), uri, data: fc.string(), correlator: fc.string({ minLength: 1, maxLength: 10 }) }, { requiredKeys: ['id', 'cmd', 'uri'] }),
  fc.record({ id, cmd: fc.constantFrom('HGET' as const, 'HPUT' as const, 'HPOST' as const), uri, href }),
  fc.record({ id, cmd: fc.constant('SUB' as const), uri, events: fc.uniqueArray(fc.constantFrom('joined' as const, 'left' as const, 'changed' as const), { minLength: 1 }) }),
  fc.record({ id, cmd: fc.constant('SHOW' as const), href }),
);

const serverPackage: fc.Arbitrary<OutgoingServerPackage> = fc
  .record({ sid, msg: fc.integer({ min: 1, max: 1000 }), cmds: fc.uniqueArray(command, { selector: (c) => c.id, maxLength: 30 }), tail: fc.constantFrom([], [{ cmd: 'CONT' as const }], [{ cmd: 'END' as const }]) })
  .map(({ sid: s, msg, cmds, tail }) => ({ dm: '2.0' as const, sid: s, msg, cmds: [...cmds, ...tail] }));

const leaf: fc.Arbitrary<JsonTreeNode> = fc.oneof(
  fc.record({ format: fc.constant('chr' as const), value: fc.string() }),
  fc.record({ format: fc.constant('int' as const), value: fc.integer() }),
  fc.record({ format: fc.constant('bool' as const), value: fc.boolean() }),
  fc.record({ format: fc.constant('float' as const), value: fc.double({ noNaN: true, noDefaultInfinity: true }) }),
  fc.record({ format: fc.constant('b64' as const), value: fc.base64String() }),
  fc.constant({ format: 'null' as const }),
);
const tree: fc.Arbitrary<JsonTreeNode> = fc.letrec<{ node: JsonTreeNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ format: fc.constant('node' as const), acl: fc.constant('Get=*'), children: fc.dictionary(fc.stringMatching(/^[A-Za-z0-9_-]{1,6}$/), tie('node'), { maxKeys: 4 }) }, { requiredKeys: ['format'] }),
  ),
})).node;

function typedOnly(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof Dm2Error)) throw err;
    assert.ok([400, 406, 413].includes(err.status), `status ${err.status}`);
  }
}

describe('DM 2.0 codec', () => {
  test('random valid server packages round-trip through encode/decode', () => {
    fc.assert(fc.property(serverPackage, (p) => {
      assert.deepEqual(decodeServerPackage(encodePackage(p)), JSON.parse(JSON.stringify(p)));
    }), { numRuns: 300 });
  });

  test('random valid client packages round-trip', () => {
    const alert = fc.record({ type: fc.string({ minLength: 1, maxLength: 20 }), source: uri, data: fc.jsonValue({ maxDepth: 3 }), correlator: fc.option(fc.string({ minLength: 1, maxLength: 5 })) }, { requiredKeys: ['type', 'correlator'] });
    const result = fc.record({ id, status: fc.integer({ min: 200, max: 599 }), data: fc.jsonValue({ maxDepth: 3 }) }, { requiredKeys: ['id', 'status'] });
    const pkg = fc.record({ sid, msg: fc.integer({ min: 1, max: 99 }), results: fc.array(result, { maxLength: 10 }), alerts: fc.array(alert, { maxLength: 5 }) });
    fc.assert(fc.property(pkg, (p) => {
      const c = { dm: '2.0', ...p } as unknown as ClientPackage;
      assert.deepEqual(decodeClientPackage(encodePackage(c)), JSON.parse(JSON.stringify(c)));
    }), { numRuns: 200 });
  });

  test('random JSON trees validate and round-trip', () => {
    fc.assert(fc.property(tree, (t) => {
      assert.deepEqual(decodeTree(JSON.parse(JSON.stringify(t))), JSON.parse(JSON.stringify(t)));
    }), { numRuns: 300 });
  });

  test('random and mutated input never throws anything but a typed Dm2Error', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v))), (s) => {
      typedOnly(() => decodeServerPackage(s));
      typedOnly(() => decodeClientPackage(s));
      typedOnly(() => decodeTree(parseJson(s, DEFAULT_DM2_LIMITS, 'tree')));
    }), { numRuns: 300 });
  });

  test('arbitrary bytes (invalid UTF-8 included) never throw anything but a typed Dm2Error', () => {
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.string().map((s) => new Uint8Array(Buffer.from(s, 'utf8')))), (b) => {
      typedOnly(() => decodeServerPackage(b));
      typedOnly(() => decodeClientPackage(b));
      typedOnly(() => decodeTree(parseJson(b, DEFAULT_DM2_LIMITS, 'tree')));
    }), { numRuns: 500 });
  });

  test('package-shaped JSON with arbitrary commands: one entry per command, valid or INVALID 400/406, ids unique', () => {
    const field = fc.constantFrom('id', 'cmd', 'uri', 'href', 'events', 'data', 'correlator', 'x');
    const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }), id, uri, href, fc.constantFrom('GET', 'SUB', 'EXEC', 'HGET', 'SHOW', 'CONT', 'END', 'NOPE'));
    const cmd = fc.oneof(fc.dictionary(field, value, { maxKeys: 5 }), command, fc.jsonValue({ maxDepth: 2 }));
    fc.assert(fc.property(sid, fc.array(cmd, { maxLength: 20 }), (s, cmds) => {
      const out = decodeServerPackage(JSON.stringify({ dm: '2.0', sid: s, msg: 1, cmds }));
      assert.equal(out.cmds.length, cmds.length);
      const ids = out.cmds.flatMap((c) => (c.id === undefined ? [] : [c.id]));
      assert.equal(new Set(ids).size, ids.length);
      for (const c of out.cmds) if (c.cmd === 'INVALID') assert.ok(c.status === 400 || c.status === 406, `status ${c.status}`);
    }), { numRuns: 500 });
  });

  test('mutating valid packages: bytes flipped, fields swapped -> a typed error or INVALID entries', () => {
    const mutate = fc.tuple(serverPackage, fc.nat(), fc.integer({ min: 0, max: 255 }));
    fc.assert(fc.property(mutate, ([p, at, byte]) => {
      const b = encodePackage(p);
      b[at % b.length] = byte;
      typedOnly(() => {
        const out = decodeServerPackage(b);
        for (const c of out.cmds) if (c.cmd === 'INVALID') assert.ok(c.status === 400 || c.status === 406);
      });
    }), { numRuns: 500 });
    const swap = fc.tuple(command, fc.constantFrom('id', 'uri', 'href', 'cmd', 'events', 'data'), fc.oneof(fc.jsonValue(), fc.constant(undefined)));
    fc.assert(fc.property(swap, ([c, key, v]) => {
      const out = decodeServerPackage(JSON.stringify({ dm: '2.0', sid: 'AB', msg: 1, cmds: [{ ...c, [key]: v }] }));
      assert.equal(out.cmds.length, 1);
    }), { numRuns: 500 });
  });

  test('specific statuses: unknown cmd 406, wrong types 400, no id, oversize 413, too deep 400', () => {
    const p = decodeServerPackage(JSON.stringify({ dm: '2.0', sid: 'AB', msg: 1, cmds: [
      { id: 1, cmd: 'PATCH', uri: './A' }, { id: 2, cmd: 'GET', uri: ['x'] }, { cmd: 'GET', uri: './A' }, { id: 3, cmd: 'GET', uri: './A' }, { id: 3, cmd: 'GET', uri: './B' },
    ] }));
    assert.deepEqual(p.cmds.map((c) => (c.cmd === 'INVALID' ? [c.id, c.status] : [c.id, c.cmd])), [[1, 406], [2, 400], [undefined, 400], [3, 'GET'], [undefined, 400]]);
    const big = JSON.stringify({ dm: '2.0', sid: 'AB', msg: 1, cmds: [{ id: 1, cmd: 'EXEC', uri: './A', data: 'x'.repeat(200) }] });
    assert.throws(() => decodeServerPackage(big, { ...DEFAULT_DM2_LIMITS, maxBytes: 100 }), (e: unknown) => e instanceof Dm2Error && e.status === 413);
    const many = JSON.stringify({ dm: '2.0', sid: 'AB', msg: 1, cmds: Array.from({ length: 11 }, (_, i) => ({ id: i + 1, cmd: 'GET', uri: './A' })) });
    assert.throws(() => decodeServerPackage(many, { ...DEFAULT_DM2_LIMITS, maxEntries: 10 }), (e: unknown) => e instanceof Dm2Error && e.status === 413);
    let deep: unknown = { format: 'chr', value: 'x' };
    for (let i = 0; i < 100; i++) deep = { format: 'node', children: { a: deep } };
    assert.throws(() => decodeTree(deep), (e: unknown) => e instanceof Dm2Error && e.status === 400 && /deeper/.test(e.message));
    assert.throws(() => decodeServerPackage('['.repeat(100_000)), (e: unknown) => e instanceof Dm2Error && e.status === 400);
    for (const bad of ['{}', '[]', 'null', '{"dm":"2.0","sid":"xyz","msg":1,"cmds":[]}', '{"dm":"2.0","sid":"AB","msg":0,"cmds":[]}', '{"dm":"2.0","sid":"AB","msg":1,"cmds":[],"x":1}']) {
      assert.throws(() => decodeServerPackage(bad), (e: unknown) => e instanceof Dm2Error && e.status === 400, bad);
    }
  });

  test('tree value types follow the format', () => {
    for (const [node, ok] of [
      [{ format: 'int', value: 1.5 }, false], [{ format: 'int', value: '1' }, false], [{ format: 'bool', value: 'true' }, false],
      [{ format: 'float', value: 1.5 }, true], [{ format: 'chr', value: 3 }, false], [{ format: 'null' }, true], [{ format: 'node', value: 'x' }, false],
      [{ format: 'chr', value: 'a', children: {} }, false], [{ format: 'weird', value: 'a' }, false], [{ format: 'node', children: { '..': { format: 'null' } } }, false],
    ] as const) {
      if (ok) assert.doesNotThrow(() => decodeTree(node), JSON.stringify(node));
      else assert.throws(() => decodeTree(node), Dm2Error, JSON.stringify(node));
    }
  });
});
