// `dm-bridge selftest`: multicast per interface (bridge/discovery/selftest.ts) and reachability of
// every authority (bridge/authority/reachability.ts), in this process; the bridge need not run.
import { formatReachability } from './authority/reachability-format.js';
import { checkReachability, DEFAULT_STEP_TIMEOUT_MS, type ReachabilityResult, type ReachTarget } from './authority/reachability.js';
import { loadConfig, type BridgeConfig } from './config.js';
import { formatSelftest, runSelftest, type SelftestResult } from './discovery/selftest.js';
import { readAccountsReadOnly } from './store/accounts-read-only.js';
import type { AccountRow } from './store/accounts-repo.js';

type Out = (text: string) => void;
type Fail = (message: string, exitCode: number) => Error;

export interface SelftestOptions {
  config?: string;
  json?: boolean;
  /** false (`--no-multicast`): skip the multicast probes (they then do not decide the exit code). */
  multicast?: boolean;
  /** Deadline of each reachability step in ms (`--timeout`). */
  timeout?: string;
}

export interface FullSelftest {
  at: string;
  /** Overall verdict, as the exit code: see selftestVerdict. */
  ok: boolean;
  /** null when skipped (`--no-multicast`). */
  multicast: SelftestResult | null;
  reachability: ReachabilityResult;
  /** Where the accounts came from (config file, store file) and anything that could not be read. */
  notes: string[];
}

/**
 * The authorities to check: every authority of the config file, then the accounts of the store
 * that were created or changed through DM (origin `dm`), which win over a config entry of the same
 * name because the bridge runs them. Store rows of origin `config` are skipped: the bridge makes
 * them follow the config file again at its next start.
 */
export function selftestTargets(cfg: BridgeConfig, rows: readonly AccountRow[] | null, notes: string[]): ReachTarget[] {
  const byAccount = new Map<string, ReachTarget>();
  for (const a of cfg.authorities) {
    byAccount.set(a.account, { account: a.account, source: 'config', serverUri: a.serverUri, notifyUri: a.notifyUri, tls: a.tls });
  }
  for (const row of rows ?? []) {
    if (row.origin !== 'dm') continue;
    try {
      const d = JSON.parse(row.data) as Partial<ReachTarget>;
      const tls = { ca: null, pinSha256: null, cert: null, key: null, ...d.tls };
      byAccount.set(row.account, { account: row.account, source: 'store', serverUri: d.serverUri ?? '', notifyUri: d.notifyUri ?? null, tls });
    } catch {
      notes.push(`store: account ${row.account} has unreadable settings (skipped)`);
    }
  }
  return [...byAccount.values()];
}

/** Store accounts read-only, with a note saying what happened. */
function storeRows(path: string, notes: string[]): AccountRow[] | null {
  try {
    const rows = readAccountsReadOnly(path);
    notes.push(rows === null ? `store: ${path} not found (config accounts only)` : `store: ${path} read (${rows.length} account(s))`);
    return rows;
  } catch (err) {
    notes.push(`store: cannot read ${path} (${(err as Error).message}); config accounts only`);
    return null;
  }
}

/**
 * Exit rule: fail (exit 1) when multicast works on no interface (unless skipped) OR any authority
 * URI is unreachable. Returns the failure message, or null when everything passed.
 */
export function selftestVerdict(r: Pick<FullSelftest, 'multicast' | 'reachability'>): string | null {
  const why: string[] = [];
  if (r.multicast !== null && !r.multicast.ok) why.push(r.multicast.problem ?? 'multicast does not work');
  const bad = r.reachability.checks.filter((c) => !c.ok).length;
  if (bad > 0) why.push(`${bad} of ${r.reachability.checks.length} authority URI(s) unreachable`);
  return why.length === 0 ? null : why.join('; ');
}

/** The text form: multicast per interface, then one line per authority URI, then the notes. */
export function formatFullSelftest(r: FullSelftest): string {
  const mc = r.multicast === null ? 'multicast: skipped (--no-multicast)\n' : formatSelftest(r.multicast);
  return `${mc}${formatReachability(r.reachability)}${r.notes.map((n) => `note: ${n}\n`).join('')}`;
}

function stepTimeout(text: string | undefined, fail: Fail): number {
  if (text === undefined) return DEFAULT_STEP_TIMEOUT_MS;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 60_000) throw fail(`--timeout: expected milliseconds 1..60000, got ${JSON.stringify(text)}`, 2);
  return n;
}

/** `dm-bridge selftest`: print the results; exit 1 by selftestVerdict. */
export async function selftestCommand(opts: SelftestOptions, out: Out, fail: Fail): Promise<void> {
  const stepTimeoutMs = stepTimeout(opts.timeout, fail);
  const cfg = loadConfig(opts.config === undefined ? {} : { file: opts.config });
  const notes: string[] = [];
  const targets = selftestTargets(cfg, storeRows(cfg.store.path, notes), notes);
  const [multicast, reachability] = await Promise.all([
    opts.multicast === false ? Promise.resolve(null) : runSelftest({ interfaces: cfg.discovery.interfaces }),
    checkReachability(targets, { stepTimeoutMs }),
  ]);
  const verdict = selftestVerdict({ multicast, reachability });
  const r: FullSelftest = { at: new Date().toISOString(), ok: verdict === null, multicast, reachability, notes };
  out(opts.json === true ? `${JSON.stringify(r, null, 2)}\n` : formatFullSelftest(r));
  if (verdict !== null) throw fail(verdict, 1);
}
