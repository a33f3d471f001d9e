import { AuthError } from '../../errors/auth-error.js';
import type { RegisterInput } from '../../register/register.js';
import type { LoginInput } from '../../sign-in/types.js';
import type { HttpContext } from '../context.js';
import { cookieSpec, readCookie, serializeCookie } from '../cookies.js';
import { fromTrustedOrigin } from '../csrf.js';
import { errorResponse } from '../error-response.js';
import { json } from '../respond.js';
import type { Handlers } from '../router.js';
import { pick, signInContext } from './shared.js';
import { signedInResponse, signInAnswer } from './signed-in.js';

async function login(ctx: HttpContext): Promise<Response> {
  const input = pick<LoginInput>(await ctx.body(), ['identifier', 'password']);
  // A trusted-device cookie lets a user with 2FA on skip the second factor on this device.
  return signInAnswer(ctx, (context) => ctx.auth.login(input, context));
}

async function refresh(ctx: HttpContext): Promise<Response> {
  const { config } = ctx;
  const spec = cookieSpec(config, 'refresh');
  const body = await ctx.body();
  const fromBody = body.refreshToken;
  const fromCookie = readCookie(ctx.request, spec.name);
  if (
    fromBody === undefined &&
    fromCookie !== undefined &&
    !fromTrustedOrigin(ctx.request, config)
  ) {
    // The cookie is SameSite=Strict and path-scoped; a trusted origin is still required.
    throw new AuthError('CSRF_FAILED');
  }
  if (fromBody !== undefined && typeof fromBody !== 'string') {
    // A body that is not the shape the contract asks for is a bad request, not a bad token.
    throw new AuthError('VALIDATION_FAILED', {
      details: [{ path: 'refreshToken', message: 'refreshToken must be a string' }],
    });
  }
  const presented = fromBody ?? fromCookie;
  if (typeof presented !== 'string') throw new AuthError('REFRESH_TOKEN_INVALID');
  try {
    const tokens = await ctx.auth.refresh(presented, ctx.client);
    // The new token goes back where the old one came from: a mobile client that sent it in
    // the body must get its replacement in the body, whatever the default transport.
    const { accessToken, expiresIn, refreshToken } = tokens;
    if (fromBody !== undefined) return json(200, { accessToken, expiresIn, refreshToken });
    const lifetime = (tokens.sessionExpiresAt - ctx.now()) / 1000;
    return json(200, { accessToken, expiresIn }, [
      serializeCookie(spec, tokens.refreshToken, lifetime),
    ]);
  } catch (error) {
    // A dead refresh token is cleared so the client stops presenting it. A server-side failure
    // (a store outage: 503) says nothing about the token: the cookie stays, the client retries,
    // and the error goes on to the handler, which logs it.
    if (error instanceof AuthError && error.status < 500 && fromCookie !== undefined) {
      const res = errorResponse(error);
      res.headers.append('set-cookie', serializeCookie(spec, '', 0));
      return res;
    }
    throw error;
  }
}

/** Handlers of the Identity operations of `operations/identity.ts`, by operationId. */
export const identityHandlers = {
  register: async (ctx) => {
    const input = pick<RegisterInput>(await ctx.body(), [
      'email',
      'password',
      'username',
      'firstName',
      'lastName',
      // The app's own fields: the flow refuses those not marked `input`.
      ...ctx.config.user.fields.map((f) => f.name),
    ]);
    // The sign-in context (the session this browser still holds ends) only when it signs in.
    const context = ctx.config.registration.signIn ? signInContext(ctx) : ctx.client;
    const result = await ctx.auth.register(input, context);
    // `registration.signIn`: a new account is signed in at once (cookies or tokens).
    return result.status === 'signed_in' ? signedInResponse(ctx, result) : json(202, result);
  },
  verifyEmail: async (ctx) => {
    const { token } = pick<{ token: string }>(await ctx.body(), ['token']);
    await ctx.auth.verifyEmail(token, ctx.client);
    return json(200, { status: 'verified' });
  },
  resendVerification: async (ctx) => {
    const { email } = pick<{ email: string }>(await ctx.body(), ['email']);
    return json(202, await ctx.auth.resendVerification(email, ctx.client));
  },
  login,
  refreshToken: refresh,
} satisfies Handlers;
