import type { Format, NodeSpec } from '../sdk/index.js';
import type { ServiceDesc } from './description.js';
import type { ActionDesc, Scpd, StateVarDesc } from './scpd.js';

/** A readable state variable: via a no-argument action that returns it, else via events. */
export interface StateModel {
  v: StateVarDesc;
  getter?: { action: ActionDesc; out: string };
}

export interface ServiceModel {
  seg: string;
  desc: ServiceDesc;
  actions: Map<string, ActionDesc>;
  state: Map<string, StateModel>;
  vars: Map<string, StateVarDesc>;
}

const SEG_BAD = /[^A-Za-z0-9._~-]/g;

/** A URI-segment-safe, unique name ("urn:upnp-org:serviceId:ContentDirectory" -> "ContentDirectory"). */
export function segmentOf(raw: string, taken: ReadonlySet<string>): string {
  const tail = raw.includes(':') ? raw.slice(raw.lastIndexOf(':') + 1) : raw;
  let base = tail.replace(SEG_BAD, '_').slice(0, 48);
  if (base === '' || base === '.' || base === '..') base = 'service';
  let s = base;
  for (let i = 2; taken.has(s); i++) s = `${base}-${i}`;
  return s;
}

/** UPnP dataType -> DM format. */
export function formatOf(dataType: string | undefined): Format {
  switch ((dataType ?? '').toLowerCase()) {
    case 'ui1': case 'ui2': case 'ui4': case 'ui8': case 'i1': case 'i2': case 'i4': case 'i8': case 'int':
      return 'int';
    case 'r4': case 'r8': case 'number': case 'float': case 'fixed.14.4':
      return 'float';
    case 'boolean':
      return 'bool';
    case 'bin.base64':
      return 'b64';
    default:
      return 'chr';
  }
}

/** A device's value as DM text in `format` (UPnP booleans are 0/1/yes/no/true/false). */
export function toDm(format: Format, v: string): string {
  if (format === 'bool') return /^(1|true|yes)$/i.test(v.trim()) ? 'true' : 'false';
  return v;
}

/** A DM value as UPnP text. */
export function toUpnp(format: Format, v: string): string {
  if (format === 'bool') return v === 'true' ? '1' : v === 'false' ? '0' : v;
  return v;
}

export function buildService(desc: ServiceDesc, scpd: Scpd, seg: string, evented: boolean): ServiceModel {
  const vars = new Map(scpd.stateVars.map((v) => [v.name, v]));
  const actions = new Map(scpd.actions.map((a) => [a.name, a]));
  const state = new Map<string, StateModel>();
  for (const v of scpd.stateVars) {
    const getter = scpd.actions.find((a) => a.args.every((g) => g.direction === 'out') && a.args.some((g) => g.relatedStateVariable === v.name));
    const out = getter?.args.find((g) => g.relatedStateVariable === v.name)?.name;
    if (getter && out !== undefined) state.set(v.name, { v, getter: { action: getter, out } });
    else if (evented && v.sendEvents) state.set(v.name, { v });
  }
  return { seg, desc, actions, state, vars };
}

export const argFormat = (svc: ServiceModel, a: ActionDesc, arg: string, dir: 'in' | 'out'): Format =>
  formatOf(svc.vars.get(a.args.find((g) => g.name === arg && g.direction === dir)?.relatedStateVariable ?? '')?.dataType);

/** The MO subtree of a set of services. */
export function specsOf(services: readonly ServiceModel[]): NodeSpec[] {
  const node = (path: string): NodeSpec => ({ path, format: 'node', access: ['Get'] });
  const out: NodeSpec[] = [node('Services')];
  for (const s of services) {
    const p = `Services/${s.seg}`;
    out.push({ ...node(p), type: s.desc.serviceType }, node(`${p}/State`), node(`${p}/Actions`));
    for (const [name, st] of s.state) out.push({ path: `${p}/State/${name}`, format: formatOf(st.v.dataType), access: ['Get'] });
    for (const a of s.actions.values()) {
      const ap = `${p}/Actions/${a.name}`;
      out.push(node(ap), node(`${ap}/In`), node(`${ap}/Out`), { path: `${ap}/Exec`, format: 'null', access: ['Exec'] });
      for (const g of a.args) {
        const f = argFormat(s, a, g.name, g.direction);
        if (g.direction === 'in') out.push({ path: `${ap}/In/${g.name}`, format: f, access: ['Get', 'Replace'] });
        else out.push({ path: `${ap}/Out/${g.name}`, format: f, access: ['Get'] });
      }
    }
  }
  return out;
}
