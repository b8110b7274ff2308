// Reachability of the authorities (`dm-bridge selftest`): for each serverUri and notifyUri, DNS,
// TCP, TLS with the account's trust settings, and one HTTP exchange without side effects.
import { displayUrl } from '../core/display-url.js';
import type { TlsSettings } from './http-transport.js';
import {
  connectTcp, handshake, hostOf, httpOptions, reasonOf, resolveHost, StepFailure, wsUpgrade, type StepName,
} from './reachability-steps.js';
import { loadTls } from './tls-material.js';

export type { StepName } from './reachability-steps.js';

/** What the self-test needs of one authority. */
export interface ReachTarget {
  account: string;
  /** Where the account was read: the config file, or the bridge's store (created or changed through DM). */
  source: 'config' | 'store';
  serverUri: string;
  notifyUri: string | null;
  tls: TlsSettings;
}

export interface StepTiming {
  step: StepName;
  ms: number;
}

export interface UriCheck {
  account: string;
  source: ReachTarget['source'];
  role: 'server' | 'notify';
  /** The URI as configured, without user:password, query or fragment (displayUri). */
  uri: string;
  ok: boolean;
  /** Time from the start of the check to its end (success or failure). */
  ms: number;
  /** The resolved address (once DNS passed). */
  address: string | null;
  /** The HTTP status the server answered (any status counts for serverUri; 101 or 401 for notifyUri). */
  status: number | null;
  /** The step that failed, its short reason (ENOTFOUND, ECONNREFUSED, certificate pin mismatch ...) and the full message. */
  failedStep: StepName | null;
  reason: string | null;
  detail: string | null;
  /** The steps that passed, in order, with their durations. */
  steps: StepTiming[];
}

export interface ReachabilityResult {
  ok: boolean;
  checks: UriCheck[];
}

export interface ReachOptions {
  /** Deadline of each step (DNS, TCP, TLS, HTTP), ms. */
  stepTimeoutMs?: number;
}

export const DEFAULT_STEP_TIMEOUT_MS = 3000;

const SCHEMES = { server: ['https:', 'http:'], notify: ['wss:', 'ws:'] } as const;

/** A URI for display: scheme, host, port and path; no user:password, query (pre-signed tokens) or fragment. */
export function displayUri(uri: string): string {
  // an unparsable URI is shown as written (shortened): the report must say what is wrong with it
  return displayUrl(uri, uri.slice(0, 200));
}

/** Parse and check the scheme of a URI for a role. */
export function parseTarget(uri: string, role: UriCheck['role']): URL {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    throw new StepFailure('URI', 'not an absolute URI');
  }
  if (!(SCHEMES[role] as readonly string[]).includes(u.protocol)) {
    throw new StepFailure('URI', `unsupported scheme ${u.protocol} (expected ${SCHEMES[role].join(' or ')})`);
  }
  if (u.hostname === '') throw new StepFailure('URI', 'no host');
  return u;
}

function defaultPort(u: URL): number {
  return u.protocol === 'https:' || u.protocol === 'wss:' ? 443 : 80;
}

/** Check one URI: every step in order, stopping at the first failure. */
export async function checkUri(t: ReachTarget, role: UriCheck['role'], uri: string, opts: ReachOptions = {}): Promise<UriCheck> {
  const ms = opts.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  const started = performance.now();
  const r: UriCheck = {
    account: t.account, source: t.source, role, uri: displayUri(uri), ok: false, ms: 0,
    address: null, status: null, failedStep: null, reason: null, detail: null, steps: [],
  };
  let mark = started;
  const passed = (step: StepName): void => {
    const now = performance.now();
    r.steps.push({ step, ms: Math.round(now - mark) });
    mark = now;
  };
  try {
    const u = parseTarget(uri, role);
    const secure = u.protocol === 'https:' || u.protocol === 'wss:';
    let material: TlsSettings | null = null;
    if (secure) {
      try {
        material = loadTls(t.tls);
      } catch (err) {
        throw new StepFailure('TLS', (err as Error).message);
      }
    }
    const host = hostOf(u);
    r.address = await resolveHost(host, ms);
    passed('DNS');
    let socket = await connectTcp(r.address, u.port === '' ? defaultPort(u) : Number(u.port), ms);
    passed('TCP');
    if (material) {
      socket = await handshake(socket, host, material, ms);
      passed('TLS');
    }
    r.status = (await (role === 'server' ? httpOptions(socket, u, ms) : wsUpgrade(socket, u, ms))).status;
    passed('HTTP');
    r.ok = true;
  } catch (err) {
    const f = err instanceof StepFailure ? err : new StepFailure('HTTP', reasonOf(err), (err as Error).message);
    r.failedStep = f.step;
    r.reason = f.reason;
    r.detail = f.message.trim().slice(0, 500);
  }
  r.ms = Math.round(performance.now() - started);
  return r;
}

/** Check every authority's serverUri and notifyUri (in parallel); ok when every URI answers. */
export async function checkReachability(targets: readonly ReachTarget[], opts: ReachOptions = {}): Promise<ReachabilityResult> {
  const jobs: Promise<UriCheck>[] = [];
  for (const t of targets) {
    jobs.push(checkUri(t, 'server', t.serverUri, opts));
    if (t.notifyUri !== null && t.notifyUri !== '') jobs.push(checkUri(t, 'notify', t.notifyUri, opts));
  }
  const checks = await Promise.all(jobs);
  return { ok: checks.every((c) => c.ok), checks };
}
