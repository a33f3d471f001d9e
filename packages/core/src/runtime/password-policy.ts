import {
  passwordCheckFailed,
  passwordCheckKey,
  reservePasswordCheck,
  unlockAccount,
} from '../abuse/login-throttle.js';
import type { ResolvedConfig } from '../config/resolve.js';
import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import {
  checkPassword,
  type PasswordCheckOptions,
  type PasswordContext,
} from '../password/policy.js';
import { hashPassword, verifyPassword } from '../password/verify.js';
import type { UserRecord } from '../storage/types/users.js';
import type { AuthRuntime } from './context.js';

/** The policy options of the configuration, for one user's context and one field name. */
export function policyOptions(
  config: ResolvedConfig,
  options: { context: PasswordContext; field?: string },
): PasswordCheckOptions {
  return {
    minLength: config.password.minLength,
    maxLength: config.password.maxLength,
    blocklist: config.password.blocklist,
    extraBlockedWords: config.password.extraBlockedWords,
    appName: config.appName,
    context: options.context,
    field: options.field ?? 'password',
  };
}

/**
 * Checks a new password against the configured policy.
 * @throws AuthError `WEAK_PASSWORD` with one detail per broken rule (never the password).
 */
export function assertPasswordAllowed(
  rt: AuthRuntime,
  password: string,
  options: { context: PasswordContext; field?: string },
): void {
  const result = checkPassword(password, policyOptions(rt.config, options));
  if (!result.ok) throw new AuthError('WEAK_PASSWORD', { details: result.details });
}

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
 * failures.
 * @throws AuthError `PASSWORD_INCORRECT`, `RATE_LIMITED`
 */
export async function assertPasswordCorrect(
  rt: AuthRuntime,
  user: Pick<UserRecord, 'id' | 'passwordHash' | 'emailNormalized' | 'usernameNormalized'>,
  password: string,
  context: RequestContext = {},
): Promise<void> {
  const key = passwordCheckKey(user);
  const reservation = await reservePasswordCheck(rt, key);
  const hasher = await rt.hasher();
  const valid =
    user.passwordHash === undefined
      ? await rt.dummyVerify(password).then(() => ({ valid: false, needsRehash: false }))
      : await verifyPassword(password, user.passwordHash, { hasher });
  if (!valid.valid) {
    await passwordCheckFailed(rt, key, reservation, { userId: user.id, context });
    throw new AuthError('PASSWORD_INCORRECT');
  }
  await unlockAccount(rt, user);
  if (valid.needsRehash) await rehash(rt, user.id, password);
}

/** Replaces a user's hash with a fresh argon2id one at current parameters. */
export async function rehash(rt: AuthRuntime, userId: string, password: string): Promise<void> {
  const passwordHash = await hashPassword(password, { hasher: await rt.hasher() });
  await rt.storage.users.update(userId, { passwordHash, updatedAt: rt.now() });
  await rt.emit({ type: 'password.rehashed', userId });
}
