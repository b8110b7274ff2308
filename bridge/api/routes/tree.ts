import type Router from '@koa/router';
import { Status, httpStatusOf } from '../../core/status.js';
import { ApiError } from '../errors.js';
import type { TreeNodeJson, TreeReader } from '../types.js';

/** Stable API error codes for the DM statuses a Get can return. */
const CODE_OF: Record<number, string> = {
  [Status.BAD_REQUEST]: 'URI_INVALID',
  [Status.UNAUTHORIZED]: 'UNAUTHORIZED',
  [Status.FORBIDDEN]: 'PERMISSION_DENIED',
  [Status.NOT_FOUND]: 'NODE_NOT_FOUND',
  [Status.COMMAND_NOT_ALLOWED]: 'NOT_ALLOWED',
  [Status.OPTIONAL_FEATURE_NOT_SUPPORTED]: 'NOT_SUPPORTED',
  [Status.URI_TOO_LONG]: 'URI_TOO_LONG',
  [Status.PERMISSION_DENIED]: 'PERMISSION_DENIED',
  [Status.COMMAND_FAILED]: 'COMMAND_FAILED',
  [Status.DATA_STORE_FAILURE]: 'STORE_FAILURE',
};

function defaultReason(dm: number, uri: string, as: string | undefined): string {
  if (dm === Status.NOT_FOUND) return `no node ${uri}`;
  if (dm === Status.PERMISSION_DENIED) return `${as ?? 'caller'} may not Get ${uri}`;
  if (dm === Status.COMMAND_NOT_ALLOWED) return `Get is not allowed on ${uri}`;
  return `Get ${uri} failed with status ${dm}`;
}

function single(v: string | string[] | undefined, name: string): string | undefined {
  if (Array.isArray(v)) throw new ApiError(400, 'BAD_REQUEST', `query parameter ${name} given more than once`);
  return v;
}

/** GET /api/v1/tree?uri=…[&as=SERVERID]: one node as JSON; a DM status maps to the HTTP status. */
export function treeRoutes(router: Router, tree: TreeReader): void {
  router.get('/api/v1/tree', async (ctx) => {
    const uri = single(ctx.query.uri, 'uri');
    const as = single(ctx.query.as, 'as');
    if (uri === undefined || uri === '') throw new ApiError(400, 'BAD_REQUEST', 'query parameter uri is required');
    if (as === '') throw new ApiError(400, 'BAD_REQUEST', 'query parameter as must name a ServerID');
    const out = await tree.get(uri, as ?? null);
    if (out.status !== Status.OK || out.value === undefined) {
      const dm = out.status === Status.OK ? Status.COMMAND_FAILED : out.status;
      throw new ApiError(httpStatusOf(dm), CODE_OF[dm] ?? `DM_${dm}`, out.reason ?? defaultReason(dm, uri, as), dm);
    }
    const v = out.value;
    const json: TreeNodeJson =
      v.format === 'node'
        ? { uri: v.uri, format: v.format, type: v.type, children: v.children ?? [] }
        : { uri: v.uri, format: v.format, type: v.type, value: v.value ?? '' };
    ctx.body = json;
  });
}
