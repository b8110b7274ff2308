// Runs INSIDE a namespace: a DNS responder on 127.0.0.1:53 that answers NXDOMAIN to everything
// (the namespace's /etc/netns/NS/resolv.conf points there, so no query leaves the namespace), an
// HTTPS + WebSocket authority on loopback, then the whole `dm-bridge selftest` (multicast included).
// argv[2]: 'ok' (every authority reachable) or 'dns' (one authority at nonexistent.invalid).
// Prints {"exit":N,"message":"...","out":"..."}.
import { createSocket } from 'node:dgram';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { selftestCommand } from '../../../bridge/cli-devices.js';
import { makePki } from '../../integration/pki.js';

/** The question section of a DNS query (name labels, then type and class). */
function questionEnd(q: Buffer): number {
  let i = 12;
  while (i < q.length && q[i] !== 0) i += q[i]! + 1;
  return Math.min(q.length, i + 5);
}

const dns = createSocket('udp4');
dns.on('message', (q, rinfo) => {
  if (q.length < 12) return;
  const a = Buffer.alloc(12);
  q.copy(a, 0, 0, 2);
  a.writeUInt16BE(0x8000 | (q.readUInt16BE(2) & 0x0100) | 0x0080 | 3, 2); // response, RD echoed, RA, NXDOMAIN
  a.writeUInt16BE(q.readUInt16BE(4), 4);
  dns.send(Buffer.concat([a, q.subarray(12, questionEnd(q))]), rinfo.port, rinfo.address);
});
await new Promise<void>((r) => dns.bind(53, '127.0.0.1', r));

const pki = makePki();
const server: Server = createServer({ key: pki.serverKey, cert: pki.serverCert }, (_req, res) => { res.writeHead(405); res.end(); });
const wss = new WebSocketServer({ noServer: true });
server.on('upgrade', (req, socket: Socket, head: Buffer) => wss.handleUpgrade(req, socket, head, (ws) => ws.close()));
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as AddressInfo).port;

const authority = (account: string, host: string): object => ({
  account, serverId: `dm.${account}`, protocol: 'dm2.0', serverUri: `https://${host}:${port}/dm`, notifyUri: `wss://${host}:${port}/notify`,
  auth: { type: 'HTTP-BASIC', clientName: 'gw', clientSecret: 'pw' }, tls: { ca: pki.caCertPath, pinSha256: null, cert: null, key: null },
});
const authorities = [authority('isp', '127.0.0.1')];
if (process.argv[2] === 'dns') authorities.push(authority('gone', 'nonexistent.invalid'));
const cfg = join(pki.dir, 'config.json');
writeFileSync(cfg, JSON.stringify({ store: { path: join(pki.dir, 'no-store.db') }, authorities }));

let out = '';
let exit = 0;
let message = '';
try {
  await selftestCommand({ config: cfg }, (t) => { out += t; }, (m, c) => { exit = c; message = m; return new Error(m); });
} catch (err) {
  if (exit === 0) { exit = 99; message = (err as Error).message; }
}
process.stdout.write(`${JSON.stringify({ exit, message, out })}\n`);
server.closeAllConnections();
server.close();
dns.close();
rmSync(pki.dir, { recursive: true, force: true });
