import { createApiServer, type ApiServer } from './api/server.js';
import { Authorities } from './authority/authorities.js';
import { execResultAlert } from './authority/generic-alert.js';
import { systemClock, type Clock } from './core/clock.js';
import { createLogger, setLogLevel, type Logger } from './core/logger.js';
import { configWarnings, type BridgeConfig } from './config.js';
import { Engine } from './dm/engine.js';
import { openStore, type Store } from './store/db.js';
import { OutboxRepo } from './store/outbox-repo.js';
import { createTree, type Tree } from './tree/index.js';

export interface App {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly tree: Tree;
  readonly store: Store;
  readonly authorities: Authorities;
  /** The API's bound address once started (port 0 resolved), else the configured one. */
  apiAddress(): { host: string; port: number };
}

/** Largest DM object we accept and advertise (MaxObjSize), and our MaxMsgSize. */
const MAX_OBJ_SIZE = 4 * 1024 * 1024;
const MAX_MSG_SIZE = 64 * 1024;

/**
 * The composition root: the only place that instantiates and wires services.
 * Building opens the store and the tree; start() serves the API and opens a session to every
 * DM 1.2 authority; stop() aborts running sessions, closes the API, then the store.
 */
export function createApp(config: BridgeConfig, opts: { log?: Logger; clock?: Clock } = {}): App {
  const log = opts.log ?? createLogger({ level: config.log.level });
  const clock = opts.clock ?? systemClock;
  const store = openStore(config.store.path);
  let api: ApiServer;
  let tree: Tree;
  let authorities: Authorities;
  try {
    const bundle = createTree({ store, config, log: log.child({ mod: 'tree' }), clock });
    tree = bundle.tree;
    // ./Bridge/Log/Level: a level an MA set through DM survives restarts (the env variable still wins)
    if (opts.log === undefined && process.env.DM_BRIDGE_LOG_LEVEL === undefined) setLogLevel(log, bundle.settings.get('log.level'));
    bundle.events.on('settings.changed', ({ key, value }) => {
      if (key === 'log.level' && opts.log === undefined) setLogLevel(log, value);
    });
    const outbox = new OutboxRepo(store.db);
    const engine = new Engine({
      tree,
      log: log.child({ mod: 'engine' }),
      maxObjSize: MAX_OBJ_SIZE,
      onAsyncResult: (serverId, result) => {
        const row = bundle.accounts.all().find((r) => r.serverId === serverId);
        if (!row) return;
        outbox.add(row.account, JSON.stringify(execResultAlert(result)), clock.now());
        authorities.nudge(row.account);
      },
    });
    authorities = new Authorities({
      deps: { engine, accounts: bundle.accounts, outbox, device: config.device, log: log.child({ mod: 'authority' }), clock, maxMsgSize: MAX_MSG_SIZE, maxObjSize: MAX_OBJ_SIZE },
      accounts: bundle.accounts,
      outbox,
      log: log.child({ mod: 'authority' }),
    });
    api = createApiServer({ host: config.api.host, port: config.api.port, token: config.api.token, tree, authorities, log });
  } catch (err) {
    store.close();
    throw err;
  }

  let state: 'idle' | 'started' | 'stopped' = 'idle';
  return {
    tree,
    store,
    authorities,
    async start() {
      if (state !== 'idle') return;
      for (const w of configWarnings(config)) log.warn(w);
      await api.start();
      state = 'started';
      authorities.start();
    },
    async stop() {
      if (state === 'stopped') return;
      state = 'stopped';
      try {
        await authorities.stop();
        await api.stop();
      } finally {
        store.close();
      }
    },
    apiAddress: () => api.address(),
  };
}
