// Issue 5 items 5-6 over real DM 1.2 sessions: accounts added/deleted through DM, live start, restart, audit, reset.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as tick } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { runDm12Session, type SessionReport } from '../../bridge/authority/connection.js';
import type { BridgeEvents } from '../../bridge/core/events.js';
import { silentLogger } from '../../bridge/core/logger.js';
import { Engine } from '../../bridge/dm/engine.js';
import { AuditRepo } from '../../bridge/store/audit-repo.js';
import { openStore, type Store } from '../../bridge/store/db.js';
import { OutboxRepo } from '../../bridge/store/outbox-repo.js';
import { resetStore } from '../../bridge/store/reset.js';
import { SessionsLogRepo } from '../../bridge/store/sessions-log-repo.js';
import { createTree, type TreeBundle } from '../../bridge/tree/index.js';
import { add, addNode, del, get } from '../peers/dm12-script.js';
import { Dm12Server, type Step } from '../peers/dm12-server.js';
import { authority, treeConfig } from '../unit/tree/helpers.js';

interface Bridge extends TreeBundle {
  store: Store;
  audit: AuditRepo;
  sessionsLog: SessionsLogRepo;
  events$: Array<BridgeEvents['account.changed']>;
  /** Sessions the "supervisor" started on account.changed Add. */
  started: Array<Promise<SessionReport>>;
  session(account: string): Promise<SessionReport>;
}

const dir = mkdtempSync(join(tmpdir(), 'dmb-dmacc-'));
const file = join(dir, 'bridge.db');
const servers = {
  boot: new Dm12Server({ serverId: 'dm.boot', clientName: 'gw-boot', clientSecret: 'cs-boot', authType: 'DIGEST', serverSecret: 'ss-boot' }),
  isp: new Dm12Server({ serverId: 'dm.isp', clientName: 'gw-isp', clientSecret: 'cs-isp', authType: 'BASIC' }),
  fresh: new Dm12Server({ serverId: 'dm.new', clientName: 'gw-new', clientSecret: 'cs-new-SECRET', authType: 'DIGEST', serverSecret: 'ss-new-SECRET' }),
};
const urls: Record<string, string> = {};
let config: ReturnType<typeof treeConfig>;
let b: Bridge;

function open(): Bridge {
  const store = openStore(file);
  const bundle = createTree({ store, config });
  const audit = new AuditRepo(store.db);
  const sessionsLog = new SessionsLogRepo(store.db);
  const outbox = new OutboxRepo(store.db);
  const engine = new Engine({ tree: bundle.tree, audit });
  const session = async (account: string): Promise<SessionReport> => {
    const r = await runDm12Session({ engine, accounts: bundle.accounts, outbox, device: config.device, log: silentLogger(), timeoutMs: 5000 }, account, { kind: 'client' });
    sessionsLog.recordReport(r, 'dm1.2', 'client', Date.now());
    return r;
  };
  const events$: Bridge['events$'] = [];
  const started: Bridge['started'] = [];
  bundle.events.on('account.changed', (e) => {
    events$.push(e);
    if (e.op === 'Add') started.push(session(e.account)); // what the supervisor does: start it live
  });
  return { ...bundle, store, audit, sessionsLog, events$, started, session };
}

async function run(account: keyof typeof servers | 'new', ...steps: Step[]) {
  const srv = account === 'new' ? servers.fresh : servers[account];
  srv.queue(...steps);
  const r = await b.session(account);
  assert.equal(r.outcome, 'ok', r.reason);
  const rec = srv.sessions.at(-1)!;
  return { codes: rec.statuses.map((s) => s.code), results: rec.results.flatMap((x) => x.items) };
}

const addAccount = (uri: string): Step => [
  addNode('./DMAcc/new'),
  add('./DMAcc/new/AppID', 'w7'),
  add('./DMAcc/new/ServerID', 'dm.new'),
  add('./DMAcc/new/AppAddr/1/Addr', uri),
  add('./DMAcc/new/AAuthPref', 'DIGEST'),
  add('./DMAcc/new/AppAuth/Client/AAuthName', 'gw-new'),
  add('./DMAcc/new/AppAuth/Client/AAuthSecret', 'cs-new-SECRET'),
  add('./DMAcc/new/AppAuth/Server/AAuthSecret', 'ss-new-SECRET'),
  add('./DMAcc/new/Ext/Bridge/Protocol', 'dm1.2'),
  add('./DMAcc/new/Ext/Bridge/PollSeconds', '3600', { format: 'int' }),
];

describe('DMAcc through DM 1.2 sessions', () => {
  before(async () => {
    for (const [k, s] of Object.entries(servers)) urls[k] = await s.start();
    config = treeConfig([
      authority('boot', 'dm.boot', { serverUri: urls.boot!, bootstrap: true, auth: { type: 'DIGEST', clientName: 'gw-boot', clientSecret: 'cs-boot', serverSecret: 'ss-boot' } }),
      authority('isp', 'dm.isp', { serverUri: urls.isp!, auth: { type: 'BASIC', clientName: 'gw-isp', clientSecret: 'cs-isp', serverSecret: null } }),
    ]);
    b = open();
  });
  after(async () => {
    b.store.close();
    for (const s of Object.values(servers)) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a non-bootstrap MA cannot add an account (425)', async () => {
    const r = await run('isp', [addNode('./DMAcc/rogue'), add('./DMAcc/isp/Ext/Bridge/Extra', 'x')]);
    assert.deepEqual(r.codes, [425, 405]);
    assert.equal(b.accounts.get('rogue'), undefined);
    assert.deepEqual(b.audit.list('isp').map((a) => [a.cmd, a.uri, a.status]).reverse(), [['Add', './DMAcc/rogue', 425], ['Add', './DMAcc/isp/Ext/Bridge/Extra', 405]]);
  });

  test('a bootstrap MA adds an MA: stored, announced after commit, and the new MA runs a session without restart', async () => {
    servers.fresh.queue([get('./DMAcc/new/ServerID', './DMAcc/new/Ext/Bridge/PollSeconds')]);
    const r = await run('boot', addAccount(urls.fresh!));
    assert.deepEqual(r.codes, Array(10).fill(200));
    assert.equal(b.accounts.get('new')?.origin, 'dm');
    await tick();
    assert.deepEqual(b.events$, [{ account: 'new', serverId: 'dm.new', op: 'Add' }]);
    assert.equal(b.started.length, 1);
    const live = await b.started[0]!;
    assert.equal(live.outcome, 'ok', live.reason);
    const rec = servers.fresh.sessions.at(-1)!;
    assert.deepEqual(rec.statuses.map((s) => s.code), [200]);
    assert.deepEqual(rec.results.flatMap((x) => x.items).map((i) => i.data), ['dm.new', '3600']);
    // audit: who, what, status; never a value or a secret
    const rows = b.audit.list('boot', 100).reverse();
    assert.equal(rows.length, 10);
    assert.ok(rows.every((a) => a.serverId === 'dm.boot' && a.cmd === 'Add' && a.status === 200));
    assert.equal(rows[6]!.uri, './DMAcc/new/AppAuth/Client/AAuthSecret');
    const dump = JSON.stringify(b.store.db.prepare('SELECT * FROM audit').all()) + JSON.stringify(b.store.db.prepare('SELECT * FROM sessions_log').all());
    assert.ok(!dump.includes('SECRET'), 'no secret in the audit trail or sessions log');
    assert.deepEqual(b.sessionsLog.list('new').map((s) => [s.outcome, s.protocol, s.commands]), [['ok', 'dm1.2', 1]]);
  });

  test('after a restart the added account is still there and runs', async () => {
    b.store.close();
    b = open();
    assert.deepEqual(b.accounts.all().map((a) => a.account), ['boot', 'isp', 'new']);
    const r = await run('new', [get('./DMAcc/new/AppAddr/1/Addr')]);
    assert.deepEqual(r.codes, [200]);
    assert.equal(r.results[0]!.data, urls.fresh);
  });

  test('Delete: the ServerID leaves every ACL, scoped state is purged, the deletion survives a restart', async () => {
    const own = await run('new', [addNode('./NewOwned'), add('./NewOwned/Leaf', 'x')]);
    assert.deepEqual(own.codes, [200, 200]);
    assert.ok(JSON.stringify(b.store.db.prepare('SELECT acl FROM acls').all()).includes('dm.new'));
    assert.ok(b.audit.list('new').length > 0);
    assert.notEqual(b.accounts.nonce('new', 'client'), undefined, 'DIGEST left a nonce');
    const r = await run('boot', [del('./DMAcc/new')]);
    assert.deepEqual(r.codes, [200]);
    assert.ok(!JSON.stringify(b.store.db.prepare('SELECT acl FROM acls').all()).includes('dm.new'));
    assert.equal(b.audit.list('new').length, 0);
    assert.equal(b.sessionsLog.list('new').length, 0);
    assert.equal((b.store.db.prepare("SELECT count(*) AS n FROM auth_state WHERE account = 'new'").get() as { n: number }).n, 0, 'nonces purged');
    assert.deepEqual(b.events$.at(-1), { account: 'new', serverId: 'dm.new', op: 'Delete' });
    assert.deepEqual(b.audit.list('boot', 1).map((a) => [a.cmd, a.uri, a.status]), [['Delete', './DMAcc/new', 200]]);
    const gone = await run('boot', [del('./DMAcc/isp')]);
    assert.deepEqual(gone.codes, [200]);
    b.store.close();
    b = open();
    assert.deepEqual(b.accounts.all().map((a) => a.account), ['boot'], 'the config account deleted through DM stays deleted');
  });

  test('reset returns to the config state', async () => {
    b.store.close();
    const s = openStore(file);
    resetStore(s);
    s.close();
    b = open();
    assert.deepEqual(b.accounts.all().map((a) => [a.account, a.origin]), [['boot', 'config'], ['isp', 'config']]);
    assert.equal((b.tree.get('./NewOwned', null) as { status: number }).status, 404);
    assert.equal(b.audit.list('boot').length, 0);
    const r = await run('isp', [get('./DMAcc/isp/ServerID')]);
    assert.deepEqual(r.codes, [200]);
  });
});
