import { type OperationSpec, SIGNED_IN } from './spec.js';

/** Impersonation (`docs/impersonation.md`): an admin opens a session as a user, and ends it. */
export const IMPERSONATION_OPERATIONS = {
  impersonateAdminUser: {
    method: 'POST',
    path: '/admin/users/:id/impersonate',
    tag: 'Admin',
    summary: 'Sign in as a user (users:impersonate)',
    description:
      "A session of the user marked `impersonatedBy` (the admin's id), for one hour whatever " +
      'its activity, that cannot reach `/admin` nor step up (`FORBIDDEN`). Cookie strategy: ' +
      "the session cookie becomes the user's and the admin's own session token is kept in " +
      'the HttpOnly `{session cookie name}_admin` cookie until `POST /admin/impersonation/stop`. ' +
      'jwt strategy: the tokens are in the body (`refreshToken` always, no cookie), and the ' +
      "client keeps the admin's own. Refused: oneself or a disabled user (`VALIDATION_FAILED`), " +
      'a user who may impersonate, or a caller who is impersonating (`FORBIDDEN`). Audited in ' +
      'the trails of both users.',
    auth: 'session',
    success: { status: 200, schema: 'SignedIn', description: SIGNED_IN },
    errors: ['FORBIDDEN', 'NOT_FOUND', 'VALIDATION_FAILED'],
  },
  stopImpersonation: {
    method: 'POST',
    path: '/admin/impersonation/stop',
    tag: 'Admin',
    summary: 'End the impersonation this session is',
    description:
      'Called by the impersonation session itself; needs no admin permission. The session is ' +
      "revoked. Cookie strategy: the admin's own session comes back into the session cookie " +
      'from the `_admin` cookie when it is still live (else both are cleared). Not an ' +
      'impersonation: `VALIDATION_FAILED`. Audited in the trails of both users.',
    auth: 'session',
    success: { status: 204, description: 'Ended.' },
    errors: ['VALIDATION_FAILED'],
  },
} satisfies Record<string, OperationSpec>;
