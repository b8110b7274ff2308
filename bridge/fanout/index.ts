import { systemClock, type Clock } from '../core/clock.js';
import type { BridgeEvents, TypedEmitter } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { Status } from '../core/status.js';
import type { Store } from '../store/db.js';
import { FanoutRepo } from '../store/fanout-repo.js';
import { adderAcl, serializeAcl } from '../tree/acl.js';
import type { Tree } from '../tree/tree.js';
import type { Principal } from '../tree/types.js';
import { parentPath } from '../tree/uri.js';
import { DEFAULT_FANOUT_LIMITS, FANOUT_ROOT, FanoutProvider, type FanoutLimits } from './fanout-provider.js';
import { statusText } from './run.js';

export { FANOUT_ROOT, FANOUT_TYPE, FanoutProvider, DEFAULT_FANOUT_LIMITS, type FanoutLimits } from './fanout-provider.js';
export { statusText } from './run.js';

/** A run the bridge could not finish (it stopped while running): reported once at the next start. */
export interface InterruptedRun {
  /** Who ran it (its ServerID); null: the local operator. */
  serverId: Principal;
  /** The Exec node, e.g. ./GwMO/Fanout/<x>/Exec. */
  uri: string;
  correlator: string | undefined;
  status: number;
  data: string;
}

export interface FanoutService {
  readonly provider: FanoutProvider;
  /** Mount ./GwMO/Fanout and start giving creators their fan-out nodes. */
  mount(): void;
  /** Mark runs left 'running' by a previous process as interrupted and return them (queue their alerts). */
  recover(): InterruptedRun[];
  /** Stop starting device calls; runs in flight are left for recover(). */
  stop(): void;
}

/**
 * The fan-out service (./GwMO/Fanout). Every device call runs through the tree as the ServerID that
 * sent the Exec, so each device's ACL applies. The node an authority adds is its own: the DM Add rule
 * gives it Add/Delete/Replace, and this service adds Get and Exec for that same ServerID only.
 * The ./GwMO/Fanout list itself is not readable by authorities (ACL `Add=*`), so one MA does not
 * see another's fan-outs.
 */
export function createFanout(opts: {
  store: Store;
  tree: Tree;
  events: TypedEmitter<BridgeEvents>;
  log: Logger;
  clock?: Clock;
  limits?: Partial<FanoutLimits>;
}): FanoutService {
  const { store, tree, events, log } = opts;
  const clock = opts.clock ?? systemClock;
  const repo = new FanoutRepo(store.db);
  const abort = new AbortController();
  const provider = new FanoutProvider({
    repo, tree, log, now: () => clock.now(), signal: abort.signal, limits: { ...DEFAULT_FANOUT_LIMITS, ...opts.limits },
  });
  let unlisten: (() => void) | undefined;
  return {
    provider,
    mount() {
      tree.mount(FANOUT_ROOT, provider);
      tree.acls.seed(FANOUT_ROOT, 'Add=*');
      unlisten = events.on('tree.changed', ({ uri, op, by }) => {
        if (op !== 'Add' || by === null || parentPath(uri) !== FANOUT_ROOT) return;
        if (tree.acls.own(uri) === serializeAcl(adderAcl(by))) tree.acls.set(uri, ownerAcl(by));
      });
    },
    recover() {
      const out: InterruptedRun[] = [];
      for (const row of repo.all()) {
        if (row.state !== 'running') continue;
        const kept = repo.results(row.name);
        const count = (k: string) => kept.filter((r) => r.kind === k).length;
        const counts = { state: 'interrupted' as const, total: row.total, ok: count('ok'), failed: count('failed'), timedOut: count('timeout'), finishedAt: clock.now() };
        repo.record(row.name, [], counts);
        log.warn({ fanout: row.name, completed: kept.length, total: row.total }, 'fan-out interrupted by a restart');
        out.push({
          serverId: row.runBy,
          uri: `${FANOUT_ROOT}/${row.name}/Exec`,
          correlator: row.correlator ?? undefined,
          status: Status.COMMAND_FAILED,
          data: statusText(counts, kept.length),
        });
      }
      return out;
    },
    stop() {
      abort.abort();
      unlisten?.();
    },
  };
}

/** Every right on the fan-out node, for its creator only. */
export function ownerAcl(serverId: string): string {
  return `Add=${serverId}&Delete=${serverId}&Exec=${serverId}&Get=${serverId}&Replace=${serverId}`;
}
