/**
 * A simulated LAN for fan-out tests: a Provider at ./GwMO/DevInventory with Devices/<id>/{Name,MO/Value,MO/Reboot}
 * and Groups/<gid>/Members. Each device behaves as told: answers, hangs, is slow, or finishes Exec later (202).
 */
import type { NodeInfo, Provider } from '../../../bridge/tree/provider.js';
import type { ExecContext, ExecOutcome, NodeInput, Outcome } from '../../../bridge/tree/types.js';

export type Behaviour = 'ok' | 'hang' | 'async' | { delayMs: number };

export class Lab implements Provider {
  readonly transactional = false;
  readonly values = new Map<string, string>();
  readonly calls: string[] = [];
  inFlight = 0;
  maxInFlight = 0;

  constructor(
    readonly devices: Map<string, Behaviour>,
    readonly groups: Map<string, string[]> = new Map(),
  ) {}

  node(segs: readonly string[]): NodeInfo | undefined | Promise<NodeInfo | undefined> {
    const [top, id, a, b, ...rest] = segs;
    const dir = (children: readonly string[]): NodeInfo => ({ format: 'node', type: '', permanent: true, children });
    if (top === undefined) return dir(['Devices', 'Groups']);
    if (top === 'Groups') {
      if (id === undefined) return dir([...this.groups.keys()]);
      const m = this.groups.get(id);
      if (!m) return undefined;
      if (a === undefined) return dir(['Members']);
      return a === 'Members' && b === undefined ? { format: 'chr', type: 'text/plain', permanent: true, access: ['Get'], value: m.join(',') } : undefined;
    }
    if (top !== 'Devices') return undefined;
    if (id === undefined) return dir([...this.devices.keys()]);
    const beh = this.devices.get(id);
    if (!beh) return undefined;
    if (a === undefined) return dir(['Name', 'MO']);
    if (a === 'Name') return b === undefined ? { format: 'chr', type: 'text/plain', permanent: true, access: ['Get'], value: `dev ${id}` } : undefined;
    if (a !== 'MO' || rest.length > 0) return undefined;
    if (b === undefined) return dir(['Value', 'Reboot']);
    if (b === 'Reboot') return { format: 'null', type: '', permanent: true, access: ['Exec'] };
    if (b !== 'Value') return undefined;
    return this.behave(id, beh, () => ({ format: 'chr', type: 'text/plain', permanent: true, access: ['Get', 'Replace'], value: this.values.get(id) ?? `v-${id}` }));
  }

  replace(segs: readonly string[], input: NodeInput): Outcome | Promise<Outcome> {
    const id = segs[1]!;
    this.calls.push(`replace ${id}`);
    return this.behave(id, this.devices.get(id)!, () => {
      this.values.set(id, input.data ?? '');
      return { status: 200 };
    });
  }

  exec(segs: readonly string[], data: string | undefined, ctx: ExecContext): ExecOutcome | Promise<ExecOutcome> {
    const id = segs[1]!;
    this.calls.push(`exec ${id} ${data ?? ''}`);
    const beh = this.devices.get(id)!;
    if (beh === 'async') {
      setTimeout(() => ctx.complete?.({ status: 200, data: `rebooted ${id}` }), 5);
      return { status: 202 };
    }
    return this.behave(id, beh, () => ({ status: 200, data: `done ${id}` }));
  }

  private behave<T>(_id: string, beh: Behaviour, answer: () => T): T | Promise<T> {
    if (beh === 'ok' || beh === 'async') return answer();
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    if (beh === 'hang') return new Promise<T>(() => undefined);
    return new Promise<T>((resolve) =>
      setTimeout(() => {
        this.inFlight--;
        resolve(answer());
      }, beh.delayMs),
    );
  }
}
