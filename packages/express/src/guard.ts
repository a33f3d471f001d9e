import { errorResponse, type RequestInfo } from '@portcullis/core/http';
import type { Request as ExpressRequest, RequestHandler } from 'express';
import { requestHeaders, toWebRequest } from './request.js';
import { sendResponse } from './response.js';

/**
 * The one shape of `requireAuth` and `requireClaims`: `authenticate` the request (headers
 * only, never the body) and check it; on failure answer the contract's error body and stop;
 * else `adopt` the result on `req` and call `next` — outside the try, so an error of the route
 * itself stays the app's.
 */
export function guard<T>(
  authenticate: (request: Request, info: RequestInfo) => Promise<T>,
  check: (result: T) => void | Promise<void>,
  adopt: (req: ExpressRequest, result: T) => void,
): RequestHandler {
  return async (req, res, next) => {
    let result: T;
    try {
      result = await authenticate(toWebRequest(req, requestHeaders(req), undefined), {
        remoteAddress: req.socket.remoteAddress,
      });
      await check(result);
    } catch (error) {
      try {
        await sendResponse(res, errorResponse(error));
      } catch {
        res.destroy();
      }
      return;
    }
    adopt(req, result);
    next();
  };
}
