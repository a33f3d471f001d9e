import { enforceRule } from '../abuse/rate-limit.js';
import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import { parseInput } from '../flows/input.js';
import type { AuthRuntime } from '../runtime/context.js';
import { challengeExcludes, excludedMethodError, openChallenge } from './challenge.js';
import { emailFactorPaused, emailPausedError } from './email-pause.js';
import { assertSecondFactorNotLocked } from './failure.js';
import { challengeSchema, stateError } from './input.js';
import { smsAvailable } from './methods.js';
import { issueOtp } from './otp.js';
import { PURPOSE } from './purposes.js';
import { sendSms, smsCodeText } from './sms.js';

/**
 * Sends a 6-digit code for a sign-in challenge, by mail to the account's address or by SMS to
 * its verified phone. The code is bound to the challenge, replaces an earlier one, lives
 * `twoFactor.otpTtlSeconds` and dies after `otpMaxAttempts` wrong tries; the store keeps only
 * its HMAC. Sends are limited per IP (`codeSendPerIp`) and per account (`codeSendPerAccount`),
 * and refused (`RATE_LIMITED`) while the account's second factor is locked. Email codes are
 * refused (`VALIDATION_FAILED`) while a password reset pauses them, and for a challenge that
 * excludes them (a sign-in whose first factor was a magic link: the mailbox cannot be both).
 * @throws AuthError `VALIDATION_FAILED`, `TOKEN_INVALID`, `TOKEN_EXPIRED`, `RATE_LIMITED`
 */
export async function sendChallengeCode(
  rt: AuthRuntime,
  method: 'email' | 'sms',
  input: { challenge: string },
  context: RequestContext,
): Promise<void> {
  const { challenge } = parseInput(challengeSchema, input);
  if (context.ip !== undefined) await enforceRule(rt, 'codeSendPerIp', context.ip);
  const open = await openChallenge(rt, challenge, context.challengeBinding);
  const owner = open.record.userId;
  // A challenge of no user (userId absent) reads like one whose account is gone.
  const user = owner === undefined ? undefined : await rt.storage.users.getById(owner);
  if (!user?.totp || user.disabled) throw new AuthError('TOKEN_INVALID');
  // No code goes out while the second factor is locked: it could not be used anyway.
  await assertSecondFactorNotLocked(rt, user.id);
  if (challengeExcludes(open.record, method)) throw excludedMethodError(method, 'challenge');
  if (method === 'email' && (await emailFactorPaused(rt, user.id))) {
    throw emailPausedError('challenge');
  }
  if (method === 'sms' && !smsAvailable(rt, user)) {
    throw stateError('challenge', 'SMS codes are not available for this account');
  }
  await enforceRule(rt, 'codeSendPerAccount', user.id);
  const purpose = method === 'email' ? PURPOSE.emailCode : PURPOSE.smsCode;
  const code = await issueOtp(rt, { purpose, selector: open.selector, userId: user.id });
  if (method === 'email') {
    await rt.sendMail(
      'email-otp',
      user.email,
      {
        appName: rt.config.appName,
        firstName: user.firstName,
        code,
        expiresInMinutes: Math.round(rt.config.twoFactor.otpTtlSeconds / 60),
      },
      { userId: user.id, context },
    );
  } else if (smsAvailable(rt, user)) {
    await sendSms(
      rt,
      { to: user.phone, text: smsCodeText(rt, code) },
      { userId: user.id, context },
    );
  }
  await rt.emit(
    { type: '2fa.code_sent', userId: user.id, data: { method, purpose: 'sign_in' } },
    context,
  );
}
