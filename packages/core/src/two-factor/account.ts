import { AuthError } from '../errors/auth-error.js';
import type { AuthRuntime } from '../runtime/context.js';
import type { UserRecord } from '../storage/types/users.js';

/** The signed-in user of a 2FA setting. @throws AuthError `UNAUTHENTICATED` when gone or disabled */
export async function requireUser(rt: AuthRuntime, userId: string): Promise<UserRecord> {
  const user = await rt.storage.users.getById(userId);
  if (!user || user.disabled) throw new AuthError('UNAUTHENTICATED');
  return user;
}
