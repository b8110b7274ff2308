import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from '../core/logger.js';
import { bearerAuth } from './auth.js';
import { errorMiddleware } from './errors.js';
import { requestLimits } from './limits.js';
import { createMetrics, type PromMetrics } from './metrics.js';
import { healthRoutes } from './routes/health.js';
import { historyRoutes, recentFromLog } from './routes/history.js';
import { treeRoutes } from './routes/tree.js';
import { authorityRoutes, withNotify } from './routes/authorities.js';
import { deviceRoutes, type DeviceLister } from './routes/devices.js';
import { metricsRoutes } from './routes/metrics.js';
import { readyzRoutes, type ReadinessSource } from './routes/readyz.js';
import { shownRoutes } from './routes/shown.js';
import { sendStatusPage, statusRoutes } from './routes/status.js';
import type { ShownUrls } from './shown-urls.js';
import type { AuthorityService, AuthoritySummary, HistorySource, NotifySource, TreeReader } from './types.js';

export interface ApiServerOptions {
  host: string;
  /** 0 picks a free port (tests); read it back with address(). */
  port: number;
  token: string | null;
  tree: TreeReader;
  /** Authority sessions (list, trigger); routes are absent when not given. */
  authorities?: AuthorityService;
  /** The device inventory (GET /api/v1/devices); absent when not given. */
  devices?: DeviceLister;
  /** GET /readyz (store open, multicast self-test); absent when not given. */
  readiness?: ReadinessSource;
  /** The notify channels: their state shows in /api/v1/authorities (`notify`), the page and /metrics. */
  notify?: NotifySource;
  /**
   * The app's metrics (fed through bridge/core's Metrics by the modules); the server adds the
   * scrape-time gauges from `authorities` and `devices`. A private one (process metrics only) when absent.
   */
  metrics?: PromMetrics;
  /** DM 2.0 SHOW links (GET /api/v1/shown, a section of the status page); disabled when not given. */
  shown?: ShownUrls;
  /**
   * The persisted audit trail and sessions log: GET /api/v1/authorities/:account/audit and /sessions,
   * and the page's recent sessions (newest 20 across the MAs, surviving restarts). Without it the
   * routes are absent and recent sessions come from the metrics (in memory).
   */
  history?: HistorySource;
  log: Logger;
}

export interface ApiServer {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The bound address (after start), else the configured one. */
  address(): { host: string; port: number };
}

/** The local HTTP API (koa): health, readiness, metrics, read views and the status page. Nothing listens until start(). */
export function createApiServer(opts: ApiServerOptions): ApiServer {
  const log = opts.log.child({ mod: 'api' });
  const app = new Koa();
  app.silent = true;
  const router = new Router();
  healthRoutes(router);
  treeRoutes(router, opts.tree);
  const service = opts.authorities;
  const authorities = service ? () => withNotify(service.list(), opts.notify) : undefined;
  if (service && authorities) authorityRoutes(router, { list: authorities, trigger: (account) => service.trigger(account) });
  if (opts.devices) deviceRoutes(router, opts.devices);
  if (opts.readiness) readyzRoutes(router, opts.readiness);
  const metrics = opts.metrics ?? createMetrics();
  const devices = opts.devices ? () => opts.devices!.list() : undefined;
  metrics.observe({ ...(authorities && { authorities }), ...(devices && { devices }) });
  metricsRoutes(router, metrics);
  shownRoutes(router, opts.shown); // the page's script asks for it: disabled without a list
  const history = opts.history;
  // an account is known when the authorities list it (every account when they are not given)
  const known = (account: string): boolean => authorities?.().some((a) => a.account === account) ?? true;
  if (history) historyRoutes(router, history, known);
  const recentSessions = history && authorities
    ? (list: readonly AuthoritySummary[]) => recentFromLog(history, list.map((a) => a.account))
    : () => metrics.recentSessions();
  const status = {
    ...(authorities && { authorities }), ...(opts.devices && { devices: opts.devices }), ...(opts.shown && { shown: opts.shown }),
    recentSessions,
  };
  statusRoutes(router, status);
  app.use(errorMiddleware(log));
  app.use(async (ctx, next) => {
    const t0 = performance.now();
    await next();
    log.debug({ method: ctx.method, path: ctx.path, status: ctx.status, ms: Math.round(performance.now() - t0) }, 'api');
  });
  app.use(requestLimits());
  app.use(bearerAuth(opts.token, { pages: new Set(['/']), unauthorizedPage: (ctx, problem) => sendStatusPage(ctx, null, problem, 401) }));
  app.use(router.routes());
  app.use(router.allowedMethods());

  let server: Server | undefined;
  let bound: { host: string; port: number } | undefined;
  return {
    async start() {
      if (server) return;
      const s = createServer({ maxHeaderSize: 32 * 1024 }, app.callback());
      await new Promise<void>((resolve, reject) => {
        const onError = (err: NodeJS.ErrnoException): void => {
          reject(new Error(`api: cannot listen on ${opts.host}:${opts.port} (${err.code ?? err.message})`, { cause: err }));
        };
        s.once('error', onError);
        s.listen(opts.port, opts.host, () => {
          s.off('error', onError);
          resolve();
        });
      });
      server = s;
      const a = s.address() as AddressInfo;
      bound = { host: a.address, port: a.port };
    },
    async stop() {
      const s = server;
      if (!s) return;
      server = undefined;
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeIdleConnections();
        setTimeout(() => s.closeAllConnections(), 2000).unref();
      });
    },
    address() {
      return bound ?? { host: opts.host, port: opts.port };
    },
  };
}
