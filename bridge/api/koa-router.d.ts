/** Minimal types for @koa/router 14 (it ships none); only what bridge/api uses. */
declare module '@koa/router' {
  import type { DefaultContext, DefaultState, Middleware } from 'koa';

  export interface RouterContext extends DefaultContext {
    params: Record<string, string>;
  }
  export type RouterMiddleware = Middleware<DefaultState, RouterContext>;

  export interface RouterOptions {
    prefix?: string;
    exclusive?: boolean;
    strict?: boolean;
  }

  class Router {
    constructor(opts?: RouterOptions);
    get(path: string, ...middleware: RouterMiddleware[]): this;
    post(path: string, ...middleware: RouterMiddleware[]): this;
    routes(): Middleware;
    allowedMethods(opts?: { throw?: boolean }): Middleware;
  }
  export default Router;
}
