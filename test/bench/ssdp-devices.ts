// Simulated UPnP root devices for discovery.bench.ts; runs INSIDE a device namespace whose eth0
// holds every device address (`... this.ts HOSTIP ADDR1,ADDR2,...`). Each device has its own UDP
// socket on its own address (NOTIFY ssdp:alive and M-SEARCH answers come from that address) and a
// description at http://ADDR:8200/dev/<i>.xml (one HTTP server on 0.0.0.0). {"cmd":"announce"} on
// stdin sends every device's NOTIFY burst at once and prints {"announced":{uuid:epochMs}}.
import { createSocket, type Socket } from 'node:dgram';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';

const GROUP = '239.255.255.250';
const PORT = 8200;
const [hostIp = '', list = ''] = process.argv.slice(2);
const addrs = list.split(',').filter(Boolean);
const uuidOf = (i: number): string => `be0c4000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const DEVICE_TYPE = 'urn:schemas-upnp-org:device:MediaRenderer:1';

function description(i: number): string {
  return `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>0</minor></specVersion>
<device><deviceType>${DEVICE_TYPE}</deviceType><friendlyName>Bench Renderer ${i}</friendlyName>
<manufacturer>Bench Corp</manufacturer><modelName>BR-${i % 7}</modelName><modelNumber>1.0</modelNumber><UDN>uuid:${uuidOf(i)}</UDN>
<serviceList><service><serviceType>urn:schemas-upnp-org:service:AVTransport:1</serviceType><serviceId>urn:upnp-org:serviceId:AVTransport</serviceId>
<controlURL>/ctl/avt</controlURL><eventSubURL>/evt/avt</eventSubURL><SCPDURL>/avt.xml</SCPDURL></service>
<service><serviceType>urn:schemas-upnp-org:service:RenderingControl:1</serviceType><serviceId>urn:upnp-org:serviceId:RenderingControl</serviceId>
<controlURL>/ctl/rc</controlURL><eventSubURL>/evt/rc</eventSubURL><SCPDURL>/rc.xml</SCPDURL></service></serviceList></device></root>`;
}

const http = createServer((req, res) => {
  const m = /^\/dev\/(\d+)\.xml$/.exec(req.url ?? '');
  const i = m ? Number(m[1]) : -1;
  if (i < 0 || i >= addrs.length) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'text/xml; charset="utf-8"' }).end(description(i));
});
await new Promise<void>((r) => http.listen(PORT, '0.0.0.0', () => r()));

const msg = (start: string, h: Record<string, string>): Buffer =>
  Buffer.from(`${start}\r\n${Object.entries(h).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`);
const common = (i: number): Record<string, string> => ({
  'CACHE-CONTROL': 'max-age=1800', LOCATION: `http://${addrs[i]}:${PORT}/dev/${i}.xml`, SERVER: 'Linux/6 UPnP/1.0 bench/1',
});
const targets = (i: number): Array<[string, string]> => [
  ['upnp:rootdevice', `uuid:${uuidOf(i)}::upnp:rootdevice`],
  [`uuid:${uuidOf(i)}`, `uuid:${uuidOf(i)}`],
  [DEVICE_TYPE, `uuid:${uuidOf(i)}::${DEVICE_TYPE}`],
];

const sockets: Socket[] = [];
for (const a of addrs) {
  const s = createSocket({ type: 'udp4' });
  await new Promise<void>((r) => s.bind(0, a, () => r()));
  s.setMulticastInterface(a);
  s.setMulticastTTL(2);
  sockets.push(s);
}

// M-SEARCH: every device answers (unicast, from its own address) for each of its targets
const listener = createSocket({ type: 'udp4', reuseAddr: true });
listener.on('message', (buf, rinfo) => {
  const text = buf.toString('utf8');
  if (!/^M-SEARCH \* HTTP\/1\.1/i.test(text)) return;
  const st = /\r\nST:\s*(.*?)\r\n/i.exec(text)?.[1]?.trim() ?? '';
  sockets.forEach((s, i) => {
    for (const [nt, usn] of targets(i)) {
      if (st !== 'ssdp:all' && st !== nt) continue;
      s.send(msg('HTTP/1.1 200 OK', { ...common(i), EXT: '', ST: nt, USN: usn }), rinfo.port, rinfo.address);
    }
  });
});
await new Promise<void>((r) => listener.bind(1900, '0.0.0.0', () => r()));
listener.addMembership(GROUP, hostIp);

const out = (v: object): void => void process.stdout.write(`${JSON.stringify(v)}\n`);
out({ ready: true, devices: addrs.length });
createInterface({ input: process.stdin }).on('line', (line) => {
  const c = JSON.parse(line) as { cmd: string };
  if (c.cmd === 'announce') {
    const announced: Record<string, number> = {};
    sockets.forEach((s, i) => {
      announced[uuidOf(i)] = Date.now();
      for (const [nt, usn] of targets(i)) {
        s.send(msg('NOTIFY * HTTP/1.1', { HOST: `${GROUP}:1900`, ...common(i), NT: nt, NTS: 'ssdp:alive', USN: usn }), 1900, GROUP);
      }
    });
    out({ announced });
  }
  if (c.cmd === 'stop') {
    for (const s of sockets) s.close();
    listener.close();
    http.close();
    process.stdin.destroy();
  }
});
