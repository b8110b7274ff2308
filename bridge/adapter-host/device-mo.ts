import type { Adapter, DeviceHandle, Format, Value } from '../../adapters/sdk/index.js';
import { Status } from '../core/status.js';
import type { DeviceMo } from '../inventory/inventory-provider.js';
import type { NodeInfo, OpContext } from '../tree/provider.js';
import type { Awaitable, ExecContext, ExecOutcome, NodeInput, Outcome } from '../tree/types.js';
import type { ChangeLimiter } from './change-limiter.js';
import { failure, toBridgeError } from './errors.js';
import type { DeviceGuard } from './guard.js';
import { allows, SpecIndex } from './spec-index.js';

/** One attached device. */
export interface Slot {
  devId: string;
  adapter: Adapter;
  handle: DeviceHandle;
  index: SpecIndex;
  guard: DeviceGuard;
  limiter: ChangeLimiter;
  fingerprint: string;
}

export interface Deadlines {
  getMs: number;
  replaceMs: number;
  execMs: number;
  /** An Exec the adapter accepted (202) must finish within this. */
  asyncExecMs: number;
}

/** Encode an adapter value as DM text in the node's format. */
export function encodeValue(v: Value, format: Format): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return format === 'int' ? String(Math.trunc(v)) : String(v);
  return Buffer.from(v).toString('base64');
}

const interior = (children: readonly string[], type: string): NodeInfo => ({ format: 'node', type, permanent: true, access: ['Get'], children });

/** Devices/<DevID>/MO/... for the inventory provider: the attached devices' subtrees, every call guarded. */
export class AttachedMo implements DeviceMo {
  constructor(
    private readonly slot: (devId: string) => Slot | undefined,
    private readonly t: Deadlines,
    private readonly refresh: (s: Slot) => void,
  ) {}

  has(devId: string): boolean {
    return this.slot(devId) !== undefined;
  }

  node(devId: string, segs: readonly string[]): Awaitable<NodeInfo | undefined> {
    const s = this.slot(devId);
    if (!s) return undefined;
    if (segs.length === 0) this.refresh(s);
    const rel = segs.join('/');
    const dir = s.index.interiors.get(rel);
    if (dir) return interior(dir.children, rel === '' ? `org.dmbridge/1.0/Adapter/${s.adapter.name}` : dir.type);
    const spec = s.index.leaves.get(rel);
    if (!spec || spec.format === 'node') return undefined;
    const format = spec.format;
    const base: NodeInfo = { format, type: spec.type ?? 'text/plain', permanent: true, access: [...spec.access] };
    if (!allows(spec, 'Get')) return base;
    return s.guard
      .run(`Get ${rel}`, null, this.t.getMs, (ctx) => s.handle.get(rel, ctx))
      .then((v) => ({ ...base, value: encodeValue(v, format) }));
  }

  async replace(devId: string, segs: readonly string[], input: NodeInput, ctx: OpContext): Promise<Outcome> {
    const s = this.slot(devId);
    const rel = segs.join('/');
    const spec = s?.index.leaves.get(rel);
    if (!s || !spec) return { status: Status.NOT_FOUND };
    const replace = s.handle.replace?.bind(s.handle);
    if (!replace || !allows(spec, 'Replace')) return { status: Status.COMMAND_NOT_ALLOWED, reason: 'read-only node' };
    if (input.format !== undefined && input.format !== spec.format) return { status: Status.UNSUPPORTED_MEDIA_TYPE, reason: `format must be ${spec.format}` };
    try {
      await s.guard.run(`Replace ${rel}`, ctx.principal, this.t.replaceMs, (c) => replace(rel, input.data ?? '', c));
      return { status: Status.OK };
    } catch (err) {
      return failure(err);
    }
  }

  async exec(devId: string, segs: readonly string[], data: string | undefined, ctx: ExecContext): Promise<ExecOutcome> {
    const s = this.slot(devId);
    const rel = segs.join('/');
    const spec = s?.index.leaves.get(rel);
    if (!s || !spec) return { status: Status.NOT_FOUND };
    const exec = s.handle.exec?.bind(s.handle);
    if (!exec || !allows(spec, 'Exec')) return { status: Status.COMMAND_NOT_ALLOWED, reason: 'node is not executable' };
    try {
      const out = await s.guard.run(`Exec ${rel}`, ctx.principal, this.t.execMs, (c) => exec(rel, data, c));
      if (out.done) return out.data === undefined ? { status: Status.OK } : { status: Status.OK, data: out.data };
      this.finishLater(out.later, ctx);
      return { status: Status.ACCEPTED };
    } catch (err) {
      return failure(err);
    }
  }

  /** An accepted Exec: its result (or failure, or the deadline) becomes the async outcome. */
  private finishLater(later: Promise<{ data?: string }>, ctx: ExecContext): void {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no result within ${this.t.asyncExecMs} ms`)), this.t.asyncExecMs);
      timer.unref();
    });
    Promise.race([later, deadline]).then(
      (r) => ctx.complete?.(r.data === undefined ? { status: Status.OK } : { status: Status.OK, data: r.data }),
      (err: unknown) => {
        const e = toBridgeError(err);
        ctx.complete?.({ status: e.status, reason: e.message });
      },
    ).finally(() => clearTimeout(timer));
  }
}
