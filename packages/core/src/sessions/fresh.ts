import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import type { AuthRuntime } from '../runtime/context.js';
import { assertPasswordCorrect } from '../runtime/password-policy.js';

/**
 * Re-authenticates a signed-in user with their password and makes the session fresh again
 * (sensitive operations allowed for `session.freshForSeconds`). A second factor joins this
 * check when the user has one (second-factor feature).
 * @throws AuthError `PASSWORD_INCORRECT`, `UNAUTHENTICATED` (the session or user is gone)
 */
export async function reauthenticate(
  rt: AuthRuntime,
  input: { userId: string; sessionId: string; password: string },
  context: RequestContext,
): Promise<void> {
  const user = await rt.storage.users.getById(input.userId);
  if (!user || user.disabled) throw new AuthError('UNAUTHENTICATED');
  await assertPasswordCorrect(rt, user, typeof input.password === 'string' ? input.password : '');
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
 * or the password in the same request, which then also refreshes the session.
 * @throws AuthError `REAUTH_REQUIRED`, `PASSWORD_INCORRECT`, `UNAUTHENTICATED`
 */
export async function requireFreshSession(
  rt: AuthRuntime,
  input: { userId: string; sessionId: string; password?: unknown },
  context: RequestContext,
): Promise<void> {
  if (input.password !== undefined) {
    await reauthenticate(
      rt,
      { userId: input.userId, sessionId: input.sessionId, password: String(input.password) },
      context,
    );
    return;
  }
  const now = rt.now();
  const session = await rt.storage.sessions.get(input.sessionId, now);
  if (!session || session.userId !== input.userId) throw new AuthError('UNAUTHENTICATED');
  if (now >= session.freshUntil) throw new AuthError('REAUTH_REQUIRED');
}
