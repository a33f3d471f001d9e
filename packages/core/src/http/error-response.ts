import { AuthError, isAuthError } from '../errors/auth-error.js';

/**
 * Turns any thrown value into the contract's error response:
 * `{"error": {"code", "message", "details"?}}` with the code's status, `Retry-After` on 429,
 * and `Cache-Control: no-store`. Anything that is not an {@link AuthError} becomes a generic
 * `500 INTERNAL` whose body says nothing about the cause (log the cause yourself).
 */
export function errorResponse(error: unknown): Response {
  const given = isAuthError(error) ? error : new AuthError('INTERNAL', { cause: error });
  // A server-side failure says nothing specific to the client (a CONFIG_INVALID message names
  // configuration paths; a store's own message may name hosts); details only where the
  // contract has them.
  const authError =
    given.status >= 500
      ? new AuthError(given.code === 'STORAGE_UNAVAILABLE' ? 'STORAGE_UNAVAILABLE' : 'INTERNAL', {
          cause: given,
        })
      : given.details !== undefined &&
          given.code !== 'VALIDATION_FAILED' &&
          given.code !== 'WEAK_PASSWORD'
        ? new AuthError(given.code, { message: given.message, cause: given })
        : given;
  const headers = new Headers({
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  if (authError.code === 'RATE_LIMITED') {
    headers.set('retry-after', String(Math.max(1, Math.ceil(authError.retryAfterSeconds ?? 1))));
  }
  return new Response(JSON.stringify(authError.toJSON()), { status: authError.status, headers });
}
