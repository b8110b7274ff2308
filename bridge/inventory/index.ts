import type { Logger } from '../core/logger.js';
import type { AccountsRepo } from '../store/accounts-repo.js';
import type { Store } from '../store/db.js';
import { DevicesRepo } from '../store/devices-repo.js';
import type { OutboxRepo } from '../store/outbox-repo.js';
import type { Tree } from '../tree/tree.js';
import { DEVICES_PATH, queueDeviceEvent } from './alerts.js';
import { fetchDescription, type DescriptionResult } from './description.js';
import type { DeviceEvent } from './device-events.js';
import { arpLookup } from './devid.js';
import { Inventory } from './inventory.js';
import { InventoryProvider } from './inventory-provider.js';

export { Inventory, type SightingInput } from './inventory.js';
export type { DeviceEvent } from './device-events.js';

export const INVENTORY_PATH = './GwMO/DevInventory';
const FALLBACK_DEVICE_ACL = 'Get=*&Replace=*&Exec=*';

export interface InventoryOptions {
  store: Store;
  tree: Tree;
  /** ./Bridge settings (policy.deviceAcl). */
  settings: { get(key: string): string };
  accounts: AccountsRepo;
  outbox: OutboxRepo;
  log: Logger;
  now?: () => number;
  /** Debounce window of device events (default 10 s). */
  debounceMs?: number;
  startGraceMs?: number;
  describe?: (url: string) => Promise<DescriptionResult>;
  mac?: (address: string) => string | undefined;
  /** Alerts were queued for these accounts (app: authorities.nudge). */
  onQueued?: (accounts: string[], e: DeviceEvent) => void;
}

export interface InventoryService {
  readonly inventory: Inventory;
  readonly provider: InventoryProvider;
  /** Mount the provider at ./GwMO/DevInventory. */
  mount(): void;
  stop(): void;
}

/** Build the device inventory over the store and the tree (nothing runs until sightings arrive). */
export function createInventory(o: InventoryOptions): InventoryService {
  const now = o.now ?? Date.now;
  const log = o.log;
  const inventory = new Inventory({
    repo: new DevicesRepo(o.store.db),
    log,
    now,
    describe: o.describe ?? ((url) => fetchDescription(url)),
    mac: o.mac ?? arpLookup(),
    debounceMs: o.debounceMs ?? 10_000,
    transaction: (fn) => o.store.transaction(fn),
    ...(o.startGraceMs === undefined ? {} : { startGraceMs: o.startGraceMs }),
    created: (devId) => {
      const path = `${DEVICES_PATH}/${devId}`;
      try {
        o.tree.acls.seed(path, o.settings.get('policy.deviceAcl') || FALLBACK_DEVICE_ACL);
      } catch (err) {
        log.warn({ devId, err: (err as Error).message }, 'inventory: device ACL policy invalid; using the default');
        o.tree.acls.seed(path, FALLBACK_DEVICE_ACL);
      }
    },
    event: (e) => {
      try {
        const accounts = o.store.transaction(() => queueDeviceEvent(e, { accounts: o.accounts, outbox: o.outbox, acls: o.tree.acls, now, log }));
        if (accounts.length > 0) o.onQueued?.(accounts, e);
      } catch (err) {
        log.error({ devId: e.device.devId, err: (err as Error).message }, 'inventory: device event not queued');
      }
    },
  });
  const provider = new InventoryProvider(inventory);
  return {
    inventory,
    provider,
    mount: () => o.tree.mount(INVENTORY_PATH, provider),
    stop: () => inventory.stop(),
  };
}
