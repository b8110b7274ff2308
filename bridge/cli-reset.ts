import type { Command } from 'commander';
import { connectUrl } from './api/client.js';
import { loadConfig } from './config.js';
import { openStore } from './store/db.js';
import { resetStore, type ResetSummary } from './store/reset.js';

type Out = (text: string) => void;
type Fail = (message: string, exitCode: number) => Error;

export interface ResetOptions {
  config?: string;
  yes?: boolean;
  devices?: boolean;
}

/** True when something answers HTTP on the bridge's API address (the bridge runs). */
export async function apiAnswers(host: string, port: number, timeoutMs = 1500): Promise<boolean> {
  try {
    await fetch(`${connectUrl(host, port)}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
    return true;
  } catch (err) {
    // a timeout means something holds the port but does not answer: treat it as running (never reset under it)
    return (err as Error).name === 'TimeoutError';
  }
}

/**
 * `dm-bridge reset`: erase what the management authorities changed (nodes, ACLs, settings, accounts
 * added or deleted through DM, nonces, queued alerts, subscriptions, audit, sessions log) so the
 * next start equals the config file. Refused while the bridge runs, and without --yes.
 */
export async function resetCommand(opts: ResetOptions, out: Out, fail: Fail): Promise<ResetSummary> {
  const cfg = loadConfig(opts.config === undefined ? {} : { file: opts.config });
  if (await apiAnswers(cfg.api.host, cfg.api.port)) {
    throw fail(`the bridge is running (its API answers at ${connectUrl(cfg.api.host, cfg.api.port)}); stop it before a reset`, 1);
  }
  if (opts.yes !== true) {
    throw fail(`reset erases every change the management authorities made in ${cfg.store.path}; run again with --yes`, 2);
  }
  const store = openStore(cfg.store.path);
  try {
    const summary = resetStore(store, { devices: opts.devices === true });
    const total = Object.values(summary.deleted).reduce((a, b) => a + b, 0);
    out(`reset ${cfg.store.path}: ${total} rows removed; the next start uses the config file's factory state\n`);
    return summary;
  } finally {
    store.close();
  }
}

/** Add `reset` to the dm-bridge program (called from bridge/cli.ts). */
export function registerResetCommand(program: Command, out: Out, fail: Fail): void {
  program
    .command('reset')
    .description('return to the factory state (the config file): erase what management authorities changed')
    .option('-c, --config <file>', 'config file naming the store and the API address')
    .option('-y, --yes', 'really erase (required)')
    .option('--devices', 'also forget the discovered devices')
    .action(async (opts: ResetOptions) => {
      await resetCommand(opts, out, fail);
    });
}
