import type { AuthRuntime } from '../runtime/context.js';
import type { UserRecord } from '../storage/types/users.js';
import { emailFactorPaused } from './email-pause.js';
import { passkeyFactorAvailable } from './passkey-check.js';
import type { SecondFactorMethod } from './types.js';

/** Unused recovery codes of the user. */
export async function recoveryCodesLeft(rt: AuthRuntime, userId: string): Promise<number> {
  const codes = await rt.storage.twoFactor.listRecoveryCodes(userId);
  return codes.filter((c) => c.usedAt === undefined).length;
}

/** True when SMS codes can reach the user: a sender is configured and the phone is verified. */
export function smsAvailable(
  rt: AuthRuntime,
  user: UserRecord,
): user is UserRecord & {
  phone: string;
} {
  return (
    rt.config.sms !== undefined && user.phone !== undefined && user.phoneVerifiedAt !== undefined
  );
}

/**
 * The methods a challenge offers a user with 2FA on: `totp`; `email` (a code to the account's
 * address) unless a password reset paused it (see `email-pause.ts`); `sms` when a sender is
 * configured and the phone is verified; `recovery` while unused recovery codes remain;
 * `passkey` when the user has one (and passkeys are on); less
 * any in `options.exclude` (`email` after a magic link: the mailbox was the first factor).
 * Empty when 2FA is off.
 */
export async function availableMethods(
  rt: AuthRuntime,
  user: UserRecord,
  options: { readonly exclude?: readonly SecondFactorMethod[] | undefined } = {},
): Promise<SecondFactorMethod[]> {
  if (user.totp === undefined) return [];
  const excluded = new Set(options.exclude ?? []);
  const methods: SecondFactorMethod[] = ['totp'];
  if (!excluded.has('email') && !(await emailFactorPaused(rt, user.id))) methods.push('email');
  if (smsAvailable(rt, user)) methods.push('sms');
  if ((await recoveryCodesLeft(rt, user.id)) > 0) methods.push('recovery');
  if (await passkeyFactorAvailable(rt, user.id)) methods.push('passkey');
  return methods.filter((m) => !excluded.has(m));
}
