import { createHash, X509Certificate } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkServerIdentity, type ConnectionOptions, type PeerCertificate } from 'node:tls';
import { BridgeError } from '../core/errors.js';

export interface TlsSettings {
  /** PEM CA bundle to trust instead of the system store. */
  ca: string | null;
  /** SHA-256 of the server certificate (hex, colons allowed), checked in addition to the chain and host name. */
  pinSha256: string | null;
  /** PEM client certificate and key (TRANSPORT auth). */
  cert: string | null;
  key: string | null;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface PostOptions {
  headers: Record<string, string>;
  timeoutMs: number;
  maxBytes: number;
  tls?: TlsSettings | undefined;
  /** Name resolution for the connection (a checked, pinned address: see safe-destination.ts). */
  lookup?: LookupFunction | undefined;
}

/** POST a body and read the whole answer, within a deadline and a size limit. */
export function post(url: string, body: Uint8Array, o: PostOptions): Promise<HttpResponse> {
  return httpCall('POST', url, body, o);
}

/** One HTTP(S) request (any method) with the account's TLS trust, a deadline and a size limit on the answer. */
export function httpCall(method: string, url: string, body: Uint8Array | undefined, o: PostOptions): Promise<HttpResponse> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return Promise.reject(new BridgeError('BAD_VALUE', `not a URL: ${url.slice(0, 200)}`));
  }
  const secure = u.protocol === 'https:';
  if (!secure && u.protocol !== 'http:') return Promise.reject(new BridgeError('BAD_VALUE', `unsupported URL scheme ${u.protocol}`));
  const headers: Record<string, string> = { ...o.headers };
  if (body) headers['content-length'] = String(body.length);
  const options: RequestOptions = { method, headers, timeout: o.timeoutMs };
  if (o.lookup) options.lookup = o.lookup;
  if (secure && o.tls) Object.assign(options, tlsTrust(o.tls));
  return new Promise((resolveP, rejectP) => {
    let settled = false;
    const resolve = (r: HttpResponse): void => {
      if (settled) return;
      settled = true;
      resolveP(r);
    };
    const reject = (e: unknown): void => {
      if (settled) return;
      settled = true;
      rejectP(e);
    };
    const fail = (): BridgeError => new BridgeError('TIMEOUT', `no answer from ${u.host} within ${o.timeoutMs} ms`);
    const req = (secure ? httpsRequest : httpRequest)(u, options, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > o.maxBytes) {
          reject(new BridgeError('MESSAGE_TOO_LARGE', `response larger than ${o.maxBytes} bytes`));
          res.removeAllListeners('data');
          res.on('error', () => undefined);
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    const timer = setTimeout(() => req.destroy(fail()), o.timeoutMs);
    req.on('timeout', () => req.destroy(fail()));
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err instanceof BridgeError ? err : new BridgeError('DEVICE_UNREACHABLE', `${method} ${u.host}: ${err.message}`, { cause: err }));
    });
    req.on('close', () => clearTimeout(timer));
    req.end(body);
  });
}

/** The TLS options of an account's loaded material (HTTPS, WSS, the self-test): its CA, client certificate and key, and the SHA-256 pin checked on top of the chain and host name. */
export function tlsTrust(t: TlsSettings): Pick<ConnectionOptions, 'ca' | 'cert' | 'key' | 'checkServerIdentity'> {
  const o: Pick<ConnectionOptions, 'ca' | 'cert' | 'key' | 'checkServerIdentity'> = {};
  if (t.ca) o.ca = t.ca;
  if (t.cert) o.cert = t.cert;
  if (t.key) o.key = t.key;
  const pin = t.pinSha256;
  if (pin) o.checkServerIdentity = (host: string, cert: PeerCertificate) => checkServerIdentity(host, cert) ?? checkPin(cert, pin);
  return o;
}

/** A certificate pin that does not match is an error (returned, as checkServerIdentity wants). */
export function checkPin(cert: PeerCertificate, pin: string): Error | undefined {
  const want = pin.replace(/:/g, '').toLowerCase();
  const got = cert.raw ? createHash('sha256').update(cert.raw).digest('hex') : '';
  return got === want ? undefined : new Error(`certificate pin mismatch (got sha256 ${got})`);
}

/** SHA-256 fingerprint (hex) of a PEM certificate, as pinSha256 expects. */
export function fingerprintSha256(pem: string): string {
  return createHash('sha256').update(new X509Certificate(pem).raw).digest('hex');
}
