import * as v from 'valibot';
import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import { parseInput, text } from '../flows/input.js';
import { consumeLinkToken } from '../link-tokens/link-token.js';
import type { AuthRuntime } from '../runtime/context.js';
import { normalizeEmail } from '../users/normalize.js';
import { type PublicUser, toPublicUser } from '../users/public.js';
import { sendVerificationMail } from './verification-mail.js';

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
  parseInput(v.object({ token: text('token', 256) }), { token });
  const record = await consumeLinkToken(rt, 'verify-email', token);
  const user = await rt.storage.users.getById(record.userId);
  if (!user || user.emailNormalized !== record.payload?.emailNormalized) {
    throw new AuthError('TOKEN_INVALID');
  }
  if (user.emailVerifiedAt !== undefined) return { status: 'verified', user: toPublicUser(user) };
  const now = rt.now();
  await rt.storage.users.update(user.id, { emailVerifiedAt: now, updatedAt: now });
  await rt.emit({ type: 'email.verified', userId: user.id }, context);
  return { status: 'verified', user: toPublicUser({ ...user, emailVerifiedAt: now }) };
}

/**
 * Mails a new verification link to an unverified account. The answer is the same whether the
 * address is unknown, already verified, disabled or malformed, so it reveals nothing.
 * (Throttling per address and per IP plugs in with the rate-limit rules.)
 */
export async function resendVerification(
  rt: AuthRuntime,
  email: string,
  context: RequestContext,
): Promise<{ status: 'verification_sent' }> {
  parseInput(v.object({ email: text('email', 320) }), { email });
  const normalized = normalizeEmail(email);
  const user = normalized && (await rt.storage.users.getByEmail(normalized.emailNormalized));
  if (user && user.emailVerifiedAt === undefined && !user.disabled) {
    await sendVerificationMail(rt, user, context);
  }
  return { status: 'verification_sent' };
}
