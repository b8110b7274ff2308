import type { Logger } from '../core/logger.js';
import type { DeviceRow } from '../store/devices-repo.js';

/** Devices the inventory keeps (a spoofed SSDP/mDNS flood cannot grow memory and the DB beyond it). */
export const MAX_DEVICES = 4096;
/** When full, a device offline (not seen) for longer than this may be forgotten to make room. */
export const FORGET_OFFLINE_AFTER_MS = 7 * 86_400_000;
/** Identity keys (UPnP uuids, mDNS hosts, MACs) kept per device. */
export const MAX_KEYS_PER_DEVICE = 32;
/** At most one "inventory full" warning per this period (with the count refused meanwhile). */
const WARN_EVERY_MS = 60_000;
/** After a scan found nothing to forget, new identities are refused without rescanning for this long. */
const RESCAN_MS = 60_000;

export interface CapacityOptions {
  maxDevices?: number;
  forgetAfterMs?: number;
}

export type Admission = { ok: true; evict?: string } | { ok: false };

/**
 * Decides whether a new device identity may be created. Below the cap: yes. At the cap: the device
 * not seen for the longest time, offline and unseen for more than `forgetAfterMs`, is forgotten to
 * make room; without one the identity is refused (warning at most once a minute).
 */
export class DeviceCapacity {
  readonly max: number;
  private readonly forgetAfterMs: number;
  private noRoomUntil = 0;
  private warnedAt = Number.NEGATIVE_INFINITY;
  private refused = 0;

  constructor(
    o: CapacityOptions,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {
    this.max = Math.max(1, o.maxDevices ?? MAX_DEVICES);
    this.forgetAfterMs = o.forgetAfterMs ?? FORGET_OFFLINE_AFTER_MS;
  }

  admit(devices: ReadonlyMap<string, DeviceRow>, live: (devId: string) => boolean): Admission {
    if (devices.size < this.max) return { ok: true };
    const now = this.now();
    if (now >= this.noRoomUntil) {
      let victim: DeviceRow | undefined;
      for (const d of devices.values()) {
        if (d.status !== 'offline' || now - d.lastSeen <= this.forgetAfterMs || live(d.devId)) continue;
        if (!victim || d.lastSeen < victim.lastSeen) victim = d;
      }
      if (victim) return { ok: true, evict: victim.devId };
      this.noRoomUntil = now + RESCAN_MS;
    }
    this.refused++;
    if (now - this.warnedAt >= WARN_EVERY_MS) {
      this.warnedAt = now;
      this.log.warn({ max: this.max, refused: this.refused }, 'inventory full: new devices refused (none offline long enough to forget)');
      this.refused = 0;
    }
    return { ok: false };
  }
}
