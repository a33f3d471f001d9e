import { describe, expect, it } from 'vitest';
import type { ContractClient, ContractResponse } from './client.js';
import type { ContractContext } from './context.js';
import { cookieOf, expectError, expectOk } from './expect.js';
import { CONTRACT_PROVIDER } from './oauth-provider.js';

const ROUTE = `/oauth/${CONTRACT_PROVIDER}`;
/** What a browser coming back from a provider sends: a cross-site top-level navigation. */
const CROSS_SITE = { origin: null, headers: { 'sec-fetch-site': 'cross-site' } } as const;

/**
 * Goes to the provider with the Location of an authorize (or link) answer, and returns the
 * callback's route below the base path (the provider redirects to `appUrl`, not to the server
 * under test).
 */
async function throughProvider(ctx: ContractContext, authorizeUrl: string): Promise<string> {
  const res = await fetch(authorizeUrl, { redirect: 'manual' });
  await res.body?.cancel();
  const back = new URL(res.headers.get('location') ?? '');
  expect(back.pathname).toBe(`${ctx.basePath}${ROUTE}/callback`);
  return `${back.pathname.slice(ctx.basePath.length)}${back.search}`;
}

/** Signs in with the contract provider on a new client: the callback's answer and the client. */
async function socialSignIn(
  ctx: ContractContext,
  redirectTo = '/welcome',
): Promise<{ client: ContractClient; callback: string; res: ContractResponse }> {
  const client = ctx.client();
  const start = await client.request(
    'GET',
    `${ROUTE}/authorize?redirectTo=${encodeURIComponent(redirectTo)}`,
  );
  expect(start.status).toBe(302);
  const callback = await throughProvider(ctx, start.headers.get('location') ?? '');
  const res = await client.request('GET', callback, CROSS_SITE);
  return { client, callback, res };
}

/** Makes a client that holds only the callback's cookies able to call session routes. */
async function authenticate(ctx: ContractContext, client: ContractClient): Promise<void> {
  if (ctx.variant.strategy === 'cookie') {
    await client.fetchCsrf();
    return;
  }
  const res = await client.request('POST', '/token/refresh');
  const body = expectOk(res);
  client.bearer = String(body.accessToken);
}

/** Social sign-in (`docs/oauth.md`): authorize, callback, linked accounts, link and unlink. */
export function describeOAuth(ctx: ContractContext): void {
  describe('social sign-in', () => {
    it('redirects to the provider with PKCE S256 and state, and sets the binding cookie', async () => {
      const res = await ctx.client().request('GET', `${ROUTE}/authorize?redirectTo=/notes`);
      expect(res.status).toBe(302);
      const url = new URL(res.headers.get('location') ?? '');
      expect(url.searchParams.get('code_challenge_method')).toBe('S256');
      expect(url.searchParams.get('state')).toMatch(/^[\w-]+\.[\w-]+$/);
      const binding = cookieOf(res, '__Host-portcullis.oauth');
      expect(binding?.value).toMatch(/^[\w-]{43}$/);
      expect(Object.fromEntries(binding?.attributes ?? [])).toMatchObject({
        httponly: true,
        secure: true,
        path: '/',
        'max-age': '600',
        samesite: 'Lax',
      });
    });

    it('answers 404 for an unknown provider and 400 for a redirectTo off the site', async () => {
      expectError(await ctx.client().request('GET', '/oauth/nope/authorize'), 404, 'NOT_FOUND');
      expectError(
        await ctx.client().request('GET', '/oauth/nope/callback?code=a&state=b', CROSS_SITE),
        404,
        'NOT_FOUND',
      );
      const res = await ctx
        .client()
        .request('GET', `${ROUTE}/authorize?redirectTo=${encodeURIComponent('//evil.example')}`);
      expectError(res, 400, 'VALIDATION_FAILED');
    });

    it('signs in through the provider: 302 to redirectTo with the session a /login sets', async () => {
      ctx.oauthProvider().next = {
        id: `p-${Date.now()}-${Math.random()}`,
        email: ctx.newAccount().email,
        verified: true,
      };
      const { client, res } = await socialSignIn(ctx, '/welcome');
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe('/welcome');
      const kept =
        ctx.variant.strategy === 'cookie'
          ? '__Host-portcullis.session'
          : '__Secure-portcullis.refresh';
      expect(cookieOf(res, kept)?.value).toBeTruthy();
      await authenticate(ctx, client);
      expectOk(await client.request('GET', '/session'));
    });

    it('refuses a replayed or foreign callback with a redirect to the sign-in page, never a 500', async () => {
      ctx.oauthProvider().next = {
        id: `p-${Date.now()}-${Math.random()}`,
        email: ctx.newAccount().email,
        verified: true,
      };
      const { client, callback } = await socialSignIn(ctx);
      const replay = await client.request('GET', callback, CROSS_SITE);
      expect(replay.status).toBe(302);
      expect(replay.headers.get('location')).toBe('/login?error=OAUTH_FAILED&reason=state');
      // A provider's form_post answer with a state this browser never started.
      const posted = await ctx.client().request('POST', `${ROUTE}/callback`, {
        ...CROSS_SITE,
        form: {
          state: 'AAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
          code: 'x',
        },
      });
      expect(posted.status).toBe(302);
      expect(posted.headers.get('location')).toBe('/login?error=OAUTH_FAILED&reason=state');
    });

    it('lists, links and unlinks accounts; the last way to sign in stays', async () => {
      // A user made by the provider. With magic links on (as in this suite) its verified address
      // is a way in, so its one link may go: the address still signs in. (Without magic links
      // the link is its last way in and stays: the core's own tests check that refusal.)
      const email = ctx.newAccount().email;
      ctx.oauthProvider().next = { id: `p-${Date.now()}-${Math.random()}`, email, verified: true };
      const social = await socialSignIn(ctx);
      await authenticate(ctx, social.client);
      const listed = expectOk(await social.client.request('GET', '/oauth/accounts'));
      const accounts = listed.accounts as { id: string; provider: string }[];
      expect(accounts.map((a) => a.provider)).toEqual([CONTRACT_PROVIDER]);
      const unlinked = await social.client.request('DELETE', `/oauth/accounts/${accounts[0]?.id}`);
      expect(unlinked.status).toBe(204);
      await ctx.client().request('POST', '/magic-link', { json: { email } });
      const token = await ctx.mailToken(email, 'magic-link');
      const back = await ctx.client().request('POST', '/magic-link/verify', { json: { token } });
      expect(expectOk(back).status).toBe('signed_in');
      // A user with a password links the provider from a fresh session, then unlinks it.
      const { client } = await ctx.signIn(await ctx.signUp());
      ctx.oauthProvider().next = {
        id: `p-${Date.now()}-${Math.random()}`,
        email: ctx.newAccount().email,
        verified: true,
      };
      const started = expectOk(
        await client.request('POST', `${ROUTE}/link`, { json: { redirectTo: '/settings' } }),
      );
      const callback = await throughProvider(ctx, String(started.url));
      const linked = await client.request('GET', callback, CROSS_SITE);
      expect(linked.status).toBe(302);
      expect(linked.headers.get('location')).toBe(`/settings?linked=${CONTRACT_PROVIDER}`);
      const mine = expectOk(await client.request('GET', '/oauth/accounts'));
      const [link] = mine.accounts as { id: string }[];
      expect(link).toBeDefined();
      expect((await client.request('DELETE', `/oauth/accounts/${link?.id}`)).status).toBe(204);
      expect(expectOk(await client.request('GET', '/oauth/accounts')).accounts).toEqual([]);
      expectError(await client.request('DELETE', `/oauth/accounts/${link?.id}`), 404, 'NOT_FOUND');
    });
  });
}
