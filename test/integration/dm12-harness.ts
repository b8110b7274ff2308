/** Builds a bridge-side DM 1.2 client (real SQLite file, tree, engine, connection) against reference servers. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDm12Session, type SessionReport, type SessionTrigger } from '../../bridge/authority/connection.js';
import { execResultAlert } from '../../bridge/authority/generic-alert.js';
import { silentLogger } from '../../bridge/core/logger.js';
import { Engine } from '../../bridge/dm/engine.js';
import { openStore, type Store } from '../../bridge/store/db.js';
import { OutboxRepo } from '../../bridge/store/outbox-repo.js';
import { createTree, type TreeBundle } from '../../bridge/tree/index.js';
import type { AuthoritySettings } from '../../bridge/tree/providers/dmacc-provider.js';
import { Dm12Server, type Dm12ServerOptions } from '../peers/dm12-server.js';
import { authority, treeConfig } from '../unit/tree/helpers.js';

export interface Peer {
  account: string;
  server: Dm12Server;
}

export interface Harness extends TreeBundle {
  store: Store;
  outbox: OutboxRepo;
  engine: Engine;
  peers: Map<string, Peer>;
  session(account: string, trigger?: SessionTrigger, opts?: { maxMsgSize?: number }): Promise<SessionReport>;
  close(): Promise<void>;
}

export interface PeerSpec {
  account: string;
  server: Omit<Dm12ServerOptions, 'clientName' | 'clientSecret'> & Partial<Pick<Dm12ServerOptions, 'clientName' | 'clientSecret'>>;
  /** Bridge-side account settings (auth.type, encoding, serverSecret ...). */
  bridge?: Partial<Omit<AuthoritySettings, 'auth'>> & { auth?: Partial<AuthoritySettings['auth']> };
  /** Bridge-side stored client nonce to start from. */
  clientNonce?: string;
}

/** Start reference servers and a bridge client configured with one account per server. */
export async function harness(specs: PeerSpec[]): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'dmb-int-'));
  const peers = new Map<string, Peer>();
  const authorities: AuthoritySettings[] = [];
  for (const spec of specs) {
    const clientName = spec.server.clientName ?? `gw-${spec.account}`;
    const clientSecret = spec.server.clientSecret ?? `secret-${spec.account}`;
    const server = new Dm12Server({ ...spec.server, clientName, clientSecret });
    const uri = await server.start();
    const base = authority(spec.account, spec.server.serverId, { serverUri: uri, ...(spec.bridge ?? {}) } as Partial<AuthoritySettings>);
    base.auth = {
      type: spec.server.authType === 'NONE' ? 'TRANSPORT' : spec.server.authType,
      clientName,
      clientSecret,
      serverSecret: spec.server.serverSecret ?? null,
      ...(spec.bridge?.auth ?? {}),
    };
    authorities.push(base);
    peers.set(spec.account, { account: spec.account, server });
  }
  const store = openStore(join(dir, 'bridge.db'));
  const bundle = createTree({ store, config: treeConfig(authorities) });
  const outbox = new OutboxRepo(store.db);
  for (const spec of specs) if (spec.clientNonce) bundle.accounts.setNonce(spec.account, 'client', spec.clientNonce, Date.now());
  const bySid = new Map(authorities.map((a) => [a.serverId, a.account]));
  const engine = new Engine({
    tree: bundle.tree,
    onAsyncResult: (sid, r) => {
      const acc = bySid.get(sid);
      if (acc) outbox.add(acc, JSON.stringify(execResultAlert(r)), Date.now());
    },
  });
  const device = treeConfig().device;
  return {
    ...bundle,
    store,
    outbox,
    engine,
    peers,
    session: (account, trigger = { kind: 'client' }, opts = {}) =>
      runDm12Session({ engine, accounts: bundle.accounts, outbox, device, log: silentLogger(), timeoutMs: 5000, ...opts }, account, trigger),
    async close() {
      for (const p of peers.values()) await p.server.stop();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
