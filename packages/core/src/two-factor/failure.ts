import {
  lockedUntil,
  type RuleHit,
  rateLimited,
  releaseReservation,
  reserveAttempt,
  reservedAttemptFailed,
  resetRule,
} from '../abuse/rate-limit.js';
import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import { buildPageLink } from '../mail/link.js';
import type { AuthRuntime } from '../runtime/context.js';
import type { JsonObject } from '../storage/types/json.js';
import { PURPOSE } from './purposes.js';
import type { SecondFactorMethod } from './types.js';

const RULE = 'secondFactorPerAccount';

/**
 * Reserves one second-factor code check for the account, BEFORE the code is checked
 * (`secondFactorPerAccount`: 10 in 15 min, whichever challenge, re-authentication, 2FA
 * disable or enrollment they come through): refused while the second factor is locked or when
 * the window's checks are used up, so concurrent requests cannot pass the limit.
 * @throws AuthError `RATE_LIMITED`
 */
export function reserveSecondFactorCheck(rt: AuthRuntime, userId: string): Promise<RuleHit> {
  return reserveAttempt(rt, RULE, userId);
}

/**
 * Runs the code check of a reserved attempt; when the check itself fails on the server's side
 * (a store read), the reservation is given back (issue 16: a 503 is not an attempt) and the
 * error rethrown. A wrong code is the check's answer, not an error, and stays counted.
 */
export async function checkReserved<T>(
  rt: AuthRuntime,
  userId: string,
  reservation: RuleHit,
  check: () => Promise<T>,
): Promise<T> {
  try {
    return await check();
  } catch (error) {
    if (!(error instanceof AuthError) || error.status >= 500) {
      await releaseReservation(rt, RULE, userId, reservation);
    }
    throw error;
  }
}

/**
 * Throws `RATE_LIMITED` while the account's second factor is locked (a code send, say, where
 * no code is checked). @throws AuthError `RATE_LIMITED`
 */
export async function assertSecondFactorNotLocked(rt: AuthRuntime, userId: string): Promise<void> {
  const until = await lockedUntil(rt, RULE, userId);
  if (until !== undefined) throw rateLimited(rt, until);
}

/**
 * A second-factor code was right: the account's failures are forgotten, so that its owner is
 * never locked out by their own successes.
 */
export async function secondFactorSucceeded(rt: AuthRuntime, userId: string): Promise<void> {
  await resetRule(rt, RULE, userId);
}

/**
 * A reserved second-factor check failed. When it came through a challenge whose last check it
 * was (`challengeChecksLeft` 1), the challenge dies (it allows `twoFactor.challengeMaxAttempts`
 * wrong codes). The failure whose account reservation reached the limit locks the second
 * factor for `lockSeconds`. Emits `2fa.failed` (with `attemptsLeft` for a challenge and
 * `lockedUntil` when it locked) and resolves to the error to throw, `CODE_INVALID`. The
 * failure that locks mails the owner a `second-factor-locked` notice once (in the background),
 * as the password lockout does: wrong codes follow a correct password.
 */
export async function secondFactorFailed(
  rt: AuthRuntime,
  failure: {
    userId: string;
    method: SecondFactorMethod;
    reason: 'code_invalid' | 'replayed' | 'code_missing';
    via: 'login' | 'reauthenticate' | 'disable' | 'enroll';
    reservation: RuleHit;
    challenge?: { selector: string; checksLeft: number };
    sessionId?: string | undefined;
  },
  context: RequestContext,
): Promise<AuthError> {
  const { challenge } = failure;
  if (challenge !== undefined && challenge.checksLeft <= 1) {
    await rt.storage.tokens.delete(PURPOSE.challenge, challenge.selector);
  }
  const lockedUntil = await reservedAttemptFailed(rt, RULE, failure.userId, failure.reservation);
  const data: JsonObject = {
    method: failure.method,
    reason: failure.reason,
    via: failure.via,
    ...(challenge === undefined ? {} : { attemptsLeft: challenge.checksLeft - 1 }),
    ...(lockedUntil === undefined ? {} : { lockedUntil }),
  };
  await rt.emit(
    { type: '2fa.failed', userId: failure.userId, sessionId: failure.sessionId, data },
    context,
  );
  if (lockedUntil !== undefined) await mailOwner(rt, failure.userId, lockedUntil, context);
  return new AuthError('CODE_INVALID');
}

/** The second factor was just locked: one notice to the owner, not awaited. */
async function mailOwner(
  rt: AuthRuntime,
  userId: string,
  untilMs: number,
  context: RequestContext,
): Promise<void> {
  const user = await rt.storage.users.getById(userId);
  if (!user || user.disabled) return;
  const rule = rt.config.rateLimits[RULE];
  await rt.sendMail(
    'second-factor-locked',
    user.email,
    {
      appName: rt.config.appName,
      firstName: user.firstName,
      at: new Date(rt.now()),
      ip: context.ip,
      userAgent: context.userAgent,
      until: new Date(untilMs),
      failedAttempts: rule === false ? 0 : rule.limit,
      link: buildPageLink(rt.config.appUrl, rt.config.passwordReset.path),
    },
    { userId, context, background: true },
  );
}
