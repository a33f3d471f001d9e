import type { ResolvedConfig } from '../config/resolve.js';
import { AuthError } from '../errors/auth-error.js';
import {
  checkPassword,
  type PasswordCheckOptions,
  type PasswordContext,
} from '../password/policy.js';
import { hashPassword, verifyPassword } from '../password/verify.js';
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
 * Verifies a signed-in user's password for a sensitive operation, upgrading the hash when it
 * needs it. A user without a password (imported unusable hash) never passes.
 * @throws AuthError `PASSWORD_INCORRECT`
 */
export async function assertPasswordCorrect(
  rt: AuthRuntime,
  user: { id: string; passwordHash?: string | undefined },
  password: string,
): Promise<void> {
  const hasher = await rt.hasher();
  if (user.passwordHash === undefined) {
    await rt.dummyVerify(password);
    throw new AuthError('PASSWORD_INCORRECT');
  }
  const result = await verifyPassword(password, user.passwordHash, { hasher });
  if (!result.valid) throw new AuthError('PASSWORD_INCORRECT');
  if (result.needsRehash) await rehash(rt, user.id, password);
}

/** Replaces a user's hash with a fresh argon2id one at current parameters. */
export async function rehash(rt: AuthRuntime, userId: string, password: string): Promise<void> {
  const passwordHash = await hashPassword(password, { hasher: await rt.hasher() });
  await rt.storage.users.update(userId, { passwordHash, updatedAt: rt.now() });
  await rt.emit({ type: 'password.rehashed', userId });
}
