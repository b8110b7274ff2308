import type { Logger } from '../core/logger.js';
import type { DevicesRepo } from '../store/devices-repo.js';
import type { CapacityOptions } from './capacity.js';
import type { DescriptionResult } from './description.js';
import type { DeviceEvent } from './device-events.js';
import type { EventBudgetOptions } from './event-budget.js';

/** A discovery sighting (structurally bridge/discovery's Sighting; inventory does not import discovery). */
export interface SightingInput {
  source: 'mdns' | 'ssdp';
  key: string;
  address: string;
  seenAt: number;
  mdns?: { instance: string; serviceType: string; host: string; port: number; txt: Record<string, string> };
  ssdp?: { uuid: string; location: string; server: string };
}

export interface InventoryDeps {
  repo: DevicesRepo;
  log: Logger;
  now: () => number;
  /** Fetch + parse a UPnP description (bounded in time and size). */
  describe: (url: string) => Promise<DescriptionResult>;
  /** MAC for an IPv4 from the neighbour table. */
  mac: (address: string) => string | undefined;
  /** Called once for a device node that did not exist before (ACL from the policy). */
  created: (devId: string) => void;
  /** Called once a long-offline device was forgotten to make room (drop its node's ACL). */
  forgotten?: (devId: string) => void;
  /** A debounced device event (joined/left/changed). */
  event: (e: DeviceEvent) => void;
  debounceMs: number;
  /** Persist a LastSeen-only change at most this often per device. */
  lastSeenWriteMs?: number;
  /** After a restart, devices announced online get this long to reappear before "left". */
  startGraceMs?: number;
  /** Run writes in one transaction (store.transaction); without it each write commits alone. */
  transaction?: (fn: () => void) => void;
  /** Size cap (default MAX_DEVICES) and when a long-offline device may be forgotten (capacity.ts). */
  capacity?: CapacityOptions;
  /** Rate limit of device events (event-budget.ts). */
  eventBudget?: EventBudgetOptions;
  /** Description fetches waiting beyond the 16 running (default LIMITER_MAX_QUEUE). */
  describeQueue?: number;
}
