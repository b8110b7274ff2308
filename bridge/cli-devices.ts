import type { Command } from 'commander';
import { ApiClientError, createApiClient } from './api/client.js';
import type { DeviceJson } from './api/routes/devices.js';
import { loadConfig } from './config.js';
import { selftestCommand, type SelftestOptions } from './cli-selftest.js';

type Out = (text: string) => void;
type Fail = (message: string, exitCode: number) => Error;

/** The device table `dm-bridge devices` prints. */
export function formatDevices(list: readonly DeviceJson[]): string {
  if (list.length === 0) return 'no devices discovered yet\n';
  const rows = list.map((d) => [d.devId, d.status, d.address, d.type, d.protocols.join(','), d.name, [d.manufacturer, d.model].filter(Boolean).join(' '), d.lastSeen ?? '-']);
  const head = ['DEVID', 'STATUS', 'ADDRESS', 'TYPE', 'PROTO', 'NAME', 'MAKE/MODEL', 'LAST SEEN'];
  const width = head.map((h, i) => Math.min(48, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const line = (r: string[]): string => r.map((c, i) => c.slice(0, 48).padEnd(width[i]!)).join('  ').trimEnd();
  return `${[line(head), ...rows.map(line)].join('\n')}\n`;
}

/** `dm-bridge devices`: the running bridge's inventory through the local API. */
export async function devicesCommand(opts: { config?: string; json?: boolean }, out: Out, fail: Fail): Promise<void> {
  const cfg = loadConfig(opts.config === undefined ? {} : { file: opts.config });
  const client = createApiClient({ host: cfg.api.host, port: cfg.api.port, token: cfg.api.token });
  let list: DeviceJson[];
  try {
    list = await client.devices();
  } catch (err) {
    if (err instanceof ApiClientError) throw fail(err.message, 1);
    throw err;
  }
  out(opts.json === true ? `${JSON.stringify(list, null, 2)}\n` : formatDevices(list));
}

/** `dm-bridge selftest` lives in cli-selftest.ts (multicast per interface and authority reachability). */
export { selftestCommand } from './cli-selftest.js';

/** Add `devices` and `selftest` to the dm-bridge program (called from bridge/cli.ts). */
export function registerDeviceCommands(program: Command, out: Out, fail: Fail): void {
  program
    .command('devices')
    .description('list discovered LAN devices (through the local API)')
    .option('--json', 'print JSON instead of a table')
    .option('-c, --config <file>', 'config file naming the API address and token')
    .action(async (opts: { config?: string; json?: boolean }) => devicesCommand(opts, out, fail));
  program
    .command('selftest')
    .description('check multicast on each interface and that every authority (serverUri, notifyUri) answers')
    .option('--json', 'print JSON')
    .option('-c, --config <file>', 'config file naming the interfaces, the authorities and the store')
    .option('--no-multicast', 'skip the multicast probes (check the authorities only)')
    .option('--timeout <ms>', 'deadline of each reachability step (DNS, TCP, TLS, HTTP)', '3000')
    .action(async (opts: SelftestOptions) => selftestCommand(opts, out, fail));
}
