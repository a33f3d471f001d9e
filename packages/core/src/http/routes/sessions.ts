import type { EndSessionsOptions } from '../../account/sessions.js';
import { AuthError } from '../../errors/auth-error.js';
import type { ReauthenticateInput } from '../../sign-in/types.js';
import type { HttpContext } from '../context.js';
import { json, noContent } from '../respond.js';
import type { Handlers } from '../router.js';
import { impersonationHandlers } from './impersonation.js';
import { clearAuthCookies, csrfToken, pick, sessionView, stepUp } from './shared.js';
import { signedInResponse } from './signed-in.js';

/**
 * The caller's session and the optional proof of the request body (`password`, and for a user
 * with 2FA on `code` and `method`): core applies the fresh-session rule.
 */
async function endOptions(ctx: HttpContext, sessionId: string): Promise<EndSessionsOptions> {
  const body = await ctx.body();
  return {
    ...pick<{ password?: string }>(body, ['password']),
    ...stepUp(body, sessionId),
    context: ctx.client,
  };
}

/** Handlers of the session operations of `operations/sessions.ts`, by operationId. */
export const sessionHandlers = {
  logout: async (ctx) => {
    const { session } = await ctx.caller();
    // Signing out of an impersonation ends it as `POST /admin/impersonation/stop` does: audited
    // in both trails, and the admin's own session cookie put back.
    if (session.impersonatedBy !== null) return impersonationHandlers.stopImpersonation(ctx);
    await ctx.auth.logout(session.id, ctx.client);
    return noContent(clearAuthCookies(ctx.config, ['session', 'refresh']));
  },
  logoutAll: async (ctx) => {
    const { user, session } = await ctx.caller();
    await ctx.auth.sessions.revokeAll(user.id, await endOptions(ctx, session.id));
    return noContent(clearAuthCookies(ctx.config, ['session', 'refresh']));
  },
  getSession: async (ctx) => {
    const { user, session } = await ctx.caller();
    return json(200, { user, session: sessionView(session) });
  },
  listSessions: async (ctx) => {
    const { user, session } = await ctx.caller();
    const sessions = await ctx.auth.sessions.list(user.id, { currentId: session.id });
    return json(200, { sessions: sessions.map(sessionView) });
  },
  revokeSession: async (ctx) => {
    const { user, session } = await ctx.caller();
    const id = ctx.params.id as string;
    // Ending an impersonation's own session is its stop, as `/logout` is.
    if (id === session.id && session.impersonatedBy !== null) {
      return impersonationHandlers.stopImpersonation(ctx);
    }
    // Signing out this very session is a logout; ending another one needs a fresh session
    // (core decides, from the caller's session id).
    await ctx.auth.sessions.revoke(user.id, id, await endOptions(ctx, session.id));
    return noContent(id === session.id ? clearAuthCookies(ctx.config, ['session', 'refresh']) : []);
  },
  getCsrfToken: async (ctx) => {
    // Only for a session that validates: a token for a bare id read elsewhere (the sessions
    // list, a log) would let its reader forge requests for that session.
    const session = await ctx.caller().then(
      (caller) => (caller.via === 'cookie' ? caller.session.id : undefined),
      (error: unknown) => {
        if (error instanceof AuthError && error.code === 'UNAUTHENTICATED') return undefined;
        throw error;
      },
    );
    const { token, cookie } = csrfToken(ctx, session);
    return json(200, { csrfToken: token }, [cookie]);
  },
  getJwks: async (ctx) => json(200, await ctx.auth.jwks()),
  reauthenticate: async (ctx) => {
    const { user, session } = await ctx.caller();
    // With 2FA on, a TOTP or recovery `code` and its `method` join the password.
    const input = pick<Omit<ReauthenticateInput, 'userId' | 'sessionId'>>(await ctx.body(), [
      'password',
      'code',
      'method',
    ]);
    const result = await ctx.auth.reauthenticate(
      { ...input, userId: user.id, sessionId: session.id },
      ctx.client,
    );
    // A new session token (the old one ended): answered like a sign-in.
    return signedInResponse(ctx, result);
  },
} satisfies Handlers;
