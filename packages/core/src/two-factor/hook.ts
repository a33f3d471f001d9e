import type { LoginHook } from '../login/hooks.js';
import type { AuthRuntime } from '../runtime/context.js';
import { issueChallenge } from './challenge.js';
import { availableMethods } from './methods.js';
import { DEVICE_AMR } from './purposes.js';
import { matchTrustedDevice } from './trusted-devices.js';

/**
 * The sign-in hook of the second factor. For a user with 2FA on, after the right password:
 * a trusted device of this user (`context.trustedDevice`) satisfies the second factor (the
 * session's `amr` is `['pwd', 'device']`, and `2fa.succeeded` says `method: 'trusted_device'`);
 * otherwise sign-in stops with a challenge and the methods the user can answer it with.
 */
export function secondFactorHook(rt: AuthRuntime): LoginHook {
  return {
    async afterFirstFactor({ user, context }) {
      if (user.totp === undefined) return undefined;
      if (context.trustedDevice !== undefined) {
        const deviceId = await matchTrustedDevice(rt, user.id, context.trustedDevice);
        if (deviceId !== undefined) {
          await rt.emit(
            {
              type: '2fa.succeeded',
              userId: user.id,
              data: { method: 'trusted_device', deviceId },
            },
            context,
          );
          return { amr: [DEVICE_AMR] };
        }
      }
      const challenge = await issueChallenge(rt, user.id);
      const methods = await availableMethods(rt, user);
      await rt.emit({ type: '2fa.challenged', userId: user.id, data: { methods } }, context);
      return { challenge, methods };
    },
  };
}
