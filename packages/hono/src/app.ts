import type { Auth } from '@portcullis/core';
import { AuthError, isAuthError } from '@portcullis/core';
import { errorResponse } from '@portcullis/core/http';
import { type Context, Hono } from 'hono';
import { handlerFor } from './handler.js';
import { type PortcullisHonoOptions, remoteAddress } from './options.js';

/**
 * A Hono app serving the whole Portcullis HTTP API (`docs/http.md`). Mount it with
 * `app.route(auth.options.http.basePath, portcullis(auth))`: `route` keeps the full path, which
 * the handler needs (`app.mount` strips the prefix, so every route would answer 404).
 *
 * Body limits (16 KiB by default), malformed JSON and wrong content types get the contract's
 * 413, 400 and 415. Requests outside the base path go on to the app's next handlers.
 *
 * @param options - how to find the client's address on runtimes other than Node.js
 * @example
 * ```ts
 * const app = new Hono()
 * app.route(auth.options.http.basePath, portcullis(auth))
 * serve({ fetch: app.fetch, port: 3000 }) // @hono/node-server
 * ```
 */
export function portcullis(auth: Auth, options: PortcullisHonoOptions = {}): Hono {
  const handler = handlerFor(auth);
  const { basePath } = auth.options.http;
  const app = new Hono();
  app.all('*', async (c, next) => {
    if (c.req.path !== basePath && !c.req.path.startsWith(`${basePath}/`)) {
      await next();
      return;
    }
    try {
      return await handler(await forwardedRequest(c), { remoteAddress: remoteAddress(c, options) });
    } catch (error) {
      if (!isAuthError(error)) {
        auth.options.logger.error('unexpected error in the Hono adapter', { error: String(error) });
      }
      return errorResponse(error);
    }
  });
  return app;
}

/**
 * `c.req.raw`, or, when a middleware before us already read the body (`c.req.json()`), a
 * copy carrying the body Hono cached, since a Web body can be read only once.
 * @throws AuthError `BAD_REQUEST` when that earlier read failed
 */
async function forwardedRequest(c: Context): Promise<Request> {
  const raw = c.req.raw;
  if (!raw.bodyUsed) return raw;
  let body: ArrayBuffer;
  try {
    body = await c.req.arrayBuffer();
  } catch (cause) {
    throw new AuthError('BAD_REQUEST', { cause });
  }
  const headers = new Headers(raw.headers);
  headers.delete('content-length');
  return new Request(raw, { body, headers });
}
