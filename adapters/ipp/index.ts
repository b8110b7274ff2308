/**
 * IPP printers found by mDNS (`_ipps._tcp`, `_ipp._tcp`, port > 0): MO/Printer/{State, StateReasons,
 * Info, MakeModel, Uri, Markers/<n>/{Name,Level,Type}} from Get-Printer-Attributes, and
 * MO/Printer/Identify (Exec: Identify-Printer) when the printer lists that operation.
 * The resource path is the service's TXT `rp` (default `ipp/print`). `ipps` is tried first; its
 * self-signed certificate is pinned on first use for the life of the attachment (transport.ts); when
 * the TLS endpoint cannot be reached the plain `ipp` one (if advertised) is used.
 */
import { AdapterError, DeviceUnreachable, NotSupported, type Adapter, type AdapterContext, type DeviceHandle, type NodeSpec, type Value } from '../sdk/index.js';
import { endpoints, type Endpoint } from './endpoint.js';
import { getAttributes, identify, printerView, specs, valueAt, type PrinterView } from './printer.js';
import { CertPin } from './transport.js';

/** A Get of several leaves within this window shares one Get-Printer-Attributes. */
const CACHE_MS = 2000;

/** The first endpoint that answers Get-Printer-Attributes, with its pin (ipps) and first view. */
async function connect(eps: Endpoint[], ctx: AdapterContext): Promise<{ ep: Endpoint; pin: CertPin | undefined; view: PrinterView }> {
  let last: unknown;
  for (const ep of eps) {
    const pin = ep.secure ? new CertPin(ctx.log, ep.ippUri) : undefined;
    try {
      return { ep, pin, view: printerView(await getAttributes(ep, 1, ctx.signal, pin), ep.ippUri) };
    } catch (err) {
      last = err;
      if (ctx.signal.aborted || !(err instanceof DeviceUnreachable || (ep.secure && err instanceof AdapterError))) throw err;
      if (ep !== eps.at(-1)) ctx.log.info({ uri: ep.ippUri, err: (err as Error).message }, 'ipp: endpoint failed, trying the next');
    }
  }
  throw last;
}

export const ippAdapter: Adapter = {
  name: 'ipp',
  matches: (d) => endpoints(d).length > 0,
  async attach(d, ctx) {
    const eps = endpoints(d);
    if (eps.length === 0) throw new NotSupported(`no IPP endpoint for ${d.devId}`);
    const { ep, pin, view: first } = await connect(eps, ctx);
    let view = first;
    let requestId = 2;
    let at = Date.now();
    const fresh = async (c: AdapterContext): Promise<PrinterView> => {
      if (Date.now() - at > CACHE_MS) {
        view = printerView(await getAttributes(ep, requestId++, c.signal, pin), ep.ippUri);
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
        await identify(ep, requestId++, c, pin);
        return { done: true };
      },
      async detach() {},
    };
    return handle;
  },
};
