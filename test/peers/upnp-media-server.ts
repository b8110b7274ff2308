// A small real UPnP MediaServer for end-to-end tests: SSDP (node-ssdp Server: alive NOTIFYs and
// M-SEARCH answers), a device description, a ContentDirectory SCPD, SOAP control of
// GetSystemUpdateID, and GENA eventing of SystemUpdateID / ContainerUpdateIDs / TransferIDs through
// GenaPublisher. `bump()` changes the content (SystemUpdateID + 1) and events it, as a media server
// does after a rescan.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import ssdp from 'node-ssdp';
import { GenaPublisher } from './gena-publisher.js';

export interface MediaServerOptions {
  /** LAN address to serve on (also the LOCATION host). */
  host: string;
  uuid: string;
  port?: number;
  friendlyName?: string;
  /** Advertise over SSDP (default true). */
  ssdp?: boolean;
}

const CDS = 'urn:schemas-upnp-org:service:ContentDirectory:1';
const MS = 'urn:schemas-upnp-org:device:MediaServer:1';

const SCPD = `<?xml version="1.0" encoding="utf-8"?>
<scpd xmlns="urn:schemas-upnp-org:service-1-0"><specVersion><major>1</major><minor>0</minor></specVersion>
<actionList><action><name>GetSystemUpdateID</name><argumentList>
<argument><name>Id</name><direction>out</direction><relatedStateVariable>SystemUpdateID</relatedStateVariable></argument>
</argumentList></action></actionList>
<serviceStateTable>
<stateVariable sendEvents="yes"><name>SystemUpdateID</name><dataType>ui4</dataType></stateVariable>
<stateVariable sendEvents="yes"><name>ContainerUpdateIDs</name><dataType>string</dataType></stateVariable>
<stateVariable sendEvents="yes"><name>TransferIDs</name><dataType>string</dataType></stateVariable>
</serviceStateTable></scpd>`;

export class UpnpMediaServer {
  readonly gena = new GenaPublisher({ SystemUpdateID: '7', ContainerUpdateIDs: '', TransferIDs: '' });
  private server: Server | null = null;
  private ad: ssdp.Server | null = null;
  private port = 0;

  constructor(private readonly o: MediaServerOptions) {}

  get location(): string {
    return `http://${this.o.host}:${this.port}/desc.xml`;
  }

  get systemUpdateId(): number {
    return Number(this.gena.value('SystemUpdateID'));
  }

  async start(): Promise<string> {
    const s = createServer((req, res) => this.route(req, res));
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(this.o.port ?? 0, this.o.host, () => resolve());
    });
    this.server = s;
    this.port = (s.address() as AddressInfo).port;
    if (this.o.ssdp !== false) {
      // sourcePort (untyped in @types/node-ssdp): alive NOTIFYs from 1900, as control points expect
      const opts: ssdp.ServerOptions & { sourcePort: number } = {
        location: this.location, udn: `uuid:${this.o.uuid}`, sourcePort: 1900, adInterval: 2000, ttl: 2,
        ssdpSig: 'Linux/6 UPnP/1.0 dmb-media-peer/1', explicitSocketBind: true, interfaces: ['eth0'],
      };
      this.ad = new ssdp.Server(opts);
      this.ad.addUSN('upnp:rootdevice');
      this.ad.addUSN(MS);
      this.ad.addUSN(CDS);
      await this.ad.start();
    }
    return this.location;
  }

  /** The content changed: SystemUpdateID + 1 and ContainerUpdateIDs, evented to every subscriber. */
  bump(): number {
    const id = this.systemUpdateId + 1;
    this.gena.set({ SystemUpdateID: String(id), ContainerUpdateIDs: `0,${id}` });
    return id;
  }

  async stop(): Promise<void> {
    this.ad?.stop();
    this.ad = null;
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/evt/cds') return this.gena.handle(req, res);
    if (req.method === 'GET' && path === '/desc.xml') return xml(res, 200, this.description());
    if (req.method === 'GET' && path === '/cds.xml') return xml(res, 200, SCPD);
    if (req.method === 'POST' && path === '/ctl/cds') return this.control(req, res);
    req.resume();
    res.writeHead(404, { 'content-length': '0' }).end();
  }

  private description(): string {
    return `<?xml version="1.0" encoding="utf-8"?>
<root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>0</minor></specVersion><device>
<deviceType>${MS}</deviceType><friendlyName>${this.o.friendlyName ?? 'GenaMediaServer'}</friendlyName>
<manufacturer>dm-bridge tests</manufacturer><modelName>dmb-media-peer</modelName><UDN>uuid:${this.o.uuid}</UDN>
<serviceList><service><serviceType>${CDS}</serviceType><serviceId>urn:upnp-org:serviceId:ContentDirectory</serviceId>
<SCPDURL>/cds.xml</SCPDURL><controlURL>/ctl/cds</controlURL><eventSubURL>/evt/cds</eventSubURL></service></serviceList>
</device></root>`;
  }

  private control(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const action = /#(\w+)"?$/.exec(String(req.headers.soapaction ?? ''))?.[1];
      const body = Buffer.concat(chunks).toString('utf8');
      if (action !== 'GetSystemUpdateID' || !body.includes('GetSystemUpdateID')) {
        return xml(res, 500, envelope('<s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>'
          + '<UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>401</errorCode><errorDescription>Invalid Action</errorDescription></UPnPError>'
          + '</detail></s:Fault>'));
      }
      xml(res, 200, envelope(`<u:GetSystemUpdateIDResponse xmlns:u="${CDS}"><Id>${this.systemUpdateId}</Id></u:GetSystemUpdateIDResponse>`));
    });
  }
}

const envelope = (inner: string): string => '<?xml version="1.0" encoding="utf-8"?>'
  + `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>${inner}</s:Body></s:Envelope>`;

function xml(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/xml; charset="utf-8"', 'content-length': String(Buffer.byteLength(body)), ext: '' }).end(body);
}
