import { Status } from '../../core/status.js';
import { parseAcl } from '../acl.js';
import type { BridgeSettings } from '../settings.js';
import type { Outcome } from '../types.js';
import { FixedProvider, type LeafSpec } from './leaf-tree.js';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export const DEFAULT_DEVICE_ACL = 'Get=*&Replace=*&Exec=*';
const SERVICE_TYPE = /^_[A-Za-z0-9-]{1,63}\._(tcp|udp)$/;

type Check = (v: string) => string | undefined; // reason when invalid

const bool: Check = (v) => (v === 'true' || v === 'false' ? undefined : 'expected true or false');
const ttl: Check = (v) => (/^\d{1,7}$/.test(v) && +v >= 10 ? undefined : 'expected an integer >= 10');
const level: Check = (v) => ((LOG_LEVELS as readonly string[]).includes(v) ? undefined : `expected one of ${LOG_LEVELS.join('|')}`);
const serviceTypes: Check = (v) => {
  const list = v.split(',').map((s) => s.trim());
  if (list.length > 64) return 'at most 64 service types';
  const bad = list.find((s) => !SERVICE_TYPE.test(s));
  return bad === undefined ? undefined : `invalid service type "${bad}"`;
};
const acl: Check = (v) => {
  const p = parseAcl(v);
  return p.ok ? undefined : p.reason;
};

/** Settings keys (also the persisted keys) and the ./Bridge leaf that exposes each. */
export const BRIDGE_LEAVES: ReadonlyArray<{ key: string; path: string; format: 'bool' | 'int' | 'chr'; check: Check }> = [
  { key: 'discovery.mdns', path: 'Discovery/MDNS', format: 'bool', check: bool },
  { key: 'discovery.ssdp', path: 'Discovery/SSDP', format: 'bool', check: bool },
  { key: 'discovery.ttlSeconds', path: 'Discovery/TTLSeconds', format: 'int', check: ttl },
  { key: 'discovery.serviceTypes', path: 'Discovery/ServiceTypes', format: 'chr', check: serviceTypes },
  { key: 'log.level', path: 'Log/Level', format: 'chr', check: level },
  { key: 'policy.deviceAcl', path: 'Policy/DeviceACL', format: 'chr', check: acl },
];

function writable(key: string, check: Check, settings: BridgeSettings) {
  return (value: string): Outcome => {
    const reason = check(value);
    if (reason !== undefined) return { status: Status.BAD_REQUEST, reason };
    settings.set(key, value);
    return { status: Status.OK };
  };
}

/** ./Bridge: version, discovery, adapters, log level and device ACL policy. */
export function bridgeProvider(settings: BridgeSettings, version: string, adapters: readonly string[]): FixedProvider {
  const specs: LeafSpec[] = [{ path: 'Version', format: 'chr', get: () => version }];
  for (const l of BRIDGE_LEAVES) {
    specs.push({ path: l.path, format: l.format, get: () => settings.get(l.key), set: writable(l.key, l.check, settings) });
  }
  for (const name of adapters) {
    const key = `adapters.${name}.enabled`;
    specs.push({ path: `Adapters/${name}/Enabled`, format: 'bool', get: () => settings.get(key) || 'true', set: writable(key, bool, settings) });
  }
  return new FixedProvider(specs, 'org.dmbridge/1.0/Bridge');
}
