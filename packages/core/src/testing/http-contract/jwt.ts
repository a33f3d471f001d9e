import { createLocalJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import type { ContractResponse } from './client.js';
import type { ContractContext, SignedIn } from './context.js';
import { APP_URL } from './context.js';
import { cookieOf, expectError, expectOk, expectUser, keysOf, REFRESH_COOKIE } from './expect.js';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

/** The refresh token a signed-in jwt client holds (body or cookie transport). */
export function refreshTokenOf(signedIn: SignedIn): string {
  const token = signedIn.client.refreshToken ?? signedIn.client.jar.get(REFRESH_COOKIE);
  if (token === undefined) throw new Error('http contract: the client holds no refresh token');
  return token;
}

/** Asserts a `200` refresh answer; returns the new access and refresh tokens. */
function expectRefreshed(
  ctx: ContractContext,
  res: ContractResponse,
): { accessToken: string; refreshToken: string } {
  const body = expectOk(res);
  const bodyTransport = ctx.variant.transport === 'body';
  expect(keysOf(body)).toEqual(
    bodyTransport ? ['accessToken', 'expiresIn', 'refreshToken'] : ['accessToken', 'expiresIn'],
  );
  expect(body.expiresIn).toBe(900);
  const refreshToken = bodyTransport ? body.refreshToken : cookieOf(res, REFRESH_COOKIE)?.value;
  expect(refreshToken).toMatch(/^[\w-]+\.[\w-]+$/);
  if (bodyTransport) expect(cookieOf(res, REFRESH_COOKIE)).toBeUndefined();
  return { accessToken: String(body.accessToken), refreshToken: String(refreshToken) };
}

/** `POST /token/refresh`, access token expiry, and Bearer requests (jwt strategy). */
export function describeJwt(ctx: ContractContext): void {
  describe('access and refresh tokens', () => {
    it('rotates the refresh token (200); the new access token works', async () => {
      const signedIn = await ctx.signIn(await ctx.signUp());
      const first = refreshTokenOf(signedIn);
      const next = expectRefreshed(ctx, await ctx.refresh(first));
      expect(next.refreshToken).not.toBe(first);
      const client = ctx.client();
      client.bearer = next.accessToken;
      const body = expectOk(await client.request('GET', '/session'));
      expectUser(body.user, { id: signedIn.userId });
      expect(expectRefreshed(ctx, await ctx.refresh(next.refreshToken)).refreshToken).not.toBe(
        next.refreshToken,
      );
    });

    it('answers a rotated refresh token with 401 REFRESH_TOKEN_REUSED and ends the session', async () => {
      const signedIn = await ctx.signIn(await ctx.signUp());
      const stolen = refreshTokenOf(signedIn);
      const next = expectRefreshed(ctx, await ctx.refresh(stolen));
      ctx.clock.advance(31_000); // past the 30 s in which a lost answer may be retried
      expectError(await ctx.refresh(stolen), 401, 'REFRESH_TOKEN_REUSED');
      expectError(await ctx.refresh(next.refreshToken), 401, 'REFRESH_TOKEN_INVALID');
      const client = ctx.client();
      client.bearer = next.accessToken;
      expectError(await client.request('GET', '/session'), 401, 'UNAUTHENTICATED');
    });

    it('answers a retry of a refresh whose answer was lost with the same new refresh token (200)', async () => {
      const signedIn = await ctx.signIn(await ctx.signUp());
      const token = refreshTokenOf(signedIn);
      const lost = expectRefreshed(ctx, await ctx.refresh(token));
      ctx.clock.advance(5_000);
      const retried = expectRefreshed(ctx, await ctx.refresh(token));
      expect(retried.refreshToken).toBe(lost.refreshToken);
      const client = ctx.client();
      client.bearer = retried.accessToken;
      expect((await client.request('GET', '/session')).status).toBe(200);
      expect(expectRefreshed(ctx, await ctx.refresh(retried.refreshToken)).refreshToken).not.toBe(
        retried.refreshToken,
      );
    });

    it('answers two concurrent refreshes with one token alike: one rotation, one new token', async () => {
      const signedIn = await ctx.signIn(await ctx.signUp());
      const token = refreshTokenOf(signedIn);
      const answers = await Promise.all([ctx.refresh(token), ctx.refresh(token)]);
      const [a, b] = answers.map((res) => expectRefreshed(ctx, res).refreshToken);
      expect(a).toBe(b);
      expect(a).not.toBe(token);
    });

    it('answers 401 REFRESH_TOKEN_INVALID for a forged or garbage refresh token', async () => {
      const signedIn = await ctx.signIn(await ctx.signUp());
      const [sessionId] = refreshTokenOf(signedIn).split('.');
      for (const token of [`${sessionId}.${'A'.repeat(43)}`, 'garbage', 'a.b.c']) {
        expectError(await ctx.refresh(token), 401, 'REFRESH_TOKEN_INVALID');
      }
      // The session survives a forgery that names it.
      expect((await signedIn.client.request('GET', '/session')).status).toBe(200);
    });

    it('refuses an access token after 15 min with 401 UNAUTHENTICATED; a refresh renews it', async () => {
      const signedIn = await ctx.signIn(await ctx.signUp());
      ctx.clock.advance(15 * 60_000);
      expectError(await signedIn.client.request('GET', '/session'), 401, 'UNAUTHENTICATED');
      const next = expectRefreshed(ctx, await ctx.refresh(refreshTokenOf(signedIn)));
      signedIn.client.bearer = next.accessToken;
      expect((await signedIn.client.request('GET', '/session')).status).toBe(200);
    });

    it('skips CSRF for Bearer-authenticated requests', async () => {
      const { client } = await ctx.signIn(await ctx.signUp());
      const res = await client.request('PATCH', '/user', {
        json: { firstName: 'Bearer' },
        origin: 'https://evil.example',
        csrf: false,
      });
      expectUser(expectOk(res).user, { firstName: 'Bearer' });
    });

    if (ctx.variant.transport === 'cookie') {
      it('accepts the refresh cookie from a trusted origin without x-csrf-token', async () => {
        const signedIn = await ctx.signIn(await ctx.signUp());
        const res = await signedIn.client.request('POST', '/token/refresh', { csrf: false });
        expectRefreshed(ctx, res);
      });

      it('refuses the refresh cookie from an untrusted or unknown origin (403 CSRF_FAILED)', async () => {
        const signedIn = await ctx.signIn(await ctx.signUp());
        const token = refreshTokenOf(signedIn);
        expectError(
          await ctx.refresh(token, { origin: 'https://evil.example' }),
          403,
          'CSRF_FAILED',
        );
        expectError(await ctx.refresh(token, { origin: null }), 403, 'CSRF_FAILED');
        const crossSite = { origin: null, headers: { 'sec-fetch-site': 'cross-site' } };
        expectError(await ctx.refresh(token, crossSite), 403, 'CSRF_FAILED');
        // None of the refused attempts used the token up.
        const sameOrigin = { origin: null, headers: { 'sec-fetch-site': 'same-origin' } };
        expectRefreshed(ctx, await ctx.refresh(token, sameOrigin));
      });
    } else {
      it('accepts a refresh token in the body without Origin (mobile clients)', async () => {
        const signedIn = await ctx.signIn(await ctx.signUp());
        expectRefreshed(ctx, await ctx.refresh(refreshTokenOf(signedIn), { origin: null }));
      });
    }
  });
}

/** `GET /jwks.json`: 404 with HS256, the public keys with EdDSA. */
export function describeJwks(ctx: ContractContext): void {
  describe('GET /jwks.json', () => {
    if (ctx.variant.algorithm !== 'EdDSA') {
      it('answers 404 NOT_FOUND when access tokens are HS256', async () => {
        expectError(await ctx.client().request('GET', '/jwks.json'), 404, 'NOT_FOUND');
      });
      return;
    }
    it('publishes the public keys, without private members, that verify access tokens', async () => {
      const res = await ctx.client().request('GET', '/jwks.json');
      const body = expectOk(res);
      expect(keysOf(body)).toEqual(['keys']);
      const keys = body.keys as Record<string, unknown>[];
      expect(keys.length).toBeGreaterThan(0);
      for (const key of keys) {
        expect(key).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
        for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);
      }
      const signedIn = await ctx.signIn(await ctx.signUp());
      const verified = await jwtVerify(
        String(signedIn.login.accessToken),
        createLocalJWKSet({ keys: keys as never }),
        { issuer: APP_URL, audience: APP_URL, currentDate: new Date(ctx.clock.now()) },
      );
      expect(verified.payload.sub).toBe(signedIn.userId);
    });
  });
}
