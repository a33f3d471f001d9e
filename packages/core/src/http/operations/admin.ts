import type { OperationSpec } from './spec.js';

const ID = 'A user id.';

/** The admin API (`docs/admin.md`): each route needs a permission of the caller's roles. */
export const ADMIN_OPERATIONS = {
  listAdminUsers: {
    method: 'GET',
    path: '/admin/users',
    tag: 'Admin',
    summary: 'List users (users:read)',
    description:
      'Oldest first, `limit` 1 to 100 (default 50); `nextCursor` gives the next page (`null` ' +
      'after the last), stable while users are created. `query` matches the start of the ' +
      'email, the username or a name, case-insensitively. 403 `FORBIDDEN` without the ' +
      'permission.',
    auth: 'session',
    query: [
      { name: 'query', required: false, description: 'A prefix of the email, username or a name.' },
      { name: 'cursor', required: false, description: '`nextCursor` of the previous page.' },
      { name: 'limit', required: false, description: '1 to 100; default 50.' },
      { name: 'role', required: false, description: 'Only users with this role.' },
      { name: 'disabled', required: false, description: '`true` or `false`.' },
    ],
    success: { status: 200, schema: 'AdminUserList', description: '`{users, nextCursor}`.' },
    errors: ['FORBIDDEN', 'VALIDATION_FAILED'],
  },
  getAdminUser: {
    method: 'GET',
    path: '/admin/users/:id',
    tag: 'Admin',
    summary: 'A user with sessions, linked accounts, passkeys, 2FA and locks (users:read)',
    description: ID,
    auth: 'session',
    success: { status: 200, schema: 'AdminUserDetail', description: 'The user and more.' },
    errors: ['FORBIDDEN', 'NOT_FOUND'],
  },
  createAdminUser: {
    method: 'POST',
    path: '/admin/users',
    tag: 'Admin',
    summary: 'Create a user, with a password or by invitation (users:write)',
    description:
      'With `password` (checked by the password policy, `WEAK_PASSWORD`), the user can sign ' +
      'in (a verification link is mailed unless `emailVerified` is true). Without, an ' +
      '`invitation` mail carries a single-use link (7 days by default) to the password-reset ' +
      'page, where `POST /password/reset/confirm` sets the password and verifies the address. ' +
      'A taken email is `409 CONFLICT`, a taken username `409 USERNAME_TAKEN`.',
    auth: 'session',
    request: { schema: 'AdminCreateUserRequest', required: true },
    success: { status: 201, schema: 'AdminUserResponse', description: '`{user}`, as created.' },
    errors: ['FORBIDDEN', 'VALIDATION_FAILED', 'WEAK_PASSWORD', 'USERNAME_TAKEN', 'CONFLICT'],
  },
  updateAdminUser: {
    method: 'PATCH',
    path: '/admin/users/:id',
    tag: 'Admin',
    summary: 'Change a user (users:write)',
    description:
      'Names, username, email, roles (named in the configuration), disabled (ends every ' +
      'session), email verified. A new `email` ends every session of the user; with ' +
      '`emailVerified: true` it is set verified, without it a verification link is mailed to ' +
      'it; the old address is told. A taken email is `409 CONFLICT`. An admin cannot disable ' +
      'themselves nor take away their own admin role (`VALIDATION_FAILED`).',
    auth: 'session',
    request: { schema: 'AdminUserPatchRequest', required: true },
    success: { status: 200, schema: 'AdminUserResponse', description: '`{user}`, as changed.' },
    errors: ['FORBIDDEN', 'NOT_FOUND', 'VALIDATION_FAILED', 'USERNAME_TAKEN', 'CONFLICT'],
  },
  deleteAdminUser: {
    method: 'DELETE',
    path: '/admin/users/:id',
    tag: 'Admin',
    summary: 'Delete a user (users:write)',
    description: 'Everything tied to them goes too. Not oneself (`VALIDATION_FAILED`).',
    auth: 'session',
    success: { status: 204, description: 'Deleted.' },
    errors: ['FORBIDDEN', 'NOT_FOUND', 'VALIDATION_FAILED'],
  },
  revokeAdminUserSessions: {
    method: 'POST',
    path: '/admin/users/:id/sessions/revoke',
    tag: 'Admin',
    summary: "End a user's sessions (sessions:revoke)",
    description: 'With `sessionId`, that session only; without, every one.',
    auth: 'session',
    request: { schema: 'AdminRevokeSessionsRequest', required: false },
    success: { status: 204, description: 'Ended.' },
    errors: ['FORBIDDEN', 'NOT_FOUND', 'VALIDATION_FAILED'],
  },
  unlockAdminUser: {
    method: 'POST',
    path: '/admin/users/:id/unlock',
    tag: 'Admin',
    summary: "Lift a user's sign-in and second-factor locks (users:write)",
    auth: 'session',
    success: { status: 204, description: 'Unlocked.' },
    errors: ['FORBIDDEN', 'NOT_FOUND'],
  },
  resetAdminUserSecondFactor: {
    method: 'POST',
    path: '/admin/users/:id/2fa/reset',
    tag: 'Admin',
    summary: "Turn a user's second factor off (users:write)",
    description:
      'TOTP, recovery codes and trusted devices go, every session of the user ends, and the ' +
      'user is mailed a notice; they enroll again. 2FA off: `VALIDATION_FAILED`.',
    auth: 'session',
    success: { status: 204, description: 'Reset.' },
    errors: ['FORBIDDEN', 'NOT_FOUND', 'VALIDATION_FAILED'],
  },
  sendAdminUserResetLink: {
    method: 'POST',
    path: '/admin/users/:id/password-reset',
    tag: 'Admin',
    summary: 'Mail a user a password reset link (users:write)',
    description: 'As `POST /password/reset` would, within its per-address limit.',
    auth: 'session',
    success: { status: 204, description: 'Mailed (unless the user is disabled).' },
    errors: ['FORBIDDEN', 'NOT_FOUND', 'RATE_LIMITED'],
  },
  revokeAllAdminSessions: {
    method: 'POST',
    path: '/admin/sessions/revoke-all',
    tag: 'Admin',
    summary: 'End every session of every user (sessions:revoke)',
    description:
      "After an incident (OWASP ASVS 7.4.5). The caller's own session ends too (its cookies " +
      'are cleared). Sign-ins after the call are not affected; access tokens already issued ' +
      '(jwt strategy) stay valid until they expire unless `session.accessToken.checkSession`.',
    auth: 'session',
    success: {
      status: 200,
      schema: 'AdminSessionsRevoked',
      description: '`{sessionsEnded, users}`: how many sessions of how many users ended.',
    },
    errors: ['FORBIDDEN'],
  },
  listAdminAudit: {
    method: 'GET',
    path: '/admin/audit',
    tag: 'Admin',
    summary: 'Security events across users (audit:read)',
    description:
      'Newest first, `limit` 1 to 200 (default 50); `nextCursor` gives the next page (`null` ' +
      'after the last).',
    auth: 'session',
    query: [
      { name: 'userId', required: false, description: "Only this user's events." },
      { name: 'type', required: false, description: 'Only events of this type.' },
      { name: 'cursor', required: false, description: '`nextCursor` of the previous page.' },
      { name: 'limit', required: false, description: '1 to 200; default 50.' },
    ],
    success: { status: 200, schema: 'AdminAuditLog', description: '`{events, nextCursor}`.' },
    errors: ['FORBIDDEN', 'VALIDATION_FAILED'],
  },
} satisfies Record<string, OperationSpec>;
