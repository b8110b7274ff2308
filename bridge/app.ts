import { createApiServer, type ApiServer } from './api/server.js';
import { systemClock, type Clock } from './core/clock.js';
import { createLogger, type Logger } from './core/logger.js';
import { configWarnings, type BridgeConfig } from './config.js';
import { openStore, type Store } from './store/db.js';
import { createTree, type Tree } from './tree/index.js';

export interface App {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly tree: Tree;
  readonly store: Store;
  /** The API's bound address once started (port 0 resolved), else the configured one. */
  apiAddress(): { host: string; port: number };
}

/**
 * The composition root: the only place that instantiates and wires services.
 * Building opens the store and the tree; start() begins serving; stop() undoes start() then closes the store.
 */
export function createApp(config: BridgeConfig, opts: { log?: Logger; clock?: Clock } = {}): App {
  const log = opts.log ?? createLogger({ level: config.log.level });
  const clock = opts.clock ?? systemClock;
  const store = openStore(config.store.path);
  let api: ApiServer;
  let tree: Tree;
  try {
    ({ tree } = createTree({ store, config, log: log.child({ mod: 'tree' }), clock }));
    api = createApiServer({ host: config.api.host, port: config.api.port, token: config.api.token, tree, log });
  } catch (err) {
    store.close();
    throw err;
  }

  let state: 'idle' | 'started' | 'stopped' = 'idle';
  return {
    tree,
    store,
    async start() {
      if (state !== 'idle') return;
      for (const w of configWarnings(config)) log.warn(w);
      await api.start();
      state = 'started';
    },
    async stop() {
      if (state === 'stopped') return;
      state = 'stopped';
      try {
        await api.stop();
      } finally {
        store.close();
      }
    },
    apiAddress: () => api.address(),
  };
}
