import { sameGeneration, tokenGeneration } from '../credentials/generation.js';
import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import { parseInput } from '../flows/input.js';
import type { AuthRuntime } from '../runtime/context.js';
import { consumeChallenge, openChallenge, reserveChallengeCheck } from '../two-factor/challenge.js';
import { checkCode } from '../two-factor/check-code.js';
import {
  emailFactorPaused,
  emailPausedError,
  resumeEmailFactor,
} from '../two-factor/email-pause.js';
import {
  assertSecondFactorNotLocked,
  reserveSecondFactorCheck,
  secondFactorFailed,
  secondFactorSucceeded,
} from '../two-factor/failure.js';
import { verifySchema } from '../two-factor/input.js';
import { recoveryCodesLeft } from '../two-factor/methods.js';
import { METHOD_AMR, PURPOSE } from '../two-factor/purposes.js';
import { trustDevice } from '../two-factor/trusted-devices.js';
import { openSession } from './complete.js';
import type { SecondFactorResult, VerifySecondFactorInput } from './types.js';

/**
 * Completes a sign-in with its second factor.
 *
 * Order, and why: the challenge is opened (not used); the account lock is checked, so a locked
 * account gets `RATE_LIMITED` even with the right code (and uses up nothing); `email` is
 * refused while a password reset pauses it (`VALIDATION_FAILED`, nothing counted: the mailbox
 * alone must not pass the second factor). Then the check is reserved BEFORE the code is
 * checked, on the challenge (`TOKEN_INVALID` once its `challengeMaxAttempts` checks are used)
 * and on the account (`secondFactorPerAccount`, `RATE_LIMITED` when used up), so concurrent
 * verifications cannot pass either limit. The code is checked without side effects (email and
 * SMS codes are used up by their check); only then is the challenge used up, in one
 * compare-and-delete, so of concurrent verifications exactly one goes on; last, the use of the
 * code is committed (TOTP step advanced, recovery code marked), which refuses a concurrent
 * replay. A wrong code kills the challenge when it was its last check and locks the second
 * factor when its reservation reached the account's limit. A success forgets the account's
 * failures, and one with another method than `email` ends a pause of `email`.
 * @throws AuthError `VALIDATION_FAILED`, `TOKEN_INVALID`, `TOKEN_EXPIRED`, `CODE_INVALID`,
 * `RATE_LIMITED`, `ACCOUNT_DISABLED`
 */
export async function verifySecondFactor(
  rt: AuthRuntime,
  input: VerifySecondFactorInput,
  context: RequestContext,
): Promise<SecondFactorResult> {
  const { challenge, method, code, rememberDevice } = parseInput(verifySchema, input);
  const open = await openChallenge(rt, challenge, context.challengeBinding);
  const user = await rt.storage.users.getById(open.record.userId);
  // The generation the password was checked against when the challenge was issued.
  const challenged = tokenGeneration(open.record);
  if (!user?.totp || !sameGeneration(challenged, user)) {
    // The account is gone, 2FA was turned off or a credential changed meanwhile (a new
    // password, a reset): the challenge means nothing now.
    await rt.storage.tokens.delete(PURPOSE.challenge, open.selector);
    throw new AuthError('TOKEN_INVALID');
  }
  if (user.disabled) throw new AuthError('ACCOUNT_DISABLED');
  await assertSecondFactorNotLocked(rt, user.id);
  if (method === 'email' && (await emailFactorPaused(rt, user.id))) throw emailPausedError();

  const checksLeft = await reserveChallengeCheck(rt, open.selector);
  const reservation = await reserveSecondFactorCheck(rt, user.id);
  const failed = (reason: 'code_invalid' | 'replayed') =>
    secondFactorFailed(
      rt,
      {
        userId: user.id,
        method,
        reason,
        via: 'login',
        reservation,
        challenge: { selector: open.selector, checksLeft },
      },
      context,
    );
  const check = await checkCode(rt, user, { method, code }, { challengeSelector: open.selector });
  if (!check.valid) throw await failed('code_invalid');
  await consumeChallenge(rt, open);
  // Codes bound to the challenge are worthless now; drop them rather than wait for expiry.
  await rt.storage.tokens.delete(PURPOSE.emailCode, open.selector);
  await rt.storage.tokens.delete(PURPOSE.smsCode, open.selector);
  if (!(await check.commit())) throw await failed('replayed');
  await secondFactorSucceeded(rt, user.id);
  if (method !== 'email') await resumeEmailFactor(rt, user.id);

  // Under the challenge's generation: a change written since the check above ends it too.
  const result = await openSession(rt, user, {
    amr: ['pwd', METHOD_AMR[method]],
    context,
    secondFactorAt: rt.now(),
    credentialGeneration: challenged.credentialGeneration,
  });
  const sessionId = result.session.id;
  await rt.emit({ type: '2fa.succeeded', userId: user.id, sessionId, data: { method } }, context);
  if (method === 'recovery') {
    const remaining = await recoveryCodesLeft(rt, user.id);
    await rt.emit(
      { type: 'recovery_code.used', userId: user.id, sessionId, data: { remaining } },
      context,
    );
  }
  if (rememberDevice !== true) return result;
  const device = await trustDevice(rt, { id: user.id, ...challenged }, context);
  return { ...result, trustedDevice: { token: device.token, expiresAt: device.expiresAt } };
}
