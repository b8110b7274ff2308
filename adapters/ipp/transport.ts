import { request, type IncomingMessage } from 'node:http';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, TLSSocket } from 'node:tls';
import { AdapterError, DeviceUnreachable, Timeout, type Logger } from '../sdk/index.js';
import type { Endpoint } from './endpoint.js';

/**
 * TLS policy for `ipps` (trust on first use, per attachment): LAN printers present self-signed
 * certificates that no CA can vouch for and that name a `.local` host rather than the address we
 * dial, so the chain and the name are not verified. Instead the SHA-256 fingerprint of the leaf
 * certificate seen on the first successful handshake of an attachment is pinned, and every later
 * connection of that attachment must present the same certificate (else "certificate changed",
 * nothing is sent). A warning is logged once per attachment when the certificate did not verify.
 * The address comes from link-local discovery only, so this applies to LAN printers only; a printer
 * that changes its certificate is trusted again only on a new attachment (re-discovery). This is no
 * weaker than plain `ipp`, which the same printers offer, and protects everything after the first use.
 */
export class CertPin {
  sha256: string | undefined;
  constructor(private readonly log: Logger, private readonly uri: string) {}

  /** Check (or pin) a handshake's leaf certificate; returns the reason to refuse, if any. */
  check(fingerprint: string | undefined, authorized: boolean, why: string | null): string | undefined {
    if (!fingerprint) return 'the printer presented no certificate';
    if (this.sha256 === undefined) {
      this.sha256 = fingerprint;
      if (!authorized) {
        this.log.warn({ uri: this.uri, sha256: fingerprint, reason: why }, 'ipp: accepting the printer\'s unverified TLS certificate, pinned for this attachment');
      }
      return undefined;
    }
    return this.sha256 === fingerprint ? undefined : `the printer's certificate changed (pinned ${this.sha256}, got ${fingerprint})`;
  }
}

/** A connected socket; for ipps the handshake is done and the certificate checked before anything is sent. */
function open(ep: Endpoint, signal: AbortSignal, pin: CertPin | undefined): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const s: Socket = ep.secure
      ? tlsConnect({ host: ep.host, port: ep.port, rejectUnauthorized: false, minVersion: 'TLSv1.2', ALPNProtocols: ['http/1.1'] })
      : netConnect({ host: ep.host, port: ep.port });
    const done = (err?: Error): void => {
      signal.removeEventListener('abort', onAbort);
      s.off('error', onError);
      if (err) {
        s.destroy();
        reject(err);
      } else resolve(s);
    };
    const onAbort = (): void => done(new Timeout('printer did not answer in time'));
    const onError = (err: Error): void => done(new DeviceUnreachable(`printer unreachable: ${err.message}`, { cause: err }));
    signal.addEventListener('abort', onAbort, { once: true });
    s.once('error', onError);
    if (s instanceof TLSSocket) {
      s.once('secureConnect', () => {
        const refuse = pin ? pin.check(s.getPeerCertificate().fingerprint256, s.authorized, s.authorizationError?.toString() ?? null) : 'no certificate pin';
        done(refuse === undefined ? undefined : new AdapterError(refuse));
      });
    } else s.once('connect', () => done());
  });
}

/** POST one application/ipp body; the answer's bytes (at most `max`). Errors are the SDK's typed errors. */
export async function postIpp(ep: Endpoint, body: Uint8Array, signal: AbortSignal, max: number, pin?: CertPin): Promise<Uint8Array> {
  if (signal.aborted) throw new Timeout('printer did not answer in time');
  const socket = await open(ep, signal, pin);
  return new Promise<Uint8Array>((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | undefined, bytes?: Uint8Array): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (err) {
        req.destroy();
        socket.destroy();
        reject(err);
      } else resolve(bytes!);
    };
    const onAbort = (): void => finish(new Timeout('printer did not answer in time'));
    const req = request({
      host: ep.host, port: ep.port, path: ep.path, method: 'POST',
      headers: { 'content-type': 'application/ipp', 'content-length': body.length, connection: 'close' },
      createConnection: () => socket,
    });
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => finish(new DeviceUnreachable(`printer connection failed: ${err.message}`, { cause: err })));
    req.on('response', (res: IncomingMessage) => {
      if (res.statusCode !== 200) return finish(new AdapterError(`printer answered HTTP ${res.statusCode ?? '?'}`));
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > max) return finish(new AdapterError(`IPP response larger than ${max} bytes`));
        chunks.push(c);
      });
      res.on('error', (err) => finish(new DeviceUnreachable(`printer connection lost: ${err.message}`, { cause: err })));
      res.on('end', () => finish(undefined, new Uint8Array(Buffer.concat(chunks, size))));
    });
    req.end(Buffer.from(body.buffer, body.byteOffset, body.length));
  });
}
