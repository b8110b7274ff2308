// Issue 5 item 6: per-MA audit trail and sessions log with bounded retention.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dm12AuditRecords, dm2AuditRecords } from '../../../bridge/dm/audit.js';
import { AuditRepo } from '../../../bridge/store/audit-repo.js';
import { openStore } from '../../../bridge/store/db.js';
import { SessionsLogRepo } from '../../../bridge/store/sessions-log-repo.js';

function store() {
  const dir = mkdtempSync(join(tmpdir(), 'dmb-audit-'));
  const s = openStore(join(dir, 'bridge.db'));
  s.db.prepare("INSERT INTO accounts (account, server_id, origin, data, updated_at) VALUES ('isp', 'dm.isp', 'config', '{}', 0), ('sec', 'dm.sec', 'config', '{}', 0)").run();
  return { s, done: () => (s.close(), rmSync(dir, { recursive: true, force: true })) };
}

test('audit rows name the account and ServerID, newest first; retention keeps the newest per account only', () => {
  const { s, done } = store();
  try {
    const audit = new AuditRepo(s.db, 10);
    audit.record('dm.isp', [{ cmd: 'Add', uri: './A', status: 200 }, { cmd: 'Delete', uri: './B', status: 425 }], 5);
    assert.deepEqual(audit.list('isp').map((r) => [r.account, r.serverId, r.cmd, r.uri, r.status, r.at]), [
      ['isp', 'dm.isp', 'Delete', './B', 425, 5],
      ['isp', 'dm.isp', 'Add', './A', 200, 5],
    ]);
    for (let i = 0; i < 200; i++) audit.record('dm.isp', [{ cmd: 'Replace', uri: `./N${i}`, status: 200 }], i);
    audit.record('dm.sec', [{ cmd: 'Exec', uri: './X', status: 202 }], 1);
    assert.ok(audit.list('isp', 1000).length < 10 + 64, 'record() alone prunes every 64 inserts');
    audit.prune('isp');
    const rows = audit.list('isp', 1000);
    assert.equal(rows.length, 10);
    assert.equal(rows[0]!.uri, './N199');
    assert.equal(audit.list('sec').length, 1, 'another account is untouched');
    audit.record('dm.sec', [{ cmd: 'Replace', uri: './' + 'x'.repeat(100_000), status: 414 }], 2);
    assert.equal(audit.list('sec')[0]!.uri.length, 4096, 'an over-long target URI is cut');
    assert.equal(audit.purge('isp'), 10);
    assert.equal(audit.list('isp').length, 0);
  } finally {
    done();
  }
});

test('sessions log: one row per ended session from the runner report, bounded per account', () => {
  const { s, done } = store();
  try {
    const log = new SessionsLogRepo(s.db, 3);
    for (let i = 0; i < 5; i++) {
      log.recordReport({ account: 'isp', sessionId: `S${i}`, outcome: 'ok', reason: '', commandsExecuted: i, durationMs: 100 }, 'dm1.2', 'client', 1000 + i);
    }
    const rows = log.list('isp');
    assert.deepEqual(rows.map((r) => r.sessionId), ['S4', 'S3', 'S2']);
    assert.deepEqual({ ...rows[0], id: 0 }, { id: 0, account: 'isp', sessionId: 'S4', protocol: 'dm1.2', trigger: 'client', outcome: 'ok', reason: '', startedAt: 904, durationMs: 100, commands: 4 });
  } finally {
    done();
  }
});

test('audit records: DM 1.2 Statuses of changing commands (Atomic members included, chunks and Gets not); DM 2.0 by id', () => {
  const recs = dm12AuditRecords([
    { cmd: 'Status', cmdRef: '1', refCmd: 'Get', targetRefs: ['./A'], data: '200' },
    { cmd: 'Status', cmdRef: '2', refCmd: 'Atomic', data: '507' },
    { cmd: 'Status', cmdRef: '3', refCmd: 'Add', targetRefs: ['./B'], data: '216' },
    { cmd: 'Status', cmdRef: '4', refCmd: 'Replace', targetRefs: ['./C?prop=ACL'], data: '425' },
    { cmd: 'Status', cmdRef: '5', refCmd: 'Replace', targetRefs: ['./Big'], data: '213' },
    { cmd: 'Results', cmdRef: '1', items: [] },
  ]);
  assert.deepEqual(recs, [
    { cmd: 'Add', uri: './B', status: 216 },
    { cmd: 'Replace', uri: './C?prop=ACL', status: 425 },
  ]);
  const r2 = dm2AuditRecords(
    [{ cmd: 'GET', id: 1, uri: './A' }, { cmd: 'DELETE', id: 2, uri: './B' }, { cmd: 'EXEC', id: 3, uri: './C' }, { cmd: 'INVALID', id: 4, status: 400, reason: 'x' }],
    [{ id: 1, status: 200 }, { id: 2, status: 404 }, { id: 4, status: 400 }, { id: 3, status: 202 }],
  );
  assert.deepEqual(r2, [{ cmd: 'DELETE', uri: './B', status: 404 }, { cmd: 'EXEC', uri: './C', status: 202 }]);
});
