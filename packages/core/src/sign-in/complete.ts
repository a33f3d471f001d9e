import type { RequestContext } from '../events/types.js';
import type { AuthRuntime } from '../runtime/context.js';
import { createSession, discardSession, enforceSessionLimit } from '../sessions/create.js';
import { toSessionInfo } from '../sessions/info.js';
import { endReplacedSession } from '../sessions/reissue.js';
import type { UserRecord } from '../storage/types/users.js';
import { toPublicUser } from '../users/public.js';
import { startSecondFactor } from './second-factor.js';
import type { LoginResult, SignedIn } from './types.js';

/**
 * The step every sign-in method ends in, once its first proof checked out (a password, and
 * later a social account, a passkey or a magic link): for a user with 2FA on, the second
 * factor (a trusted device, or a challenge to answer), unless the method proved one itself;
 * then the session. `user` is the record the proof was checked against: the session is opened
 * under its credential generation, so a credential change written meanwhile ends it.
 */
export async function finishSignIn(
  rt: AuthRuntime,
  user: UserRecord,
  options: { amr: readonly string[]; secondFactorProven?: boolean; context: RequestContext },
): Promise<LoginResult> {
  let amr = options.amr;
  if (user.totp !== undefined && options.secondFactorProven !== true) {
    const outcome = await startSecondFactor(rt, user, options.context);
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
    ...(options.secondFactorProven === true ? { secondFactorAt: rt.now() } : {}),
  });
}

/**
 * Opens the session of a sign-in whose every factor passed: under the credential generation
 * of `user` (the record the proof was checked against, or the one a challenge recorded),
 * records the sign-in time, ends the session the client still held (`context.replacesSession`)
 * and emits `login.succeeded`.
 */
export async function openSession(
  rt: AuthRuntime,
  user: UserRecord,
  options: {
    amr: readonly string[];
    context: RequestContext;
    secondFactorAt?: number;
    credentialGeneration?: number;
  },
): Promise<SignedIn> {
  const { record, tokens } = await createSession(rt, {
    userId: user.id,
    amr: options.amr,
    credentialGeneration: options.credentialGeneration ?? user.credentialGeneration,
    ...(options.secondFactorAt === undefined ? {} : { secondFactorAt: options.secondFactorAt }),
    context: options.context,
    limit: false,
  });
  try {
    // A browser that signs in again while it holds a session: that session ends (before the
    // cap on sessions per user counts, so the cap does not end one more than it must).
    if (options.context.replacesSession !== undefined) {
      await endReplacedSession(rt, options.context.replacesSession, {
        replacedBy: record.id,
        context: options.context,
      });
    }
    await enforceSessionLimit(rt, record, options.context);
  } catch (error) {
    // The client gets an error, not this session: it must not stay behind (issue 16).
    await discardSession(rt, record, options.context);
    throw error;
  }
  // Bookkeeping: a sign-in does not fail, nor leave a session nobody holds, for want of it.
  await rt.storage.users
    .update(user.id, { lastLoginAt: record.createdAt, updatedAt: record.createdAt })
    .catch((error: unknown) => {
      rt.config.logger.warn('lastLoginAt not written', { userId: user.id, error: String(error) });
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
