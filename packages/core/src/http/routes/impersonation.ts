import type { AuthOptions } from '../../create-auth.js';
import { AuthError } from '../../errors/auth-error.js';
import { IMPERSONATION_SECONDS } from '../../sessions/impersonation.js';
import type { AuthenticatedSession } from '../../sessions/types.js';
import type { HttpContext } from '../context.js';
import { cookieSpec, readCookie, serializeCookie } from '../cookies.js';
import { json, noContent } from '../respond.js';
import type { Handlers } from '../router.js';
import { csrfToken } from './shared.js';

/**
 * The cookie that keeps an impersonating admin's own session token (cookie strategy): the
 * session cookie's attributes (HttpOnly, Secure, SameSite, Path=/), its name plus `_admin`.
 * Only `POST /admin/impersonation/stop` reads it; nothing authenticates with it.
 */
export function adminSessionCookie(config: Pick<AuthOptions, 'http'>) {
  const spec = cookieSpec(config, 'session');
  return { ...spec, name: `${spec.name}_admin` };
}

/** Seconds a cookie of a session opened at `createdAt` (ISO) may live, for `lifetimeSeconds`. */
function secondsLeft(ctx: HttpContext, createdAt: string, lifetimeSeconds: number): number {
  return (Date.parse(createdAt) + lifetimeSeconds * 1000 - ctx.now()) / 1000;
}

/**
 * The admin's own session behind `token` (the `_admin` cookie), when it still opens a live
 * session of `adminId`; else `undefined` (the cookie is then only cleared).
 */
async function adminSession(
  ctx: HttpContext,
  token: string | undefined,
  adminId: string,
): Promise<AuthenticatedSession | undefined> {
  if (token === undefined || token === '') return undefined;
  try {
    const found = await ctx.auth.validateSession(token);
    return found.user.id === adminId ? found : undefined;
  } catch (error) {
    if (error instanceof AuthError && error.code === 'UNAUTHENTICATED') return undefined;
    throw error;
  }
}

/** Handlers of the operations of `operations/impersonation.ts`, by operationId. */
export const impersonationHandlers = {
  impersonateAdminUser: async (ctx) => {
    const { user, session } = await ctx.caller();
    const { config } = ctx;
    const result = await ctx.auth.admin.users.impersonate(
      { userId: user.id, sessionId: session.id },
      ctx.params.id as string,
      ctx.client,
    );
    if (result.tokens.strategy === 'jwt') {
      // The refresh token goes in the body, never in the refresh cookie: that cookie is the
      // admin's, and the client keeps its own tokens for when the impersonation ends.
      const { accessToken, expiresIn, refreshToken } = result.tokens;
      return json(200, {
        status: 'signed_in',
        user: result.user,
        accessToken,
        expiresIn,
        refreshToken,
      });
    }
    const sessionSpec = cookieSpec(config, 'session');
    const cookies = [
      serializeCookie(
        sessionSpec,
        result.tokens.sessionToken,
        secondsLeft(ctx, result.session.createdAt, IMPERSONATION_SECONDS),
      ),
      // The new session's CSRF token: the admin's is worth nothing for it.
      csrfToken(ctx, result.session.id).cookie,
    ];
    const held = readCookie(ctx.request, sessionSpec.name);
    if (held !== undefined && held !== '') {
      cookies.push(
        serializeCookie(
          adminSessionCookie(config),
          held,
          secondsLeft(ctx, session.createdAt, config.session.absoluteTimeoutSeconds),
        ),
      );
    }
    return json(
      200,
      {
        status: 'signed_in',
        user: result.user,
        session: { id: result.session.id, expiresAt: result.session.expiresAt },
      },
      cookies,
    );
  },
  stopImpersonation: async (ctx) => {
    const { user, session } = await ctx.caller();
    const { config } = ctx;
    const adminSpec = adminSessionCookie(config);
    // The admin's session is checked before anything ends: a store outage here leaves the
    // impersonation as it was, for the client to retry.
    const admin =
      config.session.strategy === 'cookie' && session.impersonatedBy !== null
        ? await adminSession(ctx, readCookie(ctx.request, adminSpec.name), session.impersonatedBy)
        : undefined;
    await ctx.auth.admin.impersonation.stop({ userId: user.id, sessionId: session.id }, ctx.client);
    if (config.session.strategy === 'jwt') return noContent();
    const sessionSpec = cookieSpec(config, 'session');
    const clearAdmin = serializeCookie(adminSpec, '', 0);
    const token = readCookie(ctx.request, adminSpec.name);
    if (admin === undefined || token === undefined) {
      return noContent([serializeCookie(sessionSpec, '', 0), clearAdmin]);
    }
    return noContent([
      serializeCookie(
        sessionSpec,
        token,
        secondsLeft(ctx, admin.session.createdAt, config.session.absoluteTimeoutSeconds),
      ),
      csrfToken(ctx, admin.session.id).cookie,
      clearAdmin,
    ]);
  },
} satisfies Handlers;
