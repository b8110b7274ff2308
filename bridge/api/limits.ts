import type { IncomingMessage } from 'node:http';
import type { Middleware } from 'koa';
import { ApiError } from './errors.js';

export const MAX_URL_BYTES = 8 * 1024;
export const MAX_BODY_BYTES = 64 * 1024;

/**
 * Request limits: URLs over MAX_URL_BYTES -> 414; bodies over MAX_BODY_BYTES -> 413 (declared by
 * Content-Length, or counted while reading a chunked body). A body within the limit is read whole
 * into `ctx.state.rawBody` (a Buffer) for the routes that take one.
 */
export function requestLimits(opts: { maxUrl?: number; maxBody?: number } = {}): Middleware {
  const maxUrl = opts.maxUrl ?? MAX_URL_BYTES;
  const maxBody = opts.maxBody ?? MAX_BODY_BYTES;
  return async (ctx, next) => {
    if (Buffer.byteLength(ctx.url, 'utf8') > maxUrl) {
      throw new ApiError(414, 'URI_TOO_LONG', `request URL longer than ${maxUrl} bytes`);
    }
    const declared = ctx.get('Content-Length');
    if (declared !== '' && Number(declared) > maxBody) {
      throw new ApiError(413, 'TOO_LARGE', `request body larger than ${maxBody} bytes`);
    }
    if ((declared !== '' && Number(declared) > 0) || ctx.get('Transfer-Encoding') !== '') {
      ctx.state.rawBody = await readBody(ctx.req, maxBody);
    }
    await next();
  };
}

/** Read the whole body, or fail with 413 once it passes `max` (stops reading, leaves the socket to close). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (): void => {
      req.off('data', onData).off('end', onEnd).off('error', onError);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > max) {
        done();
        req.pause();
        reject(new ApiError(413, 'TOO_LARGE', `request body larger than ${max} bytes`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      done();
      resolve(Buffer.concat(chunks));
    };
    const onError = (err: Error): void => {
      done();
      reject(err);
    };
    req.on('data', onData).on('end', onEnd).on('error', onError);
  });
}
