import type { Auth, AuthUser, NoUserFields, UserFieldDefinitions } from '@portcullis/core';
import {
  type AccessRule,
  assertRequestAllowed,
  errorResponse,
  type RequestAuth,
} from '@portcullis/core/http';
import type { MiddlewareHandler } from 'hono';
import { handlerFor } from './handler.js';
import { type PortcullisHonoOptions, remoteAddress } from './options.js';

/**
 * The Hono environment that {@link requireAuth} provides: `c.get('auth')` is
 * `{ claims, via, user(), session() }` in the handlers after it; with the app's own user fields
 * `F` (`createAuth({ user: { fields } })`), `user()` resolves to a user with them too.
 */
export type PortcullisEnv<F extends UserFieldDefinitions = NoUserFields> = {
  Variables: { auth: RequestAuth<AuthUser<F>> };
};

/**
 * Hono middleware that lets only signed-in requests through and sets `c.get('auth')` to
 * `{ claims, via, user(), session() }`. A request authenticates with the session cookie
 * (`via: 'cookie'`: one store read, the user and session already loaded) or an
 * `Authorization: Bearer` access token (`via: 'bearer'`, jwt strategy: the token alone, with no
 * store read unless `session.accessToken.checkSession`). `c.get('auth').claims` holds who is
 * calling (`sub`, `sid`, `amr`, `roles`, `act`); `await c.get('auth').user()` and `.session()`
 * read the user and session when a route needs them (once per request; when that load fails —
 * the session was revoked since the token was issued — the request answers the contract's `401`
 * unless the route caught it). `options.role` / `options.permission` are checked against the
 * roles of the claims (a Bearer token carries them with `session.accessToken.roles: true`;
 * without that claim the user is read to decide). Otherwise it answers with the contract's
 * error body and does not call `next`:
 * - `401 UNAUTHENTICATED`: no cookie or token, or one that no longer opens a session;
 * - `403 CSRF_FAILED`: a cookie-authenticated POST, PUT, PATCH or DELETE without a trusted
 *   `Origin` and the `x-csrf-token` header equal to the CSRF cookie (`GET {basePath}/csrf`);
 * - `403 FORBIDDEN`: signed in, but without `options.role` or `options.permission`
 *   (docs/roles.md);
 * - `503 STORAGE_UNAVAILABLE` when a store does not answer.
 *
 * The trade-off of Bearer tokens (docs/jwt.md, "Protecting routes"): a token stays good until it
 * expires (`ttlSeconds`, 15 minutes by default) after its session is revoked, its user disabled
 * or its roles changed, unless a route calls `user()`/`session()` or `checkSession` is on.
 *
 * It reads headers only, never the body.
 *
 * @param options - the role or permission the route needs, and how to find the client's
 * address on runtimes other than Node.js
 * @example
 * ```ts
 * app.get('/api/notes', requireAuth(auth), (c) => c.json(notesOf(c.get('auth').claims.sub)))
 * app.get('/api/me', requireAuth(auth), async (c) => c.json(await c.get('auth').user()))
 * app.get('/api/reports', requireAuth(auth, { permission: 'reports:read' }), (c) => c.json(reports()))
 * ```
 */
export function requireAuth<F extends UserFieldDefinitions = NoUserFields>(
  auth: Auth<F>,
  options: PortcullisHonoOptions & AccessRule = {},
): MiddlewareHandler<PortcullisEnv<F>> {
  const handler = handlerFor(auth as Auth);
  const core = auth as Auth;
  const checks = options.role !== undefined || options.permission !== undefined;
  return async (c, next) => {
    let result: RequestAuth;
    try {
      result = await handler.authenticate(c.req.raw, { remoteAddress: remoteAddress(c, options) });
      if (checks) await assertRequestAllowed(core, result, options);
    } catch (error) {
      return errorResponse(error);
    }
    if (result.via === 'cookie') {
      // A cookie's user and session are loaded already: their calls cannot fail.
      c.set('auth', result as RequestAuth<AuthUser<F>>);
      await next();
      return;
    }
    // A load the route asked for that failed (the session was revoked since the token was
    // issued) answers as the middleware would have: the contract's 401, not the app's 500.
    let failed: unknown;
    const loaded =
      <T>(load: () => Promise<T>) =>
      async () => {
        try {
          return await load();
        } catch (error) {
          failed = error;
          throw error;
        }
      };
    const typed: RequestAuth = {
      claims: result.claims,
      via: result.via,
      user: loaded(result.user),
      session: loaded(result.session),
    };
    // The runtime user carries the fields (`toPublicUser`); the type names them.
    c.set('auth', typed as RequestAuth<AuthUser<F>>);
    // Outside the try: an error of the route itself is the app's, not an auth failure.
    await next();
    if (failed !== undefined && c.error === failed) {
      c.res = errorResponse(failed);
      c.error = undefined;
    }
  };
}
