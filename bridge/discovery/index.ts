export { createDiscovery, type Discovery, type DiscoveryDeps } from './discovery.js';
export { MulticastHealth } from './health.js';
export { readDiscoverySettings, watchDiscoverySettings } from './live-settings.js';
export { formatSelftest, runSelftest, type SelftestResult } from './selftest.js';
export type * from './types.js';
