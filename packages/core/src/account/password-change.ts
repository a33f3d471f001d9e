import * as v from 'valibot';
import { changeCredentials } from '../credentials/change.js';
import type { RequestContext } from '../events/types.js';
import { parseInput, passwordField, text } from '../flows/input.js';
import { buildPageLink } from '../mail/link.js';
import { assertPasswordAllowed } from '../password/policy.js';
import { hashPassword } from '../password/verify.js';
import type { AuthRuntime } from '../runtime/context.js';
import { requireStepUp } from '../sign-in/reauthenticate.js';
import { stepUpFields } from '../sign-in/step-up.js';
import type { StepUp } from '../sign-in/types.js';

/** The input schema (also the source of the OpenAPI document's request body). */
export const changePasswordSchema = v.object({
  userId: text('userId', 256),
  currentPassword: passwordField('currentPassword'),
  newPassword: passwordField('newPassword'),
  ...stepUpFields,
});

/** Input of `auth.passwords.change`. */
export interface ChangePasswordInput extends StepUp {
  /** The signed-in user. */
  userId: string;
  /** The password the user has now; required even on a fresh session. */
  currentPassword: string;
  /** The new password, checked against the configured policy. */
  newPassword: string;
  /** The caller's session, which stays signed in (moved to the new credential generation). */
  sessionId?: string | undefined;
}

/**
 * Changes a signed-in user's password. The current password is always required; for a user
 * with 2FA on also a code in the same request or a session whose second factor was proven
 * in the last `session.freshForSeconds` (`REAUTH_REQUIRED` otherwise; see `requireStepUp`).
 * The new password is checked against the policy, then written with a new credential
 * generation (`changeCredentials`): every other session, refresh token, trusted device,
 * reset link, pending email change and sign-in waiting for its second factor ends, including
 * sign-ins still in flight with the old password; the caller's session stays. A
 * `password-changed` notice is mailed. The current password is throttled like every re-check
 * (`loginPerAccount`).
 *
 * @throws AuthError `VALIDATION_FAILED`, `UNAUTHENTICATED` (the user or session is gone),
 * `REAUTH_REQUIRED`, `PASSWORD_INCORRECT` (`currentPassword` is wrong), `CODE_INVALID`,
 * `RATE_LIMITED` (re-checks locked), `WEAK_PASSWORD` (field `newPassword`).
 */
export async function changePassword(
  rt: AuthRuntime,
  input: ChangePasswordInput,
  context: RequestContext,
): Promise<void> {
  const { userId, currentPassword, newPassword, sessionId, code, method } = parseInput(
    changePasswordSchema,
    input,
  );
  // The current password first: a stolen session alone must not be able to change it.
  const user = await requireStepUp(
    rt,
    'factor',
    { userId, sessionId, code, method, password: currentPassword },
    context,
  );
  assertPasswordAllowed(rt.config, newPassword, {
    context: {
      email: user.email,
      username: user.username,
      firstName: user.firstName,
      lastName: user.lastName,
    },
    field: 'newPassword',
  });
  const passwordHash = await hashPassword(newPassword, { hasher: await rt.hasher() });
  await changeCredentials(rt, {
    userId,
    patch: { passwordHash },
    reason: 'password_changed',
    keepSessionId: sessionId,
    failWith: 'UNAUTHENTICATED',
    context,
  });
  const now = rt.now();
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
  await rt.emit({ type: 'password.changed', userId, sessionId }, context);
}
