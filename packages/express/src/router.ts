import { type Auth, isAuthError } from '@portcullis/core';
import { errorResponse } from '@portcullis/core/http';
import express, { type Router } from 'express';
import { handlerFor } from './handler.js';
import { requestBody, requestHeaders, toWebRequest } from './request.js';
import { sendResponse } from './response.js';

/** Methods the Fetch standard forbids in a `Request`. */
const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

/**
 * An Express 5 router serving the whole Portcullis HTTP API (`docs/http.md`). Mount it at
 * `auth.options.http.basePath` (default `/api/auth`), before any body parser if you can:
 * it reads the raw body itself and answers malformed, oversized or mistyped bodies with the
 * contract's 400, 413 and 415. Mounted after `express.json()` or `express.urlencoded()`, it
 * takes the parsed `req.body` instead, and the parser's own errors are the app's.
 *
 * Requests outside the base path go on to the next middleware, so mounting it at `/` does
 * not swallow the app's other routes.
 *
 * The client IP is the socket peer plus `trustProxy` of `createAuth`; Express's own
 * `trust proxy` setting plays no part in it.
 *
 * @example
 * ```ts
 * const app = express()
 * app.use(auth.options.http.basePath, portcullis(auth))
 * app.use(express.json()) // for the app's own routes, after Portcullis
 * ```
 */
export function portcullis(auth: Auth): Router {
  const handler = handlerFor(auth);
  const { basePath, bodyLimitBytes } = auth.options.http;
  const router = express.Router();
  router.use(async (req, res, next) => {
    // The path as the client sent it; `req.path` is relative to the mount point.
    const path = `${req.baseUrl}${req.path}`;
    if (path !== basePath && !path.startsWith(`${basePath}/`)) {
      next();
      return;
    }
    let response: Response;
    try {
      // A method no Web Request can carry is refused as the handler refuses any other.
      if (FORBIDDEN_METHODS.has(req.method.toUpperCase())) {
        response = handler.refuseMethod(req.method, path);
      } else {
        const headers = requestHeaders(req);
        const body = await requestBody(req, headers, bodyLimitBytes);
        response = await handler(toWebRequest(req, headers, body), {
          remoteAddress: req.socket.remoteAddress,
        });
      }
    } catch (error) {
      // Translation failures (an oversized or aborted upload, a method no Web request has)
      // get the contract's body; the handler itself never rejects.
      if (!isAuthError(error)) {
        auth.options.logger.error('unexpected error in the Express adapter', {
          error: String(error),
        });
      }
      response = errorResponse(error);
    }
    try {
      await sendResponse(res, response);
    } catch {
      // The client went away while the response was written: nothing to tell anyone.
      res.destroy();
    }
  });
  return router;
}
