import { AdapterError, type Adapter, type AdapterContext, type DeviceHandle, type DeviceRecord } from '../sdk/index.js';
import { parseDeviceDescription } from './description.js';
import { UpnpDevice } from './device.js';
import { deviceUrlProblem, serviceUrlProblem, type DeviceUrlPolicy } from './device-url.js';
import { CallbackServer, localAddressToward } from './gena.js';
import { getDocument } from './http.js';
import { buildService, segmentOf, type ServiceModel } from './model.js';
import { parseScpd } from './scpd.js';

export interface UpnpAdapterOptions extends DeviceUrlPolicy {
  /** Subscribe to GENA events (default true). */
  gena?: boolean;
}

/**
 * The generic UPnP adapter: a device's services come from its description and each service's SCPD;
 * MO/Services/<serviceId>/State/<var> and MO/Services/<serviceId>/Actions/<action>/{In/<arg>,Exec,Out/<arg>}.
 */
export function createUpnpAdapter(opts: UpnpAdapterOptions = {}): Adapter {
  const servers = new Map<string, CallbackServer>();

  async function callbacksFor(d: DeviceRecord): Promise<CallbackServer> {
    const local = d.localAddress ?? (await localAddressToward(d.address));
    let s = servers.get(local);
    if (!s) {
      s = new CallbackServer(local);
      servers.set(local, s);
      try {
        await s.start();
      } catch (err) {
        servers.delete(local);
        throw err;
      }
    }
    return s;
  }

  return {
    name: 'upnp',
    matches: (d) => d.protocols.includes('upnp') && typeof d.location === 'string' && /^https?:\/\//.test(d.location),
    async attach(d: DeviceRecord, ctx: AdapterContext): Promise<DeviceHandle> {
      const url = d.location!;
      const where = deviceUrlProblem(url, d.address, opts);
      if (where) throw new AdapterError(`device LOCATION refused: ${where}`);
      const desc = parseDeviceDescription(await getDocument(url, ctx.signal), url);
      if (!desc.ok) throw new AdapterError(`device description rejected: ${desc.reason}`);
      // every service URL must be the device's own (device-url.ts); a service that points elsewhere is skipped
      const own = desc.value.services.filter((s) => {
        const p = serviceUrlProblem(s, d.address, opts);
        if (p) ctx.log.warn({ devId: d.devId, serviceId: s.serviceId, reason: p }, 'upnp: service URL not on the device; service skipped');
        return p === null;
      });
      const scpds = await Promise.all(own.map(async (s) => {
        try {
          const p = parseScpd(await getDocument(s.scpdUrl, ctx.signal));
          if (!p.ok) ctx.log.warn({ devId: d.devId, serviceId: s.serviceId, reason: p.reason }, 'upnp: SCPD rejected; service skipped');
          return p.ok ? p.value : undefined;
        } catch (err) {
          if (ctx.signal.aborted) throw err;
          ctx.log.warn({ devId: d.devId, serviceId: s.serviceId, err: (err as Error).message }, 'upnp: SCPD unavailable; service skipped');
          return undefined;
        }
      }));
      const gena = opts.gena !== false;
      const taken = new Set<string>();
      const services: ServiceModel[] = [];
      own.forEach((s, i) => {
        const scpd = scpds[i];
        if (!scpd) return;
        const seg = segmentOf(s.serviceId, taken);
        taken.add(seg);
        services.push(buildService(s, scpd, seg, gena && s.eventSubUrl !== ''));
      });
      let callbacks: CallbackServer | undefined;
      if (gena && services.some((s) => s.desc.eventSubUrl !== '')) {
        callbacks = await callbacksFor(d).catch((err: unknown) => {
          ctx.log.warn({ devId: d.devId, err: (err as Error).message }, 'upnp: no GENA callback server; events off');
          return undefined;
        });
      }
      const dev = new UpnpDevice(services, ctx.log, callbacks);
      dev.subscribeAll();
      const detach = dev.detach.bind(dev);
      dev.detach = async () => {
        await detach();
        if (callbacks && callbacks.size === 0 && servers.get(callbacks.address) === callbacks) {
          servers.delete(callbacks.address);
          await callbacks.stop();
        }
      };
      return dev;
    },
  };
}

/** The default instance app.ts passes to the adapter host. */
export const upnpAdapter: Adapter = createUpnpAdapter();
