import type { AccessTokenClaims } from '../access-tokens/claims.js';
import { verifyAccessToken } from '../access-tokens/verify.js';
import { sameGeneration } from '../credentials/generation.js';
import { parseSplitToken, verifyTokenSecret } from '../crypto/tokens.js';
import { AuthError } from '../errors/auth-error.js';
import type { AuthRuntime } from '../runtime/context.js';
import { impersonatorStands } from '../sessions/impersonation.js';
import type { UserRecord } from '../storage/types/users.js';
import type { LiveSessionRecord } from '../storage/types.js';

/** A validated session with its user, as stored. */
export interface ValidatedSession {
  readonly session: LiveSessionRecord;
  readonly user: UserRecord;
}

/**
 * Validates a cookie-strategy session token: finds the session by id (one lookup), compares
 * SHA-256 of the secret in constant time, checks idle and absolute expiry, that the user may
 * sign in and that no credential changed since the session opened (its credential generation
 * is the user's), and slides the idle expiry. `lastSeenAt` is written at most once per
 * `touchIntervalSeconds`, so validation is not a write per request.
 *
 * @throws AuthError `UNAUTHENTICATED` for anything else, whatever the reason (malformed,
 * unknown, expired, revoked, wrong secret, disabled user, another credential generation): one
 * answer tells an attacker nothing.
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
  if (!user || user.disabled || !sameGeneration(found.session, user)) {
    throw new AuthError('UNAUTHENTICATED');
  }
  // Only an impersonation pays the admin's read; the hot path awaits nothing more.
  if (
    found.session.impersonatedBy !== undefined &&
    !(await impersonatorStands(rt, found.session, user))
  ) {
    throw new AuthError('UNAUTHENTICATED');
  }
  return { session: await slide(rt, found.session, now), user };
}

/**
 * Authenticates a Bearer access token for a request that needs the signed-in user: the token
 * is verified (stateless), then its session and user are read (one round trip when the
 * storage joins them) and must be live, of the token's `sub`, enabled and of the same
 * credential generation, so a revoked session, a disabled user or a password change is
 * refused at once, before the token expires.
 * @throws AuthError `UNAUTHENTICATED`
 */
export async function authenticateAccessToken(
  rt: AuthRuntime,
  token: string,
): Promise<ValidatedSession & { claims: AccessTokenClaims }> {
  const claims = await verifyAccessToken(rt, token);
  const found = await sessionAndUser(rt, claims.sid, rt.now());
  const user = found?.user;
  if (
    !found ||
    !user ||
    user.disabled ||
    user.id !== claims.sub ||
    !sameGeneration(found.session, user)
  ) {
    throw new AuthError('UNAUTHENTICATED');
  }
  // Only an impersonation pays the admin's read; the hot path awaits nothing more.
  if (
    found.session.impersonatedBy !== undefined &&
    !(await impersonatorStands(rt, found.session, user))
  ) {
    throw new AuthError('UNAUTHENTICATED');
  }
  return { session: found.session, user, claims };
}

/**
 * `auth.verifyAccessToken`: the token's claims, stateless by default. With `checkSession`
 * (default `session.accessToken.checkSession`), also {@link authenticateAccessToken}'s checks
 * of the session and user: one round trip per call, and a revoked session or a credential
 * change is refused at once instead of when the token expires.
 * @throws AuthError `UNAUTHENTICATED`; `STORAGE_UNAVAILABLE` when the store does not answer
 * (not a 401: clients would refresh in vain)
 */
export async function verifyAccessTokenClaims(
  rt: AuthRuntime,
  token: string,
  options: { checkSession?: boolean | undefined },
): Promise<AccessTokenClaims> {
  if (options.checkSession ?? rt.config.session.accessToken.checkSession) {
    return (await authenticateAccessToken(rt, token)).claims;
  }
  return verifyAccessToken(rt, token);
}

/**
 * The live session and its user: one round trip when the storage has `sessionWithUser` (a
 * join, a cached pair), else two lookups. The user is read only for a live session.
 */
export async function sessionAndUser(
  rt: AuthRuntime,
  id: string,
  now: number,
): Promise<{ session: LiveSessionRecord; user: UserRecord | undefined } | undefined> {
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
export async function slide<T extends LiveSessionRecord>(
  rt: AuthRuntime,
  session: T,
  now: number,
): Promise<T> {
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
