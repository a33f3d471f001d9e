import { issueAccessToken } from '../access-tokens/issue.js';
import { createSplitToken, randomToken, TOKEN_ID_BYTES } from '../crypto/tokens.js';
import type { RequestContext } from '../events/types.js';
import { compensate } from '../flows/compensate.js';
import type { AuthRuntime } from '../runtime/context.js';
import type { SessionRecord } from '../storage/types/sessions.js';
import type { SessionTokens } from './types.js';

const MAX_USER_AGENT = 512;

/**
 * Starts a session for a user who has just authenticated, in the configured strategy: a
 * cookie token (`{id}.{secret}`), or an access JWT plus a refresh token. Only SHA-256 of the
 * secret is stored. The session is fresh (sensitive operations allowed) for `freshForSeconds`.
 * With `session.maxPerUser`, the user's oldest sessions beyond it end.
 */
export async function createSession(
  rt: AuthRuntime,
  options: {
    userId: string;
    amr: readonly string[];
    /** The user's credential generation that the sign-in's proof was checked against. */
    credentialGeneration: number;
    /** When a second factor was proven in this sign-in, if one was. */
    secondFactorAt?: number;
    context: RequestContext;
    /** A reissued session keeps its sign-in time and absolute expiry (`reissueSession`). */
    keep?: { createdAt: number; absoluteExpiresAt: number; freshUntil: number };
    /**
     * An admin's impersonation (`admin/impersonation.ts`): the session is marked with the
     * admin's id, ends `lifetimeSeconds` after it begins whatever its activity (a reissue keeps
     * the old end, `keep`), and is never fresh.
     */
    impersonation?: { adminId: string; lifetimeSeconds?: number };
    /**
     * `false`: the caller applies `session.maxPerUser` itself, later ({@link
     * enforceSessionLimit}). Reissued sessions (`keep`) never count as new.
     */
    limit?: false;
  },
): Promise<{ record: SessionRecord; tokens: SessionTokens }> {
  const { config } = rt;
  const now = rt.now();
  const id = randomToken({ bytes: TOKEN_ID_BYTES, random: config.random });
  const secret = createSplitToken({ id, random: config.random });
  const jwt = config.session.strategy === 'jwt';
  const { keep, impersonation } = options;
  const absoluteExpiresAt =
    keep?.absoluteExpiresAt ??
    (impersonation?.lifetimeSeconds === undefined
      ? undefined
      : now + impersonation.lifetimeSeconds * 1000) ??
    now + config.session.absoluteTimeoutSeconds * 1000;
  // An impersonation is never fresh: the admin proved nothing of the user's.
  const freshUntil =
    keep?.freshUntil ??
    (impersonation === undefined ? now + config.session.freshForSeconds * 1000 : now);
  const record: SessionRecord = {
    id,
    userId: options.userId,
    ...(jwt ? { refreshHash: secret.secretHash } : { secretHash: secret.secretHash }),
    previousRefreshHashes: [],
    createdAt: keep?.createdAt ?? now,
    lastSeenAt: now,
    idleExpiresAt: Math.min(now + config.session.idleTimeoutSeconds * 1000, absoluteExpiresAt),
    absoluteExpiresAt,
    freshUntil,
    amr: [...options.amr],
    credentialGeneration: options.credentialGeneration,
    ...(options.secondFactorAt === undefined ? {} : { secondFactorAt: options.secondFactorAt }),
    ...(options.context.ip === undefined ? {} : { ip: options.context.ip }),
    ...(options.context.userAgent === undefined
      ? {}
      : { userAgent: options.context.userAgent.slice(0, MAX_USER_AGENT) }),
    ...(impersonation === undefined ? {} : { impersonatedBy: impersonation.adminId }),
  };
  // A session nobody was told about must not outlive this call (issue 16): from the create on
  // (a create that fails may still have been written), any failure deletes it again.
  try {
    await rt.storage.sessions.create(record);
    if (keep === undefined && options.limit !== false) {
      await enforceSessionLimit(rt, record, options.context);
    }
    await rt.emit(
      {
        type: 'session.created',
        userId: options.userId,
        sessionId: id,
        data: {
          strategy: config.session.strategy,
          ...(impersonation === undefined ? {} : { impersonatedBy: impersonation.adminId }),
        },
      },
      options.context,
    );
    if (!jwt) return { record, tokens: { strategy: 'cookie', sessionToken: secret.token } };
    const access = await issueAccessToken(rt, record);
    return {
      record,
      tokens: { strategy: 'jwt', ...access, refreshToken: secret.token },
    };
  } catch (error) {
    await discardSession(rt, record, options.context);
    throw error;
  }
}

/**
 * Undoes a session whose tokens never reached the client: a later step of its sign-in failed
 * (issue 16: a sign-in either returns its session or leaves none). When the store that refused
 * the step refuses this too, it is tried again until the store is back ({@link compensate}).
 * Emits `session.revoked` with reason `not_delivered` when it did delete.
 */
export async function discardSession(
  rt: AuthRuntime,
  record: Pick<SessionRecord, 'id' | 'userId'>,
  context: RequestContext,
): Promise<void> {
  await compensate(rt.config.logger, 'delete undelivered session', async () => {
    await rt.storage.sessions.delete(record.id);
    await rt.emit(
      {
        type: 'session.revoked',
        userId: record.userId,
        sessionId: record.id,
        data: { reason: 'not_delivered' },
      },
      context,
    );
  });
}

/**
 * `session.maxPerUser` (off by default): once a new session is stored, the user's oldest live
 * sessions beyond the limit end (`session.revoked`, reason `session_limit`).
 */
export async function enforceSessionLimit(
  rt: AuthRuntime,
  created: SessionRecord,
  context: RequestContext,
): Promise<void> {
  const max = rt.config.session.maxPerUser;
  if (max === false) return;
  const live = await rt.storage.sessions.listByUser(created.userId, rt.now());
  if (live.length <= max) return;
  // Newest first; the one just created always stays.
  const excess = live.filter((s) => s.id !== created.id).slice(max - 1);
  for (const session of excess) {
    await rt.storage.sessions.delete(session.id);
    await rt.emit(
      {
        type: 'session.revoked',
        userId: session.userId,
        sessionId: session.id,
        data: { reason: 'session_limit' },
      },
      context,
    );
  }
}
