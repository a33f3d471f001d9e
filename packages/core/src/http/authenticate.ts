import { verifyAccessToken } from '../access-tokens/verify.js';
import { AuthError } from '../errors/auth-error.js';
import type { AuthRuntime } from '../runtime/context.js';
import { toSessionInfo } from '../sessions/info.js';
import { sessionAndUser, validateSessionToken } from '../sessions/validate.js';
import { toPublicUser } from '../users/public.js';
import { cookieSpec, readCookie } from './cookies.js';
import { assertCsrf } from './csrf.js';
import type { RequestAuth } from './types.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Authenticates a request: `Authorization: Bearer` (an access token; no CSRF, since browsers
 * never attach it by themselves) or the session cookie (cookie strategy; unsafe methods must
 * pass the CSRF check first, so a forged cross-site request learns nothing).
 * @throws AuthError `UNAUTHENTICATED`, `CSRF_FAILED`
 */
export async function authenticateRequest(rt: AuthRuntime, request: Request): Promise<RequestAuth> {
  const authorization = request.headers.get('authorization');
  if (authorization !== null) {
    const match = /^Bearer ([A-Za-z0-9._-]{1,4096})$/.exec(authorization);
    if (!match) throw new AuthError('UNAUTHENTICATED');
    const claims = await verifyAccessToken(rt, match[1] as string, {});
    // Routes that read the user or list sessions need both (one round trip when the storage
    // joins them); a revoked session or deleted user is refused here even when the token
    // itself has not expired yet.
    const found = await sessionAndUser(rt, claims.sid, rt.now());
    const user = found?.user;
    if (!found || !user || user.disabled || user.id !== claims.sub) {
      throw new AuthError('UNAUTHENTICATED');
    }
    const { session } = found;
    return { user: toPublicUser(user), session: toSessionInfo(session, session.id), via: 'bearer' };
  }
  const token = readCookie(request, cookieSpec(rt.config, 'session').name);
  if (token === undefined) throw new AuthError('UNAUTHENTICATED');
  if (!SAFE_METHODS.has(request.method)) assertCsrf(request, rt.config);
  const { user, session } = await validateSessionToken(rt, token);
  return { user: toPublicUser(user), session: toSessionInfo(session, session.id), via: 'cookie' };
}
