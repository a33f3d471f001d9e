import { parseSplitToken, verifyTokenSecret } from '../crypto/tokens.js';
import { AuthError } from '../errors/auth-error.js';
import type { AuthRuntime } from '../runtime/context.js';
import type { SessionRecord } from '../storage/types/sessions.js';
import type { UserRecord } from '../storage/types/users.js';

/** A validated session with its user, as stored. */
export interface ValidatedSession {
  readonly session: SessionRecord;
  readonly user: UserRecord;
}

/**
 * Validates a cookie-strategy session token: finds the session by id (one lookup), compares
 * SHA-256 of the secret in constant time, checks idle and absolute expiry and that the user
 * may sign in, and slides the idle expiry. `lastSeenAt` is written at most once per
 * `touchIntervalSeconds`, so validation is not a write per request.
 *
 * @throws AuthError `UNAUTHENTICATED` for anything else, whatever the reason (malformed,
 * unknown, expired, revoked, wrong secret, disabled user): one answer tells an attacker nothing.
 */
export async function validateSessionToken(
  rt: AuthRuntime,
  token: unknown,
): Promise<ValidatedSession> {
  const parsed = parseSplitToken(token);
  if (!parsed) throw new AuthError('UNAUTHENTICATED');
  const now = rt.now();
  const found = await sessionAndUser(rt, parsed.id, now);
  // A refresh token (jwt strategy) has no secretHash: it never opens a cookie session.
  if (!found?.session.secretHash || !verifyTokenSecret(parsed.secret, found.session.secretHash)) {
    throw new AuthError('UNAUTHENTICATED');
  }
  const { user } = found;
  if (!user || user.disabled) throw new AuthError('UNAUTHENTICATED');
  return { session: await slide(rt, found.session, now), user };
}

/**
 * The live session and its user: one round trip when the storage has `sessionWithUser` (a
 * join, a cached pair), else two lookups. The user is read only for a live session.
 */
export async function sessionAndUser(
  rt: AuthRuntime,
  id: string,
  now: number,
): Promise<{ session: SessionRecord; user: UserRecord | undefined } | undefined> {
  const { storage } = rt;
  if (storage.sessionWithUser !== undefined) return storage.sessionWithUser(id, now);
  const session = await storage.sessions.get(id, now);
  return session && { session, user: await storage.users.getById(session.userId) };
}

/**
 * Slides a session's idle expiry when the last write is older than the touch interval.
 * @throws AuthError `UNAUTHENTICATED` when the session died in the meantime (revoked by a
 * concurrent request): a touch never brings a session back.
 */
export async function slide(
  rt: AuthRuntime,
  session: SessionRecord,
  now: number,
): Promise<SessionRecord> {
  const { idleTimeoutSeconds, touchIntervalSeconds } = rt.config.session;
  if (now - session.lastSeenAt < touchIntervalSeconds * 1000) return session;
  const idleExpiresAt = Math.min(now + idleTimeoutSeconds * 1000, session.absoluteExpiresAt);
  const result = await rt.storage.sessions.touch(session.id, { now, idleExpiresAt });
  if (result === 'not_found') throw new AuthError('UNAUTHENTICATED');
  return {
    ...session,
    lastSeenAt: Math.max(session.lastSeenAt, now),
    idleExpiresAt: Math.max(session.idleExpiresAt, idleExpiresAt),
  };
}
