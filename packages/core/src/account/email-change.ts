import * as v from 'valibot';
import { enforceRule } from '../abuse/rate-limit.js';
import { changeCredentials } from '../credentials/change.js';
import { generationOf, sameGeneration, tokenGeneration } from '../credentials/generation.js';
import { createSplitToken } from '../crypto/tokens.js';
import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import { parseInput, passwordField, text } from '../flows/input.js';
import {
  consumeLinkToken,
  isServerFailure,
  issueLinkToken,
  restoreLinkToken,
} from '../link-tokens/link-token.js';
import { buildLink, buildPageLink } from '../mail/link.js';
import { renderMail } from '../mail/render.js';
import type { AuthRuntime } from '../runtime/context.js';
import { requireStepUp } from '../sign-in/reauthenticate.js';
import { stepUpFields } from '../sign-in/step-up.js';
import type { StepUp } from '../sign-in/types.js';
import { TOKEN_PURPOSES } from '../storage/purposes.js';
import type { OneTimeTokenRecord } from '../storage/types/tokens.js';
import { MAX_EMAIL_LENGTH, normalizeEmail } from '../users/normalize.js';
import { type PublicUser, toPublicUser } from '../users/public.js';

const PURPOSE = TOKEN_PURPOSES.emailChange;

/** The input schema (also the source of the OpenAPI document's request body). */
export const requestEmailChangeSchema = v.object({
  userId: text('userId', 256),
  newEmail: v.pipe(
    text('newEmail', MAX_EMAIL_LENGTH),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const normalized = normalizeEmail(dataset.value);
      if (normalized) return normalized;
      addIssue({ message: 'newEmail must be an email address' });
      return NEVER;
    }),
  ),
  // Optional only for an account without a password (a fresh session stands in for it).
  password: v.optional(passwordField('password')),
  ...stepUpFields,
});
/** The input schema (also the source of the OpenAPI document's request body). */
export const confirmEmailChangeSchema = v.object({ token: text('token', 1024) });

/** Input of {@link requestEmailChange}. */
export interface RequestEmailChangeInput extends StepUp {
  /** The signed-in user. */
  userId: string;
  /** The address wanted (trimmed, NFKC; compared lower-cased). */
  newEmail: string;
  /** The current password (required unless the account has none: a fresh session then). */
  password?: string | undefined;
}

/**
 * Asks to change a signed-in user's address. The address does not change yet: a link
 * (`{appUrl}{emailChange.path}?token=…`, valid `emailChange.tokenTtlSeconds`, default 24 h)
 * goes to the new address, and an `email-change-notice` to the current one. When the new
 * address already belongs to another account, the answer is the same but no link is sent
 * (that account's owner is not told: nothing of theirs changes).
 *
 * @throws AuthError `VALIDATION_FAILED` (not an address, or the current one),
 * `REAUTH_REQUIRED` (2FA on, no code and no second-factor-fresh session), `PASSWORD_INCORRECT`,
 * `CODE_INVALID`, `RATE_LIMITED` (also over `emailChangePerAccount`, 5 an hour, or
 * `emailChangePerAddress`, 3 an hour for one new address), `UNAUTHENTICATED` (the user or
 * session no longer exists).
 */
export async function requestEmailChange(
  rt: AuthRuntime,
  input: RequestEmailChangeInput,
  context: RequestContext,
): Promise<{ status: 'confirmation_sent' }> {
  const parsed = parseInput(requestEmailChangeSchema, input);
  const next = parsed.newEmail;
  // The address is the recovery path: with 2FA on, changing it needs a second factor too.
  const user = await requireStepUp(
    rt,
    'factor',
    {
      userId: parsed.userId,
      sessionId: parsed.sessionId,
      code: parsed.code,
      method: parsed.method,
      password: parsed.password,
    },
    context,
  );
  // Mails to an address the user types, once the caller proved who they are: per account,
  // and per new address whoever asks.
  await enforceRule(rt, 'emailChangePerAccount', user.id);
  await enforceRule(rt, 'emailChangePerAddress', next.emailNormalized);
  if (next.emailNormalized === user.emailNormalized) {
    throw new AuthError('VALIDATION_FAILED', {
      details: [{ path: 'newEmail', message: 'newEmail is already the address of this account' }],
    });
  }
  const { appName, appUrl, emailChange } = rt.config;
  const expiresInMinutes = Math.round(emailChange.tokenTtlSeconds / 60);
  const taken = (await rt.storage.users.getByEmail(next.emailNormalized)) !== undefined;
  if (taken) {
    // Same answer and the same notice to the old address: the requester must not learn that
    // the address has an account. Equal work: a token made and a mail rendered, neither kept.
    const decoy = buildLink(
      appUrl,
      emailChange.path,
      createSplitToken({ random: rt.config.random }).token,
    );
    renderMail(
      'email-change-confirm',
      { appName, link: decoy, expiresInMinutes, newEmail: next.email },
      {},
    );
  } else {
    const token = await issueLinkToken(rt, {
      purpose: PURPOSE,
      userId: user.id,
      ttlSeconds: emailChange.tokenTtlSeconds,
      // The generation: a credential change before the click ends the link. The session: the
      // one that asked moves to the new generation with the change and stays signed in.
      payload: {
        email: next.email,
        emailNormalized: next.emailNormalized,
        credentialGeneration: generationOf(user),
        ...(parsed.sessionId === undefined ? {} : { sessionId: parsed.sessionId }),
      },
    });
    const link = buildLink(appUrl, emailChange.path, token);
    await rt.sendMail(
      'email-change-confirm',
      next.email,
      // No name: the new address belongs to nobody we know yet.
      { appName, link, expiresInMinutes, newEmail: next.email },
      // Not awaited: whether the address is taken must not show in the response time.
      { userId: user.id, context, background: true },
    );
  }
  await rt.sendMail(
    'email-change-notice',
    user.email,
    {
      appName,
      firstName: user.firstName,
      at: new Date(rt.now()),
      ip: context.ip,
      userAgent: context.userAgent,
      newEmail: next.email,
      link: buildPageLink(appUrl, rt.config.passwordReset.path),
    },
    { userId: user.id, context },
  );
  // No data: audit rows may be shown to the user, and whether a link went out would tell them.
  await rt.emit({ type: 'email.change_requested', userId: user.id }, context);
  return { status: 'confirmation_sent' };
}

/**
 * Confirms an address change with the token mailed to the new address: the account's email
 * becomes the new one, verified now, with a new credential generation: every session except
 * the one that asked for the change ends, and outstanding reset and verification links,
 * mailed to the old address, stop working.
 *
 * @throws AuthError `VALIDATION_FAILED`, `TOKEN_INVALID` (malformed, unknown, used, the account
 * is gone, or the address was taken by another account meanwhile), `TOKEN_EXPIRED`.
 */
export async function confirmEmailChange(
  rt: AuthRuntime,
  input: { token: string },
  context: RequestContext,
): Promise<PublicUser> {
  const { token } = parseInput(confirmEmailChangeSchema, input);
  const record = await consumeLinkToken(rt, PURPOSE, token);
  try {
    return await applyEmailChange(rt, record, context);
  } catch (error) {
    // Not written: a store outage must not burn the link (issue 16); the retry works.
    if (isServerFailure(error)) await restoreLinkToken(rt, record);
    throw error;
  }
}

/** The change a confirmed link asks for, once the link is used up. */
async function applyEmailChange(
  rt: AuthRuntime,
  record: OneTimeTokenRecord,
  context: RequestContext,
): Promise<PublicUser> {
  const email = record.payload?.email;
  const emailNormalized = record.payload?.emailNormalized;
  if (typeof email !== 'string' || typeof emailNormalized !== 'string') {
    throw new AuthError('TOKEN_INVALID');
  }
  // A link of no user (userId absent) reads like one whose user is gone.
  const current =
    record.userId === undefined ? undefined : await rt.storage.users.getById(record.userId);
  // A link mailed before a credential change (a password change, a reset, 2FA off) is dead.
  if (!current || !sameGeneration(tokenGeneration(record), current)) {
    throw new AuthError('TOKEN_INVALID');
  }
  const keep = record.payload?.sessionId;
  // A new generation: every session but the one that asked ends, with the trusted devices,
  // links mailed to the old address and pending sign-ins (`changeCredentials`). `conflict`:
  // another account took the address after the request, and the link cannot apply.
  await changeCredentials(rt, {
    userId: current.id,
    // The link reached the new address: that proves control of it.
    patch: { email, emailNormalized, emailVerifiedAt: rt.now() },
    reason: 'email_changed',
    keepSessionId: typeof keep === 'string' ? keep : undefined,
    failWith: 'TOKEN_INVALID',
    context,
  });
  // Written: from here nothing fails the answer (or the link would be restored for a change
  // already made).
  await rt.storage.tokens
    .deleteByUser(current.id, { purpose: TOKEN_PURPOSES.verifyEmail })
    .catch((error: unknown) => {
      rt.config.logger.warn('old verification links not deleted', { error: String(error) });
    });
  const user = (await rt.storage.users.getById(current.id).catch(() => undefined)) ?? {
    ...current,
    email,
    emailNormalized,
    emailVerifiedAt: rt.now(),
  };
  await rt.emit({ type: 'email.changed', userId: user.id }, context);
  return toPublicUser(user, rt.config.user.fields);
}
