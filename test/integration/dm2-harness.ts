/** Builds a bridge-side DM 2.0 client (real SQLite file, tree, engine, dm2 connection) against reference DM 2.0 (and DM 1.2) servers. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDm12Session } from '../../bridge/authority/connection.js';
import { runDm20Session, type Dm2ConnectionDeps, type Dm2SessionTrigger } from '../../bridge/authority/dm2-connection.js';
import { startSubscriptionAlerts } from '../../bridge/authority/dm2-subscriptions.js';
import { execResultAlert } from '../../bridge/authority/generic-alert.js';
import type { SessionReport } from '../../bridge/authority/connection.js';
import { silentLogger } from '../../bridge/core/logger.js';
import { Engine, type AsyncExecResult } from '../../bridge/dm/engine.js';
import { openStore, type Store } from '../../bridge/store/db.js';
import { OutboxRepo } from '../../bridge/store/outbox-repo.js';
import { SubscriptionsRepo } from '../../bridge/store/subscriptions-repo.js';
import { createTree, type TreeBundle } from '../../bridge/tree/index.js';
import type { Provider } from '../../bridge/tree/provider.js';
import type { AuthoritySettings } from '../../bridge/tree/providers/dmacc-provider.js';
import { Dm12Server, type Dm12ServerOptions } from '../peers/dm12-server.js';
import type { Dm2AuthOptions } from '../peers/dm2-auth.js';
import { Dm2Server } from '../peers/dm2-server.js';
import { authority, treeConfig } from '../unit/tree/helpers.js';

export interface Dm2Spec {
  account: string;
  serverId: string;
  auth?: Dm2AuthOptions;
  /** Bridge-side auth type (default from the server's: HTTP-BASIC, HTTP-DIGEST or TRANSPORT). */
  bridgeAuthType?: string;
  /** Bridge-side password (default: the server's) to test refusals. */
  bridgePassword?: string;
}

export interface Dm2Harness extends TreeBundle {
  store: Store;
  outbox: OutboxRepo;
  subscriptions: SubscriptionsRepo;
  dm2: Map<string, Dm2Server>;
  dm12: Map<string, Dm12Server>;
  execCalls: Array<{ data?: string; correlator?: string }>;
  session(account: string, trigger?: Dm2SessionTrigger, extra?: Partial<Dm2ConnectionDeps>): Promise<SessionReport>;
  session12(account: string): Promise<SessionReport>;
  /** Wait until async Exec completions have been queued. */
  settle(ms?: number): Promise<void>;
  close(): Promise<void>;
}

/** ./Ops/Reboot: Exec with a correlator answers 202 and completes 5 ms later (status 200). */
function opsProvider(calls: Dm2Harness['execCalls']): Provider {
  return {
    transactional: false,
    node: (segs) =>
      segs.length === 0
        ? { format: 'node', type: '', permanent: true, children: ['Reboot'] }
        : segs[0] === 'Reboot' && segs.length === 1
          ? { format: 'null', type: '', permanent: true, access: ['Get', 'Exec'], value: '' }
          : undefined,
    exec: (_segs, data, ctx) => {
      calls.push({ ...(data === undefined ? {} : { data }), ...(ctx.correlator === undefined ? {} : { correlator: ctx.correlator }) });
      if (!ctx.correlator) return { status: 200 };
      setTimeout(() => ctx.complete?.({ status: 200, data: 'rebooted' }), 5);
      return { status: 202 };
    },
  };
}

export async function dm2Harness(specs: Dm2Spec[], dm12: Array<{ account: string; server: Omit<Dm12ServerOptions, 'clientName' | 'clientSecret'> }> = []): Promise<Dm2Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'dmb-dm2-'));
  const authorities: AuthoritySettings[] = [];
  const dm2 = new Map<string, Dm2Server>();
  const peers12 = new Map<string, Dm12Server>();
  for (const s of specs) {
    const auth = s.auth ?? { type: 'NONE', username: `gw-${s.account}`, password: `pw-${s.account}` };
    const server = new Dm2Server({ serverId: s.serverId, auth, serverSecret: `ss-${s.account}` });
    const uri = await server.start();
    const type = s.bridgeAuthType ?? (auth.type === 'BASIC' ? 'HTTP-BASIC' : auth.type === 'DIGEST' ? 'HTTP-DIGEST' : 'TRANSPORT');
    authorities.push(authority(s.account, s.serverId, {
      protocol: 'dm2.0', serverUri: uri,
      auth: { type, clientName: auth.username || `gw-${s.account}`, clientSecret: s.bridgePassword ?? (auth.password || 'x'), serverSecret: `ss-${s.account}` },
    }));
    dm2.set(s.account, server);
  }
  for (const p of dm12) {
    const server = new Dm12Server({ ...p.server, clientName: `gw-${p.account}`, clientSecret: `secret-${p.account}` });
    const uri = await server.start();
    const a = authority(p.account, p.server.serverId, { serverUri: uri });
    a.auth = { type: p.server.authType === 'NONE' ? 'TRANSPORT' : p.server.authType, clientName: `gw-${p.account}`, clientSecret: `secret-${p.account}`, serverSecret: p.server.serverSecret ?? null };
    authorities.push(a);
    peers12.set(p.account, server);
  }
  const store = openStore(join(dir, 'bridge.db'));
  const bundle = createTree({ store, config: treeConfig(authorities) });
  const outbox = new OutboxRepo(store.db);
  const subscriptions = new SubscriptionsRepo(store.db);
  const execCalls: Dm2Harness['execCalls'] = [];
  bundle.tree.mount('./Ops', opsProvider(execCalls));
  bundle.tree.replace('./Ops?prop=ACL', { data: 'Get=*&Exec=*' }, null);
  const bySid = new Map(authorities.map((a) => [a.serverId, a.account]));
  const onAsyncResult = (sid: string, r: AsyncExecResult): void => {
    const acc = bySid.get(sid);
    if (acc) outbox.add(acc, JSON.stringify(execResultAlert(r)), Date.now());
  };
  const engine = new Engine({ tree: bundle.tree, onAsyncResult });
  const stopSubs = startSubscriptionAlerts({ events: bundle.events, tree: bundle.tree, accounts: bundle.accounts, subscriptions, outbox, clock: { now: () => Date.now() } });
  const device = treeConfig().device;
  const base = { engine, accounts: bundle.accounts, outbox, device, log: silentLogger(), timeoutMs: 5000 };
  return {
    ...bundle, store, outbox, subscriptions, dm2, dm12: peers12, execCalls,
    session: (account, trigger = { kind: 'client' }, extra = {}) =>
      runDm20Session({ ...base, tree: bundle.tree, subscriptions, onAsyncResult, ...extra }, account, trigger),
    session12: (account) => runDm12Session(base, account, { kind: 'client' }),
    settle: (ms = 30) => new Promise((r) => setTimeout(r, ms)),
    async close() {
      stopSubs();
      for (const s of dm2.values()) await s.stop();
      for (const s of peers12.values()) await s.stop();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
