import { parseSplitToken, verifyTokenSecret } from '../crypto/tokens.js';
import type { RequestContext } from '../events/types.js';
import type { AuthRuntime } from '../runtime/context.js';
import type { SessionRecord } from '../storage/types/sessions.js';
import { createSession, discardSession } from './create.js';
import type { SessionTokens } from './types.js';

/**
 * Replaces a session whose trust just changed (a re-authentication, a step-up with a second
 * factor) with a new one: a new id and secret (cookie token, or access and refresh tokens),
 * the same user, sign-in time, absolute expiry, credential generation and impersonation mark;
 * then the old session ends, with every token it had (OWASP ASVS 7.2.4: a token obtained before
 * the step-up, a stolen cookie for instance, does not gain what the step-up proved).
 */
export async function reissueSession(
  rt: AuthRuntime,
  old: SessionRecord,
  changes: {
    freshUntil: number;
    /** What the new session rests on (RFC 8176 values); the old `amr` when absent. */
    amr?: readonly string[];
    secondFactorAt?: number | undefined;
    context: RequestContext;
  },
): Promise<{ record: SessionRecord; tokens: SessionTokens }> {
  const secondFactorAt = changes.secondFactorAt ?? old.secondFactorAt;
  const next = await createSession(rt, {
    userId: old.userId,
    amr: changes.amr ?? old.amr,
    credentialGeneration: old.credentialGeneration,
    ...(secondFactorAt === undefined ? {} : { secondFactorAt }),
    context: changes.context,
    keep: {
      createdAt: old.createdAt,
      absoluteExpiresAt: old.absoluteExpiresAt,
      freshUntil: changes.freshUntil,
    },
    // An impersonation stays one: the mark goes with the session's trust, never away from it.
    ...(old.impersonatedBy === undefined
      ? {}
      : {
          // Its end is the old one (`keep`).
          impersonation: { adminId: old.impersonatedBy },
        }),
  });
  try {
    await rt.storage.sessions.delete(old.id);
  } catch (error) {
    // The old session still lives and the client keeps it: the new one must not (issue 16).
    await discardSession(rt, next.record, changes.context);
    throw error;
  }
  await rt.emit(
    {
      type: 'session.revoked',
      userId: old.userId,
      sessionId: old.id,
      data: { reason: 'reissued', replacedBy: next.record.id },
    },
    changes.context,
  );
  return next;
}

/**
 * Ends the session that `token` (a cookie-strategy session token or a jwt-strategy refresh
 * token, `{id}.{secret}`) opens, when its secret checks out: a sign-in from a browser that
 * still holds a session replaces it. A token that opens nothing is ignored.
 */
export async function endReplacedSession(
  rt: AuthRuntime,
  token: string,
  options: { replacedBy: string; context: RequestContext },
): Promise<void> {
  const parsed = parseSplitToken(token);
  if (!parsed || parsed.id === options.replacedBy) return;
  const session = await rt.storage.sessions.get(parsed.id, rt.now());
  if (session === undefined) return;
  const matches =
    (session.secretHash !== undefined && verifyTokenSecret(parsed.secret, session.secretHash)) ||
    (session.refreshHash !== undefined && verifyTokenSecret(parsed.secret, session.refreshHash));
  if (!matches) return;
  await rt.storage.sessions.delete(session.id);
  await rt.emit(
    {
      type: 'session.revoked',
      userId: session.userId,
      sessionId: session.id,
      data: { reason: 'replaced', replacedBy: options.replacedBy },
    },
    options.context,
  );
}
