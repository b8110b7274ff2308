// Issue 5 item 5: DMAcc accounts created, changed and deleted through DM (PROTOCOL.md §2.10-2.11, ARCHITECTURE.md "Factory ACLs").
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { afterEach, describe, test } from 'node:test';
import type { BridgeEvents } from '../../../bridge/core/events.js';
import { AuditRepo } from '../../../bridge/store/audit-repo.js';
import { SessionsLogRepo } from '../../../bridge/store/sessions-log-repo.js';
import type { AccountData } from '../../../bridge/tree/providers/dmacc-provider.js';
import { authority, makeTree, treeConfig, type Fixture } from './helpers.js';

const BOOT = 'dm.boot';
const config = () => treeConfig([authority('boot', BOOT, { bootstrap: true }), authority('isp', 'dm.isp')]);

let f: Fixture | undefined;
afterEach(() => {
  f?.close();
  f = undefined;
});

function listen(fx: Fixture): Array<BridgeEvents['account.changed']> {
  const seen: Array<BridgeEvents['account.changed']> = [];
  fx.events.on('account.changed', (e) => seen.push(e));
  return seen;
}

/** The commands a bootstrap server sends to create account `name` (interior first, then leaves). */
function build(fx: Fixture, name: string, as: string | null, extra: Array<[string, string]> = []): number[] {
  const at = `./DMAcc/${name}`;
  const codes: number[] = [];
  const leaf = (p: string, v: string, format?: 'int' | 'bool' | 'bin') =>
    codes.push((fx.tree.add(`${at}/${p}`, { data: v, ...(format ? { format } : {}) }, as) as { status: number }).status);
  codes.push((fx.tree.add(at, { format: 'node' }, as) as { status: number }).status);
  leaf('AppID', 'w7');
  leaf('ServerID', `dm.${name}`);
  leaf('Name', `Account ${name}`);
  codes.push((fx.tree.add(`${at}/AppAddr`, { format: 'node' }, as) as { status: number }).status);
  leaf('AppAddr/1/Addr', `https://${name}.example/dm`);
  leaf('AppAddr/1/AddrType', 'URI');
  leaf('AAuthPref', 'DIGEST');
  leaf('AppAuth/Client/AAuthLevel', 'CLCRED');
  leaf('AppAuth/Client/AAuthType', 'DIGEST');
  leaf('AppAuth/Client/AAuthName', `gw-${name}`);
  leaf('AppAuth/Client/AAuthSecret', `client-secret-${name}`);
  leaf('AppAuth/Client/AAuthData', Buffer.from('nonce-1').toString('base64'), 'bin');
  leaf('AppAuth/Server/AAuthSecret', `server-secret-${name}`);
  for (const [p, v] of extra) leaf(p, v);
  leaf('Ext/Bridge/Protocol', 'dm1.2');
  leaf('Ext/Bridge/PollSeconds', '3600', 'int');
  return codes;
}

const value = (fx: Fixture, uri: string, as: string | null = null) => fx.tree.get(uri, as) as { status: number; value?: { value?: string; children?: string[] } };

describe('DMAcc Add through DM', () => {
  test('a bootstrap MA builds an account leaf by leaf: stored once complete, factory ACL, one Add event after commit', async () => {
    f = makeTree(config());
    const events = listen(f);
    const codes = build(f, 'ops', BOOT);
    assert.ok(codes.every((c) => c === 200), codes.join(','));
    const row = f.accounts.get('ops');
    assert.ok(row, 'stored');
    assert.equal(row.origin, 'dm');
    assert.equal(row.serverId, 'dm.ops');
    const d = JSON.parse(row.data) as AccountData;
    assert.equal(d.protocol, 'dm1.2');
    assert.equal(d.serverUri, 'https://ops.example/dm');
    assert.deepEqual(d.auth, { type: 'DIGEST', clientName: 'gw-ops', clientSecret: 'client-secret-ops', serverSecret: 'server-secret-ops' });
    assert.equal(d.pollSeconds, 3600, 'a leaf added right after completion applies');
    assert.equal(f.accounts.nonce('ops', 'client'), Buffer.from('nonce-1').toString('base64'));
    assert.equal(events.length, 0, 'announced on the next turn, once the message is through');
    await tick();
    assert.deepEqual(events, [{ account: 'ops', serverId: 'dm.ops', op: 'Add' }]);
    assert.equal(value(f, './DMAcc/ops?prop=ACL').value?.value, `Add=${BOOT}&Delete=${BOOT}&Get=dm.ops+${BOOT}&Replace=dm.ops+${BOOT}`);
    // the new MA reads its own account; its secrets stay unreadable; another MA sees nothing
    assert.equal(value(f, './DMAcc/ops/ServerID', 'dm.ops').value?.value, 'dm.ops');
    assert.equal(value(f, './DMAcc/ops/AppAuth/Client/AAuthSecret', 'dm.ops').status, 405);
    assert.equal(value(f, './DMAcc/ops/ServerID', 'dm.isp').status, 425);
    assert.deepEqual(value(f, './DMAcc/ops/Ext/Bridge').value?.children, ['Protocol', 'PollSeconds'], 'only the added leaves exist');
    assert.deepEqual(value(f, './DMAcc').value?.children, ['boot', 'isp', 'ops']);
  });

  test('an incomplete account is not stored nor announced; Delete drops it', async () => {
    f = makeTree(config());
    const events = listen(f);
    assert.equal((f.tree.add('./DMAcc/half', { format: 'node' }, BOOT) as { status: number }).status, 200);
    assert.equal((f.tree.add('./DMAcc/half/ServerID', { data: 'dm.half' }, BOOT) as { status: number }).status, 200);
    assert.equal(f.accounts.get('half'), undefined);
    assert.deepEqual(value(f, './DMAcc').value?.children, ['boot', 'isp'], 'an account being built is not listed (dmacc-pending.test.ts)');
    assert.equal(value(f, './DMAcc/half/ServerID', BOOT).value?.value, 'dm.half');
    assert.equal((f.tree.delete('./DMAcc/half', BOOT) as { status: number }).status, 200);
    assert.equal(value(f, './DMAcc/half', null).status, 404);
    await tick();
    assert.equal(events.length, 0);
  });

  test('inside a failed Atomic nothing remains: no row, no pending account, no event', async () => {
    f = makeTree(config());
    const events = listen(f);
    const r = f.tree.atomic(() => [...build(f!, 'tmp', BOOT), (f!.tree.add('./DevInfo', { format: 'node' }, BOOT) as { status: number }).status], (c) => c.every((x) => x === 200));
    assert.equal(r.committed, false);
    assert.equal(f.accounts.get('tmp'), undefined);
    assert.equal(f.accounts.nonce('tmp', 'client'), undefined);
    assert.equal(value(f, './DMAcc/tmp').status, 404);
    assert.equal(value(f, './DMAcc/tmp?prop=ACL').status, 404);
    await tick();
    assert.equal(events.length, 0);
  });

  test('a committed Atomic announces the account once, after commit', async () => {
    f = makeTree(config());
    const events = listen(f);
    const r = f.tree.atomic(() => build(f!, 'atom', BOOT), (c) => c.every((x) => x === 200));
    assert.equal(r.committed, true);
    await tick();
    assert.deepEqual(events, [{ account: 'atom', serverId: 'dm.atom', op: 'Add' }]);
  });

  test('only bootstrap MAs may add accounts (425); refusals: duplicate ServerID 418, bad values 400, Bootstrap=true 405', () => {
    f = makeTree(config());
    assert.equal((f.tree.add('./DMAcc/evil', { format: 'node' }, 'dm.isp') as { status: number }).status, 425);
    assert.equal((f.tree.add('./DMAcc/evil/ServerID', { data: 'dm.evil' }, 'dm.isp') as { status: number }).status, 425);
    f.tree.add('./DMAcc/x', { format: 'node' }, BOOT);
    const add = (p: string, data: string) => (f!.tree.add(`./DMAcc/x/${p}`, { data }, BOOT) as { status: number; reason?: string }).status;
    assert.equal(add('ServerID', 'dm.isp'), 418);
    assert.equal(add('ServerID', 'a+b'), 400);
    assert.equal(add('AppID', 'w8'), 400);
    assert.equal(add('AppAddr/1/Addr', 'ftp://x'), 400);
    assert.equal(add('Ext/Bridge/Protocol', 'dm3'), 400);
    assert.equal(add('Ext/Bridge/Bootstrap', 'true'), 405);
    assert.equal(add('Ext/Vendor/Thing', '1'), 405);
    // a complete set whose auth type does not fit the protocol is refused at the leaf that completes it
    for (const [p, v] of [['ServerID', 'dm.x'], ['AppAddr/1/Addr', 'https://x/dm'], ['AAuthPref', 'HTTP-DIGEST'], ['AppAuth/Client/AAuthName', 'n'], ['AppAuth/Client/AAuthSecret', 's']]) {
      assert.equal(add(p!, v!), 200, p);
    }
    assert.equal(add('Ext/Bridge/Protocol', 'dm1.2'), 400);
    assert.equal(f.accounts.get('x'), undefined);
    assert.equal(add('Ext/Bridge/Protocol', 'dm2.0'), 200);
    assert.equal(f.accounts.get('x')?.serverId, 'dm.x');
  });
});

describe('DMAcc Replace and Delete through DM', () => {
  test('an MA replaces its own settings (Replace event); another non-bootstrap MA gets 425', async () => {
    f = makeTree(config());
    const events = listen(f);
    assert.equal((f.tree.replace('./DMAcc/isp/Ext/Bridge/PollSeconds', { data: '600', format: 'int' }, 'dm.isp') as { status: number }).status, 200);
    assert.equal((JSON.parse(f.accounts.get('isp')!.data) as AccountData).pollSeconds, 600);
    assert.deepEqual(events, [{ account: 'isp', serverId: 'dm.isp', op: 'Replace' }]);
    assert.equal((f.tree.replace('./DMAcc/boot/Name', { data: 'x' }, 'dm.isp') as { status: number }).status, 425);
    assert.equal((f.tree.replace('./DMAcc/isp/ServerID', { data: 'dm.other' }, 'dm.isp') as { status: number }).status, 405);
  });

  test('Delete: ServerID leaves every ACL, nonces, audit and sessions log purged, Delete event; only bootstrap may delete', async () => {
    f = makeTree(config());
    const events = listen(f);
    f.tree.add('./Shared', { format: 'node' }, null);
    f.tree.replace('./Shared?prop=ACL', { data: 'Get=dm.isp+dm.boot&Replace=dm.isp' }, null);
    f.accounts.setNonce('isp', 'server', 'bm9uY2U=', 1);
    const audit = new AuditRepo(f.store.db);
    const sessions = new SessionsLogRepo(f.store.db);
    audit.record('dm.isp', [{ cmd: 'Replace', uri: './Shared', status: 200 }], 1);
    sessions.record({ account: 'isp', sessionId: '1', protocol: 'dm1.2', trigger: 'client', outcome: 'ok', reason: '', startedAt: 1, durationMs: 2, commands: 3 });
    assert.equal((f.tree.delete('./DMAcc/isp', 'dm.isp') as { status: number }).status, 425);
    assert.equal((f.tree.delete('./DMAcc/isp', BOOT) as { status: number }).status, 200);
    assert.equal(f.accounts.get('isp'), undefined);
    assert.equal(value(f, './Shared?prop=ACL').value?.value, 'Get=dm.boot');
    assert.ok(!value(f, './DMAcc/boot?prop=ACL').value?.value?.includes('dm.isp'));
    assert.equal(f.accounts.nonce('isp', 'server'), undefined);
    assert.equal(audit.list('isp').length, 0);
    assert.equal(sessions.list('isp').length, 0);
    assert.deepEqual(events, [{ account: 'isp', serverId: 'dm.isp', op: 'Delete' }]);
  });
});

describe('DMAcc across restarts', () => {
  test('an added account survives; a deleted config account is not resurrected by the config file', async () => {
    f = makeTree(config());
    build(f, 'ops', BOOT);
    f.tree.delete('./DMAcc/isp', BOOT);
    f = f.reopen();
    assert.deepEqual(f.accounts.all().map((r) => r.account), ['boot', 'ops']);
    assert.equal(value(f, './DMAcc/ops/AppAddr/1/Addr', 'dm.ops').value?.value, 'https://ops.example/dm');
    assert.equal(value(f, './DMAcc/isp').status, 404);
    // re-creating the deleted account through DM lifts the tombstone
    build(f, 'isp', BOOT);
    f = f.reopen();
    assert.equal(f.accounts.get('isp')?.origin, 'dm');
  });
});
