import type { Context } from 'hono';
import type { GetConnInfo } from 'hono/conninfo';

/** Options of `portcullis()` and `requireAuth()` in `@portcullis/hono`. */
export interface PortcullisHonoOptions {
  /**
   * How to find the address of the TCP peer on your runtime: Hono's `getConnInfo` of that
   * runtime (`hono/bun`, `hono/deno`, `@hono/node-server/conninfo`, …). Portcullis derives the
   * client IP from it and `trustProxy` of `createAuth` (rate limits, session list, audit).
   *
   * Default: the Node.js bindings of `@hono/node-server` (`c.env.incoming`), read directly;
   * on other runtimes the client IP stays unknown unless you pass this.
   */
  getConnInfo?: GetConnInfo;
}

/** Property `key` of `value` when `value` is an object, else `undefined`. */
function prop(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/**
 * The socket peer of the request, or `undefined` when the runtime does not say. Never throws:
 * an unknown address only means the client IP is unknown to Portcullis.
 */
export function remoteAddress(c: Context, options: PortcullisHonoOptions): string | undefined {
  try {
    if (options.getConnInfo !== undefined) return options.getConnInfo(c).remote.address;
    // What @hono/node-server's getConnInfo reads, without importing it (it is Node-only and
    // this package also runs on Bun, Deno and Workers). Newer versions nest it under `server`.
    const env: unknown = c.env;
    const bindings = prop(env, 'server') ?? env;
    const address = prop(prop(prop(bindings, 'incoming'), 'socket'), 'remoteAddress');
    return typeof address === 'string' ? address : undefined;
  } catch {
    return undefined;
  }
}
