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

/** What the first factor tells the second-factor step. */
export interface SecondFactorOptions {
  /** The first factor's `amr`, kept in the challenge for the session the code opens. */
  readonly amr: readonly string[];
  /**
   * Methods the challenge must neither offer nor accept (`email` after a magic link: the
   * mailbox cannot be both factors). Default none.
   */
  readonly excludeMethods?: readonly SecondFactorMethod[] | undefined;
}

/**
 * The second factor of a sign-in for a user with 2FA on, after the first proof: a trusted
 * device of this user (`context.trustedDevice`, made under the user's current credential
 * generation) satisfies it (the session's `amr` gains `device`, and `2fa.succeeded` says
 * `method: 'trusted_device'`; the session does not count as second-factor fresh); otherwise a
 * challenge, which records the credential generation of `user` so that a credential change
 * before the code comes back ends it, the first factor's `amr`, and the methods it excludes
 * (left out of `methods`, refused by `/2fa/email/send` and `verifySecondFactor`).
 */
export async function startSecondFactor(
  rt: AuthRuntime,
  user: UserRecord,
  context: RequestContext,
  options: SecondFactorOptions,
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
  const challenge = await issueChallenge(rt, user, {
    binding: context.challengeBinding,
    amr: options.amr,
    excludeMethods: options.excludeMethods,
  });
  const methods = await availableMethods(rt, user, { exclude: options.excludeMethods });
  await rt.emit({ type: '2fa.challenged', userId: user.id, data: { methods } }, context);
  return { status: 'challenge', challenge, methods };
}
