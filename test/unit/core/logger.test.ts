import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger, setLogLevel } from '../../../bridge/core/logger.js';

function sink() {
  const lines: string[] = [];
  const stream = new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(chunk.toString()), cb()) });
  return { lines, stream };
}

test('setLogLevel changes the root and every child, including children of children', () => {
  const { lines, stream } = sink();
  const root = createLogger({ level: 'info', destination: stream });
  const child = root.child({ mod: 'a' });
  const grand = child.child({ session: 'x' });
  grand.debug('hidden');
  assert.equal(lines.length, 0);
  setLogLevel(root, 'debug');
  grand.debug('shown');
  child.debug('shown too');
  assert.equal(lines.length, 2);
  setLogLevel(root, 'error');
  root.warn('hidden again');
  grand.info('hidden again');
  assert.equal(lines.length, 2);
});

test('secrets are redacted at any of the field names we use', () => {
  const { lines, stream } = sink();
  const log = createLogger({ level: 'info', destination: stream });
  log.info({ auth: { clientSecret: 's3cr3t-a', serverSecret: 's3cr3t-b' }, nonce: 's3cr3t-c', cred: { data: 's3cr3t-d' }, token: 's3cr3t-e' }, 'x');
  assert.equal(lines.length, 1);
  assert.ok(!/s3cr3t/.test(lines[0]!), lines[0]);
  assert.match(lines[0]!, /\[redacted\]/);
});
