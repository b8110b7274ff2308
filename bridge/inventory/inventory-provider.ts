import { Status } from '../core/status.js';
import type { DeviceRow } from '../store/devices-repo.js';
import type { NodeInfo, OpContext, Provider } from '../tree/provider.js';
import type { Awaitable, ExecContext, ExecOutcome, NodeInput, Outcome } from '../tree/types.js';
import { groupId } from './classify.js';

export const DEVICE_TYPE = 'org.dmbridge/1.0/Device';
export const INVENTORY_TYPE = 'org.dmbridge/1.0/DevInventory';
export const DEVICE_LEAVES = ['DeviceID', 'Name', 'Type', 'Manufacturer', 'Model', 'Protocol', 'Address', 'Status', 'LastSeen', 'Adapter'] as const;

/** What the provider reads (the Inventory). */
export interface InventoryView {
  list(): DeviceRow[];
  get(devId: string): DeviceRow | undefined;
}

/**
 * The `MO/` subtree under each device, owned by the adapter host (segments relative to
 * Devices/<DevID>/MO). The inventory only delegates to it.
 */
export interface DeviceMo {
  has(devId: string): boolean;
  node(devId: string, segs: readonly string[]): Awaitable<NodeInfo | undefined>;
  replace(devId: string, segs: readonly string[], input: NodeInput, ctx: OpContext): Awaitable<Outcome>;
  exec(devId: string, segs: readonly string[], data: string | undefined, ctx: ExecContext): Awaitable<ExecOutcome>;
}

const NOT_ALLOWED = { status: Status.COMMAND_NOT_ALLOWED, reason: 'not an adapter node' };

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

  private mo: DeviceMo | undefined;

  constructor(private readonly inv: InventoryView) {}

  /** Delegate Devices/<DevID>/MO/... to the adapter host (undefined: no MO nodes). */
  delegateMo(mo: DeviceMo | undefined): void {
    this.mo = mo;
  }

  /** Devices/<DevID>/MO/... of an attached device: calls reach the device (never inside Atomic). */
  deviceServed(segs: readonly string[]): boolean {
    const [top, id, name] = segs;
    return top === 'Devices' && id !== undefined && name === 'MO' && this.mo?.has(id) === true;
  }

  node(segs: readonly string[]): Awaitable<NodeInfo | undefined> {
    const [top, id, name, ...rest] = segs;
    if (top === undefined) return interior(['Devices', 'Groups'], INVENTORY_TYPE);
    if (top === 'Devices') {
      if (id === undefined) return interior(this.inv.list().map((d) => d.devId));
      const d = this.inv.get(id);
      if (!d) return undefined;
      const mo = this.mo?.has(id) ? this.mo : undefined;
      if (name === undefined) return interior(mo ? [...DEVICE_LEAVES, 'MO'] : DEVICE_LEAVES, DEVICE_TYPE);
      if (name === 'MO' && mo) return mo.node(id, rest);
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

  replace(segs: readonly string[], input: NodeInput, ctx: OpContext): Awaitable<Outcome> {
    const [top, id, name, ...rest] = segs;
    if (top !== 'Devices' || id === undefined || name !== 'MO' || !this.mo?.has(id)) return NOT_ALLOWED;
    return this.mo.replace(id, rest, input, ctx);
  }

  exec(segs: readonly string[], data: string | undefined, ctx: ExecContext): Awaitable<ExecOutcome> {
    const [top, id, name, ...rest] = segs;
    if (top !== 'Devices' || id === undefined || name !== 'MO' || !this.mo?.has(id)) return NOT_ALLOWED;
    return this.mo.exec(id, rest, data, ctx);
  }
}
