import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { authority, makeTree, treeConfig, type Fixture } from './helpers.js';

const A = 'dm.a.example';
const B = 'dm.b.example';
let f: Fixture;
afterEach(() => f?.close());

function setup(): Fixture {
  f = makeTree(treeConfig([authority('a', A), authority('b', B)]));
  return f;
}

// Helpers keep assertions readable; all tree calls here are synchronous (static/computed providers).
const st = (o: unknown) => (o as { status: number }).status;
const val = (o: unknown) => (o as { value?: { value?: string; children?: string[] } }).value;

describe('Get', () => {
  test('interior node lists children; an empty interior node gives an empty list', () => {
    const { tree } = setup();
    assert.deepEqual(val(tree.get('./DevInfo', A))?.children, ['DevId', 'Man', 'Mod', 'DmV', 'Lang']);
    assert.equal(st(tree.add('./Empty', { format: 'node' }, null)), 200);
    assert.deepEqual(val(tree.get('./Empty', null))?.children, []);
  });
  test('leaf returns its value with leading zeros kept; missing node is 404; bad URI 400; too deep 414', () => {
    const { tree } = setup();
    tree.add('./X', { format: 'chr', data: '007' }, null);
    assert.equal(val(tree.get('./X', null))?.value, '007');
    assert.equal(st(tree.get('./Nope', null)), 404);
    assert.equal(st(tree.get('./X/', null)), 400);
    assert.equal(st(tree.get('./' + Array(17).fill('a').join('/'), null)), 414);
  });
  test('secrets are never readable (405), even by the local operator', () => {
    const { tree } = setup();
    for (const leaf of ['AppAuth/Client/AAuthSecret', 'AppAuth/Client/AAuthData', 'AppAuth/Server/AAuthSecret', 'AppAuth/Server/AAuthData', 'Ext/Bridge/TLS/Key']) {
      assert.equal(st(tree.get(`./DMAcc/a/${leaf}`, null)), 405, leaf);
      assert.equal(st(tree.get(`./DMAcc/a/${leaf}`, A)), 405, leaf);
      assert.equal(st(tree.get(`./DMAcc/a/${leaf}?prop=Size`, null)), 405, leaf);
    }
    assert.equal(val(tree.get('./DMAcc/a/AppAddr/1/Addr', A))?.value, `https://${A}/dm`);
  });
});

describe('Add', () => {
  test('418 when present, implicit interior parents, 404 under a leaf', () => {
    const { tree } = setup();
    assert.equal(st(tree.add('./P/Q/R', { format: 'int', data: '5' }, null)), 200);
    assert.equal(val(tree.get('./P/Q', null))?.children?.[0], 'R');
    assert.equal(st(tree.add('./P/Q/R', { format: 'int', data: '6' }, null)), 418);
    assert.equal(st(tree.add('./P/Q/R/S', { format: 'chr', data: '' }, null)), 404);
    assert.equal(st(tree.add('.', { format: 'node' }, null)), 418);
  });
  test('format rules: unknown format 415, value not matching format 400, properties cannot be added 405', () => {
    const { tree } = setup();
    assert.equal(st(tree.add('./V', { format: 'weird' as 'chr', data: 'x' }, null)), 415);
    assert.equal(st(tree.add('./V', { format: 'int', data: '1.5' }, null)), 400);
    assert.equal(st(tree.add('./V', { format: 'bool', data: 'yes' }, null)), 400);
    assert.equal(st(tree.add('./V?prop=Title', { data: 'x' }, null)), 405);
    for (const [fmt, v] of [['float', '1.5e3'], ['b64', 'AAEC'], ['date', '2026-11-24'], ['time', '12:00:00Z'], ['null', ''], ['xml', '<a/>']] as const) {
      assert.equal(st(tree.add(`./V${fmt}`, { format: fmt, data: v }, null)), 200, fmt);
    }
  });
  test('needs Add on the parent (425); a server without parent Replace gets Add/Delete/Replace on a new interior node', () => {
    const { tree } = setup();
    assert.equal(st(tree.add('./DevInfo/New', { data: 'x' }, A)), 405, 'DevInfo does not support Add at all');
    tree.add('./Z', { format: 'node' }, null);
    tree.replace('./Z?prop=ACL', { data: 'Get=*' }, null);
    assert.equal(st(tree.add('./Z/New', { data: 'x' }, A)), 425);
    assert.equal(st(tree.add('./Z/Deeper/New', { data: 'x' }, A)), 425, 'implicit parents need Add on the nearest existing node');
    assert.equal(st(tree.add('./Mine/Sub', { format: 'node' }, A)), 200);
    assert.equal(val(tree.get('./Mine?prop=ACL', null))?.value, `Add=${A}&Delete=${A}&Replace=${A}`);
    // Sub was created under Mine where A now has Replace: it inherits (empty ACL).
    assert.equal(val(tree.get('./Mine/Sub?prop=ACL', null))?.value, '');
    // A leaf added at the root keeps an empty ACL.
    assert.equal(st(tree.add('./Leaf', { data: 'x' }, A)), 200);
    assert.equal(val(tree.get('./Leaf?prop=ACL', null))?.value, '');
  });
});

describe('Replace and Delete', () => {
  test('Replace a leaf: value, format, VerNo and TStamp change; interior 405; missing 404', () => {
    const { tree } = setup();
    tree.add('./L', { format: 'chr', data: 'a' }, null);
    assert.equal(st(tree.replace('./L', { format: 'int', data: '42' }, null)), 200);
    assert.equal(val(tree.get('./L', null))?.value, '42');
    assert.equal(val(tree.get('./L?prop=Format', null))?.value, 'int');
    assert.equal(val(tree.get('./L?prop=VerNo', null))?.value, '1');
    assert.match(val(tree.get('./L?prop=TStamp', null))!.value!, /^\d{8}T\d{6}Z$/);
    assert.equal(st(tree.replace('./GwMO', { data: 'x' }, null)), 405);
    assert.equal(st(tree.replace('./Nope', { data: 'x' }, null)), 404);
  });
  test('read-only computed leaves 405; Replace needs the Replace right (425)', () => {
    const { tree } = setup();
    assert.equal(st(tree.replace('./DevInfo/DevId', { data: 'x' }, null)), 405);
    assert.equal(st(tree.replace('./DMAcc/a/Name', { data: 'ISP A' }, B)), 425);
    assert.equal(st(tree.replace('./DMAcc/a/Name', { data: 'ISP A' }, A)), 200);
    assert.equal(val(tree.get('./DMAcc/a/Name', A))?.value, 'ISP A');
  });
  test('Delete removes the whole subtree and its ACLs; permanent nodes and the root give 405', () => {
    const { tree } = setup();
    tree.add('./T/U/V', { data: '1' }, null);
    tree.replace('./T/U?prop=ACL', { data: 'Get=*' }, null);
    assert.equal(st(tree.delete('./T', null)), 200);
    assert.equal(st(tree.get('./T/U/V', null)), 404);
    tree.add('./T/U', { format: 'node' }, null);
    assert.equal(val(tree.get('./T/U?prop=ACL', null))?.value, '');
    assert.equal(st(tree.delete('./DevInfo', null)), 405);
    assert.equal(st(tree.delete('./DevInfo/DevId', null)), 405);
    assert.equal(st(tree.delete('./GwMO', null)), 405);
    assert.equal(st(tree.delete('.', null)), 405);
    assert.equal(st(tree.delete('./T?prop=ACL', null)), 405);
  });
  test('Delete needs the Delete right', () => {
    const { tree } = setup();
    tree.add('./D', { data: '1' }, null);
    assert.equal(st(tree.delete('./D', A)), 425);
    tree.replace('./D?prop=ACL', { data: `Delete=${A}` }, null);
    assert.equal(st(tree.delete('./D', B)), 425);
    assert.equal(st(tree.delete('./D', A)), 200);
  });
  test('Exec of a non-executable node is 405', () => {
    const { tree } = setup();
    assert.equal(st(tree.exec('./DevInfo/DevId', undefined, null)), 405);
    assert.equal(st(tree.exec('./Nope', undefined, null)), 404);
  });
});

describe('properties', () => {
  test('Get of every property; Replace of Format/Type/Size/TStamp/VerNo 405; unknown 406', () => {
    const { tree } = setup();
    tree.add('./N', { format: 'chr', type: 'text/plain', data: 'héllo' }, null);
    const p = (name: string) => val(tree.get(`./N?prop=${name}`, null))?.value;
    assert.equal(p('Format'), 'chr');
    assert.equal(p('Type'), 'text/plain');
    assert.equal(p('Name'), 'N');
    assert.equal(p('Size'), '6');
    assert.equal(p('Title'), '');
    assert.equal(p('VerNo'), '0');
    assert.equal(st(tree.get('./GwMO?prop=Size', null)), 406);
    assert.equal(st(tree.get('./N?prop=Colour', null)), 406);
    for (const name of ['Format', 'Type', 'Size', 'TStamp', 'VerNo']) assert.equal(st(tree.replace(`./N?prop=${name}`, { data: 'x' }, null)), 405, name);
    assert.equal(st(tree.replace('./N?prop=Colour', { data: 'x' }, null)), 406);
    assert.equal(st(tree.replace('./N?prop=Title', { data: 'A title' }, null)), 200);
    assert.equal(p('Title'), 'A title');
    assert.equal(st(tree.replace('./N?prop=Title', { data: 'x'.repeat(256) }, null)), 400);
  });
  test('rename: sibling collision 418, permanent 405, ACLs follow the node', () => {
    const { tree } = setup();
    tree.add('./R1/Kid', { data: 'k' }, null);
    tree.add('./R2', { data: 'r2' }, null);
    tree.replace('./R1?prop=ACL', { data: `Get=${A}` }, null);
    assert.equal(st(tree.replace('./R1?prop=Name', { data: 'R2' }, null)), 418);
    assert.equal(st(tree.replace('./R1?prop=Name', { data: 'R3' }, null)), 200);
    assert.equal(val(tree.get('./R3/Kid', A))?.value, 'k');
    assert.equal(val(tree.get('./R3?prop=ACL', null))?.value, `Get=${A}`);
    assert.equal(st(tree.get('./R1', null)), 404);
    assert.equal(st(tree.replace('./DevInfo?prop=Name', { data: 'Other' }, null)), 405);
    assert.equal(st(tree.replace('./R3?prop=Name', { data: 'a/b' }, null)), 400);
  });
});

describe('ACL rules', () => {
  test('factory ACLs: root Add=*&Get=*, DevInfo Get=*, each account readable by its own ServerID only', () => {
    const { tree } = setup();
    assert.equal(val(tree.get('.?prop=ACL', null))?.value, 'Add=*&Get=*');
    assert.equal(val(tree.get('./DevInfo?prop=ACL', null))?.value, 'Get=*');
    assert.equal(st(tree.get('./DMAcc/a/ServerID', A)), 200);
    assert.equal(st(tree.get('./DMAcc/a/ServerID', B)), 425);
    assert.equal(st(tree.get('./DMAcc', B)), 200);
  });
  test('inheritance is whole-ACL from the nearest ancestor; Get of an empty ACL is empty', () => {
    const { tree } = setup();
    tree.add('./I/J/K', { data: 'v' }, null);
    tree.replace('./I?prop=ACL', { data: `Get=${A}` }, null);
    assert.equal(st(tree.get('./I/J/K', A)), 200);
    assert.equal(st(tree.get('./I/J/K', B)), 425);
    assert.equal(val(tree.get('./I/J/K?prop=ACL', null))?.value, '');
    tree.replace('./I/J?prop=ACL', { data: `Replace=${B}` }, null);
    // J's own ACL replaces I's entirely: nobody has Get below J now.
    assert.equal(st(tree.get('./I/J/K', A)), 425);
  });
  test('changing an ACL needs Replace on the node or its parent; a parent owner can take over a child', () => {
    const { tree } = setup();
    tree.add('./O/C', { data: 'v' }, null);
    tree.replace('./O?prop=ACL', { data: `Get=*&Replace=${A}` }, null);
    tree.replace('./O/C?prop=ACL', { data: `Get=${B}&Replace=${B}` }, null);
    assert.equal(st(tree.replace('./O/C?prop=ACL', { data: `Get=${A}` }, A)), 200, 'parent Replace suffices');
    assert.equal(st(tree.replace('./O?prop=ACL', { data: 'Get=*' }, B)), 425);
    assert.equal(st(tree.replace('./O?prop=ACL', { data: 'Get=a b' }, A)), 400);
  });
  test('the root ACL must keep Add=*', () => {
    const { tree } = setup();
    assert.equal(st(tree.replace('.?prop=ACL', { data: `Add=${A}&Get=*` }, null)), 405);
    assert.equal(st(tree.replace('.?prop=ACL', { data: 'Add=*&Get=*&Replace=*' }, null)), 200);
  });
  test('deleting an account removes its ServerID from every ACL', () => {
    f = makeTree(treeConfig([authority('a', A), authority('b', B), authority('boot', 'dm.boot', { bootstrap: true })]));
    const { tree } = f;
    tree.add('./S/T', { data: 'v' }, null);
    tree.replace('./S?prop=ACL', { data: `Get=${A}+${B}&Replace=${A}` }, null);
    tree.replace('.?prop=ACL', { data: `Add=*&Get=*&Exec=${A}` }, null);
    assert.equal(st(tree.delete('./DMAcc/a', A)), 425);
    assert.equal(st(tree.delete('./DMAcc/a', 'dm.boot')), 200);
    assert.equal(st(tree.get('./DMAcc/a', null)), 404);
    assert.equal(val(tree.get('./S?prop=ACL', null))?.value, `Get=${B}`);
    assert.equal(val(tree.get('.?prop=ACL', null))?.value, 'Add=*&Exec=*&Get=*');
    assert.equal(f.accounts.get('a'), undefined);
  });
});

describe('Atomic support', () => {
  test('rolled back writes leave neither memory nor the database changed', () => {
    const { tree } = setup();
    tree.add('./K', { data: 'before' }, null);
    const r = tree.atomic(
      () => [tree.replace('./K', { data: 'after' }, null), tree.add('./New/Deep', { data: 'x' }, A), tree.replace('./Nope', { data: 'x' }, null)],
      (outs) => outs.every((o) => st(o) === 200),
    );
    assert.equal(r.committed, false);
    assert.equal(val(tree.get('./K', null))?.value, 'before');
    assert.equal(st(tree.get('./New', null)), 404);
    const again = f.reopen();
    f = again;
    assert.equal(val(again.tree.get('./K', null))?.value, 'before');
    assert.equal(st(again.tree.get('./New', null)), 404);
  });
  test('committed writes are all there; events fire only after commit', () => {
    const { tree, events } = setup();
    const seen: string[] = [];
    events.on('tree.changed', (e) => seen.push(`${e.op} ${e.uri}`));
    tree.atomic(() => {
      tree.add('./M1', { data: '1' }, null);
      assert.deepEqual(seen, []);
      return tree.add('./M2', { data: '2' }, null);
    }, () => true);
    assert.deepEqual(seen, ['Add ./M1', 'Add ./M2']);
  });
});
