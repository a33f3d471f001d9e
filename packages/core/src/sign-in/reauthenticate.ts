import * as v from 'valibot';
import { assertNotLocked } from '../abuse/rate-limit.js';
import { sameGeneration } from '../credentials/generation.js';
import { AuthError } from '../errors/auth-error.js';
import type { RequestContext } from '../events/types.js';
import { parseInput, passwordField, text } from '../flows/input.js';
import type { AuthRuntime } from '../runtime/context.js';
import { reportForeignAccess } from '../sessions/foreign-access.js';
import { toSessionInfo } from '../sessions/info.js';
import { reissueSession } from '../sessions/reissue.js';
import type { SessionRecord } from '../storage/types/sessions.js';
import type { UserRecord } from '../storage/types/users.js';
import { METHOD_AMR } from '../two-factor/purposes.js';
import { toPublicUser } from '../users/public.js';
import { assertPasswordCorrect } from './password-check.js';
import { assertReauthSecondFactor, stepUpFields } from './step-up.js';
import type { ReauthenticateInput, SignedIn, StepUp } from './types.js';

/**
 * Re-authenticates a signed-in user. The session is replaced by a new one (new token; the old
 * token and its refresh token end: a new session token whenever trust changes, OWASP ASVS
 * 7.2.4), fresh for `session.freshForSeconds` (sensitive operations allowed). With 2FA on, a
 * TOTP or recovery `code` and its `method` are required besides the password, and the new
 * session also counts as second-factor fresh (factor changes allowed for the same time); while the second factor is
 * locked (`secondFactorPerAccount`) the answer is `RATE_LIMITED`, even with the right code. The
 * password is throttled like a sign-in with the account's email (`loginPerAccount`: 5 wrong
 * ones lock re-checks and sign-in alike, `RATE_LIMITED` then even with the right password),
 * and each check, password or code, is reserved before it runs.
 * @throws AuthError `VALIDATION_FAILED` (no password, or not a string of 1 to 1024 characters;
 * nothing is counted), `PASSWORD_INCORRECT`, `CODE_INVALID`, `RATE_LIMITED`,
 * `UNAUTHENTICATED` (the session or user is gone, or a credential changed since it opened),
 * `FORBIDDEN` (a session an admin opened by impersonation)
 * @returns the new session and its tokens, as a sign-in gives them
 */
export async function reauthenticate(
  rt: AuthRuntime,
  input: ReauthenticateInput,
  context: RequestContext,
): Promise<SignedIn> {
  // A missing, non-string or over-long password is a bad request, not a wrong password: it is
  // refused before anything is counted toward the lockout.
  // So are a `code` or `method` of the wrong shape, 2FA on or off: checked with the password.
  const { userId, sessionId, password, code, method } = parseInput(reauthSchema, {
    userId: input.userId,
    sessionId: input.sessionId,
    password: input.password,
    code: input.code,
    method: input.method,
  });
  const { user, session } = await callerOf(rt, { userId, sessionId }, context);
  if (session === undefined) throw new AuthError('UNAUTHENTICATED');
  await proveFactors(rt, user, { password, code, method }, session.id, context);
  // Trust changed: a new session token, and the old one ends (OWASP ASVS 7.2.4).
  const now = rt.now();
  const { record, tokens } = await reissueSession(rt, session, {
    freshUntil: now + rt.config.session.freshForSeconds * 1000,
    // What the new session rests on: the password, and with 2FA the code just checked. A code
    // sent by a user without 2FA proved nothing (it is not checked) and is not claimed.
    amr: user.totp === undefined || method === undefined ? ['pwd'] : ['pwd', METHOD_AMR[method]],
    ...(user.totp === undefined ? {} : { secondFactorAt: now }),
    context,
  });
  await rt.emit(
    { type: 'session.reauthenticated', userId: user.id, sessionId: record.id },
    context,
  );
  return {
    status: 'signed_in',
    user: toPublicUser(user, rt.config.user.fields),
    session: toSessionInfo(record, record.id),
    tokens,
  };
}

const reauthSchema = v.object({
  userId: text('userId', 256),
  sessionId: text('sessionId', 256),
  password: passwordField(),
  code: stepUpFields.code,
  method: stepUpFields.method,
});

/** What a sensitive operation needs on top of its own inputs. */
export type FreshnessRule =
  /**
   * Ending sessions: a fresh session, or the password (and, with 2FA on, a code) in the same
   * request.
   */
  | 'fresh'
  /**
   * Adding, removing, replacing or revealing a factor or the recovery path (password, email,
   * phone, recovery codes, 2FA off, account deletion): the operation's own password always
   * (an account without a password: a fresh session instead); with 2FA on, also a code in the
   * same request or a session whose second factor was proven within `session.freshForSeconds`
   * (a trusted-device sign-in proves none).
   */
  | 'factor';

/**
 * The rules of a sensitive operation, enforced by core for the typed API and HTTP alike
 * (OWASP ASVS 7.5.1 and 7.5.3: full re-authentication before changing a factor). Resolves to
 * the user as stored, once every check passed. `password` is the password the operation
 * carries (`undefined` when it has none); it is verified here, once, and throttled like a
 * sign-in. A password or code in the request authorizes that request only: it does not make
 * the session fresh (only `reauthenticate` does, with a new session token). With 2FA on and no `code`, freshness is judged before the password is checked, so a
 * refused request spends no password attempt.
 * @throws AuthError `REAUTH_REQUIRED`, `PASSWORD_INCORRECT`, `CODE_INVALID`, `RATE_LIMITED`,
 * `UNAUTHENTICATED`, `VALIDATION_FAILED`; `FORBIDDEN` when `sessionId` is an impersonation
 * (`admin/impersonation.ts`), before any password or code is checked
 */
export async function requireStepUp(
  rt: AuthRuntime,
  rule: FreshnessRule,
  input: StepUp & { userId: string; password?: string | undefined },
  context: RequestContext,
): Promise<UserRecord> {
  const { user, session } = await callerOf(rt, input, context);
  const twoFactor = user.totp !== undefined;
  const now = rt.now();
  const { password } = input;
  if (rule === 'factor' && user.passwordHash === undefined) {
    // An account without a password (magic links, passkeys, a provider) has none to re-check:
    // a fresh session stands in for it, and with 2FA on a code or a recent second factor too.
    if (session === undefined || now >= session.freshUntil) throw new AuthError('REAUTH_REQUIRED');
    if (twoFactor && input.code !== undefined) {
      await assertNotLocked(rt, 'secondFactorPerAccount', user.id);
      await assertReauthSecondFactor(
        rt,
        user,
        { code: input.code, method: input.method, sessionId: session.id },
        context,
      );
    } else if (twoFactor && !secondFactorFresh(rt, session, now)) {
      throw new AuthError('REAUTH_REQUIRED');
    }
    return user;
  }
  if (rule === 'factor' && password === undefined) {
    // Optional in the bodies only for accounts without a password.
    throw new AuthError('VALIDATION_FAILED', {
      details: [{ path: 'password', message: 'password is required' }],
    });
  }
  if (twoFactor && input.code !== undefined && (rule === 'factor' || password !== undefined)) {
    await proveFactors(
      rt,
      user,
      { password: password ?? '', code: input.code, method: input.method },
      session?.id,
      context,
    );
    return user;
  }
  if (rule === 'factor') {
    if (twoFactor && !secondFactorFresh(rt, session, now)) throw new AuthError('REAUTH_REQUIRED');
    await assertPasswordCorrect(rt, user, password ?? '', context);
    return user;
  }
  // 'fresh'
  if (session !== undefined && now < session.freshUntil) return user;
  if (password === undefined) throw new AuthError('REAUTH_REQUIRED');
  if (twoFactor) {
    // One factor cannot stand in for two: checked (and counted), but not enough.
    await assertPasswordCorrect(rt, user, password, context);
    throw new AuthError('REAUTH_REQUIRED');
  }
  await assertPasswordCorrect(rt, user, password, context);
  return user;
}

/** Whether the session proved a second factor within `session.freshForSeconds`. */
export function secondFactorFresh(
  rt: AuthRuntime,
  session: SessionRecord | undefined,
  now: number,
): boolean {
  const at = session?.secondFactorAt;
  return at !== undefined && now - at < rt.config.session.freshForSeconds * 1000;
}

/**
 * The user and, when `sessionId` is given, the caller's live session: of this user, of the
 * user's current credential generation. Someone else's session is reported
 * (`session.foreign_access`). @throws AuthError `UNAUTHENTICATED` otherwise; `FORBIDDEN` for
 * a session an admin opened by impersonation (the one gate of every step-up)
 */
async function callerOf(
  rt: AuthRuntime,
  caller: { userId: string; sessionId?: string | undefined },
  context: RequestContext,
): Promise<{ user: UserRecord; session: SessionRecord | undefined }> {
  const { userId, sessionId } = caller;
  const user = await rt.storage.users.getById(userId);
  if (!user || user.disabled) throw new AuthError('UNAUTHENTICATED');
  if (sessionId === undefined) return { user, session: undefined };
  const session = await rt.storage.sessions.get(sessionId, rt.now());
  if (session !== undefined && session.userId !== user.id) {
    reportForeignAccess(rt, {
      type: 'session.foreign_access',
      userId: user.id,
      sessionId: session.id,
      data: { action: 'step_up' },
      context,
    });
  }
  if (!session || session.userId !== user.id || !sameGeneration(session, user)) {
    throw new AuthError('UNAUTHENTICATED');
  }
  // An admin impersonating the user knows none of their secrets and may change none of them:
  // no re-authentication, no password, email, second factor, passkey or account deletion.
  if (session.impersonatedBy !== undefined) throw new AuthError('FORBIDDEN');
  return { user, session };
}

/** The password, and with 2FA on a code: the lock first, then each check reserved and run. */
async function proveFactors(
  rt: AuthRuntime,
  user: UserRecord,
  proof: { password: string; code?: string | undefined; method?: string | undefined },
  sessionId: string | undefined,
  context: RequestContext,
): Promise<void> {
  if (user.totp !== undefined) await assertNotLocked(rt, 'secondFactorPerAccount', user.id);
  await assertPasswordCorrect(rt, user, proof.password, context);
  await assertReauthSecondFactor(
    rt,
    user,
    { code: proof.code, method: proof.method, sessionId },
    context,
  );
}
