import type { Auth } from '../create-auth.js';
import { AuthError } from '../errors/auth-error.js';
import { ADMIN_PERMISSIONS, ADMIN_ROLE, type HasRoles } from '../users/permissions.js';
import type { RequestAuth } from './types.js';

/** What a protected route asks of its signed-in user besides being signed in. */
export interface AccessRule {
  /** The user must hold this role (`user.roles`). */
  readonly role?: string;
  /** The user's roles must grant this permission (`roles` of `createAuth`). */
  readonly permission?: string;
}

/** Whether `rule` asks for the admin's reach: the `admin` role or a permission of `/admin`. */
function asksForAdmin(rule: AccessRule): boolean {
  return (
    rule.role === ADMIN_ROLE ||
    (rule.permission !== undefined &&
      (ADMIN_PERMISSIONS as readonly string[]).includes(rule.permission))
  );
}

/**
 * Checks a signed-in user against `rule` (both parts, when both are given): what
 * `requireAuth(auth, { role })` and `requireAuth(auth, { permission })` of the adapters call.
 * With the request's `session`, a session an admin opened by impersonation is refused any rule
 * that asks for the `admin` role or an admin permission (`users:read`, …), whatever the user's
 * roles: an impersonation never reaches an admin area (docs/impersonation.md). The app's own
 * roles and permissions apply to it as to the user.
 * @throws AuthError `FORBIDDEN` (403) when the user lacks the role or the permission
 */
export function assertAllowed(
  auth: Auth,
  user: HasRoles,
  rule: AccessRule,
  session?: { readonly impersonatedBy: string | null },
): void {
  if (session !== undefined && session.impersonatedBy !== null && asksForAdmin(rule)) {
    throw new AuthError('FORBIDDEN');
  }
  if (rule.role !== undefined && !auth.hasRole(user, rule.role)) {
    throw new AuthError('FORBIDDEN');
  }
  if (rule.permission !== undefined && !auth.hasPermission(user, rule.permission)) {
    throw new AuthError('FORBIDDEN');
  }
}

/**
 * {@link assertAllowed} on an authenticated request (`requireAuth(auth, rule)` of the
 * adapters): the roles come from the claims (a session cookie's user, or a Bearer token's
 * `roles` claim with `session.accessToken.roles: true`: no store read at all); a token without
 * a `roles` claim, under a rule that names a role or a permission, has its user loaded to
 * decide (one read). An impersonation (`act`) passes no admin rule.
 * @throws AuthError `FORBIDDEN`, `UNAUTHENTICATED` (the user could not be loaded)
 */
export async function assertRequestAllowed(
  auth: Auth,
  request: RequestAuth,
  rule: AccessRule,
): Promise<void> {
  if (rule.role === undefined && rule.permission === undefined) return;
  const { claims } = request;
  const impersonatedBy = claims.act?.sub ?? null;
  const holder: HasRoles = claims.roles === undefined ? await request.user() : claims;
  assertAllowed(auth, holder, rule, { impersonatedBy });
}
