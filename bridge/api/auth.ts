import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import { ApiError } from './errors.js';

/** Paths reachable without the token. */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/healthz']);

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time token check: compares equal-length SHA-256 digests. */
export function tokenMatches(expected: string, given: string): boolean {
  return timingSafeEqual(digest(expected), digest(given));
}

export interface BearerAuthOptions {
  /**
   * HTML pages a browser navigates to (it cannot send a header): they also take the token once as
   * `?token=`, and answer a request without a valid one through `unauthorizedPage` (a 401 page with
   * no data) instead of the JSON error.
   */
  pages?: ReadonlySet<string>;
  unauthorizedPage?: (ctx: Context, problem: string) => void;
}

/** `Authorization: Bearer <token>` on every route but PUBLIC_PATHS when a token is configured. */
export function bearerAuth(token: string | null, opts: BearerAuthOptions = {}): Middleware {
  return async (ctx, next) => {
    if (token === null || PUBLIC_PATHS.has(ctx.path)) return next();
    const header = ctx.get('Authorization');
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    if (m?.[1] && tokenMatches(token, m[1])) return next();
    const page = opts.pages?.has(ctx.path) === true && opts.unauthorizedPage !== undefined;
    if (page && header === '') {
      const q = ctx.query.token;
      if (typeof q === 'string' && q !== '' && tokenMatches(token, q)) return next();
      ctx.set('WWW-Authenticate', 'Bearer realm="dm-bridge"');
      opts.unauthorizedPage!(ctx, q === undefined ? '' : 'the API token is wrong');
      return;
    }
    ctx.set('WWW-Authenticate', 'Bearer realm="dm-bridge"');
    throw new ApiError(401, 'UNAUTHORIZED', header === '' ? 'bearer token required' : 'invalid bearer token');
  };
}
