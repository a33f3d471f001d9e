import * as v from 'valibot';
import { assertNotLocked } from '../abuse/rate-limit.js';
import type { RequestContext } from '../events/types.js';
import { parseInput, passwordField } from '../flows/input.js';
import type { AuthRuntime } from '../runtime/context.js';
import { assertPasswordCorrect } from '../runtime/password-policy.js';
import { requireUser } from './account.js';
import { checkCode } from './check-code.js';
import { resumeEmailFactor } from './email-pause.js';
import { reserveSecondFactorCheck, secondFactorFailed, secondFactorSucceeded } from './failure.js';
import { codeField, stateError, userIdField, userPasswordSchema } from './input.js';
import { availableMethods, recoveryCodesLeft } from './methods.js';
import { PURPOSE } from './purposes.js';
import { issueRecoveryCodes } from './recovery.js';
import type { TwoFactorStatus } from './types.js';

const disableSchema = v.object({ userId: userIdField, password: passwordField(), code: codeField });

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
 * Turns 2FA off with the password and a code: a TOTP code (digits) or a recovery code. Removes
 * recovery codes, trusted devices and a pending enrollment first and TOTP last, so a crash
 * leaves 2FA on rather than a remembered device that would skip a future enrollment. Emits
 * `2fa.disabled`. Turning off what is off only checks the password. The password is throttled
 * like every re-check, and the code check is reserved on `secondFactorPerAccount` before it
 * runs, so concurrent attempts cannot pass either limit.
 * @throws AuthError `PASSWORD_INCORRECT`, `CODE_INVALID`, `RATE_LIMITED` (second factor
 * locked), `VALIDATION_FAILED`, `UNAUTHENTICATED`
 */
export async function disableTwoFactor(
  rt: AuthRuntime,
  input: { userId: string; password: string; code: string },
  context: RequestContext,
): Promise<void> {
  const { userId, password, code } = parseInput(disableSchema, input);
  const user = await requireUser(rt, userId);
  if (user.totp !== undefined) await assertNotLocked(rt, 'secondFactorPerAccount', user.id);
  await assertPasswordCorrect(rt, user, password, context);
  if (user.totp === undefined) return;
  const method = /^\d+$/.test(code.replace(/\s+/g, '')) ? 'totp' : 'recovery';
  const reservation = await reserveSecondFactorCheck(rt, user.id);
  const check = await checkCode(rt, user, { method, code });
  const ok = check.valid && (await check.commit());
  if (!ok) {
    const reason = check.valid ? 'replayed' : 'code_invalid';
    throw await secondFactorFailed(
      rt,
      { userId: user.id, method, reason, via: 'disable', reservation },
      context,
    );
  }
  await secondFactorSucceeded(rt, user.id);
  await rt.storage.twoFactor.replaceRecoveryCodes(user.id, []);
  await rt.storage.twoFactor.deleteAllTrustedDevices(user.id);
  await rt.storage.tokens.deleteByUser(user.id, { purpose: PURPOSE.totpEnroll });
  await rt.storage.users.update(user.id, { totp: null, updatedAt: rt.now() });
  // The code proved a factor other than the mailbox; a later enrollment starts unpaused.
  await resumeEmailFactor(rt, user.id);
  await rt.emit({ type: '2fa.disabled', userId: user.id, data: { method } }, context);
}

/**
 * Replaces the recovery codes with 10 new ones (the old die at once) and returns them, this
 * once. Emits `2fa.recovery_codes_regenerated`.
 * @throws AuthError `PASSWORD_INCORRECT`, `RATE_LIMITED` (password re-checks locked),
 * `VALIDATION_FAILED` (also when 2FA is off), `UNAUTHENTICATED`
 */
export async function regenerateRecoveryCodes(
  rt: AuthRuntime,
  input: { userId: string; password: string },
  context: RequestContext,
): Promise<{ recoveryCodes: string[] }> {
  const { userId, password } = parseInput(userPasswordSchema, input);
  const user = await requireUser(rt, userId);
  await assertPasswordCorrect(rt, user, password, context);
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
