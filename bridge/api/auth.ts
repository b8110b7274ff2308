import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import { ApiError } from './errors.js';

/** Paths reachable without the token. */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/healthz']);

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time token check: compares equal-length SHA-256 digests. */
export function tokenMatches(expected: string, given: string): boolean {
  return timingSafeEqual(digest(expected), digest(given));
}

/** `Authorization: Bearer <token>` on every route but PUBLIC_PATHS when a token is configured. */
export function bearerAuth(token: string | null): Middleware {
  return async (ctx, next) => {
    if (token === null || PUBLIC_PATHS.has(ctx.path)) return next();
    const header = ctx.get('Authorization');
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (!m?.[1] || !tokenMatches(token, m[1])) {
      ctx.set('WWW-Authenticate', 'Bearer realm="dm-bridge"');
      throw new ApiError(401, 'UNAUTHORIZED', header === '' ? 'bearer token required' : 'invalid bearer token');
    }
    return next();
  };
}
