import type { RequestContext } from '../events/types.js';
import type { AuthRuntime } from '../runtime/context.js';
import { revokeAllSessions, revokeSession } from '../sessions/manage.js';
import { requireStepUp } from '../sign-in/reauthenticate.js';
import type { StepUp } from '../sign-in/types.js';

/** Options of `auth.sessions.revokeAll` and `auth.sessions.revoke`. */
export interface EndSessionsOptions extends StepUp {
  /** Keep this session ("sign out other devices"); by default every session ends. */
  exceptId?: string | undefined;
  /** The password, when the caller's session is not fresh (with 2FA on, with `code`). */
  password?: string | undefined;
  /** Client IP and user agent, for events. */
  context?: RequestContext;
}

/**
 * Ends every session of the user, or every one but `exceptId`. A sensitive operation
 * (`requireStepUp`, rule `fresh`): the caller's session (`sessionId`) must be fresh, or the
 * request carries the password (with 2FA on, and a code).
 * @throws AuthError `REAUTH_REQUIRED`, `PASSWORD_INCORRECT`, `CODE_INVALID`, `RATE_LIMITED`,
 * `UNAUTHENTICATED`
 */
export async function endAllSessions(
  rt: AuthRuntime,
  userId: string,
  options: EndSessionsOptions,
): Promise<void> {
  const context = options.context ?? {};
  await requireStepUp(rt, 'fresh', { ...options, userId }, context);
  await revokeAllSessions(rt, {
    userId,
    exceptId: options.exceptId,
    context,
    reason: options.exceptId === undefined ? 'logout_all' : 'logout_others',
  });
}

/**
 * Ends one of the user's sessions. Ending the caller's own session (`id === sessionId`) is a
 * sign-out and needs nothing more; ending another one is sensitive (rule `fresh`, as
 * {@link endAllSessions}).
 * @throws AuthError `NOT_FOUND`, `REAUTH_REQUIRED`, `PASSWORD_INCORRECT`, `UNAUTHENTICATED`
 */
export async function endSession(
  rt: AuthRuntime,
  userId: string,
  id: string,
  options: EndSessionsOptions,
): Promise<void> {
  const context = options.context ?? {};
  if (id !== options.sessionId) await requireStepUp(rt, 'fresh', { ...options, userId }, context);
  await revokeSession(rt, { userId, sessionId: id, context });
}
