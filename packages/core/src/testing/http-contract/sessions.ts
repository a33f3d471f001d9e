import { describe, expect, it } from 'vitest';
import type { ContractClient } from './client.js';
import type { ContractContext, SignedIn } from './context.js';
import {
  expectCleared,
  expectError,
  expectNoContent,
  expectOk,
  expectSessionItem,
  expectUser,
  keysOf,
  REFRESH_COOKIE,
  SESSION_COOKIE,
  SESSION_KEYS,
} from './expect.js';

const DAY_MS = 86_400_000;

/** Routes that need a signed-in caller, with a body that would otherwise be acceptable. */
export const PROTECTED_ROUTES: readonly { method: string; route: string; json?: unknown }[] = [
  { method: 'GET', route: '/session' },
  { method: 'GET', route: '/sessions' },
  { method: 'DELETE', route: '/sessions/some-session-id' },
  { method: 'POST', route: '/logout' },
  { method: 'POST', route: '/logout/all' },
  { method: 'GET', route: '/user' },
  { method: 'PATCH', route: '/user', json: { firstName: 'Ada' } },
  {
    method: 'POST',
    route: '/user/email',
    json: { newEmail: 'new@example.com', password: 'whatever it is' },
  },
  {
    method: 'POST',
    route: '/password/change',
    json: { currentPassword: 'a long one', newPassword: 'another one' },
  },
  { method: 'DELETE', route: '/user', json: { password: 'whatever it is' } },
  { method: 'GET', route: '/audit' },
];

/** A fresh client holding the credential `signedIn` holds now (to replay it later). */
export function cloneCredentials(ctx: ContractContext, signedIn: SignedIn): ContractClient {
  const copy = ctx.client();
  copy.bearer = signedIn.client.bearer;
  copy.csrfToken = signedIn.client.csrfToken;
  for (const name of [SESSION_COOKIE, '__Host-portcullis.csrf']) {
    const value = signedIn.client.jar.get(name);
    if (value !== undefined) copy.jar.set(name, value);
  }
  return copy;
}

/** Asserts that a client's credential no longer works: `GET /session` is 401. */
export async function expectSignedOut(client: ContractClient): Promise<void> {
  expectError(await client.request('GET', '/session'), 401, 'UNAUTHENTICATED');
}

/** `GET /session(s)`, `DELETE /sessions/:id`, `POST /logout(/all)`. */
export function describeSessions(ctx: ContractContext): void {
  describe('sessions', () => {
    it('answers GET /session with 200 {user, session} for the caller', async () => {
      const account = await ctx.signUp();
      const signedIn = await ctx.signIn(account);
      const body = expectOk(await signedIn.client.request('GET', '/session'));
      expect(keysOf(body)).toEqual(['session', 'user']);
      expectUser(body.user, { id: signedIn.userId, email: account.email });
      const session = body.session as Record<string, unknown>;
      expect(keysOf(session).every((k) => [...SESSION_KEYS, 'amr'].includes(k))).toBe(true);
      // The earlier of the idle (7 days) and the absolute (30 days) expiry.
      expect(session.expiresAt).toBe(new Date(ctx.clock.now() + 7 * DAY_MS).toISOString());
      if (ctx.variant.strategy === 'cookie') {
        expect(session.id).toBe((signedIn.login.session as { id: string }).id);
      }
    });

    it('ends a session idle for 7 days (401), whatever the client still holds', async () => {
      const signedIn = await ctx.signIn(await ctx.signUp());
      const refreshToken = signedIn.client.refreshToken ?? signedIn.client.jar.get(REFRESH_COOKIE);
      ctx.clock.advance(7 * DAY_MS);
      await expectSignedOut(signedIn.client);
      if (refreshToken !== undefined) {
        expectError(await ctx.refresh(refreshToken), 401, 'REFRESH_TOKEN_INVALID');
      }
    });

    it.each(PROTECTED_ROUTES)(
      'answers $method $route with 401 UNAUTHENTICATED when signed out',
      async ({ method, route, json }) => {
        const res = await ctx.client().request(method, route, json === undefined ? {} : { json });
        expectError(res, 401, 'UNAUTHENTICATED');
      },
    );

    it('answers 401 UNAUTHENTICATED for a forged session cookie or Bearer token', async () => {
      const forgedCookie = ctx.client();
      forgedCookie.jar.set(
        SESSION_COOKIE,
        'bm90LWEtc2Vzc2lvbg.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      );
      expectError(await forgedCookie.request('GET', '/session'), 401, 'UNAUTHENTICATED');
      const forgedBearer = ctx.client();
      forgedBearer.bearer = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
      expectError(await forgedBearer.request('GET', '/session'), 401, 'UNAUTHENTICATED');
      const garbage = ctx.client();
      garbage.jar.set(SESSION_COOKIE, '%%%');
      expectError(await garbage.request('GET', '/user'), 401, 'UNAUTHENTICATED');
    });

    it('lists live sessions newest first with current, ip and user agent (GET /sessions)', async () => {
      const account = await ctx.signUp();
      const a = await ctx.signIn(account, 'contract-device-a');
      ctx.clock.advance(60_000);
      const b = await ctx.signIn(account, 'contract-device-b');
      const body = expectOk(await b.client.request('GET', '/sessions'));
      expect(keysOf(body)).toEqual(['sessions']);
      const sessions = body.sessions as Record<string, unknown>[];
      expect(sessions).toHaveLength(2);
      for (const s of sessions) expectSessionItem(s);
      expect(sessions.map((s) => [s.userAgent, s.current])).toEqual([
        ['contract-device-b', true],
        ['contract-device-a', false],
      ]);
      expect(sessions[0]?.ip).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
      const fromA = expectOk(await a.client.request('GET', '/sessions'));
      expect((fromA.sessions as { current: boolean }[]).map((s) => s.current)).toEqual([
        false,
        true,
      ]);
    });

    it('never takes the client address from X-Forwarded-For without trusted proxies', async () => {
      const account = await ctx.signUp();
      const client = ctx.client();
      const res = await client.request('POST', '/login', {
        json: { identifier: account.email, password: account.password },
        headers: { 'x-forwarded-for': '198.51.100.23' },
      });
      expect(res.status).toBe(200);
      const signedIn = await ctx.signIn(account);
      const body = expectOk(await signedIn.client.request('GET', '/sessions'));
      expect(JSON.stringify(body)).not.toContain('198.51.100.23');
    });

    it('revokes one of the caller own sessions with DELETE /sessions/:id (204)', async () => {
      const account = await ctx.signUp();
      const a = await ctx.signIn(account);
      ctx.clock.advance(1000);
      const b = await ctx.signIn(account);
      const list = expectOk(await b.client.request('GET', '/sessions'));
      const other = (list.sessions as { id: string; current: boolean }[]).find((s) => !s.current);
      expectNoContent(await b.client.request('DELETE', `/sessions/${other?.id}`));
      await expectSignedOut(a.client);
      const after = expectOk(await b.client.request('GET', '/sessions'));
      expect((after.sessions as unknown[]).length).toBe(1);
    });

    it("answers 404 NOT_FOUND for another user's session and leaves it alive", async () => {
      const victim = await ctx.signIn(await ctx.signUp());
      const attacker = await ctx.signIn(await ctx.signUp());
      const list = expectOk(await victim.client.request('GET', '/sessions'));
      const [target] = list.sessions as { id: string }[];
      const res = await attacker.client.request('DELETE', `/sessions/${target?.id}`);
      expectError(res, 404, 'NOT_FOUND');
      expectError(
        await attacker.client.request('DELETE', '/sessions/no-such-session'),
        404,
        'NOT_FOUND',
      );
      expect((await victim.client.request('GET', '/session')).status).toBe(200);
    });

    it('signs out with POST /logout: 204, credentials cleared, and the old ones dead', async () => {
      const signedIn = await ctx.signIn(await ctx.signUp());
      const replay = cloneCredentials(ctx, signedIn);
      const refreshCookie = signedIn.client.jar.get(REFRESH_COOKIE);
      const res = await signedIn.client.request('POST', '/logout');
      expectNoContent(res);
      if (ctx.variant.strategy === 'cookie') {
        expectCleared(res, SESSION_COOKIE, '/');
        expect(signedIn.client.jar.get(SESSION_COOKIE)).toBeUndefined();
      } else if (ctx.variant.transport === 'cookie') {
        expectCleared(res, REFRESH_COOKIE, `${ctx.basePath}/token/refresh`);
      }
      signedIn.client.bearer = undefined;
      await expectSignedOut(signedIn.client);
      // Revoked on the server, not only forgotten by the browser.
      await expectSignedOut(replay);
      if (ctx.variant.strategy === 'jwt') {
        const refreshToken = signedIn.client.refreshToken ?? refreshCookie;
        expectError(await ctx.refresh(String(refreshToken)), 401, 'REFRESH_TOKEN_INVALID');
      }
    });

    it('signs every session out with POST /logout/all (204)', async () => {
      const account = await ctx.signUp();
      const a = await ctx.signIn(account);
      const b = await ctx.signIn(account);
      const other = await ctx.signIn(await ctx.signUp());
      const replayA = cloneCredentials(ctx, a);
      expectNoContent(await a.client.request('POST', '/logout/all'));
      await expectSignedOut(replayA);
      await expectSignedOut(b.client);
      expect((await other.client.request('GET', '/session')).status).toBe(200);
    });
  });
}
