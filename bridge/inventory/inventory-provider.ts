import type { DeviceRow } from '../store/devices-repo.js';
import type { NodeInfo, Provider } from '../tree/provider.js';
import { groupId } from './classify.js';

export const DEVICE_TYPE = 'org.dmbridge/1.0/Device';
export const INVENTORY_TYPE = 'org.dmbridge/1.0/DevInventory';
export const DEVICE_LEAVES = ['DeviceID', 'Name', 'Type', 'Manufacturer', 'Model', 'Protocol', 'Address', 'Status', 'LastSeen', 'Adapter'] as const;

/** What the provider reads (the Inventory). */
export interface InventoryView {
  list(): DeviceRow[];
  get(devId: string): DeviceRow | undefined;
}

/** GroupID -> DevIDs: one group per device type and one per protocol (only non-empty groups). */
export function groupsOf(devices: readonly DeviceRow[]): Map<string, string[]> {
  const g = new Map<string, string[]>();
  const add = (id: string, devId: string): void => {
    const list = g.get(id);
    if (list) list.push(devId);
    else g.set(id, [devId]);
  };
  for (const d of devices) {
    if (d.type !== '') add(groupId('type', d.type), d.devId);
    for (const p of d.protocols) add(groupId('protocol', p), d.devId);
  }
  return new Map([...g.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

export function leafValue(d: DeviceRow, leaf: (typeof DEVICE_LEAVES)[number]): string {
  switch (leaf) {
    case 'DeviceID': return d.devId;
    case 'Name': return d.name;
    case 'Type': return d.type;
    case 'Manufacturer': return d.manufacturer;
    case 'Model': return d.model;
    case 'Protocol': return d.protocols.join(',');
    case 'Address': return d.address;
    case 'Status': return d.status;
    case 'LastSeen': return d.lastSeen > 0 ? new Date(d.lastSeen).toISOString() : '';
    case 'Adapter': return d.adapter;
  }
}

const interior = (children: readonly string[], type = ''): NodeInfo => ({ format: 'node', type, permanent: true, access: ['Get'], children });
const leaf = (value: string): NodeInfo => ({ format: 'chr', type: 'text/plain', permanent: true, access: ['Get'], value });

/**
 * ./GwMO/DevInventory (read-only, computed from the inventory):
 * Devices/<DevID>/{DeviceID,Name,Type,Manufacturer,Model,Protocol,Address,Status,LastSeen,Adapter}
 * and Groups/<GroupID>/Members (DevIDs, comma-separated).
 */
export class InventoryProvider implements Provider {
  readonly transactional = true;

  constructor(private readonly inv: InventoryView) {}

  node(segs: readonly string[]): NodeInfo | undefined {
    const [top, id, name, ...rest] = segs;
    if (top === undefined) return interior(['Devices', 'Groups'], INVENTORY_TYPE);
    if (top === 'Devices') {
      if (id === undefined) return interior(this.inv.list().map((d) => d.devId));
      const d = this.inv.get(id);
      if (!d) return undefined;
      if (name === undefined) return interior(DEVICE_LEAVES, DEVICE_TYPE);
      if (rest.length > 0 || !(DEVICE_LEAVES as readonly string[]).includes(name)) return undefined;
      return leaf(leafValue(d, name as (typeof DEVICE_LEAVES)[number]));
    }
    if (top === 'Groups') {
      const groups = groupsOf(this.inv.list());
      if (id === undefined) return interior([...groups.keys()]);
      const members = groups.get(id);
      if (!members) return undefined;
      if (name === undefined) return interior(['Members']);
      if (name !== 'Members' || rest.length > 0) return undefined;
      return leaf(members.join(','));
    }
    return undefined;
  }
}
