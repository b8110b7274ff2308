import type Router from '@koa/router';
import { ApiError } from '../errors.js';
import type { AuthorityService, AuthoritySummary, NotifySource } from '../types.js';

const ACCOUNT = /^[A-Za-z0-9._~-]{1,64}$/;

/**
 * GET /api/v1/authorities: account, serverId, connection state, last session, queued alerts.
 * POST /api/v1/authorities/:account/session: trigger a session now (202); `?wait=true` answers
 * with the session report once it ended (200).
 */
export function authorityRoutes(router: Router, authorities: AuthorityService): void {
  router.get('/api/v1/authorities', (ctx) => {
    ctx.body = authorities.list();
  });
  router.post('/api/v1/authorities/:account/session', async (ctx) => {
    const account = ctx.params.account ?? '';
    if (!ACCOUNT.test(account)) throw new ApiError(400, 'BAD_REQUEST', 'invalid account name');
    const wait = ctx.query.wait === 'true' || ctx.query.wait === '1';
    const p = authorities.trigger(account); // throws at once for an unknown account or protocol
    if (wait) {
      ctx.body = await p;
      return;
    }
    p.catch(() => undefined); // the outcome is logged and shown in GET /api/v1/authorities
    ctx.status = 202;
    ctx.body = { account, accepted: true };
  });
}

/** Authorities with their notify channel state (`off` when the MA has no channel). */
export function withNotify(list: AuthoritySummary[], notify: NotifySource | undefined): AuthoritySummary[] {
  if (!notify) return list;
  const states = new Map(notify.list().map((c) => [c.account, c.state]));
  return list.map((a) => (a.notify !== undefined ? a : { ...a, notify: states.get(a.account) ?? 'off' }));
}
