import { AdapterError, BadValue, NotSupported, type AdapterContext, type NodeSpec } from '../sdk/index.js';
import { attr, decodeIpp, IppDecodeError, ippRequest, Op, Tag, type IppMessage } from './codec.js';
import type { Endpoint } from './endpoint.js';
import { postIpp, type CertPin } from './transport.js';

/** Largest IPP response read, bytes. */
export const MAX_RESPONSE = 256 * 1024;

/** One IPP request to the printer, its answer decoded; errors are the SDK's typed errors. */
export async function ippCall(ep: Endpoint, body: Uint8Array, signal: AbortSignal, pin?: CertPin): Promise<IppMessage> {
  const bytes = await postIpp(ep, body, signal, MAX_RESPONSE, pin);
  try {
    return decodeIpp(bytes, MAX_RESPONSE);
  } catch (err) {
    if (err instanceof IppDecodeError) throw new AdapterError(`bad IPP response: ${err.message}`, { cause: err });
    throw err;
  }
}

export interface PrinterView {
  state: string;
  stateReasons: string;
  info: string;
  makeModel: string;
  uri: string;
  markers: Array<{ name: string; level: string; type: string }>;
  identify: boolean;
}

const STATES: Record<number, string> = { 3: 'idle', 4: 'processing', 5: 'stopped' };
const REQUESTED = ['printer-state', 'printer-state-reasons', 'printer-info', 'printer-make-and-model', 'printer-uri-supported',
  'marker-names', 'marker-levels', 'marker-types', 'operations-supported'];

/** Read Get-Printer-Attributes (status 0x0000-0x00ff is success) into the MO's values. */
export function printerView(msg: IppMessage, fallbackUri: string): PrinterView {
  if (msg.code > 0x00ff) throw new AdapterError(`Get-Printer-Attributes failed: status 0x${msg.code.toString(16).padStart(4, '0')}`);
  const s = (name: string) => attr(msg, name).map(String);
  const names = s('marker-names');
  const levels = s('marker-levels');
  const types = s('marker-types');
  const state = attr(msg, 'printer-state')[0];
  return {
    state: typeof state === 'number' ? (STATES[state] ?? String(state)) : '',
    stateReasons: s('printer-state-reasons').join(','),
    info: s('printer-info')[0] ?? '',
    makeModel: s('printer-make-and-model')[0] ?? '',
    uri: sameScheme(s('printer-uri-supported'), fallbackUri),
    markers: names.map((name, i) => ({ name, level: levels[i] ?? '', type: types[i] ?? '' })),
    identify: attr(msg, 'operations-supported').includes(Op.IDENTIFY_PRINTER),
  };
}

/** The printer's URI of the scheme we use (ipp/ipps), else its first, else ours. */
function sameScheme(uris: string[], ours: string): string {
  const scheme = ours.slice(0, ours.indexOf(':') + 1);
  return uris.find((u) => u.startsWith(scheme)) ?? uris[0] ?? ours;
}

export function getAttributes(ep: Endpoint, requestId: number, signal: AbortSignal, pin?: CertPin): Promise<IppMessage> {
  const req = ippRequest(Op.GET_PRINTER_ATTRIBUTES, requestId, ep.ippUri, [
    { name: 'requested-attributes', tag: Tag.KEYWORD, values: REQUESTED },
  ]);
  return ippCall(ep, req, signal, pin);
}

export async function identify(ep: Endpoint, requestId: number, ctx: AdapterContext, pin?: CertPin): Promise<void> {
  const msg = await ippCall(ep, ippRequest(Op.IDENTIFY_PRINTER, requestId, ep.ippUri), ctx.signal, pin);
  if (msg.code === 0x0501 || msg.code === 0x0508) throw new NotSupported('Identify-Printer is not supported');
  if (msg.code > 0x00ff) throw new AdapterError(`Identify-Printer failed: status 0x${msg.code.toString(16)}`);
}

/** The subtree below MO/ for one printer view. */
export function specs(v: PrinterView): NodeSpec[] {
  const leaf = (path: string): NodeSpec => ({ path, format: 'chr', access: ['Get'] });
  const out: NodeSpec[] = [
    { path: 'Printer', format: 'node', type: 'org.dmbridge/1.0/Printer', access: ['Get'] },
    leaf('Printer/State'), leaf('Printer/StateReasons'), leaf('Printer/Info'), leaf('Printer/MakeModel'), leaf('Printer/Uri'),
    { path: 'Printer/Markers', format: 'node', access: ['Get'] },
  ];
  v.markers.forEach((_, i) => {
    const base = `Printer/Markers/${i + 1}`;
    out.push({ path: base, format: 'node', access: ['Get'] }, leaf(`${base}/Name`), { path: `${base}/Level`, format: 'int', access: ['Get'] }, leaf(`${base}/Type`));
  });
  if (v.identify) out.push({ path: 'Printer/Identify', format: 'null', access: ['Exec'] });
  return out;
}

/** The value at `path` in a printer view. */
export function valueAt(v: PrinterView, path: string): string {
  const m = /^Printer\/Markers\/(\d+)\/(Name|Level|Type)$/.exec(path);
  if (m) {
    const k = v.markers[Number(m[1]) - 1];
    if (!k) throw new NotSupported(`no marker ${m[1]}`);
    return m[2] === 'Name' ? k.name : m[2] === 'Level' ? k.level : k.type;
  }
  switch (path) {
    case 'Printer/State': return v.state;
    case 'Printer/StateReasons': return v.stateReasons;
    case 'Printer/Info': return v.info;
    case 'Printer/MakeModel': return v.makeModel;
    case 'Printer/Uri': return v.uri;
    default: throw new BadValue(`no leaf ${path}`);
  }
}
