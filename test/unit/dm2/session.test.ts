import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Dm2Entry, ServerPackage } from '../../../bridge/dm/dm2-message.js';
import { dm2Step, initialDm2State, parseAuthHeader, type Dm2SessionConfig, type Dm2SessionInput, type Dm2SessionState, type Dm2StepResult } from '../../../bridge/dm/session/dm2/index.js';

const config = (over: Partial<Dm2SessionConfig> = {}): Dm2SessionConfig => ({
  serverUri: 'https://dm.example/dm?x=1', sid: '1A2B', devId: 'urn:dev:1', trigger: { kind: 'client' }, mos: [{ moid: 'urn:x', uri: './DevInfo' }],
  devInfo: { DevId: 'urn:dev:1' }, authType: 'NONE', username: 'gw', password: 'pw', newCnonce: () => 'cn', ...over,
});
const pkg = (msg: number, cmds: Dm2Entry[], sid = '1A2B'): ServerPackage => ({ dm: '2.0', sid, msg, cmds });

function run(c: Dm2SessionConfig, inputs: Dm2SessionInput[]): { steps: Dm2StepResult[]; state: Dm2SessionState } {
  let state = initialDm2State();
  const steps: Dm2StepResult[] = [];
  for (const i of inputs) {
    const r = dm2Step(c, state, i);
    state = r.state;
    assert.deepEqual(JSON.parse(JSON.stringify(state)), state, 'state stays plain data');
    steps.push(r);
  }
  return { steps, state };
}

describe('DM 2.0 client session state machine', () => {
  test('#1 -> commands (CONT) -> results -> commands (END) -> results -> ack -> done; alerts acknowledged by the first server package', () => {
    const { steps, state } = run(config(), [
      { kind: 'start', alerts: [{ ref: '7', alert: { type: 't', correlator: null } }] },
      { kind: 'response', status: 200, pkg: pkg(1, [{ cmd: 'GET', id: 1, uri: './A' }, { cmd: 'CONT' }]) },
      { kind: 'executed', results: [{ id: 1, status: 200, data: 'a' }] },
      { kind: 'response', status: 200, pkg: pkg(2, [{ cmd: 'DELETE', id: 2, uri: './B' }, { cmd: 'END' }, { cmd: 'GET', id: 3, uri: './C' }]) },
      { kind: 'executed', results: [{ id: 2, status: 200 }] },
      { kind: 'response', status: 200 },
    ]);
    assert.equal(steps[0]!.send!.pkg.msg, 1);
    assert.deepEqual(steps[0]!.send!.pkg.alerts, [{ type: 't', correlator: null }]);
    assert.equal(steps[0]!.send!.pkg.devId, 'urn:dev:1');
    assert.deepEqual(steps[1]!.effects, [{ kind: 'alertsDelivered', refs: ['7'] }, { kind: 'execute', cmds: [{ cmd: 'GET', id: 1, uri: './A' }] }]);
    assert.deepEqual(steps[2]!.send!.pkg, { dm: '2.0', sid: '1A2B', msg: 2, results: [{ id: 1, status: 200, data: 'a' }] });
    assert.deepEqual(steps[3]!.effects, [{ kind: 'execute', cmds: [{ cmd: 'DELETE', id: 2, uri: './B' }] }], 'nothing after END runs');
    assert.equal(steps[4]!.send!.pkg.msg, 3);
    assert.equal(steps[4]!.state.phase, 'wait-ack');
    assert.deepEqual(steps[5]!.effects, [{ kind: 'done', outcome: 'ok', reason: 'session ended' }]);
    assert.equal(steps[5]!.send, undefined);
    assert.equal(state.phase, 'done');
  });

  test('Digest: 401 -> the same package again with credentials; nc counts up on later packages', () => {
    const c = config({ authType: 'HTTP-DIGEST' });
    const ch = 'Digest realm="r", qop="auth", algorithm=SHA-256, nonce="abc"';
    const { steps } = run(c, [
      { kind: 'start', alerts: [] },
      { kind: 'response', status: 401, wwwAuthenticate: ch },
      { kind: 'response', status: 200, pkg: pkg(1, [{ cmd: 'GET', id: 1, uri: './A' }]) },
      { kind: 'executed', results: [{ id: 1, status: 200 }] },
    ]);
    assert.equal(steps[0]!.send!.authorization, undefined);
    assert.deepEqual(steps[1]!.send!.pkg, steps[0]!.send!.pkg);
    const a1 = parseAuthHeader(steps[1]!.send!.authorization!)[0]!.params;
    const a2 = parseAuthHeader(steps[3]!.send!.authorization!)[0]!.params;
    assert.deepEqual([a1.get('nc'), a2.get('nc'), a1.get('uri'), a1.get('algorithm')], ['00000001', '00000002', '/dm?x=1', 'SHA-256']);
  });

  test('refusals: repeated 401, Basic 401, wrong sid, replayed msg, HTTP error, bad package, transport error, abort', () => {
    const digest = config({ authType: 'HTTP-DIGEST' });
    const ch = { kind: 'response', status: 401, wwwAuthenticate: 'Digest realm="r", qop="auth", nonce="n"' } as const;
    const last = (c: Dm2SessionConfig, ins: Dm2SessionInput[]) => run(c, [{ kind: 'start', alerts: [] }, ...ins]).steps.at(-1)!.effects.at(-1);
    assert.deepEqual(last(digest, [ch, ch, ch]), { kind: 'done', outcome: 'auth-failed', reason: 'server refused the Digest credentials' });
    assert.equal((last(config({ authType: 'HTTP-BASIC' }), [{ kind: 'response', status: 401 }]) as { outcome: string }).outcome, 'auth-failed');
    assert.match((last(config(), [{ kind: 'response', status: 200, pkg: pkg(1, [], 'FFFF') }]) as { reason: string }).reason, /session FFFF/);
    assert.match((last(config(), [
      { kind: 'response', status: 200, pkg: pkg(1, [{ cmd: 'GET', id: 1, uri: './A' }]) }, { kind: 'executed', results: [] }, { kind: 'response', status: 200, pkg: pkg(1, [{ cmd: 'GET', id: 2, uri: './A' }]) },
    ]) as { reason: string }).reason, /msg 1 after 1/);
    assert.match((last(config(), [{ kind: 'response', status: 500 }]) as { reason: string }).reason, /HTTP 500/);
    assert.match((last(config(), [{ kind: 'response', status: 200, error: 'not JSON' }]) as { reason: string }).reason, /not JSON/);
    assert.deepEqual(last(config(), [{ kind: 'transportError', reason: 'ECONNRESET' }]), { kind: 'done', outcome: 'error', reason: 'ECONNRESET' });
    assert.deepEqual(last(config(), [{ kind: 'abort', reason: 'stop' }]), { kind: 'done', outcome: 'aborted', reason: 'stop' });
    assert.deepEqual(last(config(), [{ kind: 'response', status: 200, pkg: pkg(1, []) }]), { kind: 'done', outcome: 'ok', reason: 'server sent no commands' });
  });

  test('Basic credentials go on every package; a package budget ends a runaway session', () => {
    const c = config({ authType: 'HTTP-BASIC', maxPackages: 3 });
    const cmds: Dm2Entry[] = [{ cmd: 'GET', id: 1, uri: './A' }];
    const { steps } = run(c, [
      { kind: 'start', alerts: [] },
      { kind: 'response', status: 200, pkg: pkg(1, cmds) }, { kind: 'executed', results: [] },
      { kind: 'response', status: 200, pkg: pkg(2, cmds) }, { kind: 'executed', results: [] },
      { kind: 'response', status: 200, pkg: pkg(3, cmds) }, { kind: 'executed', results: [] },
    ]);
    assert.equal(steps[0]!.send!.authorization, 'Basic Z3c6cHc=');
    assert.equal(steps[2]!.send!.authorization, 'Basic Z3c6cHc=');
    assert.deepEqual(steps.at(-1)!.effects, [{ kind: 'done', outcome: 'error', reason: 'more than 3 packages' }]);
  });
});
