import * as v from 'valibot';
import {
  releaseSignInAttempt,
  reserveSignInAttempt,
  signInAttemptFailed,
  unlockAccount,
} from '../abuse/login-throttle.js';
import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import { compensate } from '../flows/compensate.js';
import { parseInput, passwordField, text } from '../flows/input.js';
import { isServerFailure } from '../link-tokens/link-token.js';
import type { AuthRuntime } from '../runtime/context.js';
import type { UserRecord } from '../storage/types/users.js';
import { MAX_EMAIL_LENGTH, normalizeIdentifier } from '../users/normalize.js';
import { finishSignIn } from './complete.js';
import { rehash } from './password-check.js';
import type { LoginInput, LoginResult } from './types.js';

/** The input schema (also the source of the OpenAPI document's request body). */
export const loginSchema = v.object({
  identifier: text('identifier', MAX_EMAIL_LENGTH),
  password: passwordField(),
});

/**
 * Signs in with an email or username and a password.
 *
 * An unknown identifier and a wrong password give the same `INVALID_CREDENTIALS` after the
 * same work (a dummy argon2id verification); `EMAIL_NOT_VERIFIED` and `ACCOUNT_DISABLED` come
 * only after a correct password, so they reveal nothing to someone who does not know it. A
 * hash in a legacy format or with older parameters is replaced on success. In plain order: the
 * throttle (`abuse/login-throttle.ts`) counts the attempt before the password is checked
 * (`loginPerAccount`), so concurrent attempts check no more passwords than the limit allows;
 * the password; the account's state; then the common end of every sign-in method
 * (`finishSignIn`: the second factor, the session).
 * @throws AuthError `VALIDATION_FAILED`, `INVALID_CREDENTIALS`, `EMAIL_NOT_VERIFIED`,
 * `ACCOUNT_DISABLED`, `RATE_LIMITED`
 */
export async function signInWithPassword(
  rt: AuthRuntime,
  input: LoginInput,
  context: RequestContext,
): Promise<LoginResult> {
  const { identifier, password } = parseInput(loginSchema, input);
  const id = normalizeIdentifier(identifier);
  // Before any lookup: unknown identifiers are throttled exactly like known ones.
  const reservation = await reserveSignInAttempt(rt, id.key, context);
  // How far the password check got, for the catch below.
  const checked: { password?: 'right' | 'wrong'; user?: UserRecord } = {};
  try {
    return await checkPassword(rt, id, password, reservation, context, checked);
  } catch (error) {
    // The lockout counts answers given on a checked password (issue 16). A wrong password stays
    // counted, whatever fails after the check (or a flapping store would hand out unlimited
    // guesses). A right one whose sign-in then failed on the server's side forgets the
    // failures, as a success does (idempotent, so it is retried until the store is back). A
    // failure before the check (the user lookup) gives the attempt back: exactly this one, once
    // (the store names it), retried until the store is back. Refusals (a full legacy-hash
    // queue) stay counted.
    if (checked.password === 'right') {
      if (isServerFailure(error)) {
        await compensate(rt.config.logger, 'clear sign-in failures', () =>
          unlockAccount(rt, user(checked), context),
        );
      }
    } else if (checked.password === undefined && isServerFailure(error)) {
      await releaseSignInAttempt(rt, id.key, reservation, context);
    }
    throw error;
  }
}

/** The user whose right password was checked (set with it). */
function user(checked: { user?: UserRecord }): UserRecord {
  return checked.user as UserRecord;
}

/** The password, the account's state, then the common end of every sign-in method. */
async function checkPassword(
  rt: AuthRuntime,
  id: ReturnType<typeof normalizeIdentifier>,
  password: string,
  reservation: Awaited<ReturnType<typeof reserveSignInAttempt>>,
  context: RequestContext,
  checked: { password?: 'right' | 'wrong'; user?: UserRecord },
): Promise<LoginResult> {
  const users = rt.storage.users;
  // The record the password is checked against: the session opens under its credential
  // generation, so a password change written meanwhile ends it (finishSignIn).
  const user =
    id.kind === 'email' ? await users.getByEmail(id.key) : await users.getByUsername(id.key);
  const verified = user?.passwordHash
    ? await rt.verifyPassword(password, user.passwordHash)
    : await rt.dummyVerify(password).then(() => ({ valid: false, needsRehash: false }));
  checked.password = user && verified.valid ? 'right' : 'wrong';
  if (user && verified.valid) checked.user = user;
  if (!user || !verified.valid) {
    await signInAttemptFailed(rt, id.key, reservation, { userId: user?.id, context });
    await rt.emit(
      { type: 'login.failed', userId: user?.id, data: { reason: 'invalid_credentials' } },
      context,
    );
    throw new AuthError('INVALID_CREDENTIALS');
  }
  if (user.disabled) {
    await releaseSignInAttempt(rt, id.key, reservation, context);
    await rt.emit({ type: 'login.failed', userId: user.id, data: { reason: 'disabled' } }, context);
    throw new AuthError('ACCOUNT_DISABLED');
  }
  if (rt.config.emailVerification.required && user.emailVerifiedAt === undefined) {
    await releaseSignInAttempt(rt, id.key, reservation, context);
    await rt.emit(
      { type: 'login.failed', userId: user.id, data: { reason: 'email_not_verified' } },
      context,
    );
    throw new AuthError('EMAIL_NOT_VERIFIED');
  }
  if (verified.needsRehash) await rehash(rt, user, password);
  const result = await finishSignIn(rt, user, { amr: ['pwd'], context });
  // A correct password forgets the failures (under the email and the username). After the
  // answer is ready, and never failing it: a store that refuses this only leaves the counter
  // to expire (issue 16: the sign-in does not fail, or lock, for want of it).
  await unlockAccount(rt, user, context).catch((error: unknown) => {
    rt.config.logger.warn('sign-in failures not cleared', { error: String(error) });
  });
  return result;
}
