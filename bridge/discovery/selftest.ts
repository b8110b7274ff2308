import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import makeMdns from 'multicast-dns';
import { multicastInterfaces, noInterfaceReason, type McastInterface } from './interfaces.js';
import { formatSsdp, parseSsdpText } from './ssdp-headers.js';

export interface ProbeResult {
  /** The probe left the interface. */
  sent: boolean;
  /** Our own probe came back through the multicast group (send path, route and membership work). */
  received: boolean;
  /** Other hosts that answered (0 in a container without host networking, or an empty LAN). */
  peers: number;
  error?: string;
}

export interface InterfaceResult {
  name: string;
  address: string;
  mdns: ProbeResult;
  ssdp: ProbeResult;
  multicast: boolean;
}

export interface SelftestResult {
  at: string;
  ok: boolean;
  interfaces: InterfaceResult[];
  problem: string | null;
}

const SSDP_GROUP = '239.255.255.250';

function mdnsProbe(iface: McastInterface, windowMs: number): Promise<ProbeResult> {
  const r: ProbeResult = { sent: false, received: false, peers: 0 };
  const token = `dmb-selftest-${randomBytes(4).toString('hex')}.local`;
  const peers = new Set<string>();
  return new Promise((resolve) => {
    const m = makeMdns({ interface: iface.address, bind: '0.0.0.0', reuseAddr: true, loopback: true });
    const finish = (): void => {
      clearTimeout(t);
      r.peers = peers.size;
      m.destroy(() => resolve(r));
    };
    const t = setTimeout(finish, windowMs);
    m.on('error', (err: Error) => { r.error = err.message; finish(); });
    m.on('warning', () => undefined);
    m.on('query', (q) => { if (q.questions.some((x) => x.name === token)) r.received = true; });
    m.on('response', (_p, rinfo) => { if (rinfo.address !== iface.address) peers.add(rinfo.address); });
    m.on('ready', () => {
      m.query({ questions: [{ name: token, type: 'TXT' }, { name: '_services._dns-sd._udp.local', type: 'PTR' }] }, (err: Error | null) => {
        if (err) r.error = err.message;
        else r.sent = true;
      });
    });
  });
}

function ssdpProbe(iface: McastInterface, windowMs: number): Promise<ProbeResult> {
  const r: ProbeResult = { sent: false, received: false, peers: 0 };
  const token = randomBytes(6).toString('hex');
  const peers = new Set<string>();
  const sockets: Socket[] = [];
  return new Promise((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(t);
      r.peers = peers.size;
      for (const s of sockets) try { s.close(); } catch { /* closed */ }
      resolve(r);
    };
    const t = setTimeout(finish, windowMs);
    const fail = (err: Error): void => { r.error = err.message; finish(); };
    const listen = createSocket({ type: 'udp4', reuseAddr: true });
    const send = createSocket({ type: 'udp4', reuseAddr: true });
    sockets.push(listen, send);
    listen.on('error', fail);
    send.on('error', fail);
    listen.on('message', (msg) => {
      const p = parseSsdpText(msg.toString('latin1'));
      if (p.ok && p.value.kind === 'msearch' && p.value.headers['X-DMB-PROBE'] === token) r.received = true;
    });
    send.on('message', (msg, rinfo) => {
      const p = parseSsdpText(msg.toString('latin1'));
      if (p.ok && p.value.kind === 'response' && rinfo.address !== iface.address) peers.add(rinfo.address);
    });
    listen.bind(1900, () => {
      try {
        listen.addMembership(SSDP_GROUP, iface.address);
      } catch (err) { fail(err as Error); return; }
      send.bind(0, () => {
        try {
          send.setMulticastInterface(iface.address);
          send.setMulticastTTL(2);
          send.setMulticastLoopback(true);
        } catch (err) { fail(err as Error); return; }
        const msg = formatSsdp('M-SEARCH * HTTP/1.1', {
          HOST: `${SSDP_GROUP}:1900`, MAN: '"ssdp:discover"', MX: '1', ST: 'ssdp:all', 'X-DMB-PROBE': token,
        });
        send.send(msg, 1900, SSDP_GROUP, (err) => { if (err) fail(err); else r.sent = true; });
      });
    });
  });
}

/**
 * Send and receive an mDNS and an SSDP probe on each interface (in parallel); an interface
 * "has multicast" when at least one of its probes went out and came back.
 */
export async function runSelftest(opts: { interfaces?: readonly string[]; windowMs?: number; list?: (w: readonly string[]) => McastInterface[] } = {}): Promise<SelftestResult> {
  const wanted = opts.interfaces ?? [];
  const windowMs = opts.windowMs ?? 1200;
  const ifaces = (opts.list ?? multicastInterfaces)(wanted);
  const results = await Promise.all(ifaces.map(async (i): Promise<InterfaceResult> => {
    const [mdns, ssdp] = await Promise.all([mdnsProbe(i, windowMs), ssdpProbe(i, windowMs)]);
    return { name: i.name, address: i.address, mdns, ssdp, multicast: mdns.received || ssdp.received };
  }));
  const ok = results.some((r) => r.multicast);
  let problem: string | null = null;
  if (ifaces.length === 0) problem = noInterfaceReason(wanted);
  else if (!ok) problem = 'multicast probes did not come back on any interface (missing multicast route, or no host networking)';
  return { at: new Date().toISOString(), ok, interfaces: results, problem };
}

/** One line per interface for `dm-bridge selftest`. */
export function formatSelftest(r: SelftestResult): string {
  const lines = r.interfaces.map((i) => {
    const p = (x: ProbeResult): string => `${x.received ? 'ok' : 'FAIL'}${x.error ? ` (${x.error})` : ''}, ${x.peers} peer(s)`;
    return `${i.name.padEnd(10)} ${i.address.padEnd(15)} multicast ${i.multicast ? 'works' : 'BROKEN'}  mDNS ${p(i.mdns)}  SSDP ${p(i.ssdp)}`;
  });
  if (r.problem) lines.push(`problem: ${r.problem}`);
  else if (r.interfaces.every((i) => i.mdns.peers + i.ssdp.peers === 0)) {
    lines.push('note: multicast works locally but no other host answered (empty LAN, or a container without host networking/macvlan)');
  }
  return `${lines.join('\n')}\n`;
}
