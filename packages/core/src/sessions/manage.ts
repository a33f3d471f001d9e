import { sameGeneration } from '../credentials/generation.js';
import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import type { AuthRuntime } from '../runtime/context.js';
import { reportForeignAccess } from './foreign-access.js';
import { toSessionInfo } from './info.js';
import type { SessionInfo } from './types.js';

/**
 * A user's live sessions, newest first; `currentId` marks the caller's. A session opened under
 * an older credential generation is dead even if the store still holds it (a sign-in that
 * raced a password change): it is not listed, and it is deleted on the way.
 */
export async function listSessions(
  rt: AuthRuntime,
  userId: string,
  options: { currentId?: string | undefined } = {},
): Promise<SessionInfo[]> {
  const [sessions, user] = await Promise.all([
    rt.storage.sessions.listByUser(userId, rt.now()),
    rt.storage.users.getById(userId),
  ]);
  if (user === undefined) return [];
  const live = sessions.filter((s) => sameGeneration(s, user));
  for (const dead of sessions.filter((s) => !sameGeneration(s, user))) {
    await rt.storage.sessions.delete(dead.id);
  }
  return live.map((s) => toSessionInfo(s, options.currentId));
}

/**
 * Revokes one of the user's own sessions.
 * @throws AuthError `NOT_FOUND` when the session is not live or belongs to someone else (the
 * two are indistinguishable, so ids of other users' sessions cannot be probed).
 */
export async function revokeSession(
  rt: AuthRuntime,
  options: { userId: string; sessionId: string; context?: RequestContext; reason?: string },
): Promise<void> {
  const session = await rt.storage.sessions.get(options.sessionId, rt.now());
  if (session !== undefined && session.userId !== options.userId) {
    reportForeignAccess(rt, {
      type: 'session.foreign_access',
      userId: options.userId,
      sessionId: session.id,
      data: { action: 'revoke' },
      context: options.context ?? {},
    });
  }
  if (!session || session.userId !== options.userId) throw new AuthError('NOT_FOUND');
  await rt.storage.sessions.delete(session.id);
  await rt.emit(
    {
      type: 'session.revoked',
      userId: options.userId,
      sessionId: session.id,
      data: { reason: options.reason ?? 'revoked' },
    },
    options.context ?? {},
  );
}

/** Revokes every session of a user, or every one but `exceptId` ("log out other devices"). */
export async function revokeAllSessions(
  rt: AuthRuntime,
  options: {
    userId: string;
    exceptId?: string | undefined;
    context?: RequestContext;
    reason: string;
  },
): Promise<void> {
  await rt.storage.sessions.deleteByUser(
    options.userId,
    options.exceptId === undefined ? {} : { exceptId: options.exceptId },
  );
  await rt.emit(
    {
      type: 'session.revoked_all',
      userId: options.userId,
      sessionId: options.exceptId,
      data: { reason: options.reason, keptCurrent: options.exceptId !== undefined },
    },
    options.context ?? {},
  );
}
