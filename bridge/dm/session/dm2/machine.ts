import { randomBytes } from 'node:crypto';
import type { ClientPackage, Dm2Entry, ServerPackage } from '../../dm2-message.js';
import { basicAuthorization, digestAuthorization, parseDigestChallenge } from './http-auth.js';
import type { Dm2Effect, Dm2SessionConfig, Dm2SessionInput, Dm2SessionState, Dm2StepResult } from './types.js';

/**
 * DM 2.0 client session (DM2-BINDING.md "Packages", "Command semantics"):
 * Package #1 (devId, trigger, mos, devInfo, pending alerts) -> server package -> execute in order ->
 * results (msg + 1) -> ... until a package with END: its results are posted, the server's answer is
 * the acknowledgement and nothing more is sent. A 401 is answered by re-sending the same package
 * with credentials (Digest: RFC 7616; later POSTs reuse the nonce with nc + 1).
 */

const MAX_AUTH_RETRIES = 2;

export function initialDm2State(): Dm2SessionState {
  return { phase: 'start', msg: 0, serverMsg: 0, last: null, digest: null, authRetries: 0, alertRefs: [], ending: false, packagesSent: 0 };
}

export function dm2Step(config: Dm2SessionConfig, state: Dm2SessionState, input: Dm2SessionInput): Dm2StepResult {
  if (state.phase === 'done') return { state, effects: [] };
  switch (input.kind) {
    case 'abort':
      return done(state, 'aborted', input.reason);
    case 'transportError':
      return done(state, 'error', input.reason);
    case 'start': {
      if (state.phase !== 'start') return done(state, 'error', 'start twice');
      const pkg: ClientPackage = {
        dm: '2.0', sid: config.sid, msg: 1, devId: config.devId, trigger: config.trigger, mos: config.mos, devInfo: config.devInfo,
        alerts: input.alerts.map((a) => a.alert),
      };
      return send(config, { ...state, phase: 'wait-server', alertRefs: input.alerts.map((a) => a.ref) }, pkg, []);
    }
    case 'executed': {
      if (state.phase !== 'executing') return done(state, 'error', 'results outside of a server package');
      const pkg: ClientPackage = { dm: '2.0', sid: config.sid, msg: state.msg + 1, results: input.results };
      return send(config, { ...state, phase: state.ending ? 'wait-ack' : 'wait-server' }, pkg, []);
    }
    case 'response':
      return response(config, state, input);
  }
}

function response(config: Dm2SessionConfig, state: Dm2SessionState, r: Extract<Dm2SessionInput, { kind: 'response' }>): Dm2StepResult {
  if (state.phase !== 'wait-server' && state.phase !== 'wait-ack') return done(state, 'error', 'unexpected server answer');
  if (r.status === 401) return challenged(config, state, r.wwwAuthenticate);
  if (r.status !== 200) return done(state, 'error', `HTTP ${r.status}`);
  const next: Dm2SessionState = { ...state, authRetries: 0 };
  if (state.phase === 'wait-ack') return done(next, 'ok', 'session ended');
  if (!r.pkg) return done(next, 'error', `bad server package: ${r.error ?? 'no body'}`);
  const pkg: ServerPackage = r.pkg;
  if (pkg.sid.toUpperCase() !== config.sid.toUpperCase()) return done(next, 'error', `server package for session ${pkg.sid}`);
  if (pkg.msg <= state.serverMsg) return done(next, 'error', `server package msg ${pkg.msg} after ${state.serverMsg}`);
  const effects: Dm2Effect[] = [];
  if (state.msg === 1 && state.alertRefs.length > 0) effects.push({ kind: 'alertsDelivered', refs: state.alertRefs });
  const end = pkg.cmds.findIndex((c) => c.cmd === 'END');
  const cmds: Dm2Entry[] = (end < 0 ? pkg.cmds : pkg.cmds.slice(0, end)).filter((c) => c.cmd !== 'CONT');
  const base: Dm2SessionState = { ...next, serverMsg: pkg.msg, alertRefs: [] };
  if (pkg.cmds.length === 0) return { state: { ...base, phase: 'done' }, effects: [...effects, { kind: 'done', outcome: 'ok', reason: 'server sent no commands' }] };
  effects.push({ kind: 'execute', cmds });
  return { state: { ...base, phase: 'executing', ending: end >= 0 }, effects };
}

function challenged(config: Dm2SessionConfig, state: Dm2SessionState, header: string | string[] | undefined): Dm2StepResult {
  if (!state.last) return done(state, 'error', '401 before any package');
  if (config.authType !== 'HTTP-DIGEST') return done(state, 'auth-failed', 'server refused the credentials (401)');
  const ch = parseDigestChallenge(header);
  if (!ch) return done(state, 'auth-failed', '401 without a usable Digest challenge');
  if (state.authRetries >= MAX_AUTH_RETRIES && !ch.stale) return done(state, 'auth-failed', 'server refused the Digest credentials');
  if (state.authRetries >= MAX_AUTH_RETRIES + 1) return done(state, 'auth-failed', 'too many challenges');
  const next: Dm2SessionState = { ...state, digest: { challenge: ch, nc: 1 }, authRetries: state.authRetries + 1 };
  return post(config, next, state.last, []);
}

function send(config: Dm2SessionConfig, state: Dm2SessionState, pkg: ClientPackage, effects: Dm2Effect[]): Dm2StepResult {
  const max = config.maxPackages ?? 500;
  if (state.packagesSent >= max) return done(state, 'error', `more than ${max} packages`);
  return post(config, { ...state, msg: pkg.msg }, pkg, effects);
}

function post(config: Dm2SessionConfig, state: Dm2SessionState, pkg: ClientPackage, effects: Dm2Effect[]): Dm2StepResult {
  const out: Dm2StepResult = { state: { ...state, last: pkg, packagesSent: state.packagesSent + 1 }, send: { url: config.serverUri, pkg }, effects };
  if (config.authType === 'HTTP-BASIC') out.send!.authorization = basicAuthorization(config.username, config.password);
  else if (config.authType === 'HTTP-DIGEST' && state.digest) {
    const u = new URL(config.serverUri);
    const cnonce = config.newCnonce?.() ?? randomBytes(16).toString('hex');
    const a = digestAuthorization(state.digest, { username: config.username, password: config.password, method: 'POST', uri: u.pathname + u.search, cnonce });
    out.send!.authorization = a.header;
    out.state.digest = a.state;
  }
  return out;
}

function done(state: Dm2SessionState, outcome: 'ok' | 'aborted' | 'auth-failed' | 'error', reason: string): Dm2StepResult {
  return { state: { ...state, phase: 'done' }, effects: [{ kind: 'done', outcome, reason }] };
}
