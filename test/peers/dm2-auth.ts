/** Server side of HTTP Basic / Digest (RFC 7616) for the reference DM 2.0 server and Data Repository. */
import { randomBytes } from 'node:crypto';
import { digestResponse, parseAuthHeader, type DigestAlgorithm } from '../../bridge/dm/session/dm2/http-auth.js';

export interface Dm2AuthOptions {
  type: 'NONE' | 'BASIC' | 'DIGEST';
  username: string;
  password: string;
  algorithm?: DigestAlgorithm;
  realm?: string;
  /** Answer the first good Digest credentials of a nonce after the first one with 401 stale=true, once. */
  staleOnce?: boolean;
}

export type AuthVerdict = { ok: true } | { ok: false; challenge?: string };

/** Checks Authorization headers; Digest nonces are issued here and their nc must go up. */
export class ServerAuth {
  private readonly nonces = new Map<string, number>(); // nonce -> last nc
  private staleDone = false;
  private goodCount = 0;
  readonly seen: string[] = [];

  constructor(readonly o: Dm2AuthOptions) {}

  check(method: string, uri: string, header: string | undefined): AuthVerdict {
    this.seen.push(header ?? '');
    if (this.o.type === 'NONE') return { ok: true };
    if (this.o.type === 'BASIC') {
      const want = `Basic ${Buffer.from(`${this.o.username}:${this.o.password}`).toString('base64')}`;
      return header === want ? { ok: true } : { ok: false, challenge: `Basic realm="${this.realm}"` };
    }
    const p = header ? parseAuthHeader(header)[0] : undefined;
    if (!p || p.scheme.toLowerCase() !== 'digest') return this.challenge(false);
    const g = (k: string): string => p.params.get(k) ?? '';
    const nonce = g('nonce');
    const last = this.nonces.get(nonce);
    const nc = parseInt(g('nc'), 16);
    if (last === undefined || !(nc > last) || g('username') !== this.o.username || g('uri') !== uri || g('qop') !== 'auth') return this.challenge(false);
    const alg = this.alg;
    if ((g('algorithm') || 'MD5').toUpperCase() !== alg) return this.challenge(false);
    const want = digestResponse(alg, { username: this.o.username, realm: this.realm, password: this.o.password, method, uri, nonce, nc: g('nc'), cnonce: g('cnonce') });
    if (want !== g('response')) return this.challenge(false);
    this.nonces.set(nonce, nc);
    this.goodCount++;
    if (this.o.staleOnce && !this.staleDone && this.goodCount === 2) {
      this.staleDone = true;
      this.nonces.delete(nonce);
      return this.challenge(true);
    }
    return { ok: true };
  }

  private get realm(): string {
    return this.o.realm ?? 'dm2@test.example';
  }

  private get alg(): DigestAlgorithm {
    return this.o.algorithm ?? 'SHA-256';
  }

  private challenge(stale: boolean): AuthVerdict {
    const nonce = randomBytes(12).toString('base64');
    this.nonces.set(nonce, 0);
    const opaque = randomBytes(6).toString('hex');
    return { ok: false, challenge: `Digest realm="${this.realm}", qop="auth", algorithm=${this.alg}, nonce="${nonce}", opaque="${opaque}"${stale ? ', stale=true' : ''}` };
  }
}
