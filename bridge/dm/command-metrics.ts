import type { Metrics } from '../core/metrics.js';
import type { Dm2Entry, Dm2Result } from './dm2-message.js';
import type { Reply } from './message.js';

/** Count one DM 1.2 message's commands by name and status (from the Statuses the engine produced). */
export function countDm12(metrics: Metrics | undefined, replies: readonly Reply[]): void {
  if (!metrics) return;
  for (const r of replies) if (r.cmd === 'Status') metrics.commandExecuted({ command: r.refCmd, status: Number(r.data) });
}

/** Count one DM 2.0 package's commands by name and status (results matched to commands by id). */
export function countDm2(metrics: Metrics | undefined, cmds: readonly Dm2Entry[], results: readonly Dm2Result[]): void {
  if (!metrics) return;
  const names = new Map<number, string>();
  for (const c of cmds) if (c.id !== undefined && !names.has(c.id)) names.set(c.id, c.cmd);
  for (const r of results) metrics.commandExecuted({ command: names.get(r.id) ?? 'INVALID', status: r.status });
}
