import * as v from 'valibot';
import { generationOf } from '../credentials/generation.js';
import { sha256Base64Url } from '../crypto/hash.js';
import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import { parseInput, text } from '../flows/input.js';
import type { AuthRuntime } from '../runtime/context.js';
import { createSession, discardSession } from '../sessions/create.js';
import { IMPERSONATION_SECONDS } from '../sessions/impersonation.js';
import { toSessionInfo } from '../sessions/info.js';
import type { SignedIn } from '../sign-in/types.js';
import { TOKEN_PURPOSES } from '../storage/purposes.js';
import type { JsonObject } from '../storage/types/json.js';
import { stateError } from '../two-factor/input.js';
import { hasPermission } from '../users/permissions.js';
import { toPublicUser } from '../users/public.js';
import { type AdminActor, actorWith } from './users.js';

/**
 * What the impersonation session rests on: what a plain password session carries, so no
 * second factor is claimed (the admin proved none of the user's). `act` in access tokens and
 * `impersonatedBy` on the session say who is really there.
 */
const IMPERSONATION_AMR = ['pwd'] as const;

/** What `auth.admin.impersonation.stop` ended. */
export interface ImpersonationEnded {
  /** The admin who impersonated. */
  readonly adminId: string;
  /** The user they impersonated. */
  readonly userId: string;
}

/** The marker of a running impersonation is found by its session id and proves nothing else. */
const verifierOf = (sessionId: string) => sha256Base64Url(`portcullis/impersonation/${sessionId}`);

/**
 * `admin.action` with `action` in the trails of both users, each naming the admin: the user's
 * event is of the impersonation session; the admin's, of their own session (when known), with
 * the user (`targetId`) and the impersonation session (`targetSessionId`).
 */
async function auditBoth(
  rt: AuthRuntime,
  action: 'impersonation.start' | 'impersonation.stop',
  who: { adminId: string; adminSessionId?: string | undefined; userId: string; sessionId: string },
  context: RequestContext,
  data: JsonObject = {},
): Promise<void> {
  await rt.emit(
    {
      type: 'admin.action',
      userId: who.userId,
      sessionId: who.sessionId,
      data: { action, adminId: who.adminId, ...data },
    },
    context,
  );
  await rt.emit(
    {
      type: 'admin.action',
      userId: who.adminId,
      sessionId: who.adminSessionId,
      data: {
        action,
        adminId: who.adminId,
        targetId: who.userId,
        targetSessionId: who.sessionId,
        ...data,
      },
    },
    context,
  );
}

/**
 * Opens a session for another user on an admin's behalf (`users:impersonate`), to see what
 * they see. The session is the user's, marked `impersonatedBy` with the admin's id, ends one
 * hour after it starts ({@link IMPERSONATION_SECONDS}) whatever its activity, claims no second
 * factor (`amr` `['pwd']`) and is never fresh. It cannot reach the admin API (`FORBIDDEN`, even
 * when the user holds some admin permission) nor step up: re-authentication, password, email,
 * second-factor and passkey changes and account deletion answer `FORBIDDEN`. It does not count
 * toward `session.maxPerUser` (the user's own sessions stay). Its access tokens carry
 * `act: { sub: adminId }` (RFC 8693). The start is an `admin.action` event
 * (`impersonation.start`) in the audit trails of both users, naming the admin; end it with
 * `auth.admin.impersonation.stop`.
 *
 * Refused: impersonating oneself or a disabled user (`VALIDATION_FAILED`, field `id`), a user
 * who may impersonate (holds `users:impersonate`: admins cannot impersonate admins) and a call
 * from an impersonation session (`FORBIDDEN`).
 * @throws AuthError `FORBIDDEN`, `NOT_FOUND`, `VALIDATION_FAILED`, `UNAUTHENTICATED` (the admin
 * or their session is gone)
 * @returns the new session and its tokens, as a sign-in gives them
 */
export async function impersonateUser(
  rt: AuthRuntime,
  actor: AdminActor,
  userId: string,
  context: RequestContext,
): Promise<SignedIn> {
  const admin = await actorWith(rt, actor, 'users:impersonate');
  const user = typeof userId === 'string' ? await rt.storage.users.getById(userId) : undefined;
  if (user === undefined) throw new AuthError('NOT_FOUND');
  if (user.id === admin.id) throw stateError('id', 'You cannot impersonate yourself');
  if (user.disabled) throw stateError('id', 'A disabled user cannot be impersonated');
  // An admin who could impersonate another admin could borrow their permissions.
  if (hasPermission(user, 'users:impersonate', rt.config.roles)) throw new AuthError('FORBIDDEN');
  const { record, tokens } = await createSession(rt, {
    userId: user.id,
    amr: IMPERSONATION_AMR,
    credentialGeneration: generationOf(user),
    context,
    impersonation: { adminId: admin.id, lifetimeSeconds: IMPERSONATION_SECONDS },
    limit: false,
  });
  // Exactly the hour from the session's own start.
  const { absoluteExpiresAt } = record;
  try {
    await rt.storage.tokens.create({
      purpose: TOKEN_PURPOSES.impersonation,
      selector: record.id,
      verifierHash: verifierOf(record.id),
      userId: user.id,
      payload: {
        adminId: admin.id,
        ...(actor.sessionId === undefined ? {} : { adminSessionId: actor.sessionId }),
      },
      expiresAt: absoluteExpiresAt,
      attempts: 0,
    });
  } catch (error) {
    // The session was never handed out: it must not outlive this call (issue 16).
    await discardSession(rt, record, context);
    throw error;
  }
  await auditBoth(
    rt,
    'impersonation.start',
    { adminId: admin.id, adminSessionId: actor.sessionId, userId: user.id, sessionId: record.id },
    context,
    { expiresAt: new Date(absoluteExpiresAt).toISOString() },
  );
  return {
    status: 'signed_in',
    user: toPublicUser(user, rt.config.user.fields),
    session: toSessionInfo(record, record.id),
    tokens,
  };
}

/** Input of `auth.admin.impersonation.stop`: the impersonation session that asks. */
export const stopImpersonationSchema = v.object({
  userId: text('userId', 256),
  sessionId: text('sessionId', 256),
});

/**
 * Ends an impersonation from its own session (`userId` is the impersonated user): the session
 * is revoked, and `impersonation.stop` is an `admin.action` event in the audit trails of both
 * users, naming the admin. Needs no admin permission (the session has none). Of concurrent
 * stops, each that found the session live resolves, and the stop is audited once. Resolves to
 * the admin and the user, so the HTTP layer can put the admin's own session back.
 * @throws AuthError `UNAUTHENTICATED` (no such live session of the user),
 * `VALIDATION_FAILED` (field `session`: the session is not an impersonation)
 */
export async function stopImpersonation(
  rt: AuthRuntime,
  caller: { userId: string; sessionId: string },
  context: RequestContext,
): Promise<ImpersonationEnded> {
  const { userId, sessionId } = parseInput(stopImpersonationSchema, caller);
  const now = rt.now();
  const session = await rt.storage.sessions.get(sessionId, now);
  if (session?.userId !== userId) throw new AuthError('UNAUTHENTICATED');
  const adminId = session.impersonatedBy;
  if (adminId === undefined) {
    throw stateError('session', 'This session is not an impersonation');
  }
  // One compare-and-delete decides which of racing stops reports the end.
  const claim = await rt.storage.tokens.consume(TOKEN_PURPOSES.impersonation, session.id, {
    verifierHash: verifierOf(session.id),
    now,
  });
  await rt.storage.sessions.delete(session.id);
  if (claim.status === 'ok') {
    await rt.emit(
      {
        type: 'session.revoked',
        userId,
        sessionId: session.id,
        data: { reason: 'impersonation_stopped' },
      },
      context,
    );
    const adminSessionId = claim.record.payload?.adminSessionId;
    await auditBoth(
      rt,
      'impersonation.stop',
      {
        adminId,
        ...(typeof adminSessionId === 'string' ? { adminSessionId } : {}),
        userId,
        sessionId: session.id,
      },
      context,
    );
  }
  return { adminId, userId };
}
