import * as v from 'valibot';
import { enforceRule } from '../abuse/rate-limit.js';
import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import { parseInput, passwordField } from '../flows/input.js';
import type { AuthRuntime } from '../runtime/context.js';
import { requireStepUp } from '../sign-in/reauthenticate.js';
import { stepUpFields } from '../sign-in/step-up.js';
import type { StepUp } from '../sign-in/types.js';
import { requireUser } from '../two-factor/account.js';
import { phoneField, stateError, userCodeSchema, userIdField } from '../two-factor/input.js';
import { consumeOtp, issueOtp } from '../two-factor/otp.js';
import { PURPOSE } from '../two-factor/purposes.js';
import { sendSms, smsCodeText } from '../two-factor/sms.js';

const startSchema = v.object({
  userId: userIdField,
  phone: phoneField,
  // Optional only for an account without a password (a fresh session stands in for it).
  password: v.optional(passwordField()),
  ...stepUpFields,
});

/**
 * Starts verifying a phone number: checks the password (and, for a user with 2FA on, a second
 * factor: a code in the same request or a second-factor-fresh session, as `requireStepUp`
 * says; a phone is a factor, and the attacker's phone would be theirs), then texts a 6-digit code to the
 * number (one pending number per user; a new start replaces it). The number is not used until
 * {@link confirmPhone}. Limited by `codeSendPerIp` and `codeSendPerAccount`.
 * @throws AuthError `VALIDATION_FAILED` (not E.164, or no SMS sender configured),
 * `REAUTH_REQUIRED`, `PASSWORD_INCORRECT`, `CODE_INVALID`, `RATE_LIMITED`, `UNAUTHENTICATED`
 */
export async function startPhone(
  rt: AuthRuntime,
  input: { userId: string; phone: string; password?: string | undefined } & StepUp,
  context: RequestContext,
): Promise<void> {
  const { userId, phone, password, sessionId, ...factor } = parseInput(startSchema, input);
  if (context.ip !== undefined) await enforceRule(rt, 'codeSendPerIp', context.ip);
  const user = await requireStepUp(
    rt,
    'factor',
    { userId, sessionId, password, code: factor.code, method: factor.method },
    context,
  );
  if (rt.config.sms === undefined) throw stateError('phone', 'SMS is not available');
  await enforceRule(rt, 'codeSendPerAccount', user.id);
  const code = await issueOtp(rt, {
    purpose: PURPOSE.phone,
    selector: user.id,
    userId: user.id,
    payload: { phone },
  });
  await sendSms(rt, { to: phone, text: smsCodeText(rt, code) }, { userId: user.id, context });
  await rt.emit(
    { type: '2fa.code_sent', userId: user.id, data: { method: 'sms', purpose: 'phone' } },
    context,
  );
}

/**
 * Confirms the pending phone number with its code: the number and its verification time are
 * stored, and SMS becomes a second-factor method. A wrong code counts against the code.
 * @throws AuthError `CODE_INVALID` (wrong, expired, used, or nothing pending), `UNAUTHENTICATED`
 */
export async function confirmPhone(
  rt: AuthRuntime,
  input: { userId: string; code: string },
  context: RequestContext,
): Promise<void> {
  const { userId, code } = parseInput(userCodeSchema, input);
  const user = await requireUser(rt, userId);
  const result = await consumeOtp(rt, PURPOSE.phone, user.id, code);
  const phone = result.status === 'ok' ? result.record.payload?.phone : undefined;
  if (typeof phone !== 'string') {
    await rt.emit(
      {
        type: '2fa.failed',
        userId: user.id,
        data: { method: 'sms', reason: 'code_invalid', via: 'phone' },
      },
      context,
    );
    throw new AuthError('CODE_INVALID');
  }
  const now = rt.now();
  await rt.storage.users.update(user.id, { phone, phoneVerifiedAt: now, updatedAt: now });
  await rt.emit({ type: 'phone.verified', userId: user.id }, context);
}
