import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { grants, parseAcl, serializeAcl, withoutServerId, type Acl } from '../../../bridge/tree/acl.js';
import { RIGHTS } from '../../../bridge/tree/types.js';

describe('ACL grammar (PROTOCOL.md §2.10)', () => {
  test('spec example parses and serializes', () => {
    const text = 'Add=www.sonera.fi-8765&Delete=www.sonera.fi-8765&Replace=www.sonera.fi-8765+321_ibm.com&Get=*';
    const p = parseAcl(text);
    assert.ok(p.ok);
    assert.deepEqual(p.acl.Replace, ['www.sonera.fi-8765', '321_ibm.com']);
    assert.equal(p.acl.Get, '*');
    assert.equal(serializeAcl(p.acl), 'Add=www.sonera.fi-8765&Delete=www.sonera.fi-8765&Get=*&Replace=www.sonera.fi-8765+321_ibm.com');
  });
  test('empty ACL', () => {
    const p = parseAcl('');
    assert.ok(p.ok);
    assert.equal(serializeAcl(p.acl), '');
  });
  test('malformed ACLs are rejected', () => {
    for (const bad of ['Get', 'Get=', 'Fetch=a', 'Get=a&Get=b', 'Get=*+a', 'Get=a b', 'Get=a=b', 'Get=a&', '&Get=a', 'Get=a++b', 'Get=a+a', 'get=a']) {
      assert.equal(parseAcl(bad).ok, false, bad);
    }
  });
  test('grants: * is any server, ids are exact, the local operator always passes', () => {
    const acl = (parseAcl('Get=*&Replace=a+b') as { ok: true; acl: Acl }).acl;
    assert.equal(grants(acl, 'Get', 'zzz'), true);
    assert.equal(grants(acl, 'Replace', 'b'), true);
    assert.equal(grants(acl, 'Replace', 'c'), false);
    assert.equal(grants(acl, 'Delete', 'a'), false);
    assert.equal(grants(acl, 'Delete', null), true);
  });
  test('removing a ServerID drops emptied commands, except in the root where they become *', () => {
    const acl = (parseAcl('Add=a&Get=a+b&Replace=*') as { ok: true; acl: Acl }).acl;
    assert.equal(serializeAcl(withoutServerId(acl, 'a', false)), 'Get=b&Replace=*');
    assert.equal(serializeAcl(withoutServerId(acl, 'a', true)), 'Add=*&Get=b&Replace=*');
  });
  const id = fc.stringMatching(/^[A-Za-z0-9._:-]{1,12}$/);
  const arbAcl: fc.Arbitrary<Acl> = fc
    .dictionary(fc.constantFrom(...RIGHTS), fc.oneof(fc.constant('*' as const), fc.uniqueArray(id, { minLength: 1, maxLength: 4 })))
    .map((d) => d as Acl);
  test('property: parse(serialize(acl)) is the same ACL', () => {
    fc.assert(
      fc.property(arbAcl, (acl) => {
        const text = serializeAcl(acl);
        const p = parseAcl(text);
        assert.ok(p.ok, text);
        assert.equal(serializeAcl(p.acl), text);
        for (const r of RIGHTS) assert.deepEqual(p.acl[r], acl[r]);
      }),
    );
  });
  test('property: random strings never throw', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (s) => void parseAcl(s)));
  });
});
