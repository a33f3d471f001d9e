import type { RandomSource } from '../crypto/random.js';
import { createSplitToken } from '../crypto/tokens.js';
import type { AuthError } from '../errors/auth-error.js';
import type { AuthRuntime } from '../runtime/context.js';
import type { TokenStore } from '../storage/types/tokens.js';
import { stateError } from './input.js';
import { EMAIL_PAUSE_SECONDS, PURPOSE } from './purposes.js';

/*
 * A password reset proves control of the mailbox and nothing else. If emailed codes then
 * counted as the second factor, the mailbox alone would open an account with 2FA on: reset
 * the password, sign in, ask for a code by mail. So a reset of an account with 2FA on pauses
 * the `email` method until the user completes a sign-in with another factor (TOTP, SMS, a
 * recovery code) or `EMAIL_PAUSE_SECONDS` (30 days) pass; turning 2FA off (with a code) or
 * enrolling anew also ends it. The pause is a one-time-token record (no schema change):
 * purpose `2fa-email-paused`, selector the user id, live until it expires.
 */

/**
 * Pauses the user's email second factor for {@link EMAIL_PAUSE_SECONDS} (replacing an earlier
 * pause). Takes the token store so that a password reset can write it in its transaction.
 */
export async function pauseEmailFactor(
  tokens: TokenStore,
  options: { userId: string; now: number; random: RandomSource },
): Promise<void> {
  // The verifier is never presented: a random one, so the record matches nothing.
  const { secretHash } = createSplitToken({ random: options.random });
  await tokens.delete(PURPOSE.emailPaused, options.userId);
  await tokens.create({
    purpose: PURPOSE.emailPaused,
    selector: options.userId,
    verifierHash: secretHash,
    userId: options.userId,
    expiresAt: options.now + EMAIL_PAUSE_SECONDS * 1000,
    attempts: 0,
  });
}

/** True while the user's email second factor is paused by a password reset. */
export async function emailFactorPaused(rt: AuthRuntime, userId: string): Promise<boolean> {
  return (await rt.storage.tokens.get(PURPOSE.emailPaused, userId, rt.now())) !== undefined;
}

/**
 * Ends a pause: the user completed a sign-in with another factor, turned 2FA off with a code,
 * or enrolled a new authenticator.
 */
export async function resumeEmailFactor(rt: AuthRuntime, userId: string): Promise<void> {
  await rt.storage.tokens.delete(PURPOSE.emailPaused, userId);
}

/**
 * The refusal of an email code (or a request to send one) while the method is paused:
 * `VALIDATION_FAILED` on `path`, as for any method the account cannot use. Nothing is counted.
 */
export function emailPausedError(path = 'method'): AuthError {
  return stateError(
    path,
    'Email codes are paused after a password reset: use your authenticator app, an SMS code or a recovery code',
  );
}
