import * as v from 'valibot';
import { enforceRule } from '../abuse/rate-limit.js';
import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import { parseInput, passwordField } from '../flows/input.js';
import type { AuthRuntime } from '../runtime/context.js';
import { assertPasswordCorrect } from '../runtime/password-policy.js';
import { requireUser } from './account.js';
import { phoneField, stateError, userCodeSchema, userIdField } from './input.js';
import { consumeOtp, issueOtp } from './otp.js';
import { PURPOSE } from './purposes.js';
import { sendSms, smsCodeText } from './sms.js';

const startSchema = v.object({ userId: userIdField, phone: phoneField, password: passwordField() });

/**
 * Starts verifying a phone number: checks the password, then texts a 6-digit code to the
 * number (one pending number per user; a new start replaces it). The number is not used until
 * {@link confirmPhone}. Limited by `codeSendPerIp` and `codeSendPerAccount`.
 * @throws AuthError `VALIDATION_FAILED` (not E.164, or no SMS sender configured),
 * `PASSWORD_INCORRECT`, `RATE_LIMITED`, `UNAUTHENTICATED`
 */
export async function startPhone(
  rt: AuthRuntime,
  input: { userId: string; phone: string; password: string },
  context: RequestContext,
): Promise<void> {
  const { userId, phone, password } = parseInput(startSchema, input);
  if (rt.config.sms === undefined) throw stateError('phone', 'SMS is not available');
  if (context.ip !== undefined) await enforceRule(rt, 'codeSendPerIp', context.ip);
  const user = await requireUser(rt, userId);
  await assertPasswordCorrect(rt, user, password, context);
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
