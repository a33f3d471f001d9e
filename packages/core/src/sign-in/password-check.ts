import {
  passwordCheckFailed,
  passwordCheckKey,
  reservePasswordCheck,
  unlockAccount,
} from '../abuse/login-throttle.js';
import { AuthError, isAuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import { compensate } from '../flows/compensate.js';
import { hashPassword } from '../password/verify.js';
import type { AuthRuntime } from '../runtime/context.js';
import type { UserRecord } from '../storage/types/users.js';

/**
 * Verifies a signed-in user's password for a sensitive operation (re-authentication, 2FA
 * settings, email and password change, account deletion, the fresh-session rule), upgrading
 * the hash when it needs it. A user without a password (imported unusable hash) never passes.
 *
 * Throttled like sign-in, under the same `loginPerAccount` key as a sign-in with the account's
 * email (so a stolen session is no unlimited password oracle): while that key is locked the
 * answer is `RATE_LIMITED`, the right password included; each check is reserved before it runs
 * (concurrent checks cannot pass the limit); the wrong password that reaches the limit locks
 * sign-in and re-checks alike (`login.locked`, and the owner is mailed); a right one clears the
 * failures. A wrong or throttled check emits `reauth.failed` (`data.reason`
 * `password_incorrect` or `rate_limited`).
 * @throws AuthError `PASSWORD_INCORRECT`, `RATE_LIMITED`
 */
export async function assertPasswordCorrect(
  rt: AuthRuntime,
  user: Pick<UserRecord, 'id' | 'passwordHash' | 'emailNormalized' | 'usernameNormalized'>,
  password: string,
  context: RequestContext = {},
): Promise<void> {
  const key = passwordCheckKey(user);
  const reservation = await reservePasswordCheck(rt, key, context).catch(async (error: unknown) => {
    // A throttled re-check is a failed one (OWASP ASVS 16.3.1); budgeted, never the password.
    if (isAuthError(error) && error.code === 'RATE_LIMITED') {
      await rt.emit(
        { type: 'reauth.failed', userId: user.id, data: { reason: 'rate_limited' } },
        context,
      );
    }
    throw error;
  });
  const valid =
    user.passwordHash === undefined
      ? await rt.dummyVerify(password).then(() => ({ valid: false, needsRehash: false }))
      : await rt.verifyPassword(password, user.passwordHash);
  if (!valid.valid) {
    await passwordCheckFailed(rt, key, reservation, { userId: user.id, context });
    await rt.emit(
      { type: 'reauth.failed', userId: user.id, data: { reason: 'password_incorrect' } },
      context,
    );
    throw new AuthError('PASSWORD_INCORRECT');
  }
  // The right password forgets the failures; a store that refuses this is tried again once
  // it is back (issue 16: the operation does not fail, or count, for want of it).
  await compensate(rt.config.logger, 'clear sign-in failures', () =>
    unlockAccount(rt, user, context),
  );
  if (valid.needsRehash) await rehash(rt, user, password);
}

/**
 * Replaces a user's hash with a fresh argon2id one at current parameters, the same password.
 * Not a credential change (the generation stays). Skipped when the stored hash is no longer
 * the one that was verified (a password change or reset won meanwhile): a rehash must never
 * bring an old password back. The re-read narrows that race to the read and the write.
 */
export async function rehash(
  rt: AuthRuntime,
  user: Pick<UserRecord, 'id' | 'passwordHash'>,
  password: string,
): Promise<void> {
  const passwordHash = await hashPassword(password, { hasher: await rt.hasher() });
  const current = await rt.storage.users.getById(user.id);
  if (current?.passwordHash === undefined || current.passwordHash !== user.passwordHash) return;
  await rt.storage.users.update(user.id, { passwordHash, updatedAt: rt.now() });
  await rt.emit({ type: 'password.rehashed', userId: user.id });
}
