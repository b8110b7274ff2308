import { AdapterError, BadValue, NotSupported } from '../sdk/index.js';
import { httpText, SOAP_FETCH } from './http.js';
import type { ServiceModel } from './model.js';
import type { ActionDesc } from './scpd.js';
import { parseSoapResponse, soapRequest, type SoapFault } from './soap.js';

/** UPnP error codes (UDA 1.1 §3.2.2) that say the caller's arguments are wrong. */
const BAD_ARG_CODES = new Set([402, 600, 601, 605]);

/** A UPnP fault as a typed adapter error; the UPnP code stays in the message. */
export function faultError(action: string, f: SoapFault): AdapterError {
  const msg = `${action}: UPnP error ${f.code}: ${f.description}`;
  if (f.code === 401 || f.code === 602) return new NotSupported(msg);
  if (BAD_ARG_CODES.has(f.code)) return new BadValue(msg);
  return new AdapterError(msg);
}

/** Invoke an action over SOAP; answers the out arguments by name (as the device sent them). */
export async function invoke(
  svc: ServiceModel,
  action: ActionDesc,
  inArgs: ReadonlyArray<readonly [string, string]>,
  signal: AbortSignal,
): Promise<Record<string, string>> {
  const r = await httpText(svc.desc.controlUrl, {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset="utf-8"', soapaction: `"${svc.desc.serviceType}#${action.name}"` },
    body: soapRequest(svc.desc.serviceType, action.name, inArgs),
  }, SOAP_FETCH, signal);
  const outNames = action.args.filter((g) => g.direction === 'out').map((g) => g.name);
  const p = parseSoapResponse(r.body, action.name, outNames);
  if (!p.ok) throw new AdapterError(`${action.name}: HTTP ${r.status}, unusable answer (${p.reason})`);
  if (p.value.kind === 'fault') throw faultError(action.name, p.value.fault);
  if (r.status !== 200) throw new AdapterError(`${action.name}: HTTP ${r.status}`);
  return p.value.out;
}
