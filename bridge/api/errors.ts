import type { Middleware } from 'koa';
import { BridgeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { httpStatusOf } from '../core/status.js';

/** An error the API answers with as is: HTTP status, stable code, message, optional DM status. */
export class ApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    message: string,
    readonly dmStatus?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ErrorBody {
  error: { code: string; message: string; status?: number };
}

const DEFAULT_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'TOO_LARGE',
  414: 'URI_TOO_LONG',
  501: 'NOT_IMPLEMENTED',
};

function body(code: string, message: string, dmStatus?: number): ErrorBody {
  return { error: dmStatus === undefined ? { code, message } : { code, message, status: dmStatus } };
}

/**
 * The one place where errors become HTTP responses: `{ error: { code, message[, status] } }`.
 * Typed errors keep their code (and DM status); anything else is a 500 whose details go to the log only.
 * Routes that set no body (router 404/405) get the same JSON shape.
 */
export function errorMiddleware(log: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status >= 400 && ctx.body == null) {
        const status = ctx.status;
        ctx.body = body(DEFAULT_CODES[status] ?? 'ERROR', `${ctx.method} ${ctx.path}: ${ctx.message}`);
        ctx.status = status; // setting a body would make it 200
      }
    } catch (err) {
      if (err instanceof ApiError) {
        ctx.status = err.httpStatus;
        ctx.body = body(err.code, err.message, err.dmStatus);
      } else if (err instanceof BridgeError) {
        ctx.status = httpStatusOf(err.status);
        ctx.body = body(err.code, err.message, err.status);
      } else if (isHttpError(err)) {
        ctx.status = err.status;
        ctx.body = body(DEFAULT_CODES[err.status] ?? 'ERROR', err.expose ? err.message : 'request failed');
      } else {
        log.error({ err, method: ctx.method, path: ctx.path }, 'api request failed');
        ctx.status = 500;
        ctx.body = body('INTERNAL', 'internal error');
      }
      if (ctx.status === 413) ctx.set('Connection', 'close');
    }
  };
}

function isHttpError(err: unknown): err is { status: number; expose: boolean; message: string } {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { status?: unknown; expose?: unknown };
  return typeof e.status === 'number' && e.status >= 400 && e.status < 600 && typeof e.expose === 'boolean';
}
