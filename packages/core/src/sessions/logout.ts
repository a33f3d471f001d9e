import type { RequestContext } from '../events/types.js';
import type { AuthRuntime } from '../runtime/context.js';

/**
 * Signs out: deletes the session, whatever its strategy (its refresh token dies with it).
 * Idempotent: signing out a session that is already gone succeeds.
 */
export async function logout(
  rt: AuthRuntime,
  sessionId: string,
  context: RequestContext,
): Promise<void> {
  const session = await rt.storage.sessions.get(sessionId, rt.now());
  await rt.storage.sessions.delete(sessionId);
  if (session) {
    await rt.emit(
      { type: 'session.revoked', userId: session.userId, sessionId, data: { reason: 'logout' } },
      context,
    );
  }
}
