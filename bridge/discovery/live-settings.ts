import type { BridgeEvents, TypedEmitter } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { Discovery } from './discovery.js';
import type { DiscoverySettings } from './types.js';

/** Anything that reads a ./Bridge setting by key (structurally the tree's BridgeSettings). */
export interface SettingsReader {
  get(key: string): string;
}

/** The discovery settings as ./Bridge/Discovery/* currently says. */
export function readDiscoverySettings(s: SettingsReader): Partial<DiscoverySettings> {
  const out: Partial<DiscoverySettings> = {};
  const mdns = s.get('discovery.mdns');
  const ssdp = s.get('discovery.ssdp');
  const ttl = Number(s.get('discovery.ttlSeconds'));
  const types = s.get('discovery.serviceTypes');
  if (mdns === 'true' || mdns === 'false') out.mdns = mdns === 'true';
  if (ssdp === 'true' || ssdp === 'false') out.ssdp = ssdp === 'true';
  if (Number.isInteger(ttl) && ttl > 0) out.ttlSeconds = ttl;
  if (types !== '') out.serviceTypes = types.split(',').map((t) => t.trim()).filter((t) => t !== '');
  return out;
}

/** Apply ./Bridge/Discovery/* changes live; returns the unsubscribe function. */
export function watchDiscoverySettings(
  events: TypedEmitter<BridgeEvents>,
  settings: SettingsReader,
  discovery: Discovery,
  log: Logger,
): () => void {
  let chain = Promise.resolve();
  return events.on('settings.changed', ({ key }) => {
    if (!key.startsWith('discovery.')) return;
    chain = chain
      .then(() => discovery.apply(readDiscoverySettings(settings)))
      .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'discovery: settings not applied'));
  });
}
