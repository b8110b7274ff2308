import type Router from '@koa/router';

/** GET /healthz: the process runs and serves HTTP (no token needed). */
export function healthRoutes(router: Router): void {
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
}
