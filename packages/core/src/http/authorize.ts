import type { Auth } from '../create-auth.js';
import { AuthError } from '../errors/auth-error.js';
import type { HasRoles } from '../users/permissions.js';

/** What a protected route asks of its signed-in user besides being signed in. */
export interface AccessRule {
  /** The user must hold this role (`user.roles`). */
  readonly role?: string;
  /** The user's roles must grant this permission (`roles` of `createAuth`). */
  readonly permission?: string;
}

/**
 * Checks a signed-in user against `rule` (both parts, when both are given): what
 * `requireAuth(auth, { role })` and `requireAuth(auth, { permission })` of the adapters call.
 * @throws AuthError `FORBIDDEN` (403) when the user lacks the role or the permission
 */
export function assertAllowed(auth: Auth, user: HasRoles, rule: AccessRule): void {
  if (rule.role !== undefined && !auth.hasRole(user, rule.role)) {
    throw new AuthError('FORBIDDEN');
  }
  if (rule.permission !== undefined && !auth.hasPermission(user, rule.permission)) {
    throw new AuthError('FORBIDDEN');
  }
}
