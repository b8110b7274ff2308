// Runs INSIDE the gateway namespace (`ip netns exec NS node --import tsx this.ts DEVID`): the
// bridge's store + tree + SSDP discovery + inventory + adapter host with the UPnP adapter, wired as
// app.ts wires them. Prints {attachedMs} once the device is attached, then one JSON line per
// `tree.changed` under the device's MO/ with the value the tree then serves; stdin "get URI" prints
// {get: {uri, status, value}}, "stop" stops cleanly ({stopped: true}).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { upnpAdapter } from '../../../adapters/upnp/index.js';
import { createLogger } from '../../../bridge/core/logger.js';
import { buildGateway } from './gateway.js';

const devId = process.argv[2]!;
const log = createLogger({ level: process.env.HARNESS_LOG ?? 'warn', destination: process.stderr });
const dir = mkdtempSync(join(tmpdir(), 'dmb-e2e-gena-'));
const say = (o: unknown): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
const config = {
  device: { devId: 'urn:dev:test', man: 'Test', mod: 'T', lang: 'en-US' },
  discovery: { mdns: false, ssdp: true, ttlSeconds: 60, serviceTypes: ['_http._tcp'] },
  authorities: [],
};
const gw = buildGateway({ dir, config, log, adapters: [upnpAdapter] });
const { bundle, host } = gw;
const read = async (uri: string): Promise<{ uri: string; status: number; value?: string }> => {
  try {
    const r = await bundle.tree.get(uri, null);
    return { uri, status: r.status, ...(r.value?.value === undefined ? {} : { value: r.value.value }) };
  } catch (err) {
    return { uri, status: (err as { status?: number }).status ?? 500 };
  }
};
bundle.events.on('tree.changed', ({ uri }) => {
  if (uri.includes(`/${devId}/MO/`)) void read(uri).then((r) => say({ changed: r, at: Date.now() }));
});
await gw.start();

const t0 = Date.now();
await gw.until(() => host.attached().has(devId), 15_000);
say({ attachedMs: host.attached().has(devId) ? Date.now() - t0 : -1 });
for await (const line of createInterface({ input: process.stdin })) {
  if (line.startsWith('get ')) say({ get: await read(line.slice(4)) });
  if (line === 'stop') break;
}
await gw.stop();
rmSync(dir, { recursive: true, force: true });
say({ stopped: true });
