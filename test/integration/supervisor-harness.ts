/**
 * In-process bridge wired like bridge/app.ts (real SQLite file, tree, engine, outbox, Authorities with
 * per-MA supervisors) against reference DM 1.2 and DM 2.0 servers on loopback, with fast injectable
 * timings. Alerts enter the outbox through the same path as the app's async Exec results.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Authorities } from '../../bridge/authority/authorities.js';
import type { BackoffPolicy } from '../../bridge/authority/backoff.js';
import { startSubscriptionAlerts } from '../../bridge/authority/dm2-subscriptions.js';
import { execResultAlert } from '../../bridge/authority/generic-alert.js';
import type { ScheduleEvent, SupervisorTiming, Timers } from '../../bridge/authority/supervisor.js';
import { silentLogger } from '../../bridge/core/logger.js';
import { Engine, type AsyncExecResult } from '../../bridge/dm/engine.js';
import { openStore, type Store } from '../../bridge/store/db.js';
import { OutboxRepo } from '../../bridge/store/outbox-repo.js';
import { SubscriptionsRepo } from '../../bridge/store/subscriptions-repo.js';
import { createTree, type TreeBundle } from '../../bridge/tree/index.js';
import type { AuthoritySettings } from '../../bridge/tree/providers/dmacc-provider.js';
import { Dm12Server } from '../peers/dm12-server.js';
import { Dm2Server } from '../peers/dm2-server.js';
import { authority, treeConfig } from '../unit/tree/helpers.js';

export { waitFor } from './util.js';

export interface SupSpec {
  account: string;
  protocol: 'dm1.2' | 'dm2.0';
  pollSeconds?: number;
  /** Bridge-side password differs from the server's (every session fails authentication). */
  wrongPassword?: boolean;
}

export interface SupHarness extends TreeBundle {
  dir: string;
  store: Store;
  outbox: OutboxRepo;
  authorities: Authorities;
  dm12: Map<string, Dm12Server>;
  dm2: Map<string, Dm2Server>;
  /** Server URI per account (a restarted server listens on the same port). */
  uris: Map<string, string>;
  schedules: ScheduleEvent[];
  /** Queue an async Exec result for the account the way the app does (outbox + nudge). */
  asyncResult(account: string, correlator: string): void;
  /** Settings for one more account served by a fresh server (not yet in the store). */
  newPeer(spec: SupSpec): Promise<AuthoritySettings>;
  close(): Promise<void>;
}

/** Real timers scaled down: `scale` 0.001 turns seconds of schedule into milliseconds of test. */
export function scaledTimers(scale: number): Timers {
  return {
    setTimeout: (fn, ms) => setTimeout(fn, Math.round(ms * scale)),
    clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  };
}

export const FAST_BACKOFF: BackoffPolicy = { initialMs: 20, factor: 2, maxMs: 400, jitter: 0.2 };

export async function supervisorHarness(
  specs: SupSpec[],
  timing: Partial<SupervisorTiming> = {},
): Promise<SupHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'dmb-sup-'));
  const dm12 = new Map<string, Dm12Server>();
  const dm2 = new Map<string, Dm2Server>();
  const uris = new Map<string, string>();
  const newPeer = async (s: SupSpec): Promise<AuthoritySettings> => {
    const serverId = `${s.account}.${s.protocol === 'dm2.0' ? 'dm2' : 'dm12'}.test`;
    const password = `pw-${s.account}`;
    const bridgePassword = s.wrongPassword ? 'not-the-password' : password;
    const extra = { pollSeconds: s.pollSeconds ?? 0 };
    if (s.protocol === 'dm2.0') {
      const server = new Dm2Server({ serverId, auth: { type: 'BASIC', username: `gw-${s.account}`, password } });
      const uri = await server.start();
      dm2.set(s.account, server);
      uris.set(s.account, uri);
      return authority(s.account, serverId, {
        ...extra, protocol: 'dm2.0', serverUri: uri,
        auth: { type: 'HTTP-BASIC', clientName: `gw-${s.account}`, clientSecret: bridgePassword, serverSecret: null },
      });
    }
    const server = new Dm12Server({ serverId, clientName: `gw-${s.account}`, clientSecret: password, authType: 'DIGEST' });
    const uri = await server.start();
    dm12.set(s.account, server);
    uris.set(s.account, uri);
    return authority(s.account, serverId, {
      ...extra, serverUri: uri, auth: { type: 'DIGEST', clientName: `gw-${s.account}`, clientSecret: bridgePassword, serverSecret: null },
    });
  };
  const settings: AuthoritySettings[] = [];
  for (const s of specs) settings.push(await newPeer(s));
  const store = openStore(join(dir, 'bridge.db'));
  const bundle = createTree({ store, config: treeConfig(settings) });
  const log = silentLogger();
  const outbox = new OutboxRepo(store.db, { log });
  const subscriptions = new SubscriptionsRepo(store.db);
  const schedules: ScheduleEvent[] = [];
  const ref: { authorities?: Authorities } = {};
  // the app's path for an async Exec result: Generic Alert 1226 into the MA's outbox, then nudge it
  const onAsyncResult = (serverId: string, result: AsyncExecResult): void => {
    const row = bundle.accounts.all().find((r) => r.serverId === serverId);
    if (!row) return;
    outbox.add(row.account, JSON.stringify(execResultAlert(result)), Date.now());
    ref.authorities?.nudge(row.account);
  };
  const engine = new Engine({ tree: bundle.tree, log, onAsyncResult });
  const authorities = new Authorities({
    deps: {
      engine, tree: bundle.tree, subscriptions, accounts: bundle.accounts, outbox, device: treeConfig().device, log, timeoutMs: 5000,
      onAsyncResult,
    },
    accounts: bundle.accounts,
    outbox,
    log,
    events: bundle.events,
    timing: { ...timing, onSchedule: (e) => { schedules.push(e); timing.onSchedule?.(e); } },
  });
  ref.authorities = authorities;
  const stopSubs = startSubscriptionAlerts({
    events: bundle.events, tree: bundle.tree, accounts: bundle.accounts, subscriptions, outbox, clock: { now: () => Date.now() }, onQueued: (a) => authorities.nudge(a),
  });
  const auth = authorities;
  return {
    ...bundle, dir, store, outbox, authorities: auth, dm12, dm2, uris, schedules, newPeer,
    asyncResult(account, correlator) {
      const row = bundle.accounts.get(account);
      if (row) onAsyncResult(row.serverId, { uri: './Ops/Job', correlator, status: 200 });
    },
    async close() {
      stopSubs();
      await auth.stop();
      for (const s of dm12.values()) await s.stop();
      for (const s of dm2.values()) await s.stop();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Correlators of the Generic Alerts a DM 1.2 server received, in arrival order. */
export function dm12Correlators(server: Dm12Server): string[] {
  return server.sessions.flatMap((s) => s.alerts.filter((a) => a.data === '1226').map((a) => a.correlator ?? ''));
}

/** Correlators of the alerts a DM 2.0 server received, in arrival order. */
export function dm2Correlators(server: Dm2Server): string[] {
  return server.sessions.flatMap((s) => s.alerts.map((a) => String(a.correlator ?? '')));
}
