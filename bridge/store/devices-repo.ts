import type { Db } from './db.js';

/** One service a device offers (mDNS service instance or UPnP service). */
export interface DeviceService {
  protocol: 'mdns' | 'upnp';
  /** mDNS service type ("_ipp._tcp") or UPnP serviceType URN. */
  type: string;
  /** UPnP serviceId / mDNS instance name. */
  id: string;
  port?: number;
  /** UPnP control URL (absolute) or mDNS host. */
  url?: string;
  /** mDNS: the TXT keys adapters use (inventory TXT_KEYS), when any were seen. */
  txt?: Record<string, string>;
}

export interface DeviceRow {
  devId: string;
  name: string;
  type: string;
  manufacturer: string;
  model: string;
  protocols: string[];
  address: string;
  status: 'online' | 'offline';
  /** epoch ms */
  lastSeen: number;
  adapter: string;
  services: DeviceService[];
  /** What was last announced to authorities ("" = never): status + field digest. */
  announced: string;
  createdAt: number;
}

interface Raw extends Omit<DeviceRow, 'protocols' | 'services'> {
  protocols: string;
  services: string;
}

function parseList<T>(text: string): T[] {
  try {
    const v = JSON.parse(text) as unknown;
    return Array.isArray(v) ? (v as T[]) : [];
  } catch {
    return [];
  }
}

const fromRaw = (r: Raw): DeviceRow => ({ ...r, protocols: parseList<string>(r.protocols), services: parseList<DeviceService>(r.services) });

/** Discovered devices and the identity keys (UPnP uuid, mDNS host, MAC) that map to each. */
export class DevicesRepo {
  private readonly sAll;
  private readonly sUpsert;
  private readonly sKeys;
  private readonly sAddKey;
  private readonly sOffline;
  private readonly sDelete;

  constructor(db: Db) {
    const cols = `dev_id AS devId, name, type, manufacturer, model, protocols, address, status, last_seen AS lastSeen,
      adapter, services, announced, created_at AS createdAt`;
    this.sAll = db.prepare<[], Raw>(`SELECT ${cols} FROM devices ORDER BY dev_id`);
    this.sUpsert = db.prepare<Raw>(
      `INSERT INTO devices (dev_id, name, type, manufacturer, model, protocols, address, status, last_seen, adapter, services, announced, created_at)
       VALUES (@devId, @name, @type, @manufacturer, @model, @protocols, @address, @status, @lastSeen, @adapter, @services, @announced, @createdAt)
       ON CONFLICT(dev_id) DO UPDATE SET name = excluded.name, type = excluded.type, manufacturer = excluded.manufacturer,
         model = excluded.model, protocols = excluded.protocols, address = excluded.address, status = excluded.status,
         last_seen = excluded.last_seen, adapter = excluded.adapter, services = excluded.services, announced = excluded.announced`,
    );
    this.sKeys = db.prepare<[], { key: string; devId: string }>('SELECT key, dev_id AS devId FROM device_keys');
    this.sAddKey = db.prepare<[string, string]>('INSERT OR IGNORE INTO device_keys (key, dev_id) VALUES (?, ?)');
    this.sOffline = db.prepare("UPDATE devices SET status = 'offline' WHERE status = 'online'");
    this.sDelete = db.prepare<[string]>('DELETE FROM devices WHERE dev_id = ?');
  }

  all(): DeviceRow[] {
    return this.sAll.all().map(fromRaw);
  }

  save(d: DeviceRow): void {
    this.sUpsert.run({ ...d, protocols: JSON.stringify(d.protocols), services: JSON.stringify(d.services) });
  }

  keys(): Map<string, string> {
    return new Map(this.sKeys.all().map((r) => [r.key, r.devId]));
  }

  addKey(key: string, devId: string): void {
    this.sAddKey.run(key, devId);
  }

  /** At start nothing has been seen yet: every device is offline until rediscovered. */
  markAllOffline(): number {
    return this.sOffline.run().changes;
  }

  delete(devId: string): void {
    this.sDelete.run(devId);
  }
}
