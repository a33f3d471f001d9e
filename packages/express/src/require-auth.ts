import type { Auth } from '@portcullis/core';
import { type AccessRule, assertRequestAllowed, type RequestAuth } from '@portcullis/core/http';
import type { RequestHandler } from 'express';
import { guard } from './guard.js';
import { handlerFor } from './handler.js';

declare global {
  // Express's documented way to type what middleware adds to `req` (declaration merging).
  namespace Express {
    interface Request {
      /**
       * Who is calling (`claims`), how (`via`), and their user and session on demand
       * (`await req.auth.user()`); set by `requireAuth`.
       */
      auth?: RequestAuth;
    }
  }
}

/**
 * Express middleware that lets only signed-in requests through and sets
 * `req.auth = { claims, via, user(), session() }`. A request authenticates with the session
 * cookie (`via: 'cookie'`: one store read, the user and session already loaded) or an
 * `Authorization: Bearer` access token (`via: 'bearer'`, jwt strategy: the token alone, with no
 * store read unless `session.accessToken.checkSession`). `req.auth.claims` holds who is calling
 * (`sub`, `sid`, `amr`, `roles`, `act`); `await req.auth.user()` and `.session()` read the user
 * and session when a route needs them (once per request; when that load fails — the session was
 * revoked since the token was issued — it rejects with the `AuthError` `UNAUTHENTICATED`, whose
 * `status` 401 Express answers). `rule.role` / `rule.permission` are checked against the roles
 * of the claims (a Bearer token carries them with `session.accessToken.roles: true`; without
 * that claim the user is read to decide). Otherwise it answers with the contract's error body
 * and does not call `next`:
 * - `401 UNAUTHENTICATED`: no cookie or token, or one that no longer opens a session;
 * - `403 CSRF_FAILED`: a cookie-authenticated POST, PUT, PATCH or DELETE without a trusted
 *   `Origin` and the `x-csrf-token` header equal to the CSRF cookie (`GET {basePath}/csrf`);
 * - `403 FORBIDDEN`: signed in, but without `rule.role` or `rule.permission` (docs/roles.md);
 * - `503 STORAGE_UNAVAILABLE` when a store does not answer.
 *
 * The trade-off of Bearer tokens (docs/jwt.md, "Protecting routes"): a token stays good until it
 * expires after its session is revoked, its user disabled or its roles changed, unless a route
 * calls `user()`/`session()` or `checkSession` is on.
 *
 * It reads headers only, never the body, so it can sit before or after any body parser.
 *
 * @example
 * ```ts
 * app.get('/api/notes', requireAuth(auth), (req, res) => {
 *   res.json(notesOf(req.auth!.claims.sub))
 * })
 * app.get('/api/me', requireAuth(auth), async (req, res) => {
 *   res.json(await req.auth!.user())
 * })
 * app.get('/api/reports', requireAuth(auth, { permission: 'reports:read' }), listReports)
 * ```
 */
export function requireAuth(auth: Auth, rule: AccessRule = {}): RequestHandler {
  const handler = handlerFor(auth);
  const checks = rule.role !== undefined || rule.permission !== undefined;
  return guard(
    (request, info) => handler.authenticate(request, info),
    checks ? (result) => assertRequestAllowed(auth, result, rule) : () => undefined,
    (req, result) => {
      req.auth = result;
    },
  );
}
