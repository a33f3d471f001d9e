import { TOKEN_PURPOSES } from '../storage/purposes.js';
import type { UserPatch } from '../storage/types/users.js';
import type { Storage } from '../storage/types.js';

/**
 * The user fields an account keeps only if its owner set them: when the mailbox of an account
 * whose address was never verified is first proven (a trusted provider's verified email claims
 * it, or a password reset link is followed), whoever registered the account may not be that
 * owner (account pre-hijacking). Their second factor goes with their password: TOTP and the
 * phone are cleared.
 */
export const UNPROVEN_FACTORS_PATCH: Readonly<
  Pick<UserPatch, 'totp' | 'phone' | 'phoneVerifiedAt'>
> = Object.freeze({ totp: null, phone: null, phoneVerifiedAt: null });

/**
 * Deletes what a pre-hijacker of an unverified account could have left behind besides its
 * password and sessions: linked provider identities and passkeys, recovery codes and trusted devices, a
 * pending TOTP enrollment or phone check, an email-factor pause. Runs inside the credential
 * change that proves the mailbox (`changeCredentials`' `before`), with
 * {@link UNPROVEN_FACTORS_PATCH} in its patch.
 */
export async function dropUnprovenFactors(storage: Storage, userId: string): Promise<void> {
  await storage.accounts.deleteByUser(userId);
  await storage.passkeys.deleteByUser(userId);
  await storage.twoFactor.deleteByUser(userId);
  for (const purpose of [
    TOKEN_PURPOSES.totpEnroll,
    TOKEN_PURPOSES.phoneVerify,
    TOKEN_PURPOSES.emailFactorPaused,
  ]) {
    await storage.tokens.deleteByUser(userId, { purpose });
  }
}
