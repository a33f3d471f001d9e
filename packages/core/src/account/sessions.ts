import * as v from 'valibot';
import type { RequestContext } from '../events/types.js';
import { parseInput, passwordField, text } from '../flows/input.js';
import type { AuthRuntime } from '../runtime/context.js';
import { revokeAllSessions, revokeSession } from '../sessions/manage.js';
import { requireStepUp } from '../sign-in/reauthenticate.js';
import { stepUpFields } from '../sign-in/step-up.js';
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

/** The schema of the options (and the user and session ids): checked before any store. */
const endSessionsSchema = v.object({
  userId: text('userId', 256),
  id: v.optional(text('id', 256)),
  exceptId: v.optional(text('exceptId', 256)),
  password: v.optional(passwordField()),
  ...stepUpFields,
});

/**
 * Ends every session of the user, or every one but `exceptId`. A sensitive operation
 * (`requireStepUp`, rule `fresh`): the caller's session (`sessionId`) must be fresh, or the
 * request carries the password (with 2FA on, and a code).
 * @throws AuthError `VALIDATION_FAILED` (a field of the wrong type or size; nothing counted),
 * `REAUTH_REQUIRED`, `PASSWORD_INCORRECT`, `CODE_INVALID`, `RATE_LIMITED`, `UNAUTHENTICATED`
 */
export async function endAllSessions(
  rt: AuthRuntime,
  userId: string,
  options: EndSessionsOptions,
): Promise<void> {
  const { context = {}, ...fields } = options;
  const input = parseInput(endSessionsSchema, { ...fields, userId });
  await requireStepUp(rt, 'fresh', input, context);
  await revokeAllSessions(rt, {
    userId: input.userId,
    exceptId: input.exceptId,
    context,
    reason: input.exceptId === undefined ? 'logout_all' : 'logout_others',
  });
}

/**
 * Ends one of the user's sessions. Ending the caller's own session (`id === sessionId`) is a
 * sign-out and needs nothing more; ending another one is sensitive (rule `fresh`, as
 * {@link endAllSessions}).
 * @throws AuthError `VALIDATION_FAILED`, `NOT_FOUND`, `REAUTH_REQUIRED`, `PASSWORD_INCORRECT`,
 * `UNAUTHENTICATED`
 */
export async function endSession(
  rt: AuthRuntime,
  userId: string,
  id: string,
  options: EndSessionsOptions,
): Promise<void> {
  const { context = {}, ...fields } = options;
  const input = parseInput(endSessionsSchema, { ...fields, userId, id });
  if (input.id !== input.sessionId) await requireStepUp(rt, 'fresh', input, context);
  await revokeSession(rt, { userId: input.userId, sessionId: input.id ?? id, context });
}
