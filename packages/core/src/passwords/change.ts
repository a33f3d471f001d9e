import * as v from 'valibot';
import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import { parseInput, passwordField, text } from '../flows/input.js';
import { buildPageLink } from '../mail/link.js';
import { hashPassword } from '../password/verify.js';
import type { AuthRuntime } from '../runtime/context.js';
import { assertPasswordAllowed, assertPasswordCorrect } from '../runtime/password-policy.js';
import { revokeAllSessions } from '../sessions/manage.js';
import { PURPOSE as TWO_FACTOR } from '../two-factor/purposes.js';

/** The input schema (also the source of the OpenAPI document's request body). */
export const changePasswordSchema = v.object({
  userId: text('userId', 256),
  currentPassword: passwordField('currentPassword'),
  newPassword: passwordField('newPassword'),
  currentSessionId: v.optional(text('currentSessionId', 256)),
});

/** Input of {@link changePassword}. */
export interface ChangePasswordInput {
  /** The signed-in user. */
  userId: string;
  /** The password the user has now; required even on a fresh session. */
  currentPassword: string;
  /** The new password, checked against the configured policy. */
  newPassword: string;
  /** The caller's session, which stays signed in; every other session is revoked. */
  currentSessionId?: string | undefined;
}

/**
 * Changes a signed-in user's password: verifies the current one, checks the new one against
 * the policy, revokes every other session and every trusted device, deletes outstanding
 * reset links, pending email changes and sign-ins waiting for their second factor (challenges
 * and their codes), writes the new hash and mails a `password-changed` notice. The current
 * password is throttled like every re-check (`loginPerAccount`).
 *
 * @throws AuthError `VALIDATION_FAILED`, `UNAUTHENTICATED` (the user no longer exists),
 * `PASSWORD_INCORRECT` (`currentPassword` is wrong), `RATE_LIMITED` (re-checks locked),
 * `WEAK_PASSWORD` (field `newPassword`).
 */
export async function changePassword(
  rt: AuthRuntime,
  input: ChangePasswordInput,
  context: RequestContext,
): Promise<void> {
  const { userId, currentPassword, newPassword, currentSessionId } = parseInput(
    changePasswordSchema,
    input,
  );
  const user = await rt.storage.users.getById(userId);
  if (!user) throw new AuthError('UNAUTHENTICATED');
  // The current password first: a stolen session alone must not be able to change it.
  await assertPasswordCorrect(rt, user, currentPassword, context);
  assertPasswordAllowed(rt, newPassword, {
    context: {
      email: user.email,
      username: user.username,
      firstName: user.firstName,
      lastName: user.lastName,
    },
    field: 'newPassword',
  });
  const passwordHash = await hashPassword(newPassword, { hasher: await rt.hasher() });
  // Revoke before writing (architecture.md, safe order): a failure in between leaves the old
  // password and fewer sessions, never the new password with an intruder still signed in.
  await revokeAllSessions(rt, {
    userId,
    exceptId: currentSessionId,
    context,
    reason: 'password_changed',
  });
  await rt.storage.twoFactor.deleteAllTrustedDevices(userId);
  // A reset link mailed earlier would otherwise still override the password just chosen.
  await rt.storage.tokens.deleteByUser(userId, { purpose: 'password-reset' });
  // Likewise a pending email change, asked for with the old password.
  await rt.storage.tokens.deleteByUser(userId, { purpose: 'email-change' });
  // And sign-ins started with the old password, waiting for their second factor, with their
  // emailed and texted codes.
  for (const purpose of [TWO_FACTOR.challenge, TWO_FACTOR.emailCode, TWO_FACTOR.smsCode]) {
    await rt.storage.tokens.deleteByUser(userId, { purpose });
  }
  const now = rt.now();
  if ((await rt.storage.users.update(userId, { passwordHash, updatedAt: now })) !== 'updated') {
    throw new AuthError('UNAUTHENTICATED');
  }
  await rt.sendMail(
    'password-changed',
    user.email,
    {
      appName: rt.config.appName,
      firstName: user.firstName,
      at: new Date(now),
      ip: context.ip,
      userAgent: context.userAgent,
      // If it was not the owner, the reset page is how they take the account back.
      link: buildPageLink(rt.config.appUrl, rt.config.passwordReset.path),
    },
    { userId, context },
  );
  await rt.emit({ type: 'password.changed', userId, sessionId: currentSessionId }, context);
}
