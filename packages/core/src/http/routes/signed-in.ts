import { randomToken } from '../../crypto/tokens.js';
import type { LoginResult } from '../../sign-in/types.js';
import type { HttpContext } from '../context.js';
import { cookieSpec, serializeCookie } from '../cookies.js';
import { json } from '../respond.js';
import { csrfToken, fromBrowser, signInContext } from './shared.js';

/** A sign-in that went through: `POST /login` without a second factor, or `POST /2fa/verify`. */
export type SignedInResult = Extract<LoginResult, { status: 'signed_in' }>;

/**
 * The answer to a completed sign-in, one code path for `POST /login` and `POST /2fa/verify`:
 * cookie strategy, `{status, user, session:{id,expiresAt}}` with the session cookie and a new
 * CSRF cookie; jwt strategy, `{status, user, accessToken, expiresIn, refreshToken?}` with the
 * refresh cookie unless `refreshTokenTransport` is `body`. `cookies` are added (the
 * trusted-device cookie of `/2fa/verify`).
 */
export function signedInResponse(
  ctx: HttpContext,
  result: SignedInResult,
  cookies: readonly string[] = [],
): Response {
  const { config } = ctx;
  const lifetime =
    (Date.parse(result.session.createdAt) +
      config.session.absoluteTimeoutSeconds * 1000 -
      ctx.now()) /
    1000;
  if (result.tokens.strategy === 'cookie') {
    // The new session's CSRF token: a token planted or read before it is worth nothing after.
    const csrf = csrfToken(ctx, result.session.id);
    const session = serializeCookie(
      cookieSpec(config, 'session'),
      result.tokens.sessionToken,
      lifetime,
    );
    return json(
      200,
      {
        status: 'signed_in',
        user: result.user,
        session: { id: result.session.id, expiresAt: result.session.expiresAt },
      },
      [session, csrf.cookie, ...cookies],
    );
  }
  const { accessToken, expiresIn, refreshToken } = result.tokens;
  const inBody = config.http.refreshTokenTransport === 'body';
  const body = {
    status: 'signed_in',
    user: result.user,
    accessToken,
    expiresIn,
    ...(inBody ? { refreshToken } : {}),
  };
  const refresh = inBody
    ? []
    : [serializeCookie(cookieSpec(config, 'refresh'), refreshToken, lifetime)];
  return json(200, body, [...refresh, ...cookies]);
}

/**
 * The answer of a sign-in route (`/login`, a passkey, a magic link), one code path: signed in
 * ({@link signedInResponse}), or a user with 2FA's challenge. A browser's challenge is bound to
 * it: a secret in an HttpOnly cookie, which the challenge needs beside itself, so a challenge
 * read from a log or a proxy cannot be finished elsewhere. `run` gets the sign-in context (the
 * trusted-device cookie, the session the browser still holds, the binding).
 */
export async function signInAnswer(
  ctx: HttpContext,
  run: (context: ReturnType<typeof signInContext>) => Promise<LoginResult>,
): Promise<Response> {
  const binding = fromBrowser(ctx.request) ? randomToken({ random: ctx.config.random }) : undefined;
  const result = await run({
    ...signInContext(ctx),
    ...(binding === undefined ? {} : { challengeBinding: binding }),
  });
  if (result.status === 'two_factor_required') {
    const cookies =
      binding === undefined
        ? []
        : [
            serializeCookie(
              cookieSpec(ctx.config, 'challenge'),
              binding,
              ctx.config.twoFactor.challengeTtlSeconds,
            ),
          ];
    return json(
      200,
      { status: result.status, challenge: result.challenge, methods: result.methods },
      cookies,
    );
  }
  return signedInResponse(ctx, result);
}
