import { randomBytes } from 'node:crypto';
import { BridgeError } from '../core/errors.js';
import type { DataRepository } from '../dm/dm2-ops.js';
import { basicAuthorization, digestAuthorization, parseDigestChallenge, type DigestState } from '../dm/session/dm2/http-auth.js';
import { httpCall, type HttpResponse, type TlsSettings } from './http-transport.js';
import { createDestinationGuard, originOf, type DestinationGuard } from './safe-destination.js';

export interface DataRepositoryOptions {
  authType: string;
  username: string;
  password: string;
  tls: TlsSettings;
  timeoutMs: number;
  /** Largest payload fetched (HGET), bytes. */
  maxBytes: number;
  /** The MA's serverUri: its origin is always reachable and the only plain-http origin that gets credentials. */
  serverUri: string;
  /** Where hrefs may lead (default: createDestinationGuard with the serverUri origin allowed). */
  guard?: DestinationGuard;
}

/**
 * The MA's Data Repository over HTTP(S) with the MA's TLS trust and credentials
 * (DM2-BINDING.md "Command semantics"): Basic on every request, or Digest answering a 401
 * challenge (kept per origin for the session, nc + 1 per request). Any 2xx is success.
 * Every href passes the destination guard first (safe-destination.ts: never the bridge itself or
 * the local host, except the serverUri origin) and the request connects to the checked address.
 * Credentials go only over https or to the serverUri's own origin: never in clear to another host.
 */
export function httpDataRepository(o: DataRepositoryOptions): DataRepository {
  const digests = new Map<string, DigestState>();
  const serverOrigin = originOf(o.serverUri);
  const guard = o.guard ?? createDestinationGuard({ allowOrigin: serverOrigin });
  const call = async (method: string, href: string, body?: Uint8Array): Promise<HttpResponse> => {
    const u = new URL(href);
    const dest = await guard(u);
    const credentials = u.protocol === 'https:' || u.origin === serverOrigin;
    const attempt = (): Promise<HttpResponse> => {
      const headers: Record<string, string> = { 'user-agent': 'dm-bridge', accept: 'application/json' };
      if (body) headers['content-type'] = 'application/json';
      if (credentials && o.authType === 'HTTP-BASIC') headers.authorization = basicAuthorization(o.username, o.password);
      const d = digests.get(u.origin);
      if (credentials && o.authType === 'HTTP-DIGEST' && d) {
        const a = digestAuthorization(d, { username: o.username, password: o.password, method, uri: u.pathname + u.search, cnonce: randomBytes(16).toString('hex') });
        digests.set(u.origin, a.state);
        headers.authorization = a.header;
      }
      return httpCall(method, href, body, { headers, timeoutMs: o.timeoutMs, maxBytes: o.maxBytes, tls: o.tls, lookup: dest.lookup });
    };
    let res = await attempt();
    if (res.status === 401 && credentials && o.authType === 'HTTP-DIGEST') {
      const ch = parseDigestChallenge(res.headers['www-authenticate']);
      if (ch) {
        digests.set(u.origin, { challenge: ch, nc: 1 });
        res = await attempt();
      }
    }
    if (res.status < 200 || res.status > 299) {
      const hint = res.status === 401 && !credentials ? ' (credentials go only over https or to the serverUri origin)' : '';
      throw new BridgeError('DEVICE_UNREACHABLE', `Data Repository ${method} ${u.host}${u.pathname}: HTTP ${res.status}${hint}`);
    }
    return res;
  };
  return {
    fetch: async (href) => (await call('GET', href)).body,
    send: async (method, href, body) => {
      await call(method, href, body);
    },
  };
}
