import type { BridgeEvents, TypedEmitter } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { AccountsRepo } from '../store/accounts-repo.js';
import type { Store } from '../store/db.js';
import { DevicesRepo } from '../store/devices-repo.js';
import type { OutboxRepo } from '../store/outbox-repo.js';
import type { Tree } from '../tree/tree.js';
import { DEVICES_PATH, queueDeviceEvent } from './alerts.js';
import { fetchDescription, type DescriptionResult } from './description.js';
import type { CapacityOptions } from './capacity.js';
import type { DeviceEvent, DeviceEventKind } from './device-events.js';
import { arpLookup } from './devid.js';
import type { EventBudgetOptions } from './event-budget.js';
import { Inventory } from './inventory.js';
import { InventoryProvider } from './inventory-provider.js';

export { Inventory, type SightingInput } from './inventory.js';
export type { DeviceEvent } from './device-events.js';

export { MAX_DEVICES, FORGET_OFFLINE_AFTER_MS } from './capacity.js';
export { DEVICE_EVENT_BURST, DEVICE_EVENTS_PER_MINUTE } from './event-budget.js';

export const INVENTORY_PATH = './GwMO/DevInventory';
const FALLBACK_DEVICE_ACL = 'Get=*&Replace=*&Exec=*';
/** The tree change a device event stands for (DM 2.0 SUB: joined / changed / left). */
const OP_OF: Record<DeviceEventKind, 'Add' | 'Replace' | 'Delete'> = { joined: 'Add', changed: 'Replace', left: 'Delete' };

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
  /**
   * The bridge's events: each device event is also emitted as `tree.changed` on its device node
   * (with `alerted`), so that DM 2.0 SUBs see joined/changed/left. Without it, SUBs see none.
   */
  events?: TypedEmitter<BridgeEvents>;
  /** Size cap and forgetting of long-offline devices (defaults: capacity.ts). */
  capacity?: CapacityOptions;
  /** Device event rate limit (defaults: event-budget.ts). */
  eventBudget?: EventBudgetOptions;
  /** Description fetches kept waiting behind the 16 running (default LIMITER_MAX_QUEUE). */
  describeQueue?: number;
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
    ...(o.capacity === undefined ? {} : { capacity: o.capacity }),
    ...(o.eventBudget === undefined ? {} : { eventBudget: o.eventBudget }),
    ...(o.describeQueue === undefined ? {} : { describeQueue: o.describeQueue }),
    forgotten: (devId) => o.tree.acls.deleteSubtree(`${DEVICES_PATH}/${devId}`),
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
      let accounts: string[] = [];
      try {
        accounts = o.store.transaction(() => queueDeviceEvent(e, { accounts: o.accounts, outbox: o.outbox, acls: o.tree.acls, now, log }));
        if (accounts.length > 0) o.onQueued?.(accounts, e);
      } catch (err) {
        log.error({ devId: e.device.devId, err: (err as Error).message }, 'inventory: device event not queued');
      }
      // the SUB rule (dm2-subscriptions) adds subscribers, skipping the accounts alerted above
      try {
        o.events?.emit('tree.changed', { uri: `${DEVICES_PATH}/${e.device.devId}`, op: OP_OF[e.kind], by: null, alerted: accounts });
      } catch (err) {
        log.error({ devId: e.device.devId, err: (err as Error).message }, 'inventory: device change listener failed');
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
