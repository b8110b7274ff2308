/**
 * `npm run demo`: a reference DM 1.2 server (an ISP) and a reference DM 2.0 server (a security
 * provider) plus the real bridge process pointed at both, and a short script of what an operator
 * does, printed as it happens. Everything stays on loopback; the demo's bridge runs with discovery
 * off (on shared machines still prefer a network namespace).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addNode, add, get, replace, setAcl } from './dm12-script.js';
import { Dm12Server } from './dm12-server.js';
import { Dm2Server } from './dm2-server.js';
import { freePort, waitFor } from '../integration/util.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const say = (s: string) => console.log(`\n\u001b[1m> ${s}\u001b[0m`);
const show = (v: unknown) => console.log(JSON.stringify(v, null, 2));

const dir = mkdtempSync(join(tmpdir(), 'dmb-demo-'));
const isp = new Dm12Server({ serverId: 'dm.isp.demo', clientName: 'gw-0001', clientSecret: 'demo-client-secret', authType: 'DIGEST', serverSecret: 'demo-server-secret' });
const uri = await isp.start();
const sec = new Dm2Server({ serverId: 'dm2.sec.demo', auth: { type: 'DIGEST', username: 'gw-0001', password: 'demo-dm2-secret' } });
const uri2 = await sec.start();
const port = await freePort();
const cfg = join(dir, 'config.json');
writeFileSync(cfg, JSON.stringify({
  device: { devId: 'urn:dev:mac:0242ac110002', man: 'Acme', mod: 'HG-1', lang: 'en-US' },
  store: { path: join(dir, 'bridge.db') },
  api: { host: '127.0.0.1', port, token: null },
  log: { level: 'warn' },
  discovery: { mdns: false, ssdp: false },
  authorities: [{ account: 'isp', serverId: 'dm.isp.demo', protocol: 'dm1.2', serverUri: uri, bootstrap: true,
    auth: { type: 'DIGEST', clientName: 'gw-0001', clientSecret: 'demo-client-secret', serverSecret: 'demo-server-secret' } },
  { account: 'sec', serverId: 'dm2.sec.demo', protocol: 'dm2.0', serverUri: uri2,
    auth: { type: 'HTTP-DIGEST', clientName: 'gw-0001', clientSecret: 'demo-dm2-secret' } }],
}));
say(`reference DM 1.2 server (ISP "dm.isp.demo") listening at ${uri}`);
isp.queue([get('./DevInfo/DevId', './DevInfo/Man', './DevInfo/Mod', './DevDetail/SwV'), get('./DMAcc/isp/AppAddr/1/Addr')]);
say(`reference DM 2.0 server (security provider "dm2.sec.demo") listening at ${uri2}`);
sec.queue([{ id: 1, cmd: 'GET', uri: './DevInfo/DevId' }, { id: 2, cmd: 'SUB', uri: './Bridge/Log', events: ['changed'] }]);

say(`starting the bridge: dm-bridge start --config ${cfg}`);
const bridge = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bridge/main.ts'), 'start', '--config', cfg], { stdio: ['ignore', 'inherit', 'inherit'] });
const api = async (path: string, method = 'GET') => (await fetch(`http://127.0.0.1:${port}${path}`, { method })).json();
const stop = async (code: number) => {
  bridge.kill('SIGTERM');
  await isp.stop();
  await sec.stop();
  rmSync(dir, { recursive: true, force: true });
  process.exit(code);
};

try {
  await isp.waitForSessions(1, 20_000);
  const s1 = isp.sessions[0]!;
  say('boot session: the bridge called the ISP (Alert 1201, DevInfo in Package #1, MD5 auth); the ISP read:');
  show(Object.fromEntries(s1.results.flatMap((r) => r.items).map((i) => [i.source?.locUri, i.data])));
  await waitFor(() => sec.sessions.some((x) => x.ended), 20_000, 'the DM 2.0 boot session', 50);
  say('boot session of the DM 2.0 authority (JSON over HTTP Digest): it read DevId and subscribed to ./Bridge/Log; results:');
  show(sec.sessions[0]!.results);
  say('operator: GET /api/v1/authorities');
  show(await api('/api/v1/authorities'));

  say('ISP: set up its own subtree and change a bridge setting (./Bridge/Log/Level := debug) in the next session');
  isp.queue([addNode('./ISP'), add('./ISP/WifiChannel', '6', { format: 'int' }), setAcl('./ISP', 'Get=dm.isp.demo&Replace=dm.isp.demo&Add=dm.isp.demo&Delete=dm.isp.demo'), replace('./Bridge/Log/Level', 'debug')]);
  say('operator: dm-bridge session isp --wait  (POST /api/v1/authorities/isp/session?wait=true)');
  show(await api('/api/v1/authorities/isp/session?wait=true', 'POST'));
  console.log('statuses the ISP got back:', isp.sessions[1]!.statuses.map((s) => `${s.cmd} ${s.code}`).join(', '));

  say('the ISP changed ./Bridge/Log/Level: the security provider subscribed to it, so the bridge queued an alert and opened a DM 2.0 session on its own');
  sec.queue([{ id: 1, cmd: 'GET', uri: './ISP/WifiChannel' }, { id: 2, cmd: 'HPUT', uri: './DevInfo', href: sec.href('inventory/devinfo.json') }]);
  await waitFor(() => sec.sessions.filter((x) => x.ended).length >= 2, 20_000, 'the DM 2.0 alert session', 50);
  const s2 = sec.sessions.filter((x) => x.ended)[1]!;
  console.log('alerts in package #1:', JSON.stringify(s2.alerts));
  console.log('GET ./ISP/WifiChannel (the ISP\'s node, not granted to this authority) and HPUT ./DevInfo to the Data Repository:', JSON.stringify(s2.results));
  console.log('the Data Repository received:', sec.drRequests.map((r) => `${r.method} ${r.path} ${r.body.toString()}`).join('\n'));

  say('operator: GET /api/v1/devices   (discovery is off in the demo: no LAN devices)');
  show(await api('/api/v1/devices'));
  say('operator: dm-bridge tree get ./ISP/WifiChannel   (the local operator sees everything)');
  show(await api('/api/v1/tree?uri=./ISP/WifiChannel'));
  say('operator: dm-bridge tree get ./ISP/WifiChannel --as dm.sec.other   (another authority: ACL says no)');
  show(await api('/api/v1/tree?uri=./ISP/WifiChannel&as=dm.sec.other'));
  say('operator: dm-bridge tree get ./Bridge/Log/Level');
  show(await api('/api/v1/tree?uri=./Bridge/Log/Level'));
  say('done: stopping the bridge (SIGTERM) and the server');
  await stop(0);
} catch (err) {
  console.error('demo failed:', err);
  await stop(1);
}
