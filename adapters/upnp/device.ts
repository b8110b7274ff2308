import {
  AdapterError, BadValue, NotSupported, type AdapterContext, type DeviceHandle, type ExecOutcome, type Logger, type NodeSpec, type Value,
} from '../sdk/index.js';
import { invoke } from './actions.js';
import { genaRequest, type CallbackServer } from './gena.js';
import { argFormat, formatOf, specsOf, toDm, toUpnp, type ServiceModel } from './model.js';

const MAX_ARG_VALUES = 4096;
const MAX_IN_VALUE = 64 * 1024;
const GENA_TIMEOUT_SEC = 300;
const GENA_RETRY_MS = 30_000;

interface Subscription {
  svc: ServiceModel;
  token: string;
  url: string;
  sid: string;
  timer: NodeJS.Timeout | null;
}

type Parsed =
  | { kind: 'state'; svc: ServiceModel; name: string }
  | { kind: 'in' | 'out'; svc: ServiceModel; action: string; arg: string }
  | { kind: 'exec'; svc: ServiceModel; action: string };

/** One attached UPnP device: services from its description and SCPDs, actions over SOAP, GENA events. */
export class UpnpDevice implements DeviceHandle {
  private readonly bySeg: Map<string, ServiceModel>;
  private readonly specs: NodeSpec[];
  private readonly evented = new Map<string, string>();
  /** In/Out argument values by path (shared: a tree lookup does not say who asks). */
  private readonly args = new Map<string, string>();
  private readonly subs: Subscription[] = [];
  private listener: ((path: string, v: Value) => void) | undefined;
  private detached = false;

  constructor(
    services: readonly ServiceModel[],
    private readonly log: Logger,
    private readonly callbacks?: CallbackServer,
  ) {
    this.bySeg = new Map(services.map((s) => [s.seg, s]));
    this.specs = specsOf(services);
  }

  describe(): NodeSpec[] {
    return this.specs;
  }

  async get(path: string, ctx: AdapterContext): Promise<Value> {
    const p = this.parse(path);
    if (p.kind === 'in' || p.kind === 'out') return this.args.get(path) ?? '';
    if (p.kind !== 'state') throw new NotSupported('not readable');
    const st = p.svc.state.get(p.name)!;
    const format = formatOf(st.v.dataType);
    if (st.getter) {
      const out = await invoke(p.svc, st.getter.action, [], ctx.signal);
      const v = out[st.getter.out];
      if (v === undefined) throw new AdapterError(`${st.getter.action.name}: no ${st.getter.out} in the answer`);
      return toDm(format, v);
    }
    const v = this.evented.get(`${p.svc.seg}/${p.name}`);
    if (v === undefined) throw new AdapterError(`${p.name}: no value reported by the device yet`);
    return toDm(format, v);
  }

  async replace(path: string, v: string, _ctx: AdapterContext): Promise<void> {
    const p = this.parse(path);
    if (p.kind !== 'in') throw new NotSupported('only action In arguments can be replaced');
    if (v.length > MAX_IN_VALUE) throw new BadValue(`longer than ${MAX_IN_VALUE} characters`);
    const a = p.svc.actions.get(p.action)!;
    const related = p.svc.vars.get(a.args.find((g) => g.name === p.arg && g.direction === 'in')?.relatedStateVariable ?? '');
    const allowed = related?.allowedValues ?? [];
    if (allowed.length > 0 && !allowed.includes(v)) throw new BadValue(`expected one of ${allowed.join('|').slice(0, 200)}`);
    this.setArg(path, v);
  }

  async exec(path: string, _arg: string | undefined, ctx: AdapterContext): Promise<ExecOutcome> {
    const p = this.parse(path);
    if (p.kind !== 'exec') throw new NotSupported('not executable');
    const a = p.svc.actions.get(p.action)!;
    const base = `Services/${p.svc.seg}/Actions/${a.name}`;
    const inArgs = a.args
      .filter((g) => g.direction === 'in')
      .map((g) => [g.name, toUpnp(argFormat(p.svc, a, g.name, 'in'), this.args.get(`${base}/In/${g.name}`) ?? '')] as const);
    const out = await invoke(p.svc, a, inArgs, ctx.signal);
    for (const g of a.args) {
      if (g.direction === 'out') this.setArg(`${base}/Out/${g.name}`, toDm(argFormat(p.svc, a, g.name, 'out'), out[g.name] ?? ''));
    }
    return { done: true };
  }

  onChange(cb: (path: string, v: Value) => void): void {
    this.listener = cb;
  }

  /** Subscribe to every evented service (failures are logged and retried; they never fail the attach). */
  subscribeAll(): void {
    if (!this.callbacks) return;
    for (const svc of this.bySeg.values()) {
      if (svc.desc.eventSubUrl === '') continue;
      const { url, token } = this.callbacks.add((vars) => this.notified(svc, vars));
      const sub: Subscription = { svc, token, url, sid: '', timer: null };
      this.subs.push(sub);
      void this.subscribe(sub);
    }
  }

  async detach(): Promise<void> {
    this.detached = true;
    this.listener = undefined;
    await Promise.all(this.subs.map(async (s) => {
      if (s.timer) clearTimeout(s.timer);
      this.callbacks?.remove(s.token);
      if (s.sid !== '') await genaRequest('UNSUBSCRIBE', s.svc.desc.eventSubUrl, { sid: s.sid }, 2000).catch(() => undefined);
    }));
    this.subs.length = 0;
  }

  // ---- internals ----

  private async subscribe(s: Subscription): Promise<void> {
    if (this.detached) return;
    let next = GENA_RETRY_MS;
    try {
      const renew = s.sid !== '';
      const a = await genaRequest('SUBSCRIBE', s.svc.desc.eventSubUrl, renew ? { sid: s.sid, timeoutSec: GENA_TIMEOUT_SEC } : { callback: s.url, timeoutSec: GENA_TIMEOUT_SEC })
        .catch((err: unknown) => {
          if (!renew) throw err;
          s.sid = ''; // the device forgot us: subscribe anew
          return genaRequest('SUBSCRIBE', s.svc.desc.eventSubUrl, { callback: s.url, timeoutSec: GENA_TIMEOUT_SEC });
        });
      s.sid = a.sid;
      next = Math.max(10, Math.floor(a.timeoutSec / 2)) * 1000;
      this.log.debug({ service: s.svc.seg, timeoutSec: a.timeoutSec }, 'upnp: subscribed');
    } catch (err) {
      this.log.debug({ service: s.svc.seg, err: (err as Error).message }, 'upnp: GENA subscribe failed; retrying');
    }
    if (this.detached) return;
    s.timer = setTimeout(() => void this.subscribe(s), next);
    s.timer.unref();
  }

  private notified(svc: ServiceModel, vars: Map<string, string>): void {
    for (const [name, value] of vars) {
      const st = svc.state.get(name);
      if (!st) continue;
      this.evented.set(`${svc.seg}/${name}`, value);
      try {
        this.listener?.(`Services/${svc.seg}/State/${name}`, toDm(formatOf(st.v.dataType), value));
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'upnp: change listener failed');
      }
    }
  }

  private setArg(key: string, v: string): void {
    this.args.delete(key);
    if (this.args.size >= MAX_ARG_VALUES) this.args.delete(this.args.keys().next().value!);
    this.args.set(key, v);
  }

  private parse(path: string): Parsed {
    const [top, seg, kind, name, sub, arg, ...rest] = path.split('/');
    const svc = top === 'Services' && seg !== undefined ? this.bySeg.get(seg) : undefined;
    if (!svc || name === undefined || rest.length > 0) throw new NotSupported(`no node ${path}`);
    if (kind === 'State' && sub === undefined && svc.state.has(name)) return { kind: 'state', svc, name };
    const a = kind === 'Actions' ? svc.actions.get(name) : undefined;
    if (a && sub === 'Exec' && arg === undefined) return { kind: 'exec', svc, action: name };
    if (a && (sub === 'In' || sub === 'Out') && arg !== undefined && a.args.some((g) => g.name === arg && g.direction === sub.toLowerCase())) {
      return { kind: sub === 'In' ? 'in' : 'out', svc, action: name, arg };
    }
    throw new NotSupported(`no node ${path}`);
  }
}
