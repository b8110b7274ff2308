import type { Result } from './description.js';
import { obj, parseXml, text } from './xml.js';
import { SOAP_LIMITS } from './xml-guard.js';

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
// eslint-disable-next-line no-control-regex
const XML_INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
export const escapeXml = (s: string): string => s.replace(XML_INVALID, '').replace(/[&<>"']/g, (c) => ESC[c]!);

/** The SOAP request body of a UPnP action (argument names are SCPD names, already checked). */
export function soapRequest(serviceType: string, action: string, args: ReadonlyArray<readonly [string, string]>): string {
  const body = args.map(([n, v]) => `<${n}>${escapeXml(v)}</${n}>`).join('');
  return '<?xml version="1.0" encoding="utf-8"?>\n'
    + '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">'
    + `<s:Body><u:${action} xmlns:u="${escapeXml(serviceType)}">${body}</u:${action}></s:Body></s:Envelope>`;
}

/** A UPnP error from a SOAP fault (errorCode kept as a number, 0 when absent). */
export interface SoapFault {
  code: number;
  description: string;
}

export type SoapAnswer = { kind: 'ok'; out: Record<string, string> } | { kind: 'fault'; fault: SoapFault };

const MAX_OUT = 512 * 1024;

function raw(v: unknown): string | undefined {
  if (typeof v === 'string') return v.slice(0, MAX_OUT);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const o = obj(v);
  if (o && typeof o['#text'] === 'string') return o['#text'].slice(0, MAX_OUT);
  if (o && Object.keys(o).length === 0) return '';
  return undefined;
}

/**
 * Parse a SOAP answer to `action`: its out arguments by name (only the names in `outNames`, as text),
 * or the UPnP fault. Anything else (wrong shape, hostile XML) is a reason.
 */
export function parseSoapResponse(xml: string, action: string, outNames: readonly string[]): Result<SoapAnswer> {
  const p = parseXml(xml, SOAP_LIMITS);
  if (!p.ok) return p;
  const body = obj(obj(p.value.Envelope)?.Body);
  if (!body) return { ok: false, reason: 'no SOAP Envelope/Body' };
  const fault = obj(body.Fault);
  if (fault) {
    const err = obj(obj(fault.detail)?.UPnPError);
    const code = Number.parseInt(text(err?.errorCode), 10);
    const description = text(err?.errorDescription) || text(fault.faultstring) || 'SOAP fault';
    return { ok: true, value: { kind: 'fault', fault: { code: Number.isFinite(code) ? code : 0, description } } };
  }
  const resp = body[`${action}Response`];
  const ro = obj(resp) ?? (resp === '' ? {} : undefined);
  if (!ro) return { ok: false, reason: `no ${action}Response element` };
  const out: Record<string, string> = {};
  for (const name of outNames) {
    const v = raw(ro[name]);
    if (v !== undefined) out[name] = v;
  }
  return { ok: true, value: { kind: 'ok', out } };
}
