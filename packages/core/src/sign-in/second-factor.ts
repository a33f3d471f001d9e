import type { RequestContext } from '../events/types.js';
import type { AuthRuntime } from '../runtime/context.js';
import type { UserRecord } from '../storage/types/users.js';
import { issueChallenge } from '../two-factor/challenge.js';
import { availableMethods } from '../two-factor/methods.js';
import { DEVICE_AMR } from '../two-factor/purposes.js';
import { matchTrustedDevice } from '../two-factor/trusted-devices.js';
import type { SecondFactorMethod } from '../two-factor/types.js';

/** What the second-factor step of a sign-in decided. */
export type SecondFactorOutcome =
  | {
      /** A trusted device of the user skips the code; these join the session's `amr`. */
      readonly status: 'satisfied';
      readonly amr: readonly string[];
    }
  | {
      /** The user must answer this challenge with one of these methods. */
      readonly status: 'challenge';
      readonly challenge: string;
      readonly methods: readonly SecondFactorMethod[];
    };

/**
 * The second factor of a sign-in for a user with 2FA on, after the first proof: a trusted
 * device of this user (`context.trustedDevice`, made under the user's current credential
 * generation) satisfies it (the session's `amr` gains `device`, and `2fa.succeeded` says
 * `method: 'trusted_device'`; the session does not count as second-factor fresh); otherwise a
 * challenge, which records the credential generation of `user` so that a credential change
 * before the code comes back ends it.
 */
export async function startSecondFactor(
  rt: AuthRuntime,
  user: UserRecord,
  context: RequestContext,
): Promise<SecondFactorOutcome> {
  if (context.trustedDevice !== undefined) {
    const deviceId = await matchTrustedDevice(rt, user, context.trustedDevice);
    if (deviceId !== undefined) {
      await rt.emit(
        { type: '2fa.succeeded', userId: user.id, data: { method: 'trusted_device', deviceId } },
        context,
      );
      return { status: 'satisfied', amr: [DEVICE_AMR] };
    }
  }
  const challenge = await issueChallenge(rt, user, context.challengeBinding);
  const methods = await availableMethods(rt, user);
  await rt.emit({ type: '2fa.challenged', userId: user.id, data: { methods } }, context);
  return { status: 'challenge', challenge, methods };
}
