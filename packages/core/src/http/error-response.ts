import { AuthError, isAuthError } from '../errors/auth-error.js';

/**
 * Turns any thrown value into the contract's error response:
 * `{"error": {"code", "message", "details"?}}` with the code's status, `Retry-After` on 429,
 * and `Cache-Control: no-store`. Anything that is not an {@link AuthError} becomes a generic
 * `500 INTERNAL` whose body says nothing about the cause (log the cause yourself).
 */
export function errorResponse(error: unknown): Response {
  const authError = isAuthError(error) ? error : new AuthError('INTERNAL', { cause: error });
  const headers = new Headers({
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  if (authError.code === 'RATE_LIMITED') {
    headers.set('retry-after', String(Math.max(1, Math.ceil(authError.retryAfterSeconds ?? 1))));
  }
  return new Response(JSON.stringify(authError.toJSON()), { status: authError.status, headers });
}
