import type { Result } from './description.js';
import { arr, obj, parseXml, text } from './xml.js';
import { DOC_LIMITS } from './xml-guard.js';

export interface ArgDesc {
  name: string;
  direction: 'in' | 'out';
  relatedStateVariable: string;
}

export interface ActionDesc {
  name: string;
  args: ArgDesc[];
}

export interface StateVarDesc {
  name: string;
  dataType: string;
  sendEvents: boolean;
  defaultValue: string;
  allowedValues: string[];
}

export interface Scpd {
  actions: ActionDesc[];
  stateVars: StateVarDesc[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;
const MAX_ACTIONS = 128;
const MAX_ARGS = 32;
const MAX_VARS = 256;

/** Parse a service description (SCPD). Names that are not valid XML/URI names are dropped. */
export function parseScpd(xml: string): Result<Scpd> {
  const p = parseXml(xml, DOC_LIMITS, true);
  if (!p.ok) return p;
  const root = obj(p.value.scpd);
  if (!root) return { ok: false, reason: 'no scpd element' };
  const actions: ActionDesc[] = [];
  for (const a of arr(obj(root.actionList)?.action)) {
    const ao = obj(a);
    const name = text(ao?.name);
    if (!ao || !NAME.test(name) || actions.length >= MAX_ACTIONS || actions.some((x) => x.name === name)) continue;
    const args: ArgDesc[] = [];
    for (const g of arr(obj(ao.argumentList)?.argument)) {
      const go = obj(g);
      const an = text(go?.name);
      const dir = text(go?.direction).toLowerCase();
      if (!go || !NAME.test(an) || (dir !== 'in' && dir !== 'out') || args.length >= MAX_ARGS) continue;
      if (args.some((x) => x.name === an && x.direction === dir)) continue;
      args.push({ name: an, direction: dir, relatedStateVariable: text(go.relatedStateVariable) });
    }
    actions.push({ name, args });
  }
  const stateVars: StateVarDesc[] = [];
  for (const v of arr(obj(root.serviceStateTable)?.stateVariable)) {
    const vo = obj(v);
    const name = text(vo?.name);
    if (!vo || !NAME.test(name) || stateVars.length >= MAX_VARS || stateVars.some((x) => x.name === name)) continue;
    stateVars.push({
      name,
      dataType: text(vo.dataType),
      sendEvents: text(vo['@_sendEvents'] ?? 'yes').toLowerCase() !== 'no',
      defaultValue: text(vo.defaultValue, 1024),
      allowedValues: arr(obj(vo.allowedValueList)?.allowedValue).map((x) => text(x)).slice(0, 64),
    });
  }
  return { ok: true, value: { actions, stateVars } };
}
