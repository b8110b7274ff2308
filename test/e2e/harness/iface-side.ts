// Runs INSIDE a namespace (`ip netns exec NS node --import tsx this.ts`): discovery alone (mDNS +
// SSDP on every interface, interface check every 300 ms); prints discovery.status() as a JSON line
// every 200 ms until killed. Used to show that interface trouble never kills the process.
import { createLogger } from '../../../bridge/core/logger.js';
import { createDiscovery } from '../../../bridge/discovery/index.js';

const log = createLogger({ level: process.env.HARNESS_LOG ?? 'warn', destination: process.stderr });
const discovery = createDiscovery(
  { mdns: true, ssdp: true, interfaces: [], ttlSeconds: 60, serviceTypes: ['_ipp._tcp'] },
  { log, interfaceCheckMs: 300, searchEveryMs: 1000 },
);
await discovery.start();
setInterval(() => process.stdout.write(`${JSON.stringify(discovery.status())}\n`), 200);
