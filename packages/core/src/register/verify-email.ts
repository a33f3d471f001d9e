import * as v from 'valibot';
import { enforceRule } from '../abuse/rate-limit.js';
import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import { runInBackground } from '../flows/background.js';
import { parseInput, text } from '../flows/input.js';
import { consumeLinkToken } from '../link-tokens/link-token.js';
import { sendVerificationMail } from '../link-tokens/verification-mail.js';
import type { AuthRuntime } from '../runtime/context.js';
import { TOKEN_PURPOSES } from '../storage/purposes.js';
import { MAX_EMAIL_LENGTH, normalizeEmail, normalizeIdentifier } from '../users/normalize.js';
import { type PublicUser, toPublicUser } from '../users/public.js';

/** The input schema of {@link verifyEmail} (also the OpenAPI document's request body). */
export const verifyEmailSchema = v.object({ token: text('token', 256) });
/** The input schema of {@link resendVerification} (also the OpenAPI document's request body). */
export const resendVerificationSchema = v.object({ email: text('email', MAX_EMAIL_LENGTH) });
/**
 * Confirms the address with a mailed token (single use: one compare-and-delete).
 * @throws AuthError `TOKEN_INVALID` (malformed, unknown, used, or for an address the user no
 * longer has), `TOKEN_EXPIRED`
 */
export async function verifyEmail(
  rt: AuthRuntime,
  token: string,
  context: RequestContext,
): Promise<{ status: 'verified'; user: PublicUser }> {
  parseInput(verifyEmailSchema, { token });
  const record = await consumeLinkToken(rt, TOKEN_PURPOSES.verifyEmail, token);
  // A token of no user (userId absent) reads like one whose account is gone.
  const user =
    record.userId === undefined ? undefined : await rt.storage.users.getById(record.userId);
  if (!user || user.emailNormalized !== record.payload?.emailNormalized) {
    throw new AuthError('TOKEN_INVALID');
  }
  if (user.emailVerifiedAt !== undefined)
    return { status: 'verified', user: toPublicUser(user, rt.config.user.fields) };
  const now = rt.now();
  await rt.storage.users.update(user.id, { emailVerifiedAt: now, updatedAt: now });
  await rt.emit({ type: 'email.verified', userId: user.id }, context);
  return {
    status: 'verified',
    user: toPublicUser({ ...user, emailVerifiedAt: now }, rt.config.user.fields),
  };
}

/**
 * Mails a new verification link to an unverified account. The answer is the same whether the
 * address is unknown, already verified, disabled or malformed, so it reveals nothing: the
 * token, the mail and the audit row are written after the answer, in the background.
 *
 * Throttled per client IP (`verificationResendPerIp`, default 20 per hour) and per normalized
 * address (`verificationResendPerAddress`, default 3 per hour), before the lookup: every
 * address counts alike, malformed ones included.
 * @throws AuthError `VALIDATION_FAILED` when `email` is not a string of 1 to 320 characters;
 * `RATE_LIMITED` (with `retryAfterSeconds`) over either limit.
 */
export async function resendVerification(
  rt: AuthRuntime,
  email: string,
  context: RequestContext,
): Promise<{ status: 'verification_sent' }> {
  parseInput(resendVerificationSchema, { email });
  // Before the lookup, IP first (see requestPasswordReset).
  if (context.ip !== undefined) await enforceRule(rt, 'verificationResendPerIp', context.ip);
  await enforceRule(rt, 'verificationResendPerAddress', normalizeIdentifier(email).key);
  const normalized = normalizeEmail(email);
  const user = normalized && (await rt.storage.users.getByEmail(normalized.emailNormalized));
  // Answer after the same awaited work for every address; the token writes, the mail and the
  // audit row of an unverified account follow in the background (see requestPasswordReset).
  await runInBackground(rt.config.logger, 'verification-resend', async () => {
    if (user && user.emailVerifiedAt === undefined && !user.disabled) {
      await sendVerificationMail(rt, user, context);
    }
  });
  return { status: 'verification_sent' };
}
