import { AdapterError, DeviceUnreachable, Timeout } from '../sdk/index.js';

export interface HttpLimits {
  timeoutMs: number;
  maxBytes: number;
}

export const DOC_FETCH: HttpLimits = { timeoutMs: 4000, maxBytes: 256 * 1024 };
export const SOAP_FETCH: HttpLimits = { timeoutMs: 10_000, maxBytes: 1024 * 1024 };

export interface HttpAnswer {
  status: number;
  body: string;
}

/**
 * One HTTP exchange with a device: a total deadline (headers and body), a size cap, no redirects.
 * `signal` is the caller's deadline. Failures are typed: Timeout, DeviceUnreachable, AdapterError.
 */
export async function httpText(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string },
  limits: HttpLimits,
  signal?: AbortSignal,
): Promise<HttpAnswer> {
  const own = AbortSignal.timeout(limits.timeoutMs);
  const all = signal ? AbortSignal.any([signal, own]) : own;
  try {
    const res = await fetch(url, { ...init, signal: all, redirect: 'error' });
    if (Number(res.headers.get('content-length') ?? '0') > limits.maxBytes) {
      await res.body?.cancel();
      throw new AdapterError(`answer larger than ${limits.maxBytes} bytes`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    if (res.body) {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > limits.maxBytes) {
          await reader.cancel();
          throw new AdapterError(`answer larger than ${limits.maxBytes} bytes`);
        }
        chunks.push(Buffer.from(value));
      }
    }
    return { status: res.status, body: Buffer.concat(chunks).toString('utf8') };
  } catch (err) {
    if (err instanceof AdapterError) throw err;
    if (all.aborted) throw new Timeout(signal?.aborted ? 'deadline passed' : `no complete answer within ${limits.timeoutMs} ms`);
    throw new DeviceUnreachable(`${url.replace(/\?.*$/, '')}: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`);
  }
}

/** GET a document (description, SCPD); any status but 200 is a failure. */
export async function getDocument(url: string, signal?: AbortSignal, limits: HttpLimits = DOC_FETCH): Promise<string> {
  const r = await httpText(url, { headers: { accept: 'text/xml, application/xml' } }, limits, signal);
  if (r.status !== 200) throw new AdapterError(`GET ${url}: HTTP ${r.status}`);
  return r.body;
}
