import { FRESHNESS, type OperationSpec } from './spec.js';

/**
 * Identity operations of the table about the signed-in session: sign-out, the session and the
 * session list, the CSRF token and the public keys (`docs/http.md`, "Identity").
 */
export const SESSION_OPERATIONS = {
  logout: {
    method: 'POST',
    path: '/logout',
    tag: 'Identity',
    summary: 'Sign out',
    auth: 'session',
    success: { status: 204, description: 'The session is revoked and its cookies cleared.' },
    errors: [],
  },
  logoutAll: {
    method: 'POST',
    path: '/logout/all',
    tag: 'Identity',
    summary: 'Sign out every session of the user',
    auth: 'session',
    request: { schema: 'FreshnessProofRequest', required: false },
    success: { status: 204, description: 'Every session of the user is revoked.' },
    errors: FRESHNESS,
  },
  getSession: {
    method: 'GET',
    path: '/session',
    tag: 'Identity',
    summary: 'The signed-in user and session',
    auth: 'session',
    success: { status: 200, schema: 'SessionResponse', description: 'The caller.' },
    errors: [],
  },
  listSessions: {
    method: 'GET',
    path: '/sessions',
    tag: 'Identity',
    summary: "The user's live sessions, newest first",
    auth: 'session',
    success: { status: 200, schema: 'SessionList', description: 'Live sessions only.' },
    errors: [],
  },
  revokeSession: {
    method: 'DELETE',
    path: '/sessions/:id',
    tag: 'Identity',
    summary: 'Revoke one of your sessions',
    description:
      'Revoking the current session is a logout; another one needs a fresh session or the proof in the body. Sessions of other users are 404.',
    auth: 'session',
    request: { schema: 'FreshnessProofRequest', required: false },
    success: { status: 204, description: 'The session is revoked.' },
    errors: [...FRESHNESS, 'NOT_FOUND'],
  },
  getCsrfToken: {
    method: 'GET',
    path: '/csrf',
    tag: 'Identity',
    summary: 'The CSRF token, also set as the CSRF cookie',
    description:
      'Send it as `x-csrf-token` with every state-changing request authenticated by cookie.',
    auth: 'none',
    success: { status: 200, schema: 'CsrfResponse', description: 'The token.' },
    errors: [],
  },
  getJwks: {
    method: 'GET',
    path: '/jwks.json',
    tag: 'Identity',
    summary: 'Public keys that verify access tokens (EdDSA, ES256)',
    auth: 'none',
    success: { status: 200, schema: 'Jwks', description: 'A JWK Set, current key first.' },
    errors: ['NOT_FOUND'],
  },
} satisfies Record<string, OperationSpec>;
