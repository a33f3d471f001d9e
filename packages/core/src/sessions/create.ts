import { issueAccessToken } from '../access-tokens/issue.js';
import { createSplitToken, randomToken, TOKEN_ID_BYTES } from '../crypto/tokens.js';
import type { RequestContext } from '../events/types.js';
import type { AuthRuntime } from '../runtime/context.js';
import type { SessionRecord } from '../storage/types/sessions.js';
import type { SessionTokens } from './types.js';

const MAX_USER_AGENT = 512;

/**
 * Starts a session for a user who has just authenticated, in the configured strategy: a
 * cookie token (`{id}.{secret}`), or an access JWT plus a refresh token. Only SHA-256 of the
 * secret is stored. The session is fresh (sensitive operations allowed) for `freshForSeconds`.
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
  },
): Promise<{ record: SessionRecord; tokens: SessionTokens }> {
  const { config } = rt;
  const now = rt.now();
  const id = randomToken({ bytes: TOKEN_ID_BYTES, random: config.random });
  const secret = createSplitToken({ id, random: config.random });
  const jwt = config.session.strategy === 'jwt';
  const record: SessionRecord = {
    id,
    userId: options.userId,
    ...(jwt ? { refreshHash: secret.secretHash } : { secretHash: secret.secretHash }),
    previousRefreshHashes: [],
    createdAt: now,
    lastSeenAt: now,
    idleExpiresAt: now + config.session.idleTimeoutSeconds * 1000,
    absoluteExpiresAt: now + config.session.absoluteTimeoutSeconds * 1000,
    freshUntil: now + config.session.freshForSeconds * 1000,
    amr: [...options.amr],
    credentialGeneration: options.credentialGeneration,
    ...(options.secondFactorAt === undefined ? {} : { secondFactorAt: options.secondFactorAt }),
    ...(options.context.ip === undefined ? {} : { ip: options.context.ip }),
    ...(options.context.userAgent === undefined
      ? {}
      : { userAgent: options.context.userAgent.slice(0, MAX_USER_AGENT) }),
  };
  await rt.storage.sessions.create(record);
  await rt.emit(
    {
      type: 'session.created',
      userId: options.userId,
      sessionId: id,
      data: { strategy: config.session.strategy },
    },
    options.context,
  );
  if (!jwt) return { record, tokens: { strategy: 'cookie', sessionToken: secret.token } };
  const access = await issueAccessToken(rt, record);
  return {
    record,
    tokens: { strategy: 'jwt', ...access, refreshToken: secret.token },
  };
}
