import type { Auth } from '../create-auth.js';
import { AuthError } from '../errors/auth-error.js';
import type { SessionInfo } from '../sessions/types.js';
import type { PublicUser } from '../users/public.js';
import { cookieSpec, readCookie } from './cookies.js';
import { assertCsrf } from './csrf.js';
import type { Caller, RequestAuth, RequestClaims } from './types.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Authenticates the caller of a built-in route, user and session read and checked, through
 * `auth`'s public methods: `Authorization: Bearer` (an access token, checked with its session
 * and user by `auth.validateAccessToken`; no CSRF, since browsers never attach it by
 * themselves) or the session cookie (`auth.validateSession`; unsafe methods must pass the CSRF
 * check first, a token bound to the session, so a forged cross-site request learns nothing).
 * @throws AuthError `UNAUTHENTICATED`, `CSRF_FAILED`
 */
export async function authenticateCaller(auth: Auth, request: Request): Promise<Caller> {
  const bearer = bearerToken(request);
  if (bearer !== undefined) {
    return { ...(await auth.validateAccessToken(bearer)), via: 'bearer' };
  }
  const token = readCookie(request, sessionCookieName(auth));
  if (token === undefined) throw new AuthError('UNAUTHENTICATED');
  if (!SAFE_METHODS.has(request.method)) assertCsrf(request, auth, token);
  const { user, session } = await auth.validateSession(token);
  return { user, session, via: 'cookie' };
}

/** The session cookie's name per configuration, worked out once (it is read per request). */
const cookieNames = new WeakMap<Auth['options'], string>();

function sessionCookieName(auth: Auth): string {
  let name = cookieNames.get(auth.options);
  if (name === undefined) {
    name = cookieSpec(auth.options, 'session').name;
    cookieNames.set(auth.options, name);
  }
  return name;
}

/** The `Authorization: Bearer` token, or `undefined` without the header. @throws AuthError */
function bearerToken(request: Request): string | undefined {
  const authorization = request.headers.get('authorization');
  if (authorization === null) return undefined;
  const match = /^Bearer ([A-Za-z0-9._-]{1,4096})$/.exec(authorization);
  if (!match) throw new AuthError('UNAUTHENTICATED');
  return match[1] as string;
}

/**
 * Authenticates a request of the app's own routes (`handler.authenticate`, `requireAuth`) from
 * its claims: a Bearer token by `auth.verifyAccessToken` alone (its verified-token cache skips
 * the signature for a token seen before), the user and session read only when the route asks
 * (`auth.validateAccessToken`, once). With `session.accessToken.checkSession`, the token's
 * session and user are read and checked at once instead (one read), and `claims.roles` are the
 * user's. A session cookie has no claims to trust without its store read: it is validated as
 * {@link authenticateCaller} does, and the claims are taken from what it read.
 * @throws AuthError `UNAUTHENTICATED`, `CSRF_FAILED`
 */
export async function authenticateRequest(auth: Auth, request: Request): Promise<RequestAuth> {
  const bearer = bearerToken(request);
  if (bearer === undefined) {
    const { user, session } = await authenticateCaller(auth, request);
    return loadedAuth({}, user, session, 'cookie');
  }
  if (auth.options.session.accessToken.checkSession) {
    const { user, session } = await auth.validateAccessToken(bearer);
    // The token passed just now: its claims come from the verified-token cache.
    const claims = await auth.verifyAccessToken(bearer, { checkSession: false });
    return loadedAuth(claims, user, session, 'bearer');
  }
  const claims = (await auth.verifyAccessToken(bearer)) as unknown as RequestClaims;
  let loaded: Promise<{ user: PublicUser; session: SessionInfo }> | undefined;
  const load = () => {
    loaded ??= auth.validateAccessToken(bearer);
    return loaded;
  };
  return {
    claims,
    via: 'bearer',
    user: async () => (await load()).user,
    session: async () => (await load()).session,
  };
}

/**
 * A request whose user and session were read: its claims are `base` (a token's own, or none
 * for a cookie) with who is calling, and the roles, as read.
 */
function loadedAuth(
  base: object,
  user: PublicUser,
  session: SessionInfo,
  via: RequestAuth['via'],
): RequestAuth {
  const claims: { -readonly [K in keyof RequestClaims]: RequestClaims[K] } = {
    ...base,
    sub: user.id,
    sid: session.id,
    amr: session.amr,
    roles: user.roles,
  };
  if (session.impersonatedBy !== null) claims.act = { sub: session.impersonatedBy };
  return {
    claims,
    via,
    user: () => Promise.resolve(user),
    session: () => Promise.resolve(session),
  };
}
