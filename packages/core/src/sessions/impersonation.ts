import type { AuthRuntime } from '../runtime/context.js';
import type { SessionRecord } from '../storage/types/sessions.js';
import type { UserRecord } from '../storage/types/users.js';
import { hasPermission } from '../users/permissions.js';

/**
 * How long an impersonation lasts, in seconds (`auth.admin.users.impersonate`): one hour from
 * its start, whatever its activity. It is the session's absolute expiry, which touches and
 * refreshes never move.
 */
export const IMPERSONATION_SECONDS = 3600;

/**
 * Whether the admin behind an impersonation session may still hold it: they exist, are
 * enabled and still have `users:impersonate`. Checked on every validation and refresh of such a
 * session (one more read, for these sessions only): an admin disabled, deleted or demoted
 * mid-impersonation loses it at once instead of at the end of its hour; so does one whose user
 * gained `users:impersonate` meanwhile. A session of the user's own (no `impersonatedBy`)
 * passes without a read.
 */
export async function impersonatorStands(
  rt: AuthRuntime,
  session: Pick<SessionRecord, 'impersonatedBy'>,
  user: Pick<UserRecord, 'roles'>,
): Promise<boolean> {
  if (session.impersonatedBy === undefined) return true;
  // The user became someone who may impersonate (an admin) since: admins are not impersonated.
  if (hasPermission(user, 'users:impersonate', rt.config.roles)) return false;
  const admin = await rt.storage.users.getById(session.impersonatedBy);
  return (
    admin !== undefined &&
    !admin.disabled &&
    hasPermission(admin, 'users:impersonate', rt.config.roles)
  );
}
