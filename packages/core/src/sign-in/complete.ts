import type { RequestContext } from '../events/types.js';
import type { AuthRuntime } from '../runtime/context.js';
import { createSession, enforceSessionLimit } from '../sessions/create.js';
import { toSessionInfo } from '../sessions/info.js';
import { endReplacedSession } from '../sessions/reissue.js';
import type { SessionTokens } from '../sessions/types.js';
import type { JsonObject } from '../storage/types/json.js';
import type { SessionRecord } from '../storage/types/sessions.js';
import type { UserRecord } from '../storage/types/users.js';
import type { SecondFactorMethod } from '../two-factor/types.js';
import { toPublicUser } from '../users/public.js';
import { startSecondFactor } from './second-factor.js';
import type { LoginResult, SignedIn } from './types.js';

/** How a sign-in method ends ({@link finishSignIn}). */
export interface FinishSignInOptions {
  /** What the first factor was (RFC 8176 `amr`): `['pwd']`, `['fed']`, `['email']`, …. */
  amr: readonly string[];
  /** The method proved a second factor itself (a passkey with user verification). */
  secondFactorProven?: boolean;
  context: RequestContext;
  /** Facts of the method for `login.succeeded` (a provider, `method: 'magic_link'`). */
  eventData?: JsonObject;
  /**
   * Second-factor methods the challenge must neither offer nor accept: `email` after a magic
   * link, whose mailbox was the first factor and cannot also be the second. Default none.
   */
  excludeMethods?: readonly SecondFactorMethod[];
}

/**
 * The step every sign-in method ends in, once its first proof checked out (a password, a
 * social account, a passkey or a magic link): for a user with 2FA on, the second factor (a
 * trusted device, or a challenge to answer, without the `excludeMethods`), unless the method
 * proved one itself; then the session. `user` is the record the proof was checked against: the
 * session is opened under its credential generation, so a credential change written meanwhile
 * ends it.
 */
export async function finishSignIn(
  rt: AuthRuntime,
  user: UserRecord,
  options: FinishSignInOptions,
): Promise<LoginResult> {
  let amr = options.amr;
  if (user.totp !== undefined && options.secondFactorProven !== true) {
    const outcome = await startSecondFactor(rt, user, options.context, {
      amr: options.amr,
      excludeMethods: options.excludeMethods,
    });
    if (outcome.status === 'challenge') {
      return {
        status: 'two_factor_required',
        challenge: outcome.challenge,
        methods: outcome.methods,
      };
    }
    amr = [...amr, ...outcome.amr];
  }
  return openSession(rt, user, {
    amr,
    context: options.context,
    ...(options.eventData === undefined ? {} : { eventData: options.eventData }),
    ...(options.secondFactorProven === true ? { secondFactorAt: rt.now() } : {}),
  });
}

/** How a sign-in's session is opened. */
export interface OpenSessionOptions {
  amr: readonly string[];
  /** Facts of the method for `login.succeeded` (a provider and the `amr` it reported). */
  eventData?: JsonObject;
  context: RequestContext;
  secondFactorAt?: number;
  credentialGeneration?: number;
}

/**
 * Opens the session of a sign-in whose every factor passed: under the credential generation
 * of `user` (the record the proof was checked against, or the one a challenge recorded),
 * records the sign-in time, ends the session the client still held (`context.replacesSession`)
 * and emits `login.succeeded`. Only the session's own write can fail it (issue 16: then no
 * session is left); the rest comes after and never fails the sign-in ({@link settleSession}).
 */
export async function openSession(
  rt: AuthRuntime,
  user: UserRecord,
  options: OpenSessionOptions,
): Promise<SignedIn> {
  const created = await createSignInSession(rt, user, options);
  await settleSession(rt, user, created, options);
  return signedIn(rt, user, created);
}

/**
 * The session of a sign-in, written and nothing more (no other session ended, no
 * `login.succeeded`): for a flow that still has a step that may refuse the sign-in (the
 * second-factor code's commit), which discards it then.
 */
export function createSignInSession(
  rt: AuthRuntime,
  user: UserRecord,
  options: OpenSessionOptions,
): Promise<{ record: SessionRecord; tokens: SessionTokens }> {
  return createSession(rt, {
    userId: user.id,
    amr: options.amr,
    credentialGeneration: options.credentialGeneration ?? user.credentialGeneration,
    ...(options.secondFactorAt === undefined ? {} : { secondFactorAt: options.secondFactorAt }),
    context: options.context,
    limit: false,
  });
}

/**
 * What a sign-in that stands does after its session is written, each step on its own and none
 * failing the sign-in (a failure is logged): ends the session the client still held (so the
 * browser is never left without one), applies `session.maxPerUser`, records `lastLoginAt`,
 * emits `login.succeeded`.
 */
export async function settleSession(
  rt: AuthRuntime,
  user: UserRecord,
  created: { record: SessionRecord },
  options: OpenSessionOptions,
): Promise<void> {
  const { record } = created;
  const step = async (name: string, run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (error) {
      rt.config.logger.warn(`${name} not done after a sign-in`, {
        userId: user.id,
        error: String(error),
      });
    }
  };
  // A browser that signs in again while it holds a session: that session ends (before the
  // cap on sessions per user counts, so the cap does not end one more than it must).
  const replaced = options.context.replacesSession;
  if (replaced !== undefined) {
    await step('replaced session end', () =>
      endReplacedSession(rt, replaced, { replacedBy: record.id, context: options.context }),
    );
  }
  await step('session limit', () => enforceSessionLimit(rt, record, options.context));
  await step('lastLoginAt', () =>
    rt.storage.users.update(user.id, {
      lastLoginAt: record.createdAt,
      updatedAt: record.createdAt,
    }),
  );
  await rt.emit(
    {
      type: 'login.succeeded',
      userId: user.id,
      sessionId: record.id,
      data: { ...options.eventData, amr: [...options.amr] },
    },
    options.context,
  );
}

/** The answer of a sign-in that stands. */
export function signedIn(
  rt: AuthRuntime,
  user: UserRecord,
  created: { record: SessionRecord; tokens: SessionTokens },
): SignedIn {
  return {
    status: 'signed_in',
    user: toPublicUser(user, rt.config.user.fields),
    session: toSessionInfo(created.record, created.record.id),
    tokens: created.tokens,
  };
}
