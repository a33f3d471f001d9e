import type { Auth } from '../create-auth.js';
import { AuthError } from '../errors/auth-error.js';
import { cookieSpec, readCookie } from './cookies.js';
import { assertCsrf } from './csrf.js';
import type { RequestAuth } from './types.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Authenticates a request through `auth`'s public methods: `Authorization: Bearer` (an access
 * token, checked with its session and user by `auth.validateAccessToken`; no CSRF, since
 * browsers never attach it by themselves) or the session cookie (`auth.validateSession`;
 * unsafe methods must pass the CSRF check first, a token bound to the session, so a forged
 * cross-site request learns nothing).
 * @throws AuthError `UNAUTHENTICATED`, `CSRF_FAILED`
 */
export async function authenticateRequest(auth: Auth, request: Request): Promise<RequestAuth> {
  const authorization = request.headers.get('authorization');
  if (authorization !== null) {
    const match = /^Bearer ([A-Za-z0-9._-]{1,4096})$/.exec(authorization);
    if (!match) throw new AuthError('UNAUTHENTICATED');
    return { ...(await auth.validateAccessToken(match[1] as string)), via: 'bearer' };
  }
  const token = readCookie(request, cookieSpec(auth.options, 'session').name);
  if (token === undefined) throw new AuthError('UNAUTHENTICATED');
  if (!SAFE_METHODS.has(request.method)) assertCsrf(request, auth, token);
  return { ...(await auth.validateSession(token)), via: 'cookie' };
}
