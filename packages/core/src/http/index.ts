/**
 * `@portcullis/core/http`: the Web-standard HTTP layer. `createHttpHandler(auth)` implements
 * the whole contract (`docs/http.md`); framework adapters only translate requests and responses.
 */
export { type AccessRule, assertAllowed, assertRequestAllowed } from './authorize.js';
export { errorResponse } from './error-response.js';
export { createHttpHandler } from './handler.js';
export type {
  HttpHandler,
  RequestAuth,
  RequestClaims,
  RequestInfo,
} from './types.js';
