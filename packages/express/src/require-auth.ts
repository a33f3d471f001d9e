import type { Auth } from '@portcullis/core';
import { type AccessRule, assertAllowed, type RequestAuth } from '@portcullis/core/http';
import type { RequestHandler } from 'express';
import { guard } from './guard.js';
import { handlerFor } from './handler.js';

declare global {
  // Express's documented way to type what middleware adds to `req` (declaration merging).
  namespace Express {
    interface Request {
      /** The signed-in user, their session and how they authenticated; set by `requireAuth`. */
      auth?: RequestAuth;
    }
  }
}

/**
 * Express middleware that lets only signed-in requests through and sets
 * `req.auth = { user, session, via }`. A request authenticates with the session cookie
 * (`via: 'cookie'`) or an `Authorization: Bearer` access token (`via: 'bearer'`). Otherwise it
 * answers with the contract's error body and does not call `next`:
 * - `401 UNAUTHENTICATED`: no cookie or token, or one that no longer opens a session;
 * - `403 CSRF_FAILED`: a cookie-authenticated POST, PUT, PATCH or DELETE without a trusted
 *   `Origin` and the `x-csrf-token` header equal to the CSRF cookie (`GET {basePath}/csrf`);
 * - `403 FORBIDDEN`: signed in, but without `rule.role` or `rule.permission` (docs/roles.md);
 * - `503 STORAGE_UNAVAILABLE` when a store does not answer.
 *
 * It reads headers only, never the body, so it can sit before or after any body parser.
 *
 * @example
 * ```ts
 * app.get('/api/notes', requireAuth(auth), (req, res) => {
 *   res.json(notesOf(req.auth!.user.id))
 * })
 * app.get('/api/reports', requireAuth(auth, { permission: 'reports:read' }), listReports)
 * ```
 */
export function requireAuth(auth: Auth, rule: AccessRule = {}): RequestHandler {
  const handler = handlerFor(auth);
  return guard(
    (request, info) => handler.authenticate(request, info),
    (result) => assertAllowed(auth, result.user, rule, result.session),
    (req, result) => {
      req.auth = result;
    },
  );
}
