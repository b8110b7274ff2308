// Review finding 8: a DMAcc account being built through DM is seen only by the MA adding it (and the
// local operator), and is dropped with its ACL rows when it stays incomplete (TTL, creator's session end, restart).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { AclRepo } from '../../../bridge/store/acl-repo.js';
import { openStore, type Store } from '../../../bridge/store/db.js';
import { createTree, type TreeBundle, type TreeConfig } from '../../../bridge/tree/index.js';
import { orphanAccountAcls, PENDING_TTL_MS } from '../../../bridge/tree/providers/dmacc-pending.js';
import { authority, treeConfig } from './helpers.js';

const BOOT = 'dm.boot';
const BOOT2 = 'dm.boot2';
const ISP = 'dm.isp';
const config = (extra: ReturnType<typeof authority>[] = []) =>
  treeConfig([authority('boot', BOOT, { bootstrap: true }), authority('boot2', BOOT2, { bootstrap: true }), authority('isp', ISP), ...extra]);

interface Fx extends TreeBundle {
  store: Store;
  dir: string;
  t: { now: number };
  reopen(cfg?: TreeConfig): Fx;
  close(): void;
}

/** A tree over a real SQLite file with a clock the test moves. */
function open(cfg: TreeConfig = config(), dir = mkdtempSync(join(tmpdir(), 'dmb-pending-')), t = { now: 1_000_000 }): Fx {
  const store = openStore(join(dir, 'bridge.db'));
  const b = createTree({ store, config: cfg, clock: { now: () => t.now } });
  return {
    ...b, store, dir, t,
    reopen(next = cfg) {
      store.close();
      return open(next, dir, t);
    },
    close() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let f: Fx | undefined;
afterEach(() => {
  f?.close();
  f = undefined;
});

type R = { status: number; value?: { value?: string; children?: string[] } };
const get = (fx: Fx, uri: string, as: string | null) => fx.tree.get(uri, as) as R;
const add = (fx: Fx, uri: string, as: string | null, data?: string) =>
  (fx.tree.add(uri, data === undefined ? { format: 'node' } : { data }, as) as R).status;
const aclRows = (fx: Fx) => new AclRepo(fx.store.db).all().filter((r) => r.path.startsWith('./DMAcc/half'));

/** An account with a ServerID and an address: still incomplete (no credentials, no protocol). */
function half(fx: Fx, as: string | null, name = 'half'): void {
  assert.equal(add(fx, `./DMAcc/${name}`, as), 200);
  assert.equal(add(fx, `./DMAcc/${name}/ServerID`, as, `dm.${name}`), 200);
  assert.equal(add(fx, `./DMAcc/${name}/AppAddr/1/Addr`, as, `https://${name}.example/dm`), 200);
}

describe('an account being built is visible only to its creator', () => {
  test('default ACLs: the creator reads it, other MAs (bootstrap or not) neither read, list nor change it', () => {
    f = open();
    half(f, BOOT);
    assert.equal(get(f, './DMAcc/half/ServerID', BOOT).value?.value, 'dm.half', 'the creator reads its own leaves');
    assert.equal(get(f, './DMAcc/half/AppAddr/1/Addr', null).value?.value, 'https://half.example/dm', 'the local operator too');
    for (const other of [ISP, BOOT2]) {
      assert.equal(get(f, './DMAcc/half/ServerID', other).status, 425, other);
      assert.equal(get(f, './DMAcc/half', other).status, 425, other);
      assert.deepEqual(get(f, './DMAcc', other).value?.children, ['boot', 'boot2', 'isp'], `${other} does not see it listed`);
    }
    assert.equal(add(f, './DMAcc/half/AppAuth/Client/AAuthName', BOOT2, 'x'), 425, 'another bootstrap MA cannot add to it');
    assert.equal((f.tree.delete('./DMAcc/half', BOOT2) as R).status, 425);
    assert.equal(get(f, './DMAcc/half?prop=ACL', null).value?.value, `Add=${BOOT}&Delete=${BOOT}&Get=${BOOT}&Replace=${BOOT}`);
  });

  test('./DMAcc granting Get=* and Replace to the bootstrap MAs (no adder ACL): still hidden from the others', () => {
    f = open();
    assert.equal((f.tree.replace('./DMAcc?prop=ACL', { data: `Add=${BOOT}+${BOOT2}&Get=*&Replace=${BOOT}+${BOOT2}` }, null) as R).status, 200);
    half(f, BOOT);
    assert.equal(get(f, './DMAcc/half/ServerID', ISP).status, 425, 'was 200 through ./DMAcc Get=*');
    assert.equal(get(f, './DMAcc/half/AppAddr/1/Addr', BOOT2).status, 425);
    assert.equal(add(f, './DMAcc/half/AppAuth/Client/AAuthName', BOOT2, 'x'), 425, 'was 200 through ./DMAcc Add');
    assert.equal(get(f, './DMAcc/half/ServerID', BOOT).value?.value, 'dm.half');
  });

  test('an account built by the local operator is seen by no MA', () => {
    f = open();
    half(f, null);
    assert.equal(get(f, './DMAcc/half/ServerID', null).value?.value, 'dm.half');
    for (const who of [BOOT, BOOT2, ISP]) assert.equal(get(f, './DMAcc/half/ServerID', who).status, 425, who);
    assert.equal(add(f, './DMAcc/half/AppAuth/Client/AAuthName', BOOT, 'x'), 425);
  });

  test('once complete it gets the factory ACL and is listed', () => {
    f = open();
    half(f, BOOT);
    for (const [p, v] of [['AAuthPref', 'DIGEST'], ['AppAuth/Client/AAuthName', 'gw'], ['AppAuth/Client/AAuthSecret', 's'], ['Ext/Bridge/Protocol', 'dm1.2']] as const) {
      assert.equal(add(f, `./DMAcc/half/${p}`, BOOT, v), 200, p);
    }
    assert.equal(f.accounts.get('half')?.serverId, 'dm.half');
    assert.equal(get(f, './DMAcc/half?prop=ACL', null).value?.value, `Add=${BOOT}+${BOOT2}&Delete=${BOOT}+${BOOT2}&Get=dm.half+${BOOT}+${BOOT2}&Replace=dm.half+${BOOT}+${BOOT2}`);
    assert.deepEqual(get(f, './DMAcc', ISP).value?.children, ['boot', 'boot2', 'half', 'isp']);
    assert.equal(f.dmacc.dropPending(BOOT), 0, 'a complete account is not pending');
  });
});

describe('an account left incomplete is dropped with its ACL rows', () => {
  test(`${PENDING_TTL_MS / 60_000} minutes after its last change (each change restarts the clock)`, () => {
    f = open();
    half(f, BOOT);
    assert.equal(aclRows(f).length, 1);
    f.t.now += PENDING_TTL_MS - 60_000;
    assert.equal(add(f, './DMAcc/half/Name', BOOT, 'Half'), 200, 'a change before the TTL');
    f.t.now += PENDING_TTL_MS - 1;
    assert.equal(get(f, './DMAcc/half/Name', BOOT).value?.value, 'Half', 'still there: the clock restarted');
    f.t.now += 1;
    assert.equal(f.dmacc.sweepPending(), 1);
    assert.equal(get(f, './DMAcc/half', null).status, 404);
    assert.deepEqual(aclRows(f), [], 'its ACL row is gone from the store');
    // the name is free again, for anyone allowed to add accounts
    assert.equal(add(f, './DMAcc/half', BOOT2), 200);
    assert.equal(get(f, './DMAcc/half?prop=ACL', null).value?.value?.includes(BOOT2), true);
  });

  test('expiry is also applied on the next access, without a sweep call', () => {
    f = open();
    half(f, BOOT);
    f.t.now += PENDING_TTL_MS;
    assert.equal(get(f, './DMAcc/half/ServerID', BOOT).status, 404);
    assert.deepEqual(aclRows(f), []);
  });

  test('dropPending(serverId) at the end of the creator\'s session drops only its accounts (and their ACL rows)', () => {
    f = open();
    half(f, BOOT);
    half(f, BOOT, 'half2');
    half(f, BOOT2, 'other');
    assert.equal(f.dmacc.dropPending(ISP), 0);
    assert.equal(f.dmacc.dropPending(BOOT), 2);
    assert.equal(get(f, './DMAcc/half', null).status, 404);
    assert.equal(get(f, './DMAcc/half2', null).status, 404);
    assert.deepEqual(new AclRepo(f.store.db).all().filter((r) => /^\.\/DMAcc\/half/.test(r.path)), []);
    assert.equal(get(f, './DMAcc/other/ServerID', BOOT2).value?.value, 'dm.other', 'another MA\'s account stays');
    assert.equal(f.dmacc.dropPending(), 1, 'no ServerID: every account being built');
    assert.equal(get(f, './DMAcc/other', null).status, 404);
  });

  test('an explicit sub-node ACL of the account goes too', () => {
    f = open();
    half(f, BOOT);
    assert.equal((f.tree.replace('./DMAcc/half/AppAddr?prop=ACL', { data: `Get=${BOOT}` }, BOOT) as R).status, 200);
    assert.equal(aclRows(f).length, 2);
    f.dmacc.dropPending(BOOT);
    assert.deepEqual(aclRows(f), []);
  });

  test('one MA builds at most 8 accounts at a time (420); others are not affected', () => {
    f = open();
    for (let i = 0; i < 8; i++) assert.equal(add(f, `./DMAcc/p${i}`, BOOT), 200);
    assert.equal(add(f, './DMAcc/p8', BOOT), 420);
    assert.equal(add(f, './DMAcc/q0', BOOT2), 200);
    assert.equal((f.tree.delete('./DMAcc/p0', BOOT) as R).status, 200);
    assert.equal(add(f, './DMAcc/p8', BOOT), 200, 'a slot freed by Delete');
  });

  test('a restart forgets it and its ACL rows: a config account of the same name later gets its factory ACL', () => {
    f = open();
    half(f, BOOT);
    f = f.reopen();
    assert.equal(get(f, './DMAcc/half', null).status, 404);
    assert.deepEqual(aclRows(f), []);
    f = f.reopen(config([authority('half', 'dm.half')]));
    assert.equal(get(f, './DMAcc/half/ServerID', 'dm.half').value?.value, 'dm.half', 'not blocked by a stale adder ACL');
  });
});

test('orphanAccountAcls: ./DMAcc/<x> rows of accounts not stored', () => {
  const paths = ['.', './DMAcc', './DMAcc/isp', './DMAcc/isp/AppAddr', './DMAcc/gone', './DMAcc/gone/X/Y', './DMAccX/y', './Other/z'];
  assert.deepEqual(orphanAccountAcls(paths, new Set(['isp'])), ['./DMAcc/gone']);
  assert.deepEqual(orphanAccountAcls(paths, new Set(['isp', 'gone'])), []);
});
