// `dm-bridge status` against a real app (discovery off) and against a port where nothing listens.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Command } from 'commander';
import { createApp, type App } from '../../bridge/app.js';
import { registerDeviceCommands } from '../../bridge/cli-devices.js';
import { registerStatusCommand, type StatusSnapshot } from '../../bridge/cli-status.js';
import { parseConfig } from '../../bridge/config.js';
import { silentLogger } from '../../bridge/core/logger.js';
import { freePort } from './util.js';

const dir = mkdtempSync(join(tmpdir(), 'dmb-cli-status-'));
const TOKEN = 'cli-status-token-91c3';

class Failed extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}


async function status(args: string[]): Promise<string> {
  let text = '';
  const program = new Command('dm-bridge').exitOverride();
  registerStatusCommand(program, (t) => (text += t), (m, code) => new Failed(m, code));
  await program.parseAsync(['status', ...args], { from: 'user' });
  return text;
}

async function devices(args: string[]): Promise<string> {
  let text = '';
  const program = new Command('dm-bridge').exitOverride();
  registerDeviceCommands(program, (t) => (text += t), (m, code) => new Failed(m, code));
  await program.parseAsync(['devices', ...args], { from: 'user' });
  return text;
}

function configFile(name: string, port: number, token: string | null): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify({ api: { host: '127.0.0.1', port, token } }));
  return p;
}

describe('dm-bridge status', () => {
  let app: App;
  let cfg = '';
  before(async () => {
    const port = await freePort();
    app = createApp(parseConfig({
      store: { path: join(dir, 'bridge.db') }, api: { host: '127.0.0.1', port, token: TOKEN }, log: { level: 'silent' },
      discovery: { mdns: false, ssdp: false },
      authorities: [
        { account: 'isp', serverId: 'dm.isp.example', protocol: 'dm1.2', serverUri: 'http://127.0.0.1:9/dm', auth: { type: 'DIGEST', clientName: 'gw', clientSecret: 's-isp' } },
        { account: 'sec', serverId: 'dm.sec.example', protocol: 'dm2.0', serverUri: 'http://127.0.0.1:9/dm2', auth: { type: 'HTTP-DIGEST', clientName: 'gw', clientSecret: 's-sec' } },
      ],
    }), { log: silentLogger() });
    await app.start();
    await app.authorities.stop();
    for (const [i, name] of ['Printer A', 'Printer B', 'Speaker'].entries()) {
      app.inventory.inventory.sighted({
        source: 'mdns', key: `${name}._ipp._tcp.local`, address: `10.0.0.${i + 5}`, seenAt: Date.now(),
        mdns: { instance: name, serviceType: '_ipp._tcp', host: `host-${i}.local`, port: 631, txt: {} },
      });
    }
    cfg = configFile('ok.json', port, TOKEN);
  });
  after(async () => {
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('prints the authorities and device counts', async () => {
    const text = await status(['--config', cfg]);
    assert.match(text, /^bridge at http:\/\/127\.0\.0\.1:\d+: running, 2 authorities, 3 devices$/m);
    assert.match(text, /^ACCOUNT +SERVER ID +PROTOCOL +STATE +NOTIFY +LAST SESSION +QUEUED$/m);
    assert.match(text, /^isp +dm\.isp\.example +dm1\.2 +idle /m);
    assert.match(text, /^sec +dm\.sec\.example +dm2\.0 +idle /m);
    assert.match(text, /^devices: 3 \(3 online, 0 offline\); mdns 3$/m);
  });

  test('--json prints the snapshot', async () => {
    const snap = JSON.parse(await status(['--config', cfg, '--json'])) as StatusSnapshot;
    assert.deepEqual(snap.authorities.map((a) => a.account).sort(), ['isp', 'sec']);
    assert.deepEqual(snap.devices, { total: 3, online: 3, offline: 0, byProtocol: { mdns: 3 } });
  });

  test('a wrong token is one clear line', async () => {
    const file = configFile('bad-token.json', app.apiAddress().port, 'wrong');
    await assert.rejects(status(['--config', file]), (err: Failed) => {
      assert.equal(err.exitCode, 1);
      assert.match(err.message, /invalid bearer token \(HTTP 401 UNAUTHORIZED\)/);
      return true;
    });
  });

  test('dm-bridge devices: the table, --json, a wrong token and no bridge as one line (exit 1)', async () => {
    const text = await devices(['--config', cfg]);
    assert.match(text, /^DEVID +STATUS +ADDRESS/);
    assert.equal(text.trimEnd().split('\n').length, 4, text);
    assert.match(text, /^mdns-\S+ +online +10\.0\.0\.5 /m);
    const list = JSON.parse(await devices(['--config', cfg, '--json'])) as Array<{ name: string; adapter: string | null }>;
    assert.deepEqual(list.map((d) => d.name).sort(), ['Printer A', 'Printer B', 'Speaker']);
    await assert.rejects(devices(['--config', configFile('bad-token-dev.json', app.apiAddress().port, 'wrong')]), (err: Failed) => {
      assert.equal(err.exitCode, 1);
      assert.match(err.message, /invalid bearer token \(HTTP 401 UNAUTHORIZED\)/);
      return true;
    });
    const port = await freePort();
    await assert.rejects(devices(['--config', configFile('down-dev.json', port, null)]), (err: Failed) => {
      assert.equal(err.exitCode, 1);
      assert.equal(err.message, `bridge not reachable at http://127.0.0.1:${port} (ECONNREFUSED); is it running?`);
      return true;
    });
  });

  test('no bridge running: one line naming the address, exit code 1', async () => {
    const port = await freePort();
    await assert.rejects(status(['--config', configFile('down.json', port, null)]), (err: Failed) => {
      assert.equal(err.exitCode, 1);
      assert.equal(err.message, `bridge not reachable at http://127.0.0.1:${port} (ECONNREFUSED); is it running?`);
      return true;
    });
  });
});
