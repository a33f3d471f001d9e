import { assertNotLocked } from '../abuse/rate-limit.js';
import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import type { AuthRuntime } from '../runtime/context.js';
import { assertPasswordCorrect } from '../runtime/password-policy.js';
import { assertReauthSecondFactor } from '../two-factor/reauth.js';
import type { ReauthenticateInput } from '../two-factor/types.js';

/**
 * Re-authenticates a signed-in user and makes the session fresh again (sensitive operations
 * allowed for `session.freshForSeconds`). With 2FA on, a TOTP or recovery `code` and its
 * `method` are required besides the password; while the second factor is locked
 * (`secondFactorPerAccount`) the answer is `RATE_LIMITED`, even with the right code. The
 * password is throttled like a sign-in with the account's email (`loginPerAccount`: 5 wrong
 * ones lock re-checks and sign-in alike, `RATE_LIMITED` then even with the right password),
 * and each check, password or code, is reserved before it runs.
 * @throws AuthError `PASSWORD_INCORRECT`, `CODE_INVALID`, `RATE_LIMITED`, `VALIDATION_FAILED`,
 * `UNAUTHENTICATED` (the session or user is gone)
 */
export async function reauthenticate(
  rt: AuthRuntime,
  input: ReauthenticateInput,
  context: RequestContext,
): Promise<void> {
  const user = await rt.storage.users.getById(input.userId);
  if (!user || user.disabled) throw new AuthError('UNAUTHENTICATED');
  if (user.totp !== undefined) await assertNotLocked(rt, 'secondFactorPerAccount', user.id);
  const password = typeof input.password === 'string' ? input.password : '';
  await assertPasswordCorrect(rt, user, password, context);
  await assertReauthSecondFactor(
    rt,
    user,
    { code: input.code, method: input.method, sessionId: input.sessionId },
    context,
  );
  const now = rt.now();
  const freshUntil = now + rt.config.session.freshForSeconds * 1000;
  const result = await rt.storage.sessions.markFresh(input.sessionId, { freshUntil, now });
  if (result === 'not_found') throw new AuthError('UNAUTHENTICATED');
  await rt.emit(
    { type: 'session.reauthenticated', userId: user.id, sessionId: input.sessionId },
    context,
  );
}

/**
 * The fresh-session rule (OWASP ASVS 7.5.1): a sensitive operation needs a session that
 * authenticated within `session.freshForSeconds` (a session that has just signed in is fresh),
 * or the credentials in the same request, which then also refresh the session. For a user
 * with 2FA on those are the password and a `code` with its `method`; a password alone is still
 * checked but cannot make a stale session fresh (`REAUTH_REQUIRED`).
 * @throws AuthError `REAUTH_REQUIRED`, `PASSWORD_INCORRECT`, `CODE_INVALID`, `RATE_LIMITED`,
 * `UNAUTHENTICATED`
 */
export async function requireFreshSession(
  rt: AuthRuntime,
  input: {
    userId: string;
    sessionId: string;
    password?: unknown;
    code?: unknown;
    method?: unknown;
  },
  context: RequestContext,
): Promise<void> {
  if (input.password !== undefined) {
    const password = String(input.password);
    const user = await rt.storage.users.getById(input.userId);
    if (user?.totp === undefined || input.code !== undefined) {
      await reauthenticate(
        rt,
        {
          userId: input.userId,
          sessionId: input.sessionId,
          password,
          ...(input.code === undefined ? {} : { code: input.code as string }),
          ...(input.method === undefined ? {} : { method: input.method as 'totp' }),
        },
        context,
      );
      return;
    }
    if (user.disabled) throw new AuthError('UNAUTHENTICATED');
    await assertPasswordCorrect(rt, user, password, context);
  }
  const now = rt.now();
  const session = await rt.storage.sessions.get(input.sessionId, now);
  if (!session || session.userId !== input.userId) throw new AuthError('UNAUTHENTICATED');
  if (now >= session.freshUntil) throw new AuthError('REAUTH_REQUIRED');
}
