import { randomToken } from '../../crypto/tokens.js';
import { AuthError, isAuthError } from '../../errors/auth-error.js';
import type { OAuthStart } from '../../sign-in/oauth.js';
import type { HttpContext } from '../context.js';
import { cookieSpec, readCookie, serializeCookie } from '../cookies.js';
import { baseHeaders, json, noContent } from '../respond.js';
import type { Handlers } from '../router.js';
import { pick, signInContext } from './shared.js';
import { signedInResponse } from './signed-in.js';

/** How long the browser-binding cookie lives: the state's 10 minutes. */
const BINDING_SECONDS = 10 * 60;

/** A `302` to `location` with the auth headers and cookies. */
function redirect(location: string, cookies: readonly string[] = []): Response {
  const headers = baseHeaders(cookies);
  headers.set('location', location);
  return new Response(null, { status: 302, headers });
}

/** The binding cookie's Set-Cookie line (SameSite=None for a `form_post` provider). */
function bindingCookie(ctx: HttpContext, start: OAuthStart): string {
  const spec = cookieSpec(ctx.config, 'oauth');
  return serializeCookie(
    start.sameSite === 'none' && spec.secure ? { ...spec, sameSite: 'None' } : spec,
    start.binding,
    BINDING_SECONDS,
  );
}

/** The sign-in page that shows challenges and refusals (`oauth.signInPath`, `/login`). */
function signInPage(ctx: HttpContext, params: Record<string, string>): string {
  const path = ctx.config.oauth?.signInPath ?? '/login';
  return `${path}?${new URLSearchParams(params).toString()}`;
}

async function authorize(ctx: HttpContext): Promise<Response> {
  const url = new URL(ctx.request.url);
  let start: OAuthStart;
  try {
    start = await ctx.auth.oauth.start(
      ctx.params.provider as string,
      { redirectTo: url.searchParams.get('redirectTo') ?? undefined } as { redirectTo?: string },
      ctx.client,
    );
  } catch (error) {
    // The provider cannot be reached: a page that says so, as the callback shows refusals.
    if (isAuthError(error) && error.code === 'OAUTH_FAILED') {
      const reason = error.details?.[0]?.message;
      return redirect(
        signInPage(ctx, { error: error.code, ...(reason === undefined ? {} : { reason }) }),
      );
    }
    throw error;
  }
  return redirect(start.url, [bindingCookie(ctx, start)]);
}

/**
 * The provider's answer, as a query (`GET`) or a form (`POST`): always a redirect, so that a
 * person who comes back from the provider sees a page, never a JSON error.
 */
async function callback(ctx: HttpContext, params: URLSearchParams): Promise<Response> {
  const spec = cookieSpec(ctx.config, 'oauth');
  const clearBinding = serializeCookie(spec, '', 0);
  const provider = ctx.params.provider as string;
  // An unknown provider is a 404, like every unknown path.
  if (!ctx.auth.oauth.providers().some((p) => p.id === provider)) {
    throw new AuthError('NOT_FOUND');
  }
  const binding = readCookie(ctx.request, spec.name);
  // A challenge (a user with 2FA) is bound to this browser, as `/login` binds it.
  const challengeBinding = randomToken({ random: ctx.config.random });
  try {
    const { outcome, redirectTo } = await ctx.auth.oauth.complete(
      provider,
      { params, binding },
      { ...signInContext(ctx), challengeBinding },
    );
    if (outcome.status === 'linked') {
      // `?linked=` goes before a fragment, or the page would never see it.
      const hash = redirectTo.indexOf('#');
      const [path, fragment] =
        hash === -1 ? [redirectTo, ''] : [redirectTo.slice(0, hash), redirectTo.slice(hash)];
      const sep = path.includes('?') ? '&' : '?';
      return redirect(`${path}${sep}linked=${encodeURIComponent(provider)}${fragment}`, [
        clearBinding,
      ]);
    }
    const { result } = outcome;
    if (result.status === 'two_factor_required') {
      // The challenge goes to the sign-in page, bound to this browser as `/login` binds it.
      return redirect(
        signInPage(ctx, {
          challenge: result.challenge,
          methods: result.methods.join(','),
          redirectTo,
        }),
        [
          clearBinding,
          serializeCookie(
            cookieSpec(ctx.config, 'challenge'),
            challengeBinding,
            ctx.config.twoFactor.challengeTtlSeconds,
          ),
        ],
      );
    }
    // The cookies a `/login` would set, then to `redirectTo`. A browser navigation carries no
    // body: with the jwt strategy the refresh token goes in its cookie whatever the transport,
    // and the page gets its access token from `/token/refresh`.
    const cookies = [...signedInResponse(ctx, result).headers.getSetCookie(), clearBinding];
    if (result.tokens.strategy === 'jwt' && ctx.config.http.refreshTokenTransport === 'body') {
      const lifetime =
        Date.parse(result.session.createdAt) +
        ctx.config.session.absoluteTimeoutSeconds * 1000 -
        ctx.now();
      const spec = cookieSpec(ctx.config, 'refresh');
      cookies.push(serializeCookie(spec, result.tokens.refreshToken, lifetime / 1000));
    }
    return redirect(redirectTo, cookies);
  } catch (error) {
    if (!isAuthError(error) || error.status >= 500) throw error;
    const reason = error.code === 'OAUTH_FAILED' ? error.details?.[0]?.message : undefined;
    return redirect(
      signInPage(ctx, { error: error.code, ...(reason === undefined ? {} : { reason }) }),
      [clearBinding],
    );
  }
}

/** Handlers of the social sign-in operations of `operations/oauth.ts`, by operationId. */
export const oauthHandlers = {
  oauthAuthorize: authorize,
  oauthCallback: (ctx) => callback(ctx, new URL(ctx.request.url).searchParams),
  oauthCallbackPost: async (ctx) => {
    const body = await ctx.body();
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(body)) {
      if (typeof value === 'string') params.set(name, value);
    }
    return callback(ctx, params);
  },
  listLinkedAccounts: async (ctx) => {
    const { user } = await ctx.caller();
    return json(200, { accounts: await ctx.auth.oauth.accounts(user.id) });
  },
  linkAccount: async (ctx) => {
    const { user, session } = await ctx.caller();
    const body = pick<{
      redirectTo?: string;
      password?: string;
      code?: string;
      method?: 'totp' | 'recovery';
    }>(await ctx.body(), ['redirectTo', 'password', 'code', 'method']);
    const start = await ctx.auth.oauth.link(
      ctx.params.provider as string,
      { userId: user.id, sessionId: session.id, ...body },
      ctx.client,
    );
    return json(200, { url: start.url }, [bindingCookie(ctx, start)]);
  },
  unlinkAccount: async (ctx) => {
    const { user, session } = await ctx.caller();
    await ctx.auth.oauth.unlink(
      { userId: user.id, accountId: ctx.params.id as string, sessionId: session.id },
      ctx.client,
    );
    return noContent();
  },
} satisfies Handlers;
