// Simulated mDNS devices for discovery.bench.ts; runs INSIDE a device namespace (`... this.ts HOSTIP
// SUBNET16`, e.g. "10.79"). Device k is the IPP printer "Bench Printer k" on its own host
// bench-k.local with its own address SUBNET16.(1 + k/250).(2 + k%250) (A record). Publishes with
// multicast-dns (unsolicited announcements, answers to PTR queries), at most 4 devices per packet.
// {"cmd":"announce","from":F,"count":N} adds devices F..F+N-1 and announces them at once; prints
// {"announced":{fqdn:epochMs}} (fqdn lower-cased, as discovery keys it).
import { createInterface } from 'node:readline';
import makeMdns from 'multicast-dns';
import type { Answer } from 'dns-packet';

const TYPE = '_ipp._tcp.local';
const PER_PACKET = 4;
const TTL = 4500;
const [hostIp = '', subnet16 = '10.79'] = process.argv.slice(2);
const mdns = makeMdns({ interface: hostIp, bind: '0.0.0.0', reuseAddr: true, loopback: false });
mdns.on('warning', (err: Error) => process.stderr.write(`mdns warning: ${err.message}\n`));

const fqdnOf = (k: number): string => `Bench Printer ${k}.${TYPE}`;
function records(k: number): Answer[] {
  const fqdn = fqdnOf(k);
  const host = `bench-${k}.local`;
  const address = `${subnet16}.${1 + Math.floor(k / 250)}.${2 + (k % 250)}`;
  return [
    { name: TYPE, type: 'PTR', ttl: TTL, data: fqdn },
    { name: fqdn, type: 'SRV', ttl: 120, flush: true, data: { target: host, port: 631, priority: 0, weight: 0 } },
    { name: fqdn, type: 'TXT', ttl: TTL, flush: true, data: [Buffer.from('rp=ipp/print'), Buffer.from(`ty=Bench Printer ${k}`), Buffer.from('usb_MFG=BenchCorp'), Buffer.from(`usb_MDL=BP-${k % 5}`)] },
    { name: host, type: 'A', ttl: 120, flush: true, data: address },
  ];
}

const published: number[] = [];
function send(devices: readonly number[]): void {
  for (let i = 0; i < devices.length; i += PER_PACKET) {
    mdns.respond({ answers: devices.slice(i, i + PER_PACKET).flatMap(records) });
  }
}

mdns.on('query', (q: { questions?: Array<{ name?: string; type?: string }> }) => {
  if ((q.questions ?? []).some((x) => x.type === 'PTR' && x.name?.toLowerCase() === TYPE)) send(published);
});

const out = (v: object): void => void process.stdout.write(`${JSON.stringify(v)}\n`);
mdns.on('ready', () => out({ ready: true }));
createInterface({ input: process.stdin }).on('line', (line) => {
  const c = JSON.parse(line) as { cmd: string; from?: number; count?: number };
  if (c.cmd === 'announce') {
    const fresh = Array.from({ length: c.count ?? 0 }, (_, i) => (c.from ?? 0) + i);
    const announced: Record<string, number> = {};
    const at = Date.now();
    for (const k of fresh) announced[fqdnOf(k).toLowerCase()] = at;
    published.push(...fresh);
    send(fresh);
    out({ announced });
  }
  if (c.cmd === 'stop') mdns.destroy(() => process.stdin.destroy());
});
