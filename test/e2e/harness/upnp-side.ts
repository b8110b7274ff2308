// Runs INSIDE the gateway namespace (`ip netns exec NS node --import tsx this.ts DEVID`): the
// bridge's store + tree + SSDP discovery + inventory + adapter host with the UPnP adapter, wired as
// app.ts wires them, and the reference DM 1.2 server on this namespace's loopback. Once the device
// is attached it runs one real DM 1.2 session whose server commands read and drive the device's
// MO/, prints one JSON line with the statuses and results, and exits.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { upnpAdapter } from '../../../adapters/upnp/index.js';
import { runDm12Session } from '../../../bridge/authority/connection.js';
import { createLogger } from '../../../bridge/core/logger.js';
import { Engine } from '../../../bridge/dm/engine.js';
import { Dm12Server } from '../../peers/dm12-server.js';
import { exec, get, replace } from '../../peers/dm12-script.js';
import { buildGateway } from './gateway.js';

const devId = process.argv[2]!;
const log = createLogger({ level: process.env.HARNESS_LOG ?? 'warn', destination: process.stderr });
const dir = mkdtempSync(join(tmpdir(), 'dmb-e2e-upnp-'));
const server = new Dm12Server({ serverId: 'dm.isp.test', clientName: 'gw', clientSecret: 'cs-secret', authType: 'DIGEST', serverSecret: 'ss-secret' });
const serverUri = await server.start();
const config = {
  device: { devId: 'urn:dev:test', man: 'Test', mod: 'T', lang: 'en-US' },
  discovery: { mdns: false, ssdp: true, ttlSeconds: 60, serviceTypes: ['_http._tcp'] },
  authorities: [{
    account: 'isp', serverId: 'dm.isp.test', protocol: 'dm1.2', serverUri, notifyUri: null, encoding: 'xml',
    auth: { type: 'DIGEST', clientName: 'gw', clientSecret: 'cs-secret', serverSecret: 'ss-secret' }, pollSeconds: 86400,
    tls: { ca: null, pinSha256: null, cert: null, key: null }, bootstrap: false,
  }],
};
const gw = buildGateway({ dir, config, log, adapters: [upnpAdapter] });
const { bundle, outbox } = gw;
const changed: string[] = [];
bundle.events.on('tree.changed', ({ uri }) => changed.push(uri));
await gw.start();

const t0 = Date.now();
await gw.until(() => gw.host.attached().has(devId), 15_000);
const attachedMs = Date.now() - t0;

const mo = `./GwMO/DevInventory/Devices/${devId}/MO/Services/ContentDirectory`;
const browse = `${mo}/Actions/Browse`;
const browseIn: Array<[string, string]> = [
  ['ObjectID', '0'], ['BrowseFlag', 'BrowseDirectChildren'], ['Filter', '*'], ['StartingIndex', '0'], ['RequestedCount', '10'], ['SortCriteria', ''],
];
server.queue([
  get(`./GwMO/DevInventory/Devices/${devId}/Adapter`, `${mo}/State/SystemUpdateID`),
  exec(`${mo}/Actions/GetSystemUpdateID/Exec`),
  get(`${mo}/Actions/GetSystemUpdateID/Out/Id`),
  ...browseIn.map(([n, v]) => replace(`${browse}/In/${n}`, v)),
  exec(`${browse}/Exec`),
  get(`${browse}/Out/Result`, `${browse}/Out/NumberReturned`, `${browse}/Out/TotalMatches`),
  replace(`${browse}/In/BrowseFlag`, 'NoSuchFlag'),
  exec(`${mo}/Actions/X_NoSuchAction/Exec`),
]);
const engine = new Engine({ tree: bundle.tree, log });
const report = await runDm12Session({ engine, accounts: bundle.accounts, outbox, device: config.device, log, timeoutMs: 10_000 }, 'isp', { kind: 'client' });
const rec = server.sessions.at(-1);
const mgmt = rec?.statuses.filter((s) => s.cmd !== 'SyncHdr' && s.cmd !== 'Alert') ?? [];
process.stdout.write(`${JSON.stringify({
  attachedMs,
  outcome: report.outcome,
  reason: report.reason,
  statuses: mgmt.map((s) => `${s.cmd}:${s.code}`),
  results: rec?.results.flatMap((r) => r.items.map((i) => ({ uri: i.source?.locUri, format: i.meta?.format, data: i.data ?? '' }))) ?? [],
  changed: [...new Set(changed.filter((u) => u.includes('/MO/')))],
  children: (await bundle.tree.get(`${mo}`, null)).value?.children,
})}\n`);

await gw.stop();
await server.stop();
rmSync(dir, { recursive: true, force: true });
process.stdout.write('{"stopped":true}\n');
