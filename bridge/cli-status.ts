import type { Command } from 'commander';
import { ApiClientError, createApiClient } from './api/client.js';
import type { DeviceJson } from './api/routes/devices.js';
import type { AuthoritySummary } from './api/types.js';
import { loadConfig } from './config.js';

type Out = (text: string) => void;
type Fail = (message: string, exitCode: number) => Error;

export interface StatusSnapshot {
  api: string;
  authorities: AuthoritySummary[];
  devices: { total: number; online: number; offline: number; byProtocol: Record<string, number> };
}

export function deviceCounts(list: readonly DeviceJson[]): StatusSnapshot['devices'] {
  const byProtocol: Record<string, number> = {};
  for (const d of list) for (const p of d.protocols) byProtocol[p] = (byProtocol[p] ?? 0) + 1;
  const online = list.filter((d) => d.status === 'online').length;
  return { total: list.length, online, offline: list.length - online, byProtocol };
}

function table(head: string[], rows: string[][]): string {
  const width = head.map((h, i) => Math.min(40, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const line = (r: string[]): string => r.map((c, i) => c.slice(0, 40).padEnd(width[i]!)).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

/** What `dm-bridge status` prints: one summary line, the authorities, device counts. */
export function formatStatus(s: StatusSnapshot): string {
  const d = s.devices;
  const protos = Object.entries(d.byProtocol).sort(([a], [b]) => a.localeCompare(b)).map(([p, n]) => `${p} ${n}`).join(', ');
  const lines = [`bridge at ${s.api}: running, ${s.authorities.length} authorit${s.authorities.length === 1 ? 'y' : 'ies'}, ${d.total} device${d.total === 1 ? '' : 's'}`];
  if (s.authorities.length > 0) {
    const rows = s.authorities.map((a) => [
      a.account, a.serverId, a.protocol, a.state, a.notify ?? '-',
      a.lastSession === null ? '-' : `${a.lastSession.outcome} (${a.lastSession.durationMs} ms)`, String(a.queuedAlerts),
    ]);
    lines.push('', table(['ACCOUNT', 'SERVER ID', 'PROTOCOL', 'STATE', 'NOTIFY', 'LAST SESSION', 'QUEUED'], rows));
  }
  lines.push('', `devices: ${d.total} (${d.online} online, ${d.offline} offline)${protos === '' ? '' : `; ${protos}`}`);
  return `${lines.join('\n')}\n`;
}

/** `dm-bridge status`: authorities and device counts of the running bridge, through the local API. */
export async function statusCommand(opts: { config?: string; json?: boolean }, out: Out, fail: Fail): Promise<void> {
  const cfg = loadConfig(opts.config === undefined ? {} : { file: opts.config });
  const client = createApiClient({ host: cfg.api.host, port: cfg.api.port, token: cfg.api.token, timeoutMs: 5000 });
  let snap: StatusSnapshot;
  try {
    const [authorities, devices] = await Promise.all([client.authorities(), client.devices()]);
    snap = { api: client.baseUrl, authorities, devices: deviceCounts(devices) };
  } catch (err) {
    if (err instanceof ApiClientError) throw fail(err.message, 1);
    throw err;
  }
  out(opts.json === true ? `${JSON.stringify(snap, null, 2)}\n` : formatStatus(snap));
}

/** Add `status` to the dm-bridge program (called from bridge/cli.ts). */
export function registerStatusCommand(program: Command, out: Out, fail: Fail): void {
  program
    .command('status')
    .description('show authorities and device counts of the running bridge (through the local API)')
    .option('--json', 'print JSON')
    .option('-c, --config <file>', 'config file naming the API address and token')
    .action(async (opts: { config?: string; json?: boolean }) => statusCommand(opts, out, fail));
}
