import type { Logger } from '../core/logger.js';
import type { AccountsRepo } from '../store/accounts-repo.js';
import type { OutboxRepo } from '../store/outbox-repo.js';
import type { DeviceEvent } from './device-events.js';

export const DEVICE_EVENT_TYPES = {
  joined: 'org.dmbridge.device.joined',
  left: 'org.dmbridge.device.left',
  changed: 'org.dmbridge.device.changed',
} as const;

export const DEVICES_PATH = './GwMO/DevInventory/Devices';

/** Who may read a node (structurally the tree's AclTable). */
export interface AclReader {
  allows(path: string, right: 'Get', principal: string): boolean;
}

/**
 * The Generic Alert (1226) for a device event, in the outbox's payload form (the session's
 * AlertDraft): Source = the device node, Meta/Type = the event type, Data = the device as JSON.
 */
export function deviceAlert(e: DeviceEvent): object {
  const d = e.device;
  const data = JSON.stringify({
    devId: d.devId, name: d.name, type: d.type, manufacturer: d.manufacturer, model: d.model,
    protocols: d.protocols, address: d.address, status: d.status, lastSeen: new Date(d.lastSeen).toISOString(),
  });
  return {
    cmd: 'Alert',
    data: '1226',
    items: [{ source: { locUri: `${DEVICES_PATH}/${d.devId}` }, meta: { type: DEVICE_EVENT_TYPES[e.kind], format: 'chr', mark: 'informational' }, data }],
  };
}

/**
 * Queue a device event durably for every authority whose ServerID may Get the device node and
 * whose ./DMAcc/<x>/Ext/Bridge/DeviceEvents is not false. Returns the accounts it was queued for.
 */
export function queueDeviceEvent(
  e: DeviceEvent,
  deps: { accounts: AccountsRepo; outbox: OutboxRepo; acls: AclReader; now: () => number; log: Logger },
): string[] {
  const path = `${DEVICES_PATH}/${e.device.devId}`;
  const payload = JSON.stringify(deviceAlert(e));
  const queued: string[] = [];
  for (const row of deps.accounts.all()) {
    let wants = true;
    try {
      wants = (JSON.parse(row.data) as { deviceEvents?: unknown }).deviceEvents !== false;
    } catch {
      wants = true;
    }
    if (!wants || !deps.acls.allows(path, 'Get', row.serverId)) continue;
    deps.outbox.add(row.account, payload, deps.now());
    queued.push(row.account);
  }
  deps.log.info({ devId: e.device.devId, event: e.kind, accounts: queued }, 'device event');
  return queued;
}
