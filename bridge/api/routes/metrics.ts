import type Router from '@koa/router';
import type { PromMetrics } from '../metrics.js';

/** GET /metrics: Prometheus text exposition (gauges computed at scrape time). */
export function metricsRoutes(router: Router, metrics: PromMetrics): void {
  router.get('/metrics', async (ctx) => {
    const text = await metrics.render();
    ctx.set('Cache-Control', 'no-store');
    ctx.type = metrics.contentType;
    ctx.body = text;
  });
}
