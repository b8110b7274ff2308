import { arch, release } from 'node:os';
import type { UriLimits } from '../uri.js';
import { FixedProvider, type LeafSpec } from './leaf-tree.js';

export interface DeviceIdentity {
  devId: string;
  man: string;
  mod: string;
  lang: string;
}

export const DEVINFO_URN = 'urn:oma:mo:oma-dm-devinfo:1.0';
export const DEVDETAIL_URN = 'urn:oma:mo:oma-dm-devdetail:1.0';
/** The DM protocol version the client speaks (./DevInfo/DmV). */
export const DM_VERSION = '1.2';

const ro = (path: string, get: () => string, format: LeafSpec['format'] = 'chr'): LeafSpec => ({ path, format, get });

/** ./DevInfo: identity from the config (PROTOCOL.md §2.11). */
export function devInfoProvider(device: DeviceIdentity): FixedProvider {
  return new FixedProvider(
    [
      ro('DevId', () => device.devId),
      ro('Man', () => device.man),
      ro('Mod', () => device.mod),
      ro('DmV', () => DM_VERSION),
      ro('Lang', () => device.lang),
    ],
    DEVINFO_URN,
  );
}

/** ./DevDetail: from the config and the running system. */
export function devDetailProvider(device: DeviceIdentity, version: string, limits: UriLimits): FixedProvider {
  return new FixedProvider(
    [
      ro('DevTyp', () => 'gateway'),
      ro('OEM', () => device.man),
      ro('FwV', () => `${process.platform}-${release()}`),
      ro('SwV', () => `dm-bridge/${version} node/${process.versions.node}`),
      ro('HwV', () => arch()),
      ro('LrgObj', () => 'true', 'bool'),
      ro('URI/MaxDepth', () => String(limits.maxDepth), 'int'),
      ro('URI/MaxTotLen', () => String(limits.maxTotLen), 'int'),
      ro('URI/MaxSegLen', () => String(limits.maxSegLen), 'int'),
    ],
    DEVDETAIL_URN,
  );
}

/** The DevInfo leaves a Package #1 carries, by name. */
export function devInfoValues(device: DeviceIdentity): Record<'DevId' | 'Man' | 'Mod' | 'DmV' | 'Lang', string> {
  return { DevId: device.devId, Man: device.man, Mod: device.mod, DmV: DM_VERSION, Lang: device.lang };
}
