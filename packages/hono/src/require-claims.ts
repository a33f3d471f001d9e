import type { Auth, AuthUser, NoUserFields, UserFieldDefinitions } from '@portcullis/core';
import {
  type AccessRule,
  assertClaimsAllowed,
  type ClaimsAuth,
  errorResponse,
} from '@portcullis/core/http';
import type { MiddlewareHandler } from 'hono';
import { handlerFor } from './handler.js';
import { type PortcullisHonoOptions, remoteAddress } from './options.js';

/**
 * The Hono environment that {@link requireClaims} provides: `c.get('claims')` is
 * `{ claims, via, user(), session() }`, with the app's user fields `F` in `user()`.
 */
export type PortcullisClaimsEnv<F extends UserFieldDefinitions = NoUserFields> = {
  Variables: { claims: ClaimsAuth<AuthUser<F>> };
};

/**
 * Hono middleware like `requireAuth`, for routes that need only who is calling: with an
 * `Authorization: Bearer` access token (jwt strategy) it checks the token alone, with no store
 * read (unless `session.accessToken.checkSession`), and `options.role` / `options.permission`
 * against its `roles` claim (`session.accessToken.roles: true`; without that claim the user is
 * read to decide). `c.get('claims').claims` holds the verified claims; `await
 * c.get('claims').user()` and `.session()` read the user and session when a route needs them
 * (once per request; when that load fails — the session was revoked since — the request answers
 * the contract's `401` unless the route caught it). A session cookie is validated as `requireAuth` does (its store read
 * cannot be skipped; CSRF for unsafe methods). Answers as `requireAuth` does otherwise: `401
 * UNAUTHENTICATED`, `403 CSRF_FAILED`, `403 FORBIDDEN`, `503 STORAGE_UNAVAILABLE`.
 *
 * The trade-off (docs/roles.md, "Checks from claims"): a token stays good until it expires
 * (`ttlSeconds`, 15 minutes by default) after its session is revoked, its user disabled or its
 * roles changed, unless a route calls `user()`/`session()` or `checkSession` is on.
 *
 * @example
 * ```ts
 * app.get('/api/reports', requireClaims(auth, { permission: 'reports:read' }), (c) =>
 *   c.json(reportsOf(c.get('claims').claims.sub)))
 * ```
 */
export function requireClaims<F extends UserFieldDefinitions = NoUserFields>(
  auth: Auth<F>,
  options: PortcullisHonoOptions & AccessRule = {},
): MiddlewareHandler<PortcullisClaimsEnv<F>> {
  const handler = handlerFor(auth as Auth);
  return async (c, next) => {
    let result: ClaimsAuth;
    try {
      result = await handler.authenticateClaims(c.req.raw, {
        remoteAddress: remoteAddress(c, options),
      });
      await assertClaimsAllowed(auth as Auth, result, options);
    } catch (error) {
      return errorResponse(error);
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
    const typed: ClaimsAuth = {
      ...result,
      user: loaded(result.user),
      session: loaded(result.session),
    };
    // The runtime user carries the fields (`toPublicUser`); the type names them.
    c.set('claims', typed as ClaimsAuth<AuthUser<F>>);
    await next();
    if (failed !== undefined && c.error === failed) {
      c.res = errorResponse(failed);
      c.error = undefined;
    }
  };
}
