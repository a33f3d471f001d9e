import type { Auth } from '@portcullis/core';
import { type AccessRule, assertClaimsAllowed, type ClaimsAuth } from '@portcullis/core/http';
import type { RequestHandler } from 'express';
import { guard } from './guard.js';
import { handlerFor } from './handler.js';

declare global {
  namespace Express {
    interface Request {
      /**
       * The caller's verified claims, with the user and session on demand; set by
       * `requireClaims`.
       */
      claims?: ClaimsAuth;
    }
  }
}

/**
 * Express middleware like `requireAuth`, for routes that need only who is calling: with an
 * `Authorization: Bearer` access token (jwt strategy) it checks the token alone, with no store
 * read (unless `session.accessToken.checkSession`), and `rule.role` / `rule.permission` against
 * its `roles` claim (`session.accessToken.roles: true`; without that claim the user is read to
 * decide). It sets `req.claims = { claims, via, user(), session() }`: `await
 * req.claims.user()` reads the user when a route needs it (once per request). A session cookie
 * is validated as `requireAuth` does (CSRF for unsafe methods). Answers as `requireAuth` does
 * otherwise: `401 UNAUTHENTICATED`, `403 CSRF_FAILED`, `403 FORBIDDEN`,
 * `503 STORAGE_UNAVAILABLE`.
 *
 * The trade-off (docs/roles.md, "Checks from claims"): a token stays good until it expires
 * after its session is revoked, its user disabled or its roles changed, unless a route calls
 * `user()`/`session()` or `checkSession` is on.
 *
 * @example
 * ```ts
 * app.get('/api/reports', requireClaims(auth, { permission: 'reports:read' }), (req, res) => {
 *   res.json(reportsOf(req.claims!.claims.sub))
 * })
 * ```
 */
export function requireClaims(auth: Auth, rule: AccessRule = {}): RequestHandler {
  const handler = handlerFor(auth);
  return guard(
    (request, info) => handler.authenticateClaims(request, info),
    (result) => assertClaimsAllowed(auth, result, rule),
    (req, result) => {
      req.claims = result;
    },
  );
}
