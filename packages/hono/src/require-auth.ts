import type { Auth, AuthUser, NoUserFields, UserFieldDefinitions } from '@portcullis/core';
import {
  type AccessRule,
  assertAllowed,
  errorResponse,
  type RequestAuth,
} from '@portcullis/core/http';
import type { MiddlewareHandler } from 'hono';
import { handlerFor } from './handler.js';
import { type PortcullisHonoOptions, remoteAddress } from './options.js';

/**
 * The Hono environment that {@link requireAuth} provides: `c.get('auth')` is typed as
 * `{ user, session, via }` in the handlers after it; with the app's own user fields `F`
 * (`createAuth({ user: { fields } })`), `user` has them too.
 */
export type PortcullisEnv<F extends UserFieldDefinitions = NoUserFields> = {
  Variables: { auth: RequestAuth<AuthUser<F>> };
};

/**
 * Hono middleware that lets only signed-in requests through and sets `c.get('auth')` to
 * `{ user, session, via }`. A request authenticates with the session cookie (`via: 'cookie'`)
 * or an `Authorization: Bearer` access token (`via: 'bearer'`). Otherwise it answers with the
 * contract's error body and does not call `next`:
 * - `401 UNAUTHENTICATED`: no cookie or token, or one that no longer opens a session;
 * - `403 CSRF_FAILED`: a cookie-authenticated POST, PUT, PATCH or DELETE without a trusted
 *   `Origin` and the `x-csrf-token` header equal to the CSRF cookie (`GET {basePath}/csrf`);
 * - `403 FORBIDDEN`: signed in, but without `options.role` or `options.permission`
 *   (docs/roles.md);
 * - `503 STORAGE_UNAVAILABLE` when a store does not answer.
 *
 * It reads headers only, never the body.
 *
 * @param options - the role or permission the route needs, and how to find the client's
 * address on runtimes other than Node.js
 * @example
 * ```ts
 * app.get('/api/notes', requireAuth(auth), (c) => c.json(notesOf(c.get('auth').user.id)))
 * app.get('/api/reports', requireAuth(auth, { permission: 'reports:read' }), (c) => c.json(reports()))
 * ```
 */
export function requireAuth<F extends UserFieldDefinitions = NoUserFields>(
  auth: Auth<F>,
  options: PortcullisHonoOptions & AccessRule = {},
): MiddlewareHandler<PortcullisEnv<F>> {
  const handler = handlerFor(auth as Auth);
  return async (c, next) => {
    let result: RequestAuth;
    try {
      result = await handler.authenticate(c.req.raw, { remoteAddress: remoteAddress(c, options) });
      assertAllowed(auth as Auth, result.user, options, result.session);
    } catch (error) {
      return errorResponse(error);
    }
    // The runtime user carries the fields (`toPublicUser`); the type names them.
    c.set('auth', result as RequestAuth<AuthUser<F>>);
    // Outside the try: an error of the route itself is the app's, not an auth failure.
    await next();
  };
}
