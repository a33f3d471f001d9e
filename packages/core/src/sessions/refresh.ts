import { issueAccessToken } from '../access-tokens/issue.js';
import { sameGeneration } from '../credentials/generation.js';
import { timingSafeEqualStrings } from '../crypto/compare.js';
import { toBase64Url } from '../crypto/encoding.js';
import { hmacSha256, sha256Base64Url } from '../crypto/hash.js';
import { parseSplitToken } from '../crypto/tokens.js';
import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import type { AuthRuntime } from '../runtime/context.js';
import type { SessionRecord } from '../storage/types/sessions.js';
import { impersonatorStands } from './impersonation.js';

/** What a successful refresh returns: a new access token and the refresh token that replaces the presented one. */
export interface RefreshResult {
  /** A new access JWT (`typ: at+jwt`). */
  readonly accessToken: string;
  /** Seconds until the access token expires. */
  readonly expiresIn: number;
  /** `{sessionId}.{secret}`, the only refresh token that works from now on. Never stored. */
  readonly refreshToken: string;
  /** When the session ends whatever its activity (epoch ms): the refresh token's lifetime. */
  readonly sessionExpiresAt: number;
}

const invalid = () => new AuthError('REFRESH_TOKEN_INVALID');

/**
 * Exchanges a refresh token (`jwt` strategy) for a new access token and a new refresh token.
 * The presented token dies: the store swaps its hash for the new one in one compare-and-set.
 * Each refresh counts as activity (slides the idle expiry); the absolute lifetime still holds.
 * The rotation is the flow's last write: a store failure before it leaves the presented token
 * working (the client's retry succeeds), and after it nothing can fail the answer, so a client
 * never loses a token it was not given.
 *
 * A lost answer is retried, not punished: the new secret is derived from the presented one
 * (HMAC under the server's key, with the session id and the second of the rotation), so the
 * same token presented again within `session.refreshRetrySeconds` (default 30) of its rotation,
 * while its successor is still unused, is answered with that same successor (and a new access
 * token) instead of counting as reuse. No second token family is ever made: of N concurrent
 * refreshes with one token, one rotates and the others get the same new refresh token.
 *
 * Any other presentation of a rotated token (after the window, or once its successor was used)
 * is treated as stolen: the whole session is revoked and `refresh.reuse_detected` is emitted.
 * With `refreshRetrySeconds: 0` every second presentation is reuse.
 *
 * @throws AuthError `REFRESH_TOKEN_REUSED` for an already rotated token (the session is now
 * revoked); `REFRESH_TOKEN_INVALID` for anything else: malformed, unknown, expired or revoked
 * session, a cookie-strategy token, a deleted or disabled user, a session opened before a
 * credential change.
 */
export async function refreshSession(
  rt: AuthRuntime,
  refreshToken: string,
  context: RequestContext,
): Promise<RefreshResult> {
  const parsed = parseSplitToken(refreshToken);
  if (!parsed) throw invalid();
  const now = rt.now();
  const session = await rt.storage.sessions.get(parsed.id, now);
  // A cookie-strategy session has no refreshHash: its cookie token never mints access tokens.
  if (!session?.refreshHash) throw invalid();
  const presentedHash = sha256Base64Url(parsed.secret);

  // The rotation is the last write (issue 16): everything that can fail (the user read, the
  // touch, signing the access token) runs before it, so a store failure leaves the presented
  // token as it was and the client's retry works; once the token is rotated, only events remain,
  // which never throw, so the new token is always answered. The pre-check only decides whether
  // the work is worth doing now; the store's compare-and-set below still decides who wins.
  const prepared = timingSafeEqualStrings(session.refreshHash, presentedHash)
    ? await prepareRefresh(rt, session, now, context)
    : undefined;

  const nextSecret = successorSecret(
    rt.keyring.deriveKey(SUCCESSOR_PURPOSE),
    session.id,
    parsed.secret,
    Math.floor(now / 1000),
  );
  const result = await rt.storage.sessions.rotateRefresh(session.id, {
    expectedHash: presentedHash,
    newHash: sha256Base64Url(nextSecret),
    now,
  });

  if (result === 'reused') {
    const retried = await answerRetry(rt, parsed, now, context);
    if (retried) return retried;
    // RFC 9700 4.14.2: one of two parties holding this session's tokens is an attacker and we
    // cannot tell which, so both lose it.
    await rt.storage.sessions.delete(session.id);
    await rt.emit(
      { type: 'refresh.reuse_detected', userId: session.userId, sessionId: session.id },
      context,
    );
    throw new AuthError('REFRESH_TOKEN_REUSED');
  }
  if (result !== 'rotated') throw invalid();

  // Only when another refresh rotated between our read and the pre-check (the token we were
  // shown was newer than our copy of the session): do the work now, as before issue 16.
  const access = prepared ?? (await prepareRefresh(rt, session, now, context));
  await rt.emit(
    { type: 'refresh.succeeded', userId: session.userId, sessionId: session.id },
    context,
  );
  return {
    accessToken: access.accessToken,
    expiresIn: access.expiresIn,
    refreshToken: `${session.id}.${nextSecret}`,
    sessionExpiresAt: session.absoluteExpiresAt,
  };
}

/** The keyring purpose of the key that derives successor refresh secrets. */
const SUCCESSOR_PURPOSE = 'refresh-successor';
/** Seconds a rotation may lie ahead of this instance's clock (another instance's) and be retried. */
const CLOCK_SKEW_SECONDS = 5;

/**
 * The refresh secret that replaces `presentedSecret` in a rotation at `second` (epoch seconds):
 * HMAC-SHA256 under a key of its own, base64url (256 bits, the shape of a random secret).
 * Unpredictable without the server's secret, and the same each time it is computed, which is
 * what lets a retried refresh be answered with the token its lost answer carried.
 */
function successorSecret(
  key: Uint8Array,
  sessionId: string,
  presentedSecret: string,
  second: number,
): string {
  return toBase64Url(
    hmacSha256(key, `portcullis/refresh-successor/${sessionId}/${presentedSecret}/${second}`),
  );
}

/**
 * A rotated token presented again: when the session's current refresh hash is the successor
 * this very token got in a rotation within `refreshRetrySeconds` (so its answer may have been
 * lost, and nobody has used the successor since), answers with that successor again instead of
 * calling it reuse. Nothing is rotated; the user checks and the touch run as for any refresh.
 * `undefined` when it is not such a retry (the caller then revokes the session).
 */
async function answerRetry(
  rt: AuthRuntime,
  parsed: { id: string; secret: string },
  now: number,
  context: RequestContext,
): Promise<RefreshResult | undefined> {
  const window = rt.config.session.refreshRetrySeconds;
  if (window === 0) return undefined;
  const session = await rt.storage.sessions.get(parsed.id, now);
  if (!session?.refreshHash) return undefined;
  const nowSecond = Math.floor(now / 1000);
  let found: string | undefined;
  // Every accepted secret's key, so a retry across a secret rotation still matches; every second
  // of the window, since the rotation's second is not stored. About 36 HMACs per key, only on
  // this path.
  for (const { key } of rt.keyring.deriveAllKeys(SUCCESSOR_PURPOSE)) {
    for (let second = nowSecond + CLOCK_SKEW_SECONDS; second >= nowSecond - window; second--) {
      const candidate = successorSecret(key, session.id, parsed.secret, second);
      if (timingSafeEqualStrings(sha256Base64Url(candidate), session.refreshHash)) {
        found ??= candidate;
      }
    }
  }
  if (found === undefined) return undefined;
  const access = await prepareRefresh(rt, session, now, context);
  await rt.emit(
    {
      type: 'refresh.succeeded',
      userId: session.userId,
      sessionId: session.id,
      data: { retried: true },
    },
    context,
  );
  return {
    accessToken: access.accessToken,
    expiresIn: access.expiresIn,
    refreshToken: `${session.id}.${found}`,
    sessionExpiresAt: session.absoluteExpiresAt,
  };
}

/**
 * What a refresh needs before it may rotate: a live, enabled user whose credentials have not
 * changed since the session opened (else the session ends and the refresh is
 * `REFRESH_TOKEN_INVALID`), the idle expiry slid when due, and the new access token.
 */
async function prepareRefresh(
  rt: AuthRuntime,
  session: SessionRecord,
  now: number,
  context: RequestContext,
): Promise<{ accessToken: string; expiresIn: number }> {
  const user = await rt.storage.users.getById(session.userId);
  if (
    !user ||
    user.disabled ||
    !sameGeneration(session, user) ||
    (session.impersonatedBy !== undefined && !(await impersonatorStands(rt, session, user)))
  ) {
    // Disabling a user ends their sessions at the next refresh, at the latest; so does a
    // credential change (the family was opened under an older generation), and for an
    // impersonation, its admin's losing the right to it.
    await rt.storage.sessions.delete(session.id);
    await rt.emit(
      {
        type: 'session.revoked',
        userId: session.userId,
        sessionId: session.id,
        data: {
          reason: !user ? 'user_deleted' : user.disabled ? 'user_disabled' : 'credentials_changed',
        },
      },
      context,
    );
    throw invalid();
  }
  const { idleTimeoutSeconds, touchIntervalSeconds } = rt.config.session;
  if (now - session.lastSeenAt >= touchIntervalSeconds * 1000) {
    // `not_found` means the session was revoked meanwhile (a logout); the rotation below then
    // fails and this refresh with it (touch never brings a session back).
    await rt.storage.sessions.touch(session.id, {
      now,
      idleExpiresAt: Math.min(now + idleTimeoutSeconds * 1000, session.absoluteExpiresAt),
    });
  }
  return issueAccessToken(rt, session, user);
}
