import { ippAdapter } from '../adapters/ipp/index.js';
import type { Adapter } from '../adapters/sdk/index.js';
import { upnpAdapter } from '../adapters/upnp/index.js';
import { AdapterHost } from './adapter-host/index.js';
import { createMetrics } from './api/metrics.js';
import { createApiServer, type ApiServer } from './api/server.js';
import { ShownUrls } from './api/shown-urls.js';
import { Authorities } from './authority/authorities.js';
import { startSubscriptionAlerts } from './authority/dm2-subscriptions.js';
import { execResultAlert } from './authority/generic-alert.js';
import { NotifyChannels } from './authority/notify-channels.js';
import { systemClock, type Clock } from './core/clock.js';
import { createLogger, setLogLevel, type Logger } from './core/logger.js';
import { configWarnings, type BridgeConfig } from './config.js';
import { createDiscovery, MulticastHealth, readDiscoverySettings, watchDiscoverySettings, type Discovery } from './discovery/index.js';
import { Engine, type AsyncExecResult } from './dm/engine.js';
import { createFanout, type FanoutService } from './fanout/index.js';
import { createInventory, type InventoryService } from './inventory/index.js';
import { openStore, type Store } from './store/db.js';
import { NotifyNonceRepo } from './store/notify-nonce-repo.js';
import { OutboxRepo } from './store/outbox-repo.js';
import { SubscriptionsRepo } from './store/subscriptions-repo.js';
import { createTree, type Tree } from './tree/index.js';

export interface App {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly tree: Tree;
  readonly store: Store;
  readonly authorities: Authorities;
  /** One outward notify WebSocket per authority with a notifyUri. */
  readonly notify: NotifyChannels;
  readonly inventory: InventoryService;
  readonly discovery: Discovery;
  readonly adapters: AdapterHost;
  readonly fanout: FanoutService;
  /** The API's bound address once started (port 0 resolved), else the configured one. */
  apiAddress(): { host: string; port: number };
}

/** Largest DM object we accept and advertise (MaxObjSize), and our MaxMsgSize. */
const MAX_OBJ_SIZE = 4 * 1024 * 1024;
const MAX_MSG_SIZE = 64 * 1024;

/** The device adapters this build ships (./Bridge/Adapters/<name>/Enabled switches each live). */
const ADAPTERS: readonly Adapter[] = [upnpAdapter, ippAdapter];

/**
 * The composition root: the only place that instantiates and wires services.
 * Building opens the store and the tree (with the device inventory mounted); start() serves the API,
 * starts LAN discovery and its multicast self-test (when mDNS or SSDP is on) and opens a session to
 * every authority; stop() aborts running sessions, stops discovery, closes the API, then the store.
 */
export function createApp(config: BridgeConfig, opts: { log?: Logger; clock?: Clock } = {}): App {
  const log = opts.log ?? createLogger({ level: config.log.level });
  const clock = opts.clock ?? systemClock;
  const store = openStore(config.store.path);
  let api: ApiServer;
  let tree: Tree;
  let authorities: Authorities;
  let notify: NotifyChannels;
  let inventory: InventoryService;
  let discovery: Discovery;
  let adapterHost: AdapterHost;
  let fanout: FanoutService;
  let health: MulticastHealth;
  const unlisten: Array<() => void> = [];
  let state: 'idle' | 'started' | 'stopped' = 'idle';
  let wantsDiscovery: () => boolean;
  try {
    const outbox = new OutboxRepo(store.db, { log: log.child({ mod: 'outbox' }) });
    const subscriptions = new SubscriptionsRepo(store.db);
    const bundle = createTree({
      store, config, log: log.child({ mod: 'tree' }), clock, adapters: ADAPTERS.map((a) => a.name),
      // a deleted account's queued alerts and subscriptions go in the same transaction as the account
      purge: (account) => {
        outbox.purge(account);
        subscriptions.purge(account);
      },
    });
    tree = bundle.tree;
    // ./Bridge/Log/Level: a level an MA set through DM survives restarts (the env variable still wins)
    if (opts.log === undefined && process.env.DM_BRIDGE_LOG_LEVEL === undefined) setLogLevel(log, bundle.settings.get('log.level'));
    bundle.events.on('settings.changed', ({ key, value }) => {
      if (key === 'log.level' && opts.log === undefined) setLogLevel(log, value);
    });
    const { audit, sessionsLog } = bundle;
    const metrics = createMetrics();
    // DM 2.0 SHOW: the status page lists the URLs MAs ask to show while the API serves it (202), else 406
    const shown = new ShownUrls({ enabled: () => state === 'started', serverId: (a) => bundle.accounts.get(a)?.serverId });
    const nudgeAll = (accounts: readonly string[]): void => accounts.forEach((a) => authorities.nudge(a));
    // an Exec answered 202 finished: queue its Generic Alert 1226 for that authority and nudge it
    const engineAsync = (serverId: string, result: AsyncExecResult): void => {
      const row = bundle.accounts.all().find((r) => r.serverId === serverId);
      if (!row) return;
      outbox.add(row.account, JSON.stringify(execResultAlert(result)), clock.now());
      authorities.nudge(row.account);
    };
    const engine = new Engine({
      tree,
      log: log.child({ mod: 'engine' }),
      maxObjSize: MAX_OBJ_SIZE,
      onAsyncResult: engineAsync,
      audit,
      metrics,
    });
    authorities = new Authorities({
      deps: {
        engine, tree, subscriptions, audit, metrics,
        onShow: (account, href) => shown.offer(account, href), accounts: bundle.accounts, outbox, device: config.device, log: log.child({ mod: 'authority' }), clock,
        maxMsgSize: MAX_MSG_SIZE, maxObjSize: MAX_OBJ_SIZE,
        onAsyncResult: engineAsync,
      },
      accounts: bundle.accounts,
      outbox,
      events: bundle.events,
      sessionsLog,
      metrics,
      // a DMAcc account an MA left half-built when its session ended is dropped (never persisted)
      onSessionEnd: (account) => {
        const sid = bundle.accounts.get(account)?.serverId;
        if (sid) bundle.dmacc.dropPending(sid);
      },
      log: log.child({ mod: 'authority' }),
    });
    notify = new NotifyChannels({
      accounts: bundle.accounts, nonces: new NotifyNonceRepo(store.db), events: bundle.events, clock,
      log: log.child({ mod: 'notify' }),
      onTrigger: (account, trigger) => authorities.trigger(account, trigger),
    });
    unlisten.push(startSubscriptionAlerts({ events: bundle.events, tree, accounts: bundle.accounts, subscriptions, outbox, clock, log, onQueued: (a) => authorities.nudge(a) }));
    // a deleted account's SHOW links go too (its outbox and subscriptions went with the account, above;
    // notification nonces stay: a re-created account must not accept a replayed frame)
    unlisten.push(bundle.events.on('account.changed', ({ account, op }) => {
      if (op === 'Delete') shown.forget(account);
    }));

    inventory = createInventory({
      store, tree, settings: bundle.settings, accounts: bundle.accounts, outbox, log: log.child({ mod: 'inventory' }),
      events: bundle.events, // device joined/changed/left also reach DM 2.0 SUBs on the device nodes (once per MA)
      onQueued: (accounts) => nudgeAll(accounts),
    });
    inventory.mount();
    adapterHost = new AdapterHost({
      adapters: ADAPTERS, devices: inventory.inventory, settings: bundle.settings, events: bundle.events, log: log.child({ mod: 'adapters' }), metrics,
    });
    inventory.provider.delegateMo(adapterHost.mo);
    fanout = createFanout({ store, tree, events: bundle.events, log: log.child({ mod: 'fanout' }), clock });
    fanout.mount();
    // fan-outs a kill interrupted: their authorities still get the completion alert (status 500)
    for (const r of fanout.recover()) {
      if (r.serverId !== null) engineAsync(r.serverId, { uri: r.uri, correlator: r.correlator, status: r.status, ...(r.data === undefined ? {} : { data: r.data }) });
    }
    const discoveryLog = log.child({ mod: 'discovery' });
    discovery = createDiscovery({ ...config.discovery, ...readDiscoverySettings(bundle.settings) }, { log: discoveryLog });
    discovery.events.on('up', (s) => inventory.inventory.sighted(s));
    discovery.events.on('refresh', (s) => inventory.inventory.sighted(s));
    discovery.events.on('down', ({ sighting }) => inventory.inventory.lost(sighting));
    unlisten.push(watchDiscoverySettings(bundle.events, bundle.settings, discovery, discoveryLog));
    health = new MulticastHealth({ interfaces: config.discovery.interfaces, log: discoveryLog });
    wantsDiscovery = () => {
      const d = { ...config.discovery, ...readDiscoverySettings(bundle.settings) };
      return d.mdns || d.ssdp;
    };
    // the self-test multicasts: it runs only while discovery is wanted (tests outside a namespace turn both off)
    unlisten.push(bundle.events.on('settings.changed', ({ key }) => {
      if (state === 'started' && (key === 'discovery.mdns' || key === 'discovery.ssdp') && wantsDiscovery()) health.start();
    }));
    // readiness needs multicast while discovery runs or is wanted
    const discoveryOn = (): boolean => {
      const st = discovery.status();
      return st.mdns || st.ssdp || wantsDiscovery();
    };

    api = createApiServer({
      host: config.api.host, port: config.api.port, token: config.api.token, tree, authorities, log,
      devices: { list: () => inventory.inventory.list(), version: () => inventory.inventory.version() },
      shown,
      history: { audit: (a, n) => audit.list(a, n), sessions: (a, n) => sessionsLog.list(a, n) },
      metrics,
      notify,
      readiness: { storeOpen: () => store.db.open, discoveryEnabled: discoveryOn, multicast: () => health.last() },
    });
  } catch (err) {
    for (const u of unlisten) u();
    store.close();
    throw err;
  }

  return {
    tree,
    store,
    authorities,
    notify,
    inventory,
    discovery,
    adapters: adapterHost,
    fanout,
    async start() {
      if (state !== 'idle') return;
      for (const w of configWarnings(config)) log.warn(w);
      await api.start();
      state = 'started';
      if (wantsDiscovery()) health.start();
      adapterHost.start();
      await discovery.start();
      authorities.start();
      notify.start();
    },
    async stop() {
      if (state === 'stopped') return;
      state = 'stopped';
      try {
        for (const u of unlisten) u();
        await notify.stop();
        fanout.stop();
        await authorities.stop();
        await discovery.stop();
        await adapterHost.stop();
        await health.stop();
        inventory.stop();
        await api.stop();
      } finally {
        store.close();
      }
    },
    apiAddress: () => api.address(),
  };
}
