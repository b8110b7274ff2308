import type Router from '@koa/router';
import type { ShownUrl, ShownUrls } from '../shown-urls.js';

/** The JSON of GET /api/v1/shown. */
export interface ShownJson {
  /** Whether SHOW is answered 202 and listed now (false: 406, and the page shows no links). */
  enabled: boolean;
  /** Newest first; empty while disabled. */
  urls: ShownUrl[];
}

/** GET /api/v1/shown: the URLs authorities asked to show (DM 2.0 SHOW), newest first; disabled when there is no list. */
export function shownRoutes(router: Router, shown: ShownUrls | undefined): void {
  router.get('/api/v1/shown', (ctx) => {
    const enabled = shown?.enabled() ?? false;
    const body: ShownJson = { enabled, urls: enabled && shown ? shown.list() : [] };
    ctx.set('Cache-Control', 'no-store');
    ctx.body = body;
  });
}
