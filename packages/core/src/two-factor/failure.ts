import { recordFailure } from '../abuse/rate-limit.js';
import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import type { SecondFactorMethod } from '../login/hooks.js';
import type { AuthRuntime } from '../runtime/context.js';
import type { JsonObject } from '../storage/types/json.js';
import { recordChallengeFailure } from './challenge.js';

/**
 * Counts a wrong second-factor code: against the challenge when there is one (it dies after
 * `twoFactor.challengeMaxAttempts`), and against the account (`secondFactorPerAccount`: 10 in
 * 15 min lock the second factor for 15 min, whichever challenge or re-authentication they came
 * through). Emits `2fa.failed` and resolves to the error to throw.
 */
export async function secondFactorFailed(
  rt: AuthRuntime,
  failure: {
    userId: string;
    method: SecondFactorMethod;
    reason: 'code_invalid' | 'replayed' | 'code_missing';
    via: 'login' | 'reauthenticate' | 'disable';
    challengeSelector?: string;
    sessionId?: string;
  },
  context: RequestContext,
): Promise<AuthError> {
  const attemptsLeft =
    failure.challengeSelector === undefined
      ? undefined
      : await recordChallengeFailure(rt, failure.challengeSelector);
  const lockedUntil = await recordFailure(rt, 'secondFactorPerAccount', failure.userId);
  const data: JsonObject = {
    method: failure.method,
    reason: failure.reason,
    via: failure.via,
    ...(attemptsLeft === undefined ? {} : { attemptsLeft }),
    ...(lockedUntil === undefined ? {} : { lockedUntil }),
  };
  await rt.emit(
    { type: '2fa.failed', userId: failure.userId, sessionId: failure.sessionId, data },
    context,
  );
  return new AuthError('CODE_INVALID');
}
