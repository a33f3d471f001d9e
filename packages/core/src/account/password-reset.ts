import * as v from 'valibot';
import { unlockAccount } from '../abuse/login-throttle.js';
import { enforceRule } from '../abuse/rate-limit.js';
import { changeCredentials } from '../credentials/change.js';
import { generationOf, sameGeneration, tokenGeneration } from '../credentials/generation.js';
import { dropUnprovenFactors, UNPROVEN_FACTORS_PATCH } from '../credentials/unproven.js';
import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import { runInBackground } from '../flows/background.js';
import { parseInput, passwordField, text } from '../flows/input.js';
import {
  consumeLinkToken,
  isServerFailure,
  issueLinkToken,
  peekLinkToken,
  restoreLinkToken,
} from '../link-tokens/link-token.js';
import { buildLink, buildPageLink } from '../mail/link.js';
import { assertPasswordAllowed } from '../password/policy.js';
import { hashPassword } from '../password/verify.js';
import type { AuthRuntime } from '../runtime/context.js';
import { TOKEN_PURPOSES } from '../storage/purposes.js';
import type { OneTimeTokenRecord } from '../storage/types/tokens.js';
import type { UserPatch, UserRecord } from '../storage/types/users.js';
import { pauseEmailFactor } from '../two-factor/email-pause.js';
import { MAX_EMAIL_LENGTH, normalizeIdentifier } from '../users/normalize.js';

const PURPOSE = TOKEN_PURPOSES.passwordReset;

// Only the shape is checked: whether the text is a well-formed address must not change the
// answer, and users imported with addresses our own syntax check would refuse can still reset.
/** The input schema (also the source of the OpenAPI document's request body). */
export const requestResetSchema = v.object({ email: text('email', MAX_EMAIL_LENGTH) });
/** The input schema (also the source of the OpenAPI document's request body). */
export const resetPasswordSchema = v.object({
  token: text('token', 1024),
  newPassword: passwordField('newPassword'),
});

/**
 * Starts a password reset: mails a single-use link (`{appUrl}{passwordReset.path}?token=…`,
 * valid `passwordReset.tokenTtlSeconds`, default 30 min) to the account with this address.
 * The answer is the same whether or not such an account exists or is disabled (no mail then);
 * the token travels only by mail. A new request makes older links stop working. The token, the
 * audit row and the mail are written after the answer, in the background and in that order (a
 * store failure there is logged; the answer does not change).
 *
 * Throttled per client IP (`passwordResetPerIp`, default 20 per hour) and per normalized
 * address (`passwordResetPerAddress`, default 3 per hour), before the lookup: an unknown
 * address is counted and refused exactly like a known one.
 *
 * @throws AuthError `VALIDATION_FAILED` when `email` is not a string of 1 to 254 characters;
 * `RATE_LIMITED` (with `retryAfterSeconds`) over either limit.
 */
export async function requestPasswordReset(
  rt: AuthRuntime,
  input: { email: string },
  context: RequestContext,
): Promise<{ status: 'reset_sent' }> {
  const { email } = parseInput(requestResetSchema, input);
  const address = normalizeIdentifier(email).key;
  // Before the lookup, so unknown addresses are throttled alike. The IP first: a client over
  // its own limit does not also use up the budget of the addresses it names.
  if (context.ip !== undefined) await enforceRule(rt, 'passwordResetPerIp', context.ip);
  await enforceRule(rt, 'passwordResetPerAddress', address);
  const user = await rt.storage.users.getByEmail(address);
  // Answer now, after the same awaited work for every address (validation, the two limits, one
  // lookup). The token writes, the audit row and the mail follow in the background: their
  // store round trips and the provider's latency would tell a known address from an unknown one.
  await runInBackground(rt.config.logger, 'password-reset', async () => {
    if (user && !user.disabled) return mailResetLink(rt, user, context);
    await rt.emit(
      user
        ? {
            type: 'password.reset_requested',
            userId: user.id,
            data: { mailed: false, reason: 'account_disabled' },
          }
        : { type: 'password.reset_requested' },
      context,
    );
  });
  return { status: 'reset_sent' };
}

/** Issues the reset token (older ones stop working), then mails its link: in that order. */
async function mailResetLink(
  rt: AuthRuntime,
  user: UserRecord,
  context: RequestContext,
): Promise<void> {
  const { appName, appUrl, passwordReset } = rt.config;
  const token = await issueLinkToken(rt, {
    purpose: PURPOSE,
    userId: user.id,
    ttlSeconds: passwordReset.tokenTtlSeconds,
    // The address the link went to: a reset marks it verified only if it is still the user's.
    // The generation: a credential change after the mail ends the link.
    payload: {
      emailNormalized: user.emailNormalized,
      credentialGeneration: generationOf(user),
    },
  });
  await rt.sendMail(
    PURPOSE,
    user.email,
    {
      appName,
      firstName: user.firstName,
      link: buildLink(appUrl, passwordReset.path, token),
      expiresInMinutes: Math.round(passwordReset.tokenTtlSeconds / 60),
    },
    { userId: user.id, context },
  );
  await rt.emit(
    { type: 'password.reset_requested', userId: user.id, data: { mailed: true } },
    context,
  );
}

/**
 * Sets a new password with a mailed reset token. The new password is checked against the
 * policy first, so a refused password does not use the token up. Then, in the safe order of
 * the architecture (in one transaction when the storage has them): the token is consumed
 * (single-use: of two concurrent resets one wins), every session and trusted device of the
 * user is revoked, other reset tokens, pending email changes and sign-ins waiting for their
 * second factor (challenges and their email and SMS codes) are deleted, the `email` second
 * factor of a user with 2FA on is paused (until a sign-in with another factor, or 30 days: the
 * mailbox alone must not pass 2FA), and the new hash is written. A notice is mailed to the account's address,
 * and the account's sign-in lock (if any) is lifted.
 *
 * @throws AuthError `VALIDATION_FAILED` (missing fields), `TOKEN_INVALID` (malformed, unknown,
 * used, or the account is gone or disabled), `TOKEN_EXPIRED`, `WEAK_PASSWORD` (`newPassword`).
 */
export async function resetPassword(
  rt: AuthRuntime,
  input: { token: string; newPassword: string },
  context: RequestContext,
): Promise<{ status: 'password_reset' }> {
  const { token, newPassword } = parseInput(resetPasswordSchema, input);
  const peeked = await findLiveToken(rt, token);
  // A token of no user (userId absent) reads like one whose account is gone.
  const user =
    peeked.userId === undefined ? undefined : await rt.storage.users.getById(peeked.userId);
  // A token outlives nothing: an account deleted or disabled since the mail cannot be reset,
  // and a link mailed before a credential change (a new password, address or 2FA off) is dead.
  if (!user || user.disabled || !sameGeneration(tokenGeneration(peeked), user)) {
    throw new AuthError('TOKEN_INVALID');
  }
  assertPasswordAllowed(rt.config, newPassword, {
    context: {
      email: user.email,
      username: user.username,
      firstName: user.firstName,
      lastName: user.lastName,
    },
    field: 'newPassword',
  });
  const now = rt.now();
  // Following the link proved control of the address it was mailed to, so that address counts
  // as verified (unless the account's address has changed since). If it was never verified
  // before, whoever registered the account may not be the mailbox's owner (pre-hijacking): the
  // identities linked, the second factor and its recovery codes go with the old password.
  const proving =
    user.emailVerifiedAt === undefined && peeked.payload?.emailNormalized === user.emailNormalized;
  const patch: Omit<UserPatch, 'updatedAt'> = {
    passwordHash: await hashPassword(newPassword, { hasher: await rt.hasher() }),
    ...(proving ? { emailVerifiedAt: now, ...UNPROVEN_FACTORS_PATCH } : {}),
  };
  // The link proves the mailbox, nothing more: with 2FA on, until a sign-in with another
  // factor (or 30 days), emailed codes do not count as the second factor (email-pause.ts).
  // Before the new password works, so a crash leaves email paused rather than open; a reset
  // that then fails only pauses email for someone who held a live link anyway.
  if (user.totp !== undefined && !proving) {
    await pauseEmailFactor(rt.storage.tokens, { userId: user.id, now, random: rt.config.random });
  }
  // The token is used up and the new hash written with a new credential generation in one
  // transaction (when the storage has them): from that write on, every session, refresh
  // token, trusted device and sign-in opened with the old password is dead, including sign-ins
  // still in flight; then changeCredentials deletes them.
  let consumed: OneTimeTokenRecord | undefined;
  try {
    await changeCredentials(rt, {
      userId: user.id,
      patch,
      reason: 'password_reset',
      before: async (storage) => {
        const record = await consumeLinkToken({ ...rt, storage }, PURPOSE, token);
        consumed = record;
        if (record.userId !== user.id) throw new AuthError('TOKEN_INVALID');
        if (proving) await dropUnprovenFactors(storage, user.id);
      },
      failWith: 'TOKEN_INVALID',
      context,
    });
  } catch (error) {
    // Not written (changeCredentials fails only before its commit): where the token lives
    // outside the transaction (Redis), it was used up anyway; the owner's retry must work.
    if (consumed !== undefined && consumed.userId === user.id && isServerFailure(error)) {
      await restoreLinkToken(rt, consumed);
    }
    throw error;
  }
  // The link proved the owner, who may have been locked out by someone else's guesses. The
  // reset is done: a store failure here only leaves the lock to lift by itself.
  await unlockAccount(rt, user, context).catch((error: unknown) => {
    rt.config.logger.warn('sign-in unlock after reset failed', {
      userId: user.id,
      error: String(error),
    });
  });
  // An invitation accepted (an admin-made account choosing its first password) is no reset
  // to warn about: the person just did it, from the invitation mail.
  const accepted = peeked.payload?.invitation === true && user.passwordHash === undefined;
  if (!accepted) await sendResetNotice(rt, user, context, now);
  await rt.emit({ type: 'password.reset', userId: user.id }, context);
  return { status: 'password_reset' };
}

/** Tells the owner that their password was reset, with a link to reset it again. */
async function sendResetNotice(
  rt: AuthRuntime,
  user: UserRecord,
  context: RequestContext,
  now: number,
): Promise<void> {
  await rt.sendMail(
    'password-reset-notice',
    user.email,
    {
      appName: rt.config.appName,
      firstName: user.firstName,
      at: new Date(now),
      ip: context.ip,
      userAgent: context.userAgent,
      link: buildPageLink(rt.config.appUrl, rt.config.passwordReset.path),
    },
    { userId: user.id, context },
  );
}

/**
 * The live token record, read without using it up. A token that is not live gets the error
 * consume gives it (`TOKEN_EXPIRED` only for the right verifier); consume deletes only a token
 * that was already dead, and a wrong verifier leaves the owner's token in place.
 */
async function findLiveToken(rt: AuthRuntime, token: string): Promise<OneTimeTokenRecord> {
  const record = await peekLinkToken(rt, PURPOSE, token);
  if (record) return record;
  await consumeLinkToken(rt, PURPOSE, token);
  // Unreachable unless the token became live between two reads (a clock moved backwards).
  throw new AuthError('TOKEN_INVALID');
}
