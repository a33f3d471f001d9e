import * as v from 'valibot';
import { changeCredentials } from '../credentials/change.js';
import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import { parseInput, passwordField, text } from '../flows/input.js';
import { buildPageLink } from '../mail/link.js';
import { assertPasswordAllowed } from '../password/policy.js';
import { hashPassword } from '../password/verify.js';
import type { AuthRuntime } from '../runtime/context.js';
import { requireMethodChangeProof } from '../sign-in/methods.js';
import { requireStepUp } from '../sign-in/reauthenticate.js';
import { stepUpFields } from '../sign-in/step-up.js';
import type { StepUp } from '../sign-in/types.js';
import type { UserRecord } from '../storage/types/users.js';

/**
 * The input schema (also the source of the OpenAPI document's request body). `currentPassword`
 * may be left out only by a user who has no password yet ({@link changePassword}).
 */
export const changePasswordSchema = v.object({
  userId: text('userId', 256),
  currentPassword: v.optional(passwordField('currentPassword')),
  newPassword: passwordField('newPassword'),
  ...stepUpFields,
});

/** {@link changePasswordSchema} with `currentPassword` required: the same error as ever. */
const withCurrentSchema = v.object({
  ...changePasswordSchema.entries,
  currentPassword: passwordField('currentPassword'),
});

/** Input of `auth.passwords.change`. */
export interface ChangePasswordInput extends StepUp {
  /** The signed-in user. */
  userId: string;
  /**
   * The password the user has now; required even on a fresh session. Left out only by a user
   * without a password (a passwordless account setting its first one).
   */
  currentPassword?: string | undefined;
  /** The new password, checked against the configured policy. */
  newPassword: string;
  /** The caller's session, which stays signed in (moved to the new credential generation). */
  sessionId?: string | undefined;
}

/**
 * Changes a signed-in user's password, or sets the first one of a user who has none.
 *
 * A change: the current password is always required; for a user with 2FA on also a code in
 * the same request or a session whose second factor was proven in the last
 * `session.freshForSeconds` (`REAUTH_REQUIRED` otherwise; see `requireStepUp`). The current
 * password is throttled like every re-check (`loginPerAccount`).
 *
 * A first password (`currentPassword` left out, allowed only when the user has no password:
 * a passwordless account, or one whose password a claim removed): a fresh session is required
 * (`sessionId` signed in or re-authenticated within `session.freshForSeconds`), the address
 * must be verified and, for a user with 2FA on, the factor rule applies as for every change of
 * a way in (`requireMethodChangeProof`). A user who has a password and leaves it out gets the
 * same `VALIDATION_FAILED` as always.
 *
 * Either way, the new password is checked against the policy, then written with a new
 * credential generation (`changeCredentials`): every other session, refresh token, trusted
 * device, reset and magic link, pending email change and sign-in waiting for its second factor
 * ends, including sign-ins still in flight with the old password; the caller's session stays.
 * A `password-changed` notice is mailed and `password.changed` emitted (`data.set: true` for a
 * first password).
 *
 * @throws AuthError `VALIDATION_FAILED` (fields; `currentPassword` missing for a user who has a
 * password), `UNAUTHENTICATED` (the user or session is gone), `REAUTH_REQUIRED`,
 * `PASSWORD_INCORRECT` (`currentPassword` is wrong), `CODE_INVALID`, `EMAIL_NOT_VERIFIED` (a
 * first password on an unverified address), `RATE_LIMITED` (re-checks locked),
 * `WEAK_PASSWORD` (field `newPassword`).
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
  const setting = currentPassword === undefined;
  // The current password first: a stolen session alone must not be able to change it. Only a
  // user without one may leave it out, and then proves a fresh session instead.
  const user = setting
    ? await proveFirstPassword(rt, { userId, sessionId, code, method }, input, context)
    : await requireStepUp(
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
    // A first password must not overwrite one set meanwhile (by another request, or a reset):
    // that one is changed with the current password, like any other.
    ...(setting
      ? {
          before: async (storage) => {
            const current = await storage.users.getById(userId);
            if (current?.passwordHash !== undefined) currentPasswordMissing(input);
          },
        }
      : {}),
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
  await rt.emit(
    { type: 'password.changed', userId, sessionId, ...(setting ? { data: { set: true } } : {}) },
    context,
  );
}

/**
 * The proof for a first password: the user has none (else the missing `currentPassword` is
 * the usual `VALIDATION_FAILED`), a fresh session, and the factor rule.
 */
async function proveFirstPassword(
  rt: AuthRuntime,
  caller: StepUp & { userId: string },
  input: ChangePasswordInput,
  context: RequestContext,
): Promise<UserRecord> {
  const stored = await rt.storage.users.getById(caller.userId);
  if (stored === undefined || stored.passwordHash !== undefined) currentPasswordMissing(input);
  if (caller.sessionId === undefined) throw new AuthError('REAUTH_REQUIRED');
  return requireMethodChangeProof(
    rt,
    {
      userId: caller.userId,
      sessionId: caller.sessionId,
      code: caller.code,
      method: caller.method,
    },
    context,
  );
}

/** The refusal a missing `currentPassword` has always had: the field's `VALIDATION_FAILED`. */
function currentPasswordMissing(input: ChangePasswordInput): never {
  parseInput(withCurrentSchema, input);
  throw new AuthError('VALIDATION_FAILED', {
    details: [{ path: 'currentPassword', message: 'currentPassword is required' }],
  });
}
