/**
 * IPP printers found by mDNS (`_ipp._tcp`, `_ipps._tcp`, port > 0): MO/Printer/{State, StateReasons,
 * Info, MakeModel, Uri, Markers/<n>/{Name,Level,Type}} from Get-Printer-Attributes, and
 * MO/Printer/Identify (Exec: Identify-Printer) when the printer lists that operation.
 * The resource path is `ipp/print` (the IPP Everywhere default; TXT `rp` is not in the DeviceRecord).
 */
import { NotSupported, type Adapter, type AdapterContext, type DeviceHandle, type DeviceRecord, type NodeSpec, type Value } from '../sdk/index.js';
import { getAttributes, identify, printerView, specs, valueAt, type PrinterView } from './printer.js';

const TYPES = ['_ipp._tcp', '_ipps._tcp'];
/** A Get of several leaves within this window shares one Get-Printer-Attributes. */
const CACHE_MS = 2000;

function endpoint(d: DeviceRecord): { ippUri: string; httpUrl: string } | undefined {
  const svc = d.services.find((s) => s.protocol === 'mdns' && s.type === '_ipp._tcp' && (s.port ?? 0) > 0)
    ?? d.services.find((s) => s.protocol === 'mdns' && s.type === '_ipps._tcp' && (s.port ?? 0) > 0);
  if (!svc || d.address === '') return undefined;
  const secure = svc.type === '_ipps._tcp';
  const host = d.address.includes(':') ? `[${d.address}]` : d.address;
  return { ippUri: `${secure ? 'ipps' : 'ipp'}://${host}:${svc.port}/ipp/print`, httpUrl: `${secure ? 'https' : 'http'}://${host}:${svc.port}/ipp/print` };
}

export const ippAdapter: Adapter = {
  name: 'ipp',
  matches: (d) => d.services.some((s) => s.protocol === 'mdns' && TYPES.includes(s.type) && (s.port ?? 0) > 0) && d.address !== '',
  async attach(d, ctx) {
    const ep = endpoint(d);
    if (!ep) throw new NotSupported(`no IPP endpoint for ${d.devId}`);
    let requestId = 1;
    let view: PrinterView = printerView(await getAttributes(ep.ippUri, ep.httpUrl, requestId++, ctx.signal), ep.ippUri);
    let at = Date.now();
    const fresh = async (c: AdapterContext): Promise<PrinterView> => {
      if (Date.now() - at > CACHE_MS) {
        view = printerView(await getAttributes(ep.ippUri, ep.httpUrl, requestId++, c.signal), ep.ippUri);
        at = Date.now();
      }
      return view;
    };
    const handle: DeviceHandle = {
      describe: (): NodeSpec[] => specs(view),
      async get(path, c): Promise<Value> {
        return valueAt(await fresh(c), path);
      },
      async exec(path, _arg, c) {
        if (path !== 'Printer/Identify' || !view.identify) throw new NotSupported(`not executable: ${path}`);
        await identify(ep.ippUri, ep.httpUrl, requestId++, c);
        return { done: true };
      },
      async detach() {},
    };
    return handle;
  },
};
