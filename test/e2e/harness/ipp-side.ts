// Runs INSIDE the gateway namespace (`ip netns exec NS node --import tsx this.ts N`): the bridge's
// store + tree + mDNS discovery + inventory + adapter host with the IPP and UPnP adapters, wired as
// app.ts wires them, and the reference DM 1.2 server on this namespace's loopback. Once N devices are
// attached to the IPP adapter it runs one real DM 1.2 session that reads each printer's MO/ and Execs
// Identify-Printer, prints one JSON line (statuses, results, the inventory's services), and exits.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ippAdapter } from '../../../adapters/ipp/index.js';
import { upnpAdapter } from '../../../adapters/upnp/index.js';
import { runDm12Session } from '../../../bridge/authority/connection.js';
import { createLogger } from '../../../bridge/core/logger.js';
import { Engine } from '../../../bridge/dm/engine.js';
import { Dm12Server } from '../../peers/dm12-server.js';
import { exec, get } from '../../peers/dm12-script.js';
import { buildGateway } from './gateway.js';

const want = Number(process.argv[2] ?? '1');
const warnings: string[] = [];
const logSink = new Writable({
  write(chunk: Buffer, _enc, cb) {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
      try {
        const o = JSON.parse(line) as { level?: number; msg?: string };
        if (o.level === 40 && o.msg) warnings.push(o.msg);
      } catch { /* not JSON */ }
    }
    process.stderr.write(chunk, () => cb());
  },
});
const log = createLogger({ level: process.env.HARNESS_LOG ?? 'warn', destination: logSink });
const dir = mkdtempSync(join(tmpdir(), 'dmb-e2e-ipp-'));
const server = new Dm12Server({ serverId: 'dm.isp.test', clientName: 'gw', clientSecret: 'cs-secret', authType: 'DIGEST', serverSecret: 'ss-secret' });
const serverUri = await server.start();
const config = {
  device: { devId: 'urn:dev:test', man: 'Test', mod: 'T', lang: 'en-US' },
  discovery: { mdns: true, ssdp: false, ttlSeconds: 60, serviceTypes: ['_ipp._tcp', '_ipps._tcp', '_printer._tcp'] },
  authorities: [{
    account: 'isp', serverId: 'dm.isp.test', protocol: 'dm1.2', serverUri, notifyUri: null, encoding: 'xml',
    auth: { type: 'DIGEST', clientName: 'gw', clientSecret: 'cs-secret', serverSecret: 'ss-secret' }, pollSeconds: 86400,
    tls: { ca: null, pinSha256: null, cert: null, key: null }, bootstrap: false,
  }],
};
const gw = buildGateway({ dir, config, log, adapters: [upnpAdapter, ippAdapter], host: { retryMs: 500 } });
const { bundle, outbox, inv, host } = gw;
await gw.start();

const t0 = Date.now();
const printers = (): string[] => [...host.attached()].filter(([, a]) => a === 'ipp').map(([id]) => id).sort();
await gw.until(() => printers().length >= want, 15_000);
const attachedMs = Date.now() - t0;
// the devices' mDNS services may still be arriving (_ipps after _ipp): let the host settle on its endpoints
await new Promise((r) => setTimeout(r, 1500));

const ids = printers();
const leaves = ['State', 'StateReasons', 'MakeModel', 'Uri'];
server.queue(ids.flatMap((id) => {
  const mo = `./GwMO/DevInventory/Devices/${id}/MO/Printer`;
  return [
    get(`./GwMO/DevInventory/Devices/${id}/Adapter`, ...leaves.map((l) => `${mo}/${l}`)),
    exec(`${mo}/Identify`),
    exec(`${mo}/State`),
    get(`${mo}/NoSuchLeaf`),
  ];
}));
const engine = new Engine({ tree: bundle.tree, log });
const report = await runDm12Session({ engine, accounts: bundle.accounts, outbox, device: config.device, log, timeoutMs: 10_000 }, 'isp', { kind: 'client' });
const rec = server.sessions.at(-1);
const mgmt = rec?.statuses.filter((s) => s.cmd !== 'SyncHdr' && s.cmd !== 'Alert') ?? [];
process.stdout.write(`${JSON.stringify({
  attachedMs,
  devIds: ids,
  outcome: report.outcome,
  reason: report.reason,
  statuses: mgmt.map((s) => `${s.cmd}:${s.code}`),
  results: rec?.results.flatMap((r) => r.items.map((i) => ({ uri: i.source?.locUri, format: i.meta?.format, data: i.data ?? '' }))) ?? [],
  services: Object.fromEntries(ids.map((id) => [id, inv.inventory.get(id)?.services ?? []])),
  children: Object.fromEntries(await Promise.all(ids.map(async (id) => [id, (await bundle.tree.get(`./GwMO/DevInventory/Devices/${id}/MO/Printer`, null)).value?.children] as const))),
  warnings,
})}\n`);

await gw.stop();
await server.stop();
rmSync(dir, { recursive: true, force: true });
process.stdout.write('{"stopped":true}\n');
