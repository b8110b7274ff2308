import { randomBytes } from 'node:crypto';
import type Router from '@koa/router';
import type { Context } from 'koa';
import { renderStatusPage } from '../status-html.js';
import { fmtTime, mergeSessions, type StatusData } from '../status-view.js';
import type { ShownUrls } from '../shown-urls.js';
import type { AuthoritySummary, SessionSummary } from '../types.js';
import { deviceJson, type DeviceLister } from './devices.js';

export interface StatusSources {
  authorities?: () => AuthoritySummary[];
  devices?: DeviceLister;
  /** Sessions that ended lately, newest first (the sessions log or the metrics), given the authorities just listed. */
  recentSessions: (authorities: readonly AuthoritySummary[]) => SessionSummary[];
  /** DM 2.0 SHOW links: listed on the page while enabled. */
  shown?: ShownUrls;
}

export function statusData(src: StatusSources): StatusData {
  const authorities = src.authorities?.() ?? [];
  return {
    authorities,
    devices: (src.devices?.list() ?? []).map(deviceJson),
    sessions: mergeSessions(src.recentSessions(authorities), authorities),
    ...(src.shown?.enabled() ? { shown: src.shown.list() } : {}),
  };
}

/** Send the status page: `data` null for the 401 page (no data; its script asks for the token). */
export function sendStatusPage(ctx: Context, data: StatusData | null, problem: string, status: number): void {
  const nonce = randomBytes(16).toString('base64');
  ctx.status = status;
  ctx.set('Content-Security-Policy', [
    "default-src 'none'", `script-src 'nonce-${nonce}'`, `style-src 'nonce-${nonce}'`, "connect-src 'self'",
    "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'",
  ].join('; '));
  ctx.set('Cache-Control', 'no-store');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.type = 'text/html; charset=utf-8';
  const page = { data, nonce, generatedAt: fmtTime(new Date().toISOString()) };
  ctx.body = renderStatusPage(problem === '' ? page : { ...page, problem });
}

/** GET / (status page) and GET /api/v1/sessions (recent sessions, newest first). */
export function statusRoutes(router: Router, src: StatusSources): void {
  router.get('/', (ctx) => sendStatusPage(ctx, statusData(src), '', 200));
  router.get('/api/v1/sessions', (ctx) => {
    const authorities = src.authorities?.() ?? [];
    ctx.body = mergeSessions(src.recentSessions(authorities), authorities);
  });
}
