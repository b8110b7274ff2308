import { XMLParser } from 'fast-xml-parser';
import { DESCRIPTION_LIMITS, xmlRejection, type XmlLimits } from './xml-guard.js';

/** The fields of a UPnP device description the inventory keeps. */
export interface UpnpDescription {
  /** Root device UDN without "uuid:", lower case ('' when absent or invalid). */
  udn: string;
  deviceType: string;
  friendlyName: string;
  manufacturer: string;
  modelName: string;
  modelNumber: string;
  presentationUrl: string;
  services: Array<{ serviceType: string; serviceId: string; controlUrl: string; eventSubUrl: string; scpdUrl: string }>;
  /** UDNs of embedded devices (they belong to the root device). */
  embedded: string[];
}

export type DescriptionResult = { ok: true; value: UpnpDescription } | { ok: false; reason: string };

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/g;
const MAX_FIELD = 256;
const MAX_SERVICES = 64;

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  isArray: (name) => name === 'service' || name === 'device',
});

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const text = (v: unknown): string =>
  typeof v === 'string' ? v.replace(CONTROL_CHARS, ' ').trim().slice(0, MAX_FIELD) : typeof v === 'number' ? String(v) : '';

function udnOf(v: unknown): string {
  const m = /^uuid:([A-Za-z0-9._~-]{1,100})$/i.exec(text(v));
  return m ? m[1]!.toLowerCase() : '';
}

function resolveUrl(rel: string, base: string): string {
  if (rel === '') return '';
  try {
    const u = new URL(rel, base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : '';
  } catch {
    return '';
  }
}

/** Parse a UPnP device description; hostile or malformed XML is a reason, never a throw. */
export function parseDescription(xml: string, baseUrl: string, limits: XmlLimits = DESCRIPTION_LIMITS): DescriptionResult {
  const bad = xmlRejection(xml, limits);
  if (bad !== undefined) return { ok: false, reason: bad };
  let doc: Obj | undefined;
  try {
    doc = obj(parser.parse(xml) as unknown);
  } catch (err) {
    return { ok: false, reason: `not well-formed XML: ${(err as Error).message.slice(0, 120)}` };
  }
  const root = obj(doc?.root);
  const device = obj(arr(root?.device)[0]);
  if (!root || !device) return { ok: false, reason: 'no root/device element' };
  const base = text(root.URLBase) || baseUrl;
  const services: UpnpDescription['services'] = [];
  const embedded: string[] = [];
  const walk = (d: Obj, depth: number): void => {
    for (const s of arr(obj(d.serviceList)?.service)) {
      const so = obj(s);
      if (!so || services.length >= MAX_SERVICES) continue;
      services.push({
        serviceType: text(so.serviceType),
        serviceId: text(so.serviceId),
        controlUrl: resolveUrl(text(so.controlURL), base),
        eventSubUrl: resolveUrl(text(so.eventSubURL), base),
        scpdUrl: resolveUrl(text(so.SCPDURL), base),
      });
    }
    if (depth > 4) return;
    for (const e of arr(obj(d.deviceList)?.device)) {
      const eo = obj(e);
      if (!eo) continue;
      const u = udnOf(eo.UDN);
      if (u !== '' && embedded.length < MAX_SERVICES) embedded.push(u);
      walk(eo, depth + 1);
    }
  };
  walk(device, 0);
  return {
    ok: true,
    value: {
      udn: udnOf(device.UDN),
      deviceType: text(device.deviceType),
      friendlyName: text(device.friendlyName),
      manufacturer: text(device.manufacturer),
      modelName: text(device.modelName),
      modelNumber: text(device.modelNumber),
      presentationUrl: resolveUrl(text(device.presentationURL), base),
      services,
      embedded,
    },
  };
}

export interface FetchLimits {
  timeoutMs: number;
  maxBytes: number;
}

export const FETCH_LIMITS: FetchLimits = { timeoutMs: 4000, maxBytes: DESCRIPTION_LIMITS.maxBytes };

/** GET a description with a total deadline (headers and body: a slow server is cut off) and a size cap. */
export async function fetchText(url: string, limits: FetchLimits = FETCH_LIMITS): Promise<{ ok: true; value: string } | { ok: false; reason: string }> {
  const ac = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ac.abort();
  }, limits.timeoutMs);
  const tooBig = { ok: false as const, reason: `larger than ${limits.maxBytes} bytes` };
  try {
    const res = await fetch(url, { signal: ac.signal, redirect: 'error', headers: { accept: 'text/xml, application/xml' } });
    if (!res.ok || !res.body) {
      ac.abort();
      return { ok: false, reason: `HTTP ${res.status}` };
    }
    if (Number(res.headers.get('content-length') ?? '0') > limits.maxBytes) {
      ac.abort();
      return tooBig;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limits.maxBytes) {
        ac.abort();
        return tooBig;
      }
      chunks.push(Buffer.from(value));
    }
    return { ok: true, value: Buffer.concat(chunks).toString('utf8') };
  } catch (err) {
    return { ok: false, reason: timedOut ? `no complete answer within ${limits.timeoutMs} ms` : (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** Fetch and parse a description. */
export async function fetchDescription(url: string, limits: FetchLimits = FETCH_LIMITS): Promise<DescriptionResult> {
  const t = await fetchText(url, limits);
  return t.ok ? parseDescription(t.value, url) : t;
}
