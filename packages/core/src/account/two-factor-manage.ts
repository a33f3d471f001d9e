import * as v from 'valibot';
import { changeCredentials } from '../credentials/change.js';
import type { RequestContext } from '../events/types.js';
import { parseInput, passwordField } from '../flows/input.js';
import type { AuthRuntime } from '../runtime/context.js';
import { requireStepUp } from '../sign-in/reauthenticate.js';
import { stepUpFields } from '../sign-in/step-up.js';
import type { StepUp } from '../sign-in/types.js';
import { requireUser } from '../two-factor/account.js';
import { resumeEmailFactor } from '../two-factor/email-pause.js';
import { codeField, stateError, userIdField } from '../two-factor/input.js';
import { availableMethods, recoveryCodesLeft } from '../two-factor/methods.js';
import { PURPOSE } from '../two-factor/purposes.js';
import { issueRecoveryCodes } from '../two-factor/recovery.js';
import type { TwoFactorStatus } from '../two-factor/types.js';

// `password` is optional only for an account without one (a fresh session stands in for it).
const disableSchema = v.object({
  userId: userIdField,
  password: v.optional(passwordField()),
  code: codeField,
  sessionId: stepUpFields.sessionId,
});
const regenerateSchema = v.object({
  userId: userIdField,
  password: v.optional(passwordField()),
  ...stepUpFields,
});

/** Whether 2FA is on, what a challenge would offer, the verified phone, recovery codes left. */
export async function twoFactorStatus(rt: AuthRuntime, userId: string): Promise<TwoFactorStatus> {
  const user = await requireUser(rt, userId);
  return {
    enabled: user.totp !== undefined,
    methods: await availableMethods(rt, user),
    phone: user.phoneVerifiedAt === undefined ? null : (user.phone ?? null),
    recoveryCodesLeft: await recoveryCodesLeft(rt, user.id),
  };
}

/**
 * Turns 2FA off with the password and a code: a TOTP code (digits) or a recovery code, which
 * is the second factor this change needs (`requireStepUp`). The TOTP enrollment goes with a
 * new credential generation (`changeCredentials`): every other session, trusted device and
 * pending sign-in ends, the caller's session (`sessionId`) stays. Recovery codes and a pending
 * enrollment are removed in the same transaction. Emits `2fa.disabled`. Turning off what is
 * off only checks the password. The password is throttled like every re-check, and the code
 * check is reserved on `secondFactorPerAccount` before it runs, so concurrent attempts cannot
 * pass either limit.
 * @throws AuthError `PASSWORD_INCORRECT`, `CODE_INVALID`, `RATE_LIMITED` (second factor
 * locked), `VALIDATION_FAILED`, `UNAUTHENTICATED`
 */
export async function disableTwoFactor(
  rt: AuthRuntime,
  input: {
    userId: string;
    password?: string | undefined;
    code: string;
    sessionId?: string | undefined;
  },
  context: RequestContext,
): Promise<void> {
  const { userId, password, code, sessionId } = parseInput(disableSchema, input);
  const method = /^\d+$/.test(code.replace(/\s+/g, '')) ? 'totp' : 'recovery';
  // With 2FA on: the password and the code; with it off, the password only (nothing to do).
  const user = await requireStepUp(
    rt,
    'factor',
    { userId, sessionId, password, code, method },
    context,
  );
  if (user.totp === undefined) return;
  await changeCredentials(rt, {
    userId: user.id,
    patch: { totp: null },
    reason: 'two_factor_disabled',
    keepSessionId: sessionId,
    before: async (storage) => {
      await storage.twoFactor.replaceRecoveryCodes(user.id, []);
      await storage.tokens.deleteByUser(user.id, { purpose: PURPOSE.totpEnroll });
    },
    failWith: 'UNAUTHENTICATED',
    context,
  });
  // The code proved a factor other than the mailbox; a later enrollment starts unpaused.
  await resumeEmailFactor(rt, user.id);
  await rt.emit({ type: '2fa.disabled', userId: user.id, data: { method } }, context);
}

/**
 * Replaces the recovery codes with 10 new ones (the old die at once) and returns them, this
 * once. Needs the password and, since it reveals the recovery path, a second factor: a code
 * in the same request or a session whose second factor was proven within
 * `session.freshForSeconds` (`requireStepUp`). Emits `2fa.recovery_codes_regenerated`.
 * @throws AuthError `REAUTH_REQUIRED`, `PASSWORD_INCORRECT`, `CODE_INVALID`, `RATE_LIMITED`,
 * `VALIDATION_FAILED` (also when 2FA is off), `UNAUTHENTICATED`
 */
export async function regenerateRecoveryCodes(
  rt: AuthRuntime,
  input: { userId: string; password?: string | undefined } & StepUp,
  context: RequestContext,
): Promise<{ recoveryCodes: string[] }> {
  const { userId, password, sessionId, code, method } = parseInput(regenerateSchema, input);
  // With 2FA off this checks the password only; the state error comes after it, as before.
  const user = await requireStepUp(
    rt,
    'factor',
    { userId, sessionId, password, code, method },
    context,
  );
  if (user.totp === undefined) throw stateError('(input)', 'Two-factor authentication is off');
  const recoveryCodes = await issueRecoveryCodes(rt, user.id);
  await rt.emit(
    {
      type: '2fa.recovery_codes_regenerated',
      userId: user.id,
      data: { count: recoveryCodes.length },
    },
    context,
  );
  return { recoveryCodes };
}
