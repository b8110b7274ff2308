// Network-namespace virtual LANs for end-to-end tests (TESTING.md): unique names per run, every
// namespace deleted in cleanup(), multicast only ever inside these namespaces.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

const ip = (...args: string[]): void => {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
};

export interface Lan {
  /** Namespace name for a host alias. */
  ns(alias: string): string;
  addHost(alias: string, address: string): string;
  /** Run a command in a host's namespace (tracked, killed in cleanup). */
  spawn(alias: string, cmd: string, args: string[], opts?: { stdin?: boolean; env?: NodeJS.ProcessEnv }): ChildProcess;
  cleanup(): void;
}

/** A bridge `br0` (no multicast snooping: there is no IGMP querier) in its own namespace. */
export function createLan(subnet: string): Lan {
  const id = randomBytes(3).toString('hex');
  const lanNs = `dmbl${id}`;
  const names = new Map<string, string>();
  const procs: ChildProcess[] = [];
  ip('netns', 'add', lanNs);
  try {
    ip('-n', lanNs, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0');
    ip('-n', lanNs, 'link', 'set', 'br0', 'up');
  } catch (err) {
    ip('netns', 'del', lanNs);
    throw err;
  }
  const lan: Lan = {
    ns: (alias) => names.get(alias)!,
    addHost(alias, address) {
      const ns = `dmb${alias}${id}`;
      const peer = `p${alias}${id}`.slice(0, 15);
      ip('netns', 'add', ns);
      names.set(alias, ns);
      ip('link', 'add', 'eth0', 'netns', ns, 'type', 'veth', 'peer', 'name', peer, 'netns', lanNs);
      ip('-n', lanNs, 'link', 'set', peer, 'master', 'br0', 'up');
      ip('-n', ns, 'addr', 'add', `${subnet}.${address}/24`, 'dev', 'eth0');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'link', 'set', 'eth0', 'up');
      ip('-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0');
      return ns;
    },
    spawn(alias, cmd, args, opts = {}) {
      const p = spawn('ip', ['netns', 'exec', names.get(alias)!, cmd, ...args], {
        stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
        env: opts.env ?? process.env,
      });
      procs.push(p);
      return p;
    },
    cleanup() {
      for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
      for (const ns of [...names.values(), lanNs]) {
        try {
          const pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split('\n').filter(Boolean);
          for (const pid of pids) {
            try {
              process.kill(Number(pid), 'SIGKILL');
            } catch { /* gone */ }
          }
        } catch { /* namespace gone */ }
        try {
          ip('netns', 'del', ns);
        } catch { /* already deleted */ }
      }
    },
  };
  return lan;
}

/** A namespace with loopback only (no multicast-capable interface). */
export function loopbackOnlyNs(): { ns: string; cleanup(): void } {
  const ns = `dmbx${randomBytes(3).toString('hex')}`;
  ip('netns', 'add', ns);
  ip('-n', ns, 'link', 'set', 'lo', 'up');
  return {
    ns,
    cleanup() {
      try {
        ip('netns', 'del', ns);
      } catch { /* gone */ }
    },
  };
}

/** Collect a child's stdout as JSON lines; `waitFor` resolves with the first line matching. */
export function jsonLines<T>(p: ChildProcess): { last(): T | undefined; waitFor(pred: (v: T) => boolean, ms: number, what: string): Promise<T> } {
  let last: T | undefined;
  const waiters: Array<() => void> = [];
  let buf = '';
  p.stdout!.on('data', (chunk: Buffer) => {
    buf += chunk.toString('utf8');
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        last = JSON.parse(line) as T;
      } catch {
        continue;
      }
      for (const w of waiters.splice(0)) w();
    }
  });
  return {
    last: () => last,
    waitFor(pred, ms, what) {
      return new Promise((resolve, reject) => {
        let done = false;
        const matches = (v: T): boolean => {
          try {
            return pred(v);
          } catch {
            return false;
          }
        };
        const check = (): boolean => {
          if (done) return true;
          if (last !== undefined && matches(last)) {
            done = true;
            clearTimeout(t);
            resolve(last);
            return true;
          }
          return false;
        };
        const t = setTimeout(() => { done = true; reject(new Error(`timed out after ${ms} ms waiting for ${what}; last: ${JSON.stringify(last)}`)); }, ms);
        const loop = (): void => {
          if (!check()) waiters.push(loop);
        };
        loop();
      });
    },
  };
}
