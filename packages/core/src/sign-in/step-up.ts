import * as v from 'valibot';
import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import { parseInput, text } from '../flows/input.js';
import type { AuthRuntime } from '../runtime/context.js';
import type { UserRecord } from '../storage/types/users.js';
import { checkCode } from '../two-factor/check-code.js';
import {
  checkReserved,
  reserveSecondFactorCheck,
  secondFactorFailed,
  secondFactorSucceeded,
} from '../two-factor/failure.js';
import { codeField } from '../two-factor/input.js';
import { recoveryCodesLeft } from '../two-factor/methods.js';

/** The input schema (also the source of the OpenAPI document's request body). */
export const reauthCodeSchema = v.object({
  code: codeField,
  method: v.picklist(['totp', 'recovery'], 'method must be totp or recovery'),
});

/**
 * The optional fields of a sensitive operation's input schema ({@link StepUp}): the caller's
 * session and a second-factor code with its method. Checked by `requireStepUp`.
 */
export const stepUpFields = {
  sessionId: v.optional(text('sessionId', 256)),
  code: v.optional(codeField),
  method: v.optional(v.picklist(['totp', 'recovery'], 'method must be totp or recovery')),
};

/**
 * The second half of re-authentication for a user with 2FA on (nothing otherwise): a TOTP or
 * recovery code. A missing code or method is `CODE_INVALID` without counting. Otherwise the
 * check is reserved on `secondFactorPerAccount` before the code is checked, like one at
 * sign-in (concurrent re-authentications cannot pass the limit): a wrong code may lock the
 * second factor, a right one forgets the account's failures. The caller checks the lock
 * (before the password) and the password.
 * @throws AuthError `CODE_INVALID`, `RATE_LIMITED`, `VALIDATION_FAILED` (a method other than
 * totp/recovery)
 */
export async function assertReauthSecondFactor(
  rt: AuthRuntime,
  user: UserRecord,
  input: { code?: unknown; method?: unknown; sessionId?: string | undefined },
  context: RequestContext,
): Promise<void> {
  if (user.totp === undefined) return;
  if (input.code === undefined || input.method === undefined) throw new AuthError('CODE_INVALID');
  const { code, method } = parseInput(reauthCodeSchema, { code: input.code, method: input.method });
  const reservation = await reserveSecondFactorCheck(rt, user.id);
  const check = await checkReserved(rt, user.id, reservation, () =>
    checkCode(rt, user, { method, code }),
  );
  const ok = check.valid && (await check.commit());
  if (!ok) {
    throw await secondFactorFailed(
      rt,
      {
        userId: user.id,
        method,
        reason: check.valid ? 'replayed' : 'code_invalid',
        via: 'reauthenticate',
        reservation,
        sessionId: input.sessionId,
      },
      context,
    );
  }
  await secondFactorSucceeded(rt, user.id);
  if (method === 'recovery') {
    const remaining = await recoveryCodesLeft(rt, user.id);
    await rt.emit(
      {
        type: 'recovery_code.used',
        userId: user.id,
        sessionId: input.sessionId,
        data: { remaining },
      },
      context,
    );
  }
}
