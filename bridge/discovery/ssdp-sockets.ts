import type { Socket } from 'node:dgram';
import type { Logger } from '../core/logger.js';

/**
 * Receive buffer asked for on every discovery socket (the kernel caps it at net.core.rmem_max):
 * a LAN where hundreds of devices announce at once (power restored) sends a burst of datagrams
 * that the default ~208 KiB buffer drops before the event loop can read them.
 */
export const DISCOVERY_RCVBUF = 2 * 1024 * 1024;
const RETRY_MS = 5000;

/** What went wrong on a socket (`null` once it works again). */
export type SocketProblem = (address: string, problem: string | null) => void;

/** Ask for a larger receive buffer; a refusal is logged, never thrown. */
export function enlargeRecvBuffer(socket: Socket, log: Logger, bytes = DISCOVERY_RCVBUF): void {
  try {
    socket.setRecvBufferSize(bytes);
  } catch (err) {
    log.debug({ err: (err as Error).message }, 'discovery: receive buffer not enlarged');
  }
}

/**
 * node-ssdp joins the SSDP group from a 'listening' handler and rethrows what addMembership throws
 * (an interface that disappeared, ENOBUFS when the kernel refuses more memberships), and retries
 * ENODEV in a promise that rethrows: either kills the process. Replace addMembership and
 * setMulticastTTL on the socket with versions that never throw: a failure is reported through
 * `problem` and the join is retried every 5 s while the socket is open.
 */
export function guardMembership(socket: Socket, address: string, log: Logger, problem: SocketProblem): void {
  const add = socket.addMembership.bind(socket);
  const ttl = socket.setMulticastTTL.bind(socket);
  let retry: NodeJS.Timeout | undefined;
  let closed = false;
  socket.once('close', () => {
    closed = true;
    if (retry) clearTimeout(retry);
  });
  socket.once('listening', () => enlargeRecvBuffer(socket, log));
  const join = (group: string, iface?: string): void => {
    retry = undefined;
    if (closed) return;
    try {
      add(group, iface);
      problem(address, null);
    } catch (err) {
      const msg = `cannot join ${group} on ${iface ?? address}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
      log.warn({ address, err: (err as Error).message }, `ssdp: ${msg}; retrying every ${RETRY_MS / 1000} s`);
      problem(address, `SSDP ${msg}`);
      retry = setTimeout(() => join(group, iface), RETRY_MS);
      retry.unref();
    }
  };
  socket.addMembership = join as Socket['addMembership'];
  socket.setMulticastTTL = ((n: number): number => {
    try {
      return ttl(n);
    } catch (err) {
      log.debug({ address, err: (err as Error).message }, 'ssdp: multicast TTL not set');
      return n;
    }
  }) as Socket['setMulticastTTL'];
}

/** The node-ssdp internals we hook (its sockets, one per interface address). */
interface SsdpInternals {
  _createSockets(): void;
  sockets: Record<string, Socket> | null;
}

/** Guard every socket a node-ssdp Client/Server creates (see guardMembership). */
export function hardenSsdp(client: object, log: Logger, problem: SocketProblem): void {
  const inner = client as SsdpInternals;
  if (typeof inner._createSockets !== 'function') return;
  const create = inner._createSockets.bind(inner);
  inner._createSockets = () => {
    create();
    for (const [address, socket] of Object.entries(inner.sockets ?? {})) guardMembership(socket, address, log, problem);
  };
}
