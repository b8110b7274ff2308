// Formatting, URI handling and the exit rule of the reachability self-test (no sockets).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { formatOutcome, formatReachability } from '../../../bridge/authority/reachability-format.js';
import { displayUri, parseTarget, type ReachabilityResult, type UriCheck } from '../../../bridge/authority/reachability.js';
import { acceptFor, reasonOf, StepFailure } from '../../../bridge/authority/reachability-steps.js';
import { formatFullSelftest, selftestVerdict, type FullSelftest } from '../../../bridge/cli-selftest.js';
import type { SelftestResult } from '../../../bridge/discovery/selftest.js';

const check = (over: Partial<UriCheck>): UriCheck => ({
  account: 'isp', source: 'config', role: 'server', uri: 'https://dm.example/dm', ok: true, ms: 42, address: '192.0.2.1',
  status: 405, failedStep: null, reason: null, detail: null, steps: [], ...over,
});
const failed = (step: UriCheck['failedStep'], reason: string, over: Partial<UriCheck> = {}): UriCheck =>
  check({ ok: false, status: null, failedStep: step, reason, detail: reason, ...over });

const probe = { sent: true, received: true, peers: 0 };
const mcOk: SelftestResult = { at: 't', ok: true, problem: null, interfaces: [{ name: 'eth0', address: '10.0.0.1', mdns: probe, ssdp: probe, multicast: true }] };
const mcBad: SelftestResult = { at: 't', ok: false, problem: 'no multicast-capable interface', interfaces: [] };
const reach = (checks: UriCheck[]): ReachabilityResult => ({ ok: checks.every((c) => c.ok), checks });

describe('formatOutcome', () => {
  test('ok with the time and the HTTP status', () => {
    assert.equal(formatOutcome(check({})), 'ok 42 ms (HTTP 405)');
    assert.equal(formatOutcome(check({ status: 101, ms: 7 })), 'ok 7 ms (HTTP 101)');
  });
  test('a failure names the step and the reason', () => {
    assert.equal(formatOutcome(failed('DNS', 'ENOTFOUND')), 'FAIL DNS: ENOTFOUND');
    assert.equal(formatOutcome(failed('TCP', 'ECONNREFUSED')), 'FAIL TCP: ECONNREFUSED');
    assert.equal(formatOutcome(failed('TLS', 'certificate pin mismatch (got sha256 ab)')), 'FAIL TLS: certificate pin mismatch (got sha256 ab)');
  });
});

describe('formatReachability', () => {
  test('one aligned line per authority and URI; store accounts are marked', () => {
    const text = formatReachability(reach([
      check({}),
      check({ role: 'notify', uri: 'wss://dm.example/n', status: 101 }),
      failed('DNS', 'ENOTFOUND', { account: 'other', source: 'store', uri: 'https://x.invalid/' }),
    ]));
    assert.equal(text, [
      'isp            server  https://dm.example/dm  ok 42 ms (HTTP 405)',
      'isp            notify  wss://dm.example/n  ok 42 ms (HTTP 101)',
      'other (store)  server  https://x.invalid/  FAIL DNS: ENOTFOUND',
      '',
    ].join('\n'));
  });
  test('no authorities', () => {
    assert.equal(formatReachability(reach([])), 'authorities: none configured\n');
  });
});

describe('selftestVerdict (the exit rule)', () => {
  test('passes when multicast works somewhere and every URI answers', () => {
    assert.equal(selftestVerdict({ multicast: mcOk, reachability: reach([check({})]) }), null);
    assert.equal(selftestVerdict({ multicast: mcOk, reachability: reach([]) }), null);
  });
  test('fails when multicast works nowhere, even with every authority reachable', () => {
    assert.equal(selftestVerdict({ multicast: mcBad, reachability: reach([check({})]) }), 'no multicast-capable interface');
  });
  test('fails when any URI is unreachable, even with multicast working', () => {
    assert.equal(selftestVerdict({ multicast: mcOk, reachability: reach([check({}), failed('TCP', 'ECONNREFUSED')]) }), '1 of 2 authority URI(s) unreachable');
  });
  test('names both; skipped multicast does not count', () => {
    assert.equal(selftestVerdict({ multicast: mcBad, reachability: reach([failed('TCP', 'ETIMEDOUT')]) }), 'no multicast-capable interface; 1 of 1 authority URI(s) unreachable');
    assert.equal(selftestVerdict({ multicast: null, reachability: reach([check({})]) }), null);
  });
});

describe('formatFullSelftest', () => {
  test('multicast lines, then the authorities, then the notes', () => {
    const r: FullSelftest = { at: 't', ok: false, multicast: mcBad, reachability: reach([failed('DNS', 'ENOTFOUND')]), notes: ['store: x not found (config accounts only)'] };
    assert.equal(formatFullSelftest(r), 'problem: no multicast-capable interface\nisp  server  https://dm.example/dm  FAIL DNS: ENOTFOUND\nnote: store: x not found (config accounts only)\n');
    assert.match(formatFullSelftest({ ...r, multicast: null, notes: [] }), /^multicast: skipped \(--no-multicast\)\nisp /);
  });
});

describe('URIs', () => {
  test('parseTarget accepts the role\'s schemes and names what is wrong', () => {
    assert.equal(parseTarget('https://dm.example:8443/dm', 'server').port, '8443');
    assert.equal(parseTarget('ws://[::1]/n', 'notify').hostname, '[::1]');
    assert.throws(() => parseTarget('wss://dm.example/', 'server'), (e: StepFailure) => e.step === 'URI' && /unsupported scheme wss:/.test(e.reason));
    assert.throws(() => parseTarget('dm.example/dm', 'server'), (e: StepFailure) => e.step === 'URI' && e.reason === 'not an absolute URI');
  });
  test('parseTarget fails only with a URI StepFailure, whatever the text (property)', () => {
    fc.assert(fc.property(fc.string(), fc.constantFrom('server' as const, 'notify' as const), (s, role) => {
      try {
        const u = parseTarget(s, role);
        return u.hostname !== '';
      } catch (e) {
        return e instanceof StepFailure && e.step === 'URI';
      }
    }));
  });
  test('displayUri drops user, password, query and fragment (property) and keeps the rest', () => {
    assert.equal(displayUri('https://gw:s3cret@dm.example:8443/dm?token=1#f'), 'https://dm.example:8443/dm');
    assert.equal(displayUri('https://dm.example/dm'), 'https://dm.example/dm');
    assert.equal(displayUri('not a uri'), 'not a uri');
    const word = fc.stringMatching(/^[a-z0-9]{6,12}$/);
    fc.assert(fc.property(word, word, (user, pw) => {
      const shown = displayUri(`https://${user}x:${pw}y@dm.example/`);
      return !shown.includes(`${user}x`) && !shown.includes(`${pw}y`) && shown === 'https://dm.example/';
    }));
  });
});

describe('step helpers', () => {
  test('acceptFor follows RFC 6455 §1.3', () => {
    assert.equal(acceptFor('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });
  test('reasonOf: the error code, else the first line of the message', () => {
    assert.equal(reasonOf(Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' })), 'ENOTFOUND');
    assert.equal(reasonOf(new Error('certificate pin mismatch\nmore')), 'certificate pin mismatch');
  });
});
