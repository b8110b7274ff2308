import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_URI_LIMITS, formatUri, parseUri, parseUriFull } from '../../../bridge/tree/uri.js';

const limits = { maxDepth: 8, maxTotLen: 100, maxSegLen: 10 };

describe('URI parsing (PROTOCOL.md §2.10)', () => {
  test('root forms', () => {
    for (const u of ['.', './']) assert.deepEqual(parseUri(u).value, { segments: [], path: '.' });
  });
  test('relative and ./ forms are the same node', () => {
    assert.equal(parseUri('DMAcc/xyz').value?.path, './DMAcc/xyz');
    assert.equal(parseUri('./DMAcc/xyz').value?.path, './DMAcc/xyz');
  });
  test('property addressing', () => {
    assert.deepEqual(parseUri('./DMAcc/xyz?prop=ACL').value, { segments: ['DMAcc', 'xyz'], path: './DMAcc/xyz', prop: 'ACL' });
    assert.equal(parseUri('./A?list=Struct').status, 400);
    assert.equal(parseUri('./A?prop=').status, 400);
  });
  test('trailing slash, .., inner ., empty segments and absolute paths are rejected with 400', () => {
    for (const u of ['./A/', './A/../B', './A/./B', './A//B', '/A', '', '..', 'A/.']) {
      assert.equal(parseUri(u).status, 400, u);
    }
  });
  test('limits give 414', () => {
    assert.equal(parseUri('./' + Array(9).fill('a').join('/'), limits).status, 414);
    assert.equal(parseUri('./' + 'a'.repeat(11), limits).status, 414);
    assert.equal(parseUri('./' + Array(30).fill('abcd').join('/'), limits).status, 414);
    assert.equal(parseUri('./' + Array(8).fill('a').join('/'), limits).status, 200);
    assert.equal(parseUri('./' + 'a'.repeat(500), { maxDepth: 0, maxTotLen: 0, maxSegLen: 0 }).status, 200);
  });
  test('property: format(parse(u)) round-trips for valid segment lists', () => {
    const seg = fc.string({ minLength: 1, maxLength: 10 }).filter((s) => !/[/?\u0000-\u001f\u007f]/.test(s) && s !== '.' && s !== '..');
    fc.assert(
      fc.property(fc.array(seg, { maxLength: 6 }), fc.option(fc.constantFrom('ACL', 'Name', 'Foo')), (segs, prop) => {
        const text = formatUri(segs, prop ?? undefined);
        const p = parseUri(text, { maxDepth: 0, maxTotLen: 0, maxSegLen: 0 });
        assert.equal(p.status, 200);
        assert.deepEqual(p.value?.segments, segs);
        assert.equal(p.value?.prop, prop ?? undefined);
        assert.equal(formatUri(p.value!.segments, p.value!.prop), text);
      }),
    );
  });
  test('property: the one-pass path answers exactly as the general parser (value, status, reason)', () => {
    const piece = fc.constantFrom('./', '.', '..', '/', '?', '?prop=ACL', 'A', 'bc', 'x'.repeat(12), '\u0001', '\u007f', 'é', '~', ' ', '&');
    const text = fc.oneof(fc.string({ maxLength: 40 }), fc.array(piece, { maxLength: 12 }).map((a) => a.join('')));
    const lim = fc.constantFrom(limits, DEFAULT_URI_LIMITS, { maxDepth: 0, maxTotLen: 0, maxSegLen: 0 }, { maxDepth: 2, maxTotLen: 30, maxSegLen: 3 });
    fc.assert(
      fc.property(text, lim, (s, l) => {
        assert.deepEqual(parseUri(s, l), parseUriFull(s, l));
      }),
      { numRuns: 3000 },
    );
  });
  test('property: arbitrary input never throws and answers 200, 400 or 414', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        assert.ok([200, 400, 414].includes(parseUri(s, limits).status));
      }),
    );
  });
});
