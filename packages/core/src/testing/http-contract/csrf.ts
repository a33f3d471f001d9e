import { describe, expect, it } from 'vitest';
import type { ContractRequestOptions } from './client.js';
import { type ContractContext, TRUSTED_ORIGIN } from './context.js';
import { parseSetCookie } from './cookie-jar.js';
import { CSRF_COOKIE, expectError, expectNoContent, expectOk, SESSION_COOKIE } from './expect.js';

/** Cookie-authenticated unsafe routes, with a body that would otherwise succeed or fail late. */
const UNSAFE: readonly { method: string; route: string; json?: unknown }[] = [
  { method: 'POST', route: '/logout' },
  { method: 'POST', route: '/logout/all' },
  { method: 'PATCH', route: '/user', json: { firstName: 'Mallory' } },
  {
    method: 'POST',
    route: '/password/change',
    json: { currentPassword: 'x', newPassword: 'mallory was here' },
  },
  {
    method: 'POST',
    route: '/user/email',
    json: { newEmail: 'mallory@example.com', password: 'x' },
  },
  { method: 'DELETE', route: '/user', json: { password: 'x' } },
  { method: 'DELETE', route: '/sessions/some-session-id' },
];

/** Session-bound token and trusted-origin checks on cookie-authenticated writes. */
export function describeCsrf(ctx: ContractContext): void {
  /** A signed-in cookie client; its session must survive every refused request. */
  const victim = async () => (await ctx.signIn(await ctx.signUp())).client;
  const stillSignedIn = async (client: Awaited<ReturnType<typeof victim>>) => {
    expect((await client.request('GET', '/session')).status).toBe(200);
  };

  describe('CSRF (cookie-authenticated writes)', () => {
    it.each(UNSAFE)(
      'refuses $method $route without x-csrf-token (403 CSRF_FAILED)',
      async ({ method, route, json }) => {
        const client = await victim();
        const body: ContractRequestOptions = json === undefined ? {} : { json };
        expectError(
          await client.request(method, route, { ...body, csrf: false }),
          403,
          'CSRF_FAILED',
        );
        await stillSignedIn(client);
      },
    );

    it.each(UNSAFE)(
      'refuses $method $route with a wrong x-csrf-token',
      async ({ method, route, json }) => {
        const client = await victim();
        const body: ContractRequestOptions = json === undefined ? {} : { json };
        const wrong = `${client.csrfToken ?? ''}x`;
        expectError(
          await client.request(method, route, { ...body, csrf: wrong }),
          403,
          'CSRF_FAILED',
        );
        await stillSignedIn(client);
      },
    );

    it('refuses the right token from an untrusted or look-alike origin', async () => {
      const client = await victim();
      for (const origin of [
        'https://evil.example',
        'http://localhost:3001',
        'https://localhost:3000',
        'http://localhost:3000.evil.example',
        'null',
      ]) {
        const res = await client.request('PATCH', '/user', { json: { firstName: 'M' }, origin });
        expectError(res, 403, 'CSRF_FAILED');
      }
      await stillSignedIn(client);
    });

    it('refuses a request with neither Origin nor Sec-Fetch-Site same-origin', async () => {
      const client = await victim();
      const none = await client.request('POST', '/logout', { origin: null });
      expectError(none, 403, 'CSRF_FAILED');
      for (const site of ['cross-site', 'same-site', 'none']) {
        const res = await client.request('POST', '/logout', {
          origin: null,
          headers: { 'sec-fetch-site': site },
        });
        expectError(res, 403, 'CSRF_FAILED');
      }
      await stillSignedIn(client);
    });

    it("refuses a token that is not this session's (a fresh client's placeholder)", async () => {
      const client = await victim();
      client.jar.delete(CSRF_COOKIE);
      expectError(await client.request('POST', '/logout', { csrf: false }), 403, 'CSRF_FAILED');
      const other = await ctx.client().fetchCsrf();
      expectError(await client.request('POST', '/logout', { csrf: other }), 403, 'CSRF_FAILED');
    });

    it("refuses another session's token even with the matching cookie planted (bound to the session)", async () => {
      const client = await victim();
      const mallory = await victim();
      const theirs = mallory.csrfToken as string;
      // What a sibling subdomain can do once `http.cookies.domain` drops `__Host-`: plant its
      // own CSRF cookie in the victim's browser. A random double-submit token would then pass.
      client.jar.store(
        parseSetCookie(`${CSRF_COOKIE}=${theirs}; Path=/; Secure; SameSite=Lax`),
        `${ctx.basePath}/user`,
      );
      expectError(
        await client.request('PATCH', '/user', { json: { firstName: 'Mallory' }, csrf: theirs }),
        403,
        'CSRF_FAILED',
      );
      await stillSignedIn(client);
    });

    it('GET /csrf gives the session its own token; a forged session cookie gets one that works nowhere', async () => {
      const client = await victim();
      const own = client.csrfToken as string;
      expect(own).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(await client.fetchCsrf()).toBe(own);
      // The session id is no secret (the sessions list shows it): with it alone, no token.
      const id = ((await client.request('GET', '/session')).body as { session: { id: string } })
        .session.id;
      const mallory = ctx.client();
      mallory.jar.store(
        parseSetCookie(`${SESSION_COOKIE}=${id}.${'A'.repeat(43)}; Path=/; Secure; SameSite=Lax`),
        `${ctx.basePath}/csrf`,
      );
      const forged = await mallory.fetchCsrf();
      expect(forged).not.toBe(own);
      expectError(await client.request('POST', '/logout', { csrf: forged }), 403, 'CSRF_FAILED');
      await stillSignedIn(client);
    });

    it('accepts the token with Sec-Fetch-Site same-origin and no Origin', async () => {
      const client = await victim();
      const res = await client.request('PATCH', '/user', {
        json: { firstName: 'Same' },
        origin: null,
        headers: { 'sec-fetch-site': 'same-origin' },
      });
      expect(expectOk(res).user).toMatchObject({ firstName: 'Same' });
      expectNoContent(
        await client.request('POST', '/logout', {
          origin: null,
          headers: { 'sec-fetch-site': 'same-origin' },
        }),
      );
    });

    it('accepts the token from an origin listed in trustedOrigins', async () => {
      const client = await victim();
      const res = await client.request('POST', '/password/change', {
        json: { currentPassword: 'not it at all', newPassword: 'mallory was here' },
        origin: TRUSTED_ORIGIN,
      });
      // Past CSRF: the password check answers.
      expectError(res, 403, 'PASSWORD_INCORRECT');
    });

    it('does not ask safe methods for a token, whatever the origin', async () => {
      const client = await victim();
      const res = await client.request('GET', '/session', { origin: 'https://evil.example' });
      expect(res.status).toBe(200);
    });

    it('lets unauthenticated writes (sign-in) through without a token', async () => {
      const account = await ctx.signUp();
      const res = await ctx.client().request('POST', '/login', {
        json: { identifier: account.email, password: account.password },
        csrf: false,
      });
      expect(res.status).toBe(200);
    });
  });
}
