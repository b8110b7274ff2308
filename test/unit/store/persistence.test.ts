import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../../../bridge/store/db.js';
import { migrations, type Migration } from '../../../bridge/store/migrations.js';

const dir = mkdtempSync(join(tmpdir(), 'dmb-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = (): string => join(dir, `s${++n}`, 'bridge.db');
const latest = Math.max(...migrations.map((m) => m.version));

describe('openStore persistence', () => {
  test('creates the folder, applies every migration and records user_version', () => {
    const s = openStore(freshPath());
    try {
      assert.equal(s.db.pragma('user_version', { simple: true }), latest);
      const tables = s.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
      for (const t of ['nodes', 'acls', 'settings', 'accounts', 'auth_state']) assert.ok(tables.includes(t), t);
    } finally {
      s.close();
    }
  });

  test('WAL mode, synchronous NORMAL or stricter, foreign keys on', () => {
    const s = openStore(freshPath());
    try {
      assert.equal(s.db.pragma('journal_mode', { simple: true }), 'wal');
      assert.ok((s.db.pragma('synchronous', { simple: true }) as number) >= 1);
      assert.equal(s.db.pragma('foreign_keys', { simple: true }), 1);
    } finally {
      s.close();
    }
  });

  test('migrations run once: reopening does not re-apply them', () => {
    const path = freshPath();
    let runs = 0;
    const counted: Migration[] = [
      { version: 1, name: 'one', sql: 'CREATE TABLE t1 (x INTEGER)' },
      { version: 2, name: 'two', sql: 'CREATE TABLE t2 (x INTEGER)' },
    ];
    const list = counted.map((m) => ({
      ...m,
      get sql() {
        runs++;
        return m.sql;
      },
    }));
    openStore(path, list).close();
    assert.equal(runs, 2);
    const s = openStore(path, list); // would fail with "table t1 already exists" if re-applied
    assert.equal(runs, 2);
    assert.equal(s.db.pragma('user_version', { simple: true }), 2);
    s.close();
  });

  test('a new migration is applied on top of an existing file', () => {
    const path = freshPath();
    const v1: Migration[] = [{ version: 1, name: 'one', sql: 'CREATE TABLE t1 (x INTEGER)' }];
    const s1 = openStore(path, v1);
    s1.db.prepare('INSERT INTO t1 VALUES (7)').run();
    s1.close();
    const s2 = openStore(path, [...v1, { version: 2, name: 'two', sql: 'ALTER TABLE t1 ADD COLUMN y TEXT' }]);
    try {
      assert.equal(s2.db.pragma('user_version', { simple: true }), 2);
      assert.deepEqual(s2.db.prepare('SELECT x, y FROM t1').all(), [{ x: 7, y: null }]);
    } finally {
      s2.close();
    }
  });

  test('a failing migration leaves no partial schema and the version unchanged', () => {
    const path = freshPath();
    const bad: Migration[] = [
      { version: 1, name: 'one', sql: 'CREATE TABLE t1 (x INTEGER)' },
      { version: 2, name: 'broken', sql: 'CREATE TABLE t2 (x INTEGER); THIS IS NOT SQL' },
    ];
    assert.throws(() => openStore(path, bad));
    const s = openStore(path, bad.slice(0, 1));
    try {
      assert.equal(s.db.pragma('user_version', { simple: true }), 1);
      const t2 = s.db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 't2'").pluck().get();
      assert.equal(t2, 0);
    } finally {
      s.close();
    }
  });

  test('write, close, reopen, read back', () => {
    const path = freshPath();
    const s1 = openStore(path);
    s1.transaction(() => {
      s1.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run('log.level', 'debug');
      s1.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('k', 'v');
    });
    s1.close();
    s1.close(); // idempotent
    const s2 = openStore(path);
    try {
      assert.equal(s2.db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get('log.level'), 'debug');
      assert.equal(s2.db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get('k'), 'v');
    } finally {
      s2.close();
    }
  });

  test('a thrown transaction rolls back', () => {
    const s = openStore(freshPath());
    try {
      assert.throws(() =>
        s.transaction(() => {
          s.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('gone', '1');
          throw new Error('boom');
        }),
      );
      assert.equal(s.db.prepare('SELECT count(*) FROM meta').pluck().get(), 0);
    } finally {
      s.close();
    }
  });

  test('kill -9 mid-transaction: committed rows survive, uncommitted ones do not', async () => {
    const path = freshPath();
    openStore(path).close(); // schema in place
    const sqlite = createRequire(import.meta.url).resolve('better-sqlite3');
    const script = `
      const Database = require(${JSON.stringify(sqlite)});
      const db = new Database(${JSON.stringify(path)});
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      const ins = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
      db.transaction(() => { ins.run('committed-1', 'a'); ins.run('committed-2', 'b'); })();
      db.exec('BEGIN');
      for (let i = 0; i < 500; i++) ins.run('uncommitted-' + i, 'x'.repeat(200));
      process.stdout.write('in-transaction\\n');
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, sig) => resolve(sig)));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('in-transaction')) resolve();
      });
      child.once('exit', () => reject(new Error(`child exited early: ${out}`)));
    });
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');

    const s = openStore(path);
    try {
      const keys = s.db.prepare('SELECT key FROM meta ORDER BY key').pluck().all();
      assert.deepEqual(keys, ['committed-1', 'committed-2']);
      assert.equal(s.db.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      s.close();
    }
  });
});
