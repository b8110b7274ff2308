import type { ReachabilityResult, UriCheck } from './reachability.js';

/** The outcome of one check: `ok 42 ms (HTTP 405)` or `FAIL TLS: certificate pin mismatch ...`. */
export function formatOutcome(c: UriCheck): string {
  if (c.ok) return `ok ${c.ms} ms${c.status === null ? '' : ` (HTTP ${c.status})`}`;
  return `FAIL ${c.failedStep ?? 'HTTP'}: ${c.reason ?? 'unknown'}`;
}

/** One line per authority and URI for `dm-bridge selftest`. */
export function formatReachability(r: ReachabilityResult): string {
  if (r.checks.length === 0) return 'authorities: none configured\n';
  const who = (c: UriCheck): string => (c.source === 'store' ? `${c.account} (store)` : c.account);
  const width = Math.max(...r.checks.map((c) => who(c).length));
  const lines = r.checks.map((c) => `${who(c).padEnd(width)}  ${c.role.padEnd(6)}  ${c.uri}  ${formatOutcome(c)}`);
  return `${lines.join('\n')}\n`;
}
