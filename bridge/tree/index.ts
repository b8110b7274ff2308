import { systemClock, type Clock } from '../core/clock.js';
import { TypedEmitter, type BridgeEvents } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { AccountsRepo } from '../store/accounts-repo.js';
import { AclRepo } from '../store/acl-repo.js';
import type { Store } from '../store/db.js';
import { NodesRepo } from '../store/nodes-repo.js';
import { AuditRepo } from '../store/audit-repo.js';
import { SessionsLogRepo } from '../store/sessions-log-repo.js';
import { SettingsRepo } from '../store/settings-repo.js';
import { TombstonesRepo } from '../store/tombstones-repo.js';
import { AclTable } from './acl-table.js';
import { seedFactoryAcls, syncConfigAccounts } from './factory.js';
import { Journal } from './journal.js';
import { bridgeProvider, DEFAULT_DEVICE_ACL } from './providers/bridge-provider.js';
import { devDetailProvider, devInfoProvider, type DeviceIdentity } from './providers/device-info.js';
import { orphanAccountAcls } from './providers/dmacc-pending.js';
import { DmAccProvider, type AuthoritySettings } from './providers/dmacc-provider.js';
import { BridgeSettings } from './settings.js';
import { StaticProvider } from './static-provider.js';
import { Tree } from './tree.js';
import { DEFAULT_URI_LIMITS, type UriLimits } from './uri.js';

export { Tree } from './tree.js';
export type { Provider, NodeInfo } from './provider.js';
export type * from './types.js';

/** The part of the bridge config the tree reads (structurally the validated config). */
export interface TreeConfig {
  device: DeviceIdentity;
  discovery: { mdns: boolean; ssdp: boolean; ttlSeconds: number; serviceTypes: readonly string[] };
  authorities: readonly AuthoritySettings[];
  log?: { level: string };
  tree?: UriLimits;
}

export interface TreeBundle {
  tree: Tree;
  settings: BridgeSettings;
  accounts: AccountsRepo;
  events: TypedEmitter<BridgeEvents>;
  /** The DMAcc provider (accounts being built through DM live there until complete). */
  dmacc: DmAccProvider;
  /** Per-authority audit trail and sessions log (purged with the account). */
  audit: AuditRepo;
  sessionsLog: SessionsLogRepo;
}

export const BRIDGE_VERSION = '0.1.0';

/** Build the management tree over the store: static nodes, factory ACLs and the standard providers. */
export function createTree(opts: {
  store: Store;
  config: TreeConfig;
  log?: Logger;
  clock?: Clock;
  events?: TypedEmitter<BridgeEvents>;
  adapters?: readonly string[];
  /** More state of an account to purge when it is deleted, in the same transaction (outbox, subscriptions…). */
  purge?: (account: string) => void;
}): TreeBundle {
  const { store, config } = opts;
  const clock = opts.clock ?? systemClock;
  const events = opts.events ?? new TypedEmitter<BridgeEvents>();
  const limits = config.tree ?? DEFAULT_URI_LIMITS;
  const journal = new Journal();
  const db = store.db;
  const accounts = new AccountsRepo(db);
  const statics = new StaticProvider(new NodesRepo(db), journal, clock);
  const acls = new AclTable(new AclRepo(db), journal);
  const tree = new Tree({ store, statics, acls, journal, events, limits });
  const defaults = new Map<string, string>([
    ['discovery.mdns', String(config.discovery.mdns)],
    ['discovery.ssdp', String(config.discovery.ssdp)],
    ['discovery.ttlSeconds', String(config.discovery.ttlSeconds)],
    ['discovery.serviceTypes', config.discovery.serviceTypes.join(',')],
    ['log.level', config.log?.level ?? 'info'],
    ['policy.deviceAcl', DEFAULT_DEVICE_ACL],
  ]);
  const settings = new BridgeSettings(defaults, new SettingsRepo(db), journal, events);
  const tombstones = new TombstonesRepo(db);
  const audit = new AuditRepo(db);
  const sessionsLog = new SessionsLogRepo(db);
  const dmacc = new DmAccProvider({
    repo: accounts, tombstones, journal, events, clock, acls,
    purge: (account) => {
      audit.purge(account);
      sessionsLog.purge(account);
      opts.purge?.(account);
    },
  });
  store.transaction(() => {
    syncConfigAccounts(accounts, config.authorities, clock, (sid) => acls.removeServerId(sid), tombstones);
    // accounts being built when the bridge stopped (and accounts gone from the config) leave no ACL rows
    const stored = new Set(accounts.all().map((r) => r.account));
    for (const path of orphanAccountAcls(acls.paths(), stored)) acls.deleteSubtree(path);
    for (const p of ['./GwMO/DevInventory/Devices', './GwMO/DevInventory/Groups', './GwMO/Fanout']) {
      statics.ensureInterior(p, true);
    }
    tree.mount('./DevInfo', devInfoProvider(config.device));
    tree.mount('./DevDetail', devDetailProvider(config.device, BRIDGE_VERSION, limits));
    tree.mount('./DMAcc', dmacc);
    tree.mount('./Bridge', bridgeProvider(settings, BRIDGE_VERSION, opts.adapters ?? []));
    seedFactoryAcls(acls, accounts);
  });
  opts.log?.debug({ accounts: accounts.all().length }, 'tree ready');
  return { tree, settings, accounts, events, dmacc, audit, sessionsLog };
}
