import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../../../bridge/core/logger.js';
import { installProcessGuards, type GuardedProcess } from '../../../bridge/core/process-guards.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { log: createLogger({ level: 'info', destination }), lines };
}

test('handlers: a rejection is logged and the process goes on; an exception is logged fatal and exits 1', () => {
  const { log, lines } = capture();
  const proc = new EventEmitter();
  const exits: number[] = [];
  const uninstall = installProcessGuards(log, proc as unknown as GuardedProcess, { exit: (c) => void exits.push(c) });
  assert.equal(proc.listenerCount('unhandledRejection'), 1);
  assert.equal(proc.listenerCount('uncaughtException'), 1);

  const secretErr = Object.assign(new Error('device unreachable'), { code: 'DEVICE_UNREACHABLE', options: { password: 'hunter2' } });
  proc.emit('unhandledRejection', secretErr);
  assert.deepEqual(exits, []);
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!.level, 50);
  assert.match(String(lines[0]!.msg), /unhandled promise rejection/);
  const err = lines[0]!.error as Record<string, unknown>;
  assert.equal(err.message, 'device unreachable');
  assert.equal(err.code, 'DEVICE_UNREACHABLE');
  assert.ok(!JSON.stringify(lines[0]).includes('hunter2'), 'other fields of the error are not logged');

  proc.emit('uncaughtException', new TypeError('boom'), 'uncaughtException');
  assert.deepEqual(exits, [1]);
  assert.equal(lines[1]!.level, 60);
  assert.equal((lines[1]!.error as Record<string, unknown>).type, 'TypeError');

  uninstall();
  assert.equal(proc.listenerCount('unhandledRejection'), 0);
  assert.equal(proc.listenerCount('uncaughtException'), 0);
});

/** A real Node process with the guards installed the way main.ts does. */
function child(body: string) {
  const script = `
    import { createLogger } from './bridge/core/logger.js';
    import { installProcessGuards } from './bridge/core/process-guards.js';
    installProcessGuards(createLogger({ level: 'info' }));
    ${body}
  `;
  return spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });
}

test('a real process survives an unhandled rejection (logged) and keeps running', () => {
  const r = child(`
    void Promise.reject(new Error('nobody awaits this'));
    setTimeout(() => { console.log('ALIVE'); process.exit(0); }, 100);
  `);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /unhandled promise rejection/);
  assert.match(r.stdout, /nobody awaits this/);
  assert.match(r.stdout, /ALIVE/);
});

test('a real process exits 1 after logging an uncaught exception', () => {
  const r = child(`
    setTimeout(() => { throw new Error('sync state broken'); }, 10);
    setTimeout(() => { console.log('ALIVE'); process.exit(0); }, 500);
  `);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /uncaught exception/);
  assert.match(r.stdout, /sync state broken/);
  assert.doesNotMatch(r.stdout, /ALIVE/);
});
