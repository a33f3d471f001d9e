import * as v from 'valibot';
import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import { parseInput, passwordField, text } from '../flows/input.js';
import { verifyPassword } from '../password/verify.js';
import type { AuthRuntime } from '../runtime/context.js';
import { rehash } from '../runtime/password-policy.js';
import { createSession } from '../sessions/create.js';
import { toSessionInfo } from '../sessions/info.js';
import type { SessionInfo, SessionTokens } from '../sessions/types.js';
import type { UserRecord } from '../storage/types/users.js';
import { normalizeIdentifier } from '../users/normalize.js';
import { type PublicUser, toPublicUser } from '../users/public.js';
import type { LoginHook, SecondFactorMethod } from './hooks.js';

/** Input of `auth.login`. */
export interface LoginInput {
  /** Email address or username. */
  identifier: string;
  /** The password. */
  password: string;
}

/** Outcome of a sign-in: signed in, or a second factor is needed. */
export type LoginResult =
  | {
      readonly status: 'signed_in';
      readonly user: PublicUser;
      readonly session: SessionInfo;
      readonly tokens: SessionTokens;
    }
  | {
      readonly status: 'two_factor_required';
      readonly challenge: string;
      readonly methods: readonly SecondFactorMethod[];
    };

/** The input schema (also the source of the OpenAPI document's request body). */
export const loginSchema = v.object({
  identifier: text('identifier', 320),
  password: passwordField(),
});

/**
 * Signs in with an email or username and a password.
 *
 * An unknown identifier and a wrong password give the same `INVALID_CREDENTIALS` after the
 * same work (a dummy argon2id verification); `EMAIL_NOT_VERIFIED` and `ACCOUNT_DISABLED` come
 * only after a correct password, so they reveal nothing to someone who does not know it. A
 * hash in a legacy format or with older parameters is replaced on success. The throttle hook
 * counts the attempt before the password is checked (`loginPerAccount`), so concurrent attempts
 * check no more passwords than the limit allows.
 * @throws AuthError `VALIDATION_FAILED`, `INVALID_CREDENTIALS`, `EMAIL_NOT_VERIFIED`,
 * `ACCOUNT_DISABLED`, and whatever a hook throws (`RATE_LIMITED`)
 */
export async function login(
  rt: AuthRuntime,
  input: LoginInput,
  context: RequestContext,
): Promise<LoginResult> {
  const { identifier, password } = parseInput(loginSchema, input);
  const id = normalizeIdentifier(identifier);
  // Each hook's reservation (the throttle counts the attempt here, before the check).
  const reservations = new Map<LoginHook, unknown>();
  for (const hook of rt.loginHooks) {
    reservations.set(hook, await hook.beforeAttempt?.({ identifierKey: id.key, context }));
  }
  const refused = async (user: UserRecord) => {
    for (const hook of rt.loginHooks) {
      const reservation = reservations.get(hook);
      await hook.onRefused?.({ identifierKey: id.key, user, context, reservation });
    }
  };

  const users = rt.storage.users;
  const user =
    id.kind === 'email' ? await users.getByEmail(id.key) : await users.getByUsername(id.key);
  const verified = user?.passwordHash
    ? await verifyPassword(password, user.passwordHash, { hasher: await rt.hasher() })
    : await rt.dummyVerify(password).then(() => ({ valid: false, needsRehash: false }));
  if (!user || !verified.valid) {
    for (const hook of rt.loginHooks) {
      const reservation = reservations.get(hook);
      await hook.onFailure?.({ identifierKey: id.key, userId: user?.id, context, reservation });
    }
    await rt.emit(
      { type: 'login.failed', userId: user?.id, data: { reason: 'invalid_credentials' } },
      context,
    );
    throw new AuthError('INVALID_CREDENTIALS');
  }
  if (user.disabled) {
    await refused(user);
    await rt.emit({ type: 'login.failed', userId: user.id, data: { reason: 'disabled' } }, context);
    throw new AuthError('ACCOUNT_DISABLED');
  }
  if (rt.config.emailVerification.required && user.emailVerifiedAt === undefined) {
    await refused(user);
    await rt.emit(
      { type: 'login.failed', userId: user.id, data: { reason: 'email_not_verified' } },
      context,
    );
    throw new AuthError('EMAIL_NOT_VERIFIED');
  }
  if (verified.needsRehash) await rehash(rt, user.id, password);

  const amr = ['pwd'];
  for (const hook of rt.loginHooks) {
    const reservation = reservations.get(hook);
    const outcome = await hook.afterFirstFactor?.({
      identifierKey: id.key,
      user,
      context,
      reservation,
    });
    if (outcome !== undefined && 'challenge' in outcome) {
      return {
        status: 'two_factor_required',
        challenge: outcome.challenge,
        methods: outcome.methods,
      };
    }
    if (outcome !== undefined) amr.push(...outcome.amr);
  }
  return completeLogin(rt, user, { amr, context });
}

/**
 * Finishes a sign-in once every factor passed: starts the session, records the time.
 * The second-factor flow calls it with `amr` naming both factors.
 */
export async function completeLogin(
  rt: AuthRuntime,
  user: UserRecord,
  options: { amr: readonly string[]; context: RequestContext },
): Promise<LoginResult> {
  const { record, tokens } = await createSession(rt, {
    userId: user.id,
    amr: options.amr,
    context: options.context,
  });
  await rt.storage.users.update(user.id, {
    lastLoginAt: record.createdAt,
    updatedAt: record.createdAt,
  });
  await rt.emit(
    {
      type: 'login.succeeded',
      userId: user.id,
      sessionId: record.id,
      data: { amr: [...options.amr] },
    },
    options.context,
  );
  return {
    status: 'signed_in',
    user: toPublicUser(user),
    session: toSessionInfo(record, record.id),
    tokens,
  };
}
