/**
 * `@portcullis/core/http`: the Web-standard HTTP layer. The full handler of the HTTP contract
 * arrives with the account and session flows; this entry point already owns the error body.
 */
export { errorResponse } from './error-response.js';
