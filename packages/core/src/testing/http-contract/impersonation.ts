import { describe, expect, it } from 'vitest';
import type { ContractClient } from './client.js';
import type { ContractContext, SignedIn } from './context.js';
import { expectCookieAttributes } from './cookies.js';
import {
  CSRF_COOKIE,
  cookieOf,
  expectCleared,
  expectError,
  expectNoContent,
  expectOk,
  expectSignedIn,
  expectUser,
  SESSION_COOKIE,
} from './expect.js';

/** Where an impersonating admin's own session token waits (cookie strategy). */
const ADMIN_COOKIE = `${SESSION_COOKIE}_admin`;
const HOUR_MS = 3_600_000;

/** A signed-in admin: a new account given the built-in `admin` role, then signed in. */
async function signedInAdmin(ctx: ContractContext): Promise<SignedIn> {
  const account = await ctx.signUp();
  const user = await ctx.auth().storage.users.getByEmail(account.email);
  if (user === undefined) throw new Error('http contract: no such user');
  await ctx.auth().storage.users.update(user.id, { roles: ['admin'], updatedAt: ctx.clock.now() });
  return ctx.signIn(account);
}

/** The claims of a JWT, unverified (the suite reads what the server wrote). */
function claimsOf(jwt: string): Record<string, unknown> {
  const payload = jwt.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/**
 * `POST /admin/users/:id/impersonate` by `admin` on `targetId`. Cookie strategy: the admin's
 * client now holds the impersonation (and its CSRF token). jwt strategy: a new client holds
 * the impersonation's access token; the admin's client keeps its own.
 */
async function impersonate(
  ctx: ContractContext,
  admin: SignedIn,
  targetId: string,
): Promise<{ client: ContractClient; body: Record<string, unknown> }> {
  const res = await admin.client.request('POST', `/admin/users/${targetId}/impersonate`);
  if (ctx.variant.strategy === 'cookie') {
    expectSignedIn(ctx, res);
    await admin.client.fetchCsrf();
    return { client: admin.client, body: res.body as Record<string, unknown> };
  }
  const body = expectOk(res);
  expect(body).toMatchObject({ status: 'signed_in', refreshToken: expect.any(String) });
  const client = ctx.client('portcullis-contract/impersonation');
  client.bearer = String(body.accessToken);
  return { client, body };
}

/** Impersonation (`docs/impersonation.md`): the swap, its limits and its end. */
export function describeImpersonation(ctx: ContractContext): void {
  describe('impersonation', () => {
    it('answers 401 to an anonymous caller, 403 to a user without users:impersonate', async () => {
      const target = await ctx.signIn(await ctx.signUp());
      const plain = await ctx.signIn(await ctx.signUp());
      const route = `/admin/users/${target.userId}/impersonate`;
      expectError(await ctx.client().request('POST', route), 401, 'UNAUTHENTICATED');
      expectError(
        await ctx.client().request('POST', '/admin/impersonation/stop'),
        401,
        'UNAUTHENTICATED',
      );
      expectError(await plain.client.request('POST', route), 403, 'FORBIDDEN');
      // A session that is no impersonation has nothing to stop.
      expectError(
        await plain.client.request('POST', '/admin/impersonation/stop'),
        400,
        'VALIDATION_FAILED',
      );
      expect((await target.client.request('GET', '/sessions')).body).toMatchObject({
        sessions: [{ impersonatedBy: null }],
      });
    });

    it('refuses oneself, another admin, an unknown user, and an impersonation going further', async () => {
      const admin = await signedInAdmin(ctx);
      const other = await signedInAdmin(ctx);
      const target = await ctx.signIn(await ctx.signUp());
      const self = `/admin/users/${admin.userId}/impersonate`;
      expectError(await admin.client.request('POST', self), 400, 'VALIDATION_FAILED');
      const peer = `/admin/users/${other.userId}/impersonate`;
      expectError(await admin.client.request('POST', peer), 403, 'FORBIDDEN');
      const unknown = '/admin/users/no-such-user/impersonate';
      expectError(await admin.client.request('POST', unknown), 404, 'NOT_FOUND');
      const as = await impersonate(ctx, admin, target.userId);
      const again = `/admin/users/${other.userId}/impersonate`;
      expectError(await as.client.request('POST', again), 403, 'FORBIDDEN');
      expectError(await as.client.request('GET', '/admin/users'), 403, 'FORBIDDEN');
      expectError(
        await as.client.request('GET', `/admin/users/${target.userId}`),
        403,
        'FORBIDDEN',
      );
      expectError(await as.client.request('GET', '/admin/audit'), 403, 'FORBIDDEN');
      // No step-up, whatever the proof: the admin knows none of the user's secrets.
      expectError(
        await as.client.request('POST', '/reauthenticate', {
          json: { password: 'anything at all' },
        }),
        403,
        'FORBIDDEN',
      );
      expectError(
        await as.client.request('POST', '/password/change', {
          json: { currentPassword: 'anything at all', newPassword: 'a brand new passphrase' },
        }),
        403,
        'FORBIDDEN',
      );
      expectError(
        await as.client.request('DELETE', '/user', { json: { password: 'anything at all' } }),
        403,
        'FORBIDDEN',
      );
      expectError(await as.client.request('POST', '/logout/all'), 403, 'FORBIDDEN');
      // The user's account is untouched.
      expect((await target.client.request('GET', '/session')).status).toBe(200);
      expectNoContent(await as.client.request('POST', '/admin/impersonation/stop'));
    });

    it('ends by itself one hour after it started, activity or refreshes notwithstanding', async () => {
      const admin = await signedInAdmin(ctx);
      const target = await ctx.signIn(await ctx.signUp());
      const as = await impersonate(ctx, admin, target.userId);
      let refreshToken = as.body.refreshToken;
      /** A request in the session, after a refresh in the jwt strategy (tokens last 15 min). */
      const active = async () => {
        if (ctx.variant.strategy === 'jwt') {
          const res = await ctx.client().request('POST', '/token/refresh', {
            json: { refreshToken },
          });
          if (res.status !== 200) return res;
          const body = res.body as { accessToken: string; refreshToken: string };
          as.client.bearer = body.accessToken;
          refreshToken = body.refreshToken;
        }
        return as.client.request('GET', '/session');
      };
      const seen = expectOk(await active());
      expect((seen.session as { expiresAt: string }).expiresAt).toBe(
        new Date(ctx.clock.now() + HOUR_MS).toISOString(),
      );
      for (let minutes = 20; minutes < 60; minutes += 20) {
        ctx.clock.advance(20 * 60_000);
        expect((await active()).status).toBe(200);
      }
      ctx.clock.advance(20 * 60_000);
      const after = await active();
      if (ctx.variant.strategy === 'jwt') expectError(after, 401, 'REFRESH_TOKEN_INVALID');
      else expectError(after, 401, 'UNAUTHENTICATED');
      // The user's own session lives on.
      const own = await ctx.auth().sessions.list(target.userId);
      expect(own.map((s) => s.impersonatedBy)).toEqual([null]);
    });

    if (ctx.variant.strategy === 'cookie') {
      it("swaps the session cookie, keeps the admin's in an HttpOnly _admin cookie, and swaps back at stop", async () => {
        const admin = await signedInAdmin(ctx);
        const target = await ctx.signIn(await ctx.signUp());
        const adminToken = admin.client.jar.get(SESSION_COOKIE);
        const res = await admin.client.request('POST', `/admin/users/${target.userId}/impersonate`);
        expectSignedIn(ctx, res);
        expectUser((res.body as { user: unknown }).user, { id: target.userId });
        const swapped = cookieOf(res, SESSION_COOKIE);
        expect(swapped?.value).not.toBe(adminToken);
        expect(swapped?.attributes.get('max-age')).toBe(String(HOUR_MS / 1000));
        const kept = cookieOf(res, ADMIN_COOKIE);
        expect(kept?.value).toBe(adminToken);
        expectCookieAttributes(kept, { httpOnly: true, sameSite: 'lax', path: '/' });
        expect(cookieOf(res, CSRF_COOKIE)).toBeDefined();
        await admin.client.fetchCsrf();
        const during = expectOk(await admin.client.request('GET', '/session'));
        expectUser(during.user, { id: target.userId });
        expect(during.session).toMatchObject({ impersonatedBy: admin.userId });
        // The user sees it among their sessions.
        const listed = expectOk(await target.client.request('GET', '/sessions'));
        const marks = (listed.sessions as { impersonatedBy: string | null }[]).map(
          (s) => s.impersonatedBy,
        );
        expect(marks.sort()).toEqual([admin.userId, null].sort());

        const stop = await admin.client.request('POST', '/admin/impersonation/stop');
        expectNoContent(stop);
        expect(cookieOf(stop, SESSION_COOKIE)?.value).toBe(adminToken);
        expectCleared(stop, ADMIN_COOKIE, '/');
        expect(cookieOf(stop, CSRF_COOKIE)).toBeDefined();
        await admin.client.fetchCsrf();
        const after = expectOk(await admin.client.request('GET', '/session'));
        expectUser(after.user, { id: admin.userId });
        expect(after.session).toMatchObject({ impersonatedBy: null });
        expect(admin.client.jar.get(ADMIN_COOKIE)).toBeUndefined();
        expect((await admin.client.request('GET', '/admin/users')).status).toBe(200);
        // The impersonation session is gone for good, whoever presents it.
        const replay = ctx.client();
        replay.jar.set(SESSION_COOKIE, swapped?.value ?? '');
        expectError(await replay.request('GET', '/session'), 401, 'UNAUTHENTICATED');
        // Both trails name the admin, start and stop.
        for (const userId of [target.userId, admin.userId]) {
          const audit = expectOk(
            await admin.client.request('GET', `/admin/audit?userId=${userId}&type=admin.action`),
          );
          const actions = (audit.events as { data: { action: string; adminId: string } }[])
            .map((e) => e.data)
            .filter((d) => d.action.startsWith('impersonation.'));
          expect(actions.map((a) => a.action)).toEqual([
            'impersonation.stop',
            'impersonation.start',
          ]);
          expect(new Set(actions.map((a) => a.adminId))).toEqual(new Set([admin.userId]));
        }
      });

      it('signing out of an impersonation ends it as stop does: audited, the admin put back', async () => {
        const admin = await signedInAdmin(ctx);
        const target = await ctx.signIn(await ctx.signUp());
        const adminToken = admin.client.jar.get(SESSION_COOKIE);
        await impersonate(ctx, admin, target.userId);
        await admin.client.fetchCsrf();
        const out = await admin.client.request('POST', '/logout');
        expectNoContent(out);
        expect(cookieOf(out, SESSION_COOKIE)?.value).toBe(adminToken);
        expectCleared(out, ADMIN_COOKIE, '/');
        await admin.client.fetchCsrf();
        expectUser(expectOk(await admin.client.request('GET', '/session')).user, {
          id: admin.userId,
        });
        const audit = expectOk(
          await admin.client.request(
            'GET',
            `/admin/audit?userId=${target.userId}&type=admin.action`,
          ),
        );
        const actions = (audit.events as { data: { action: string } }[]).map((e) => e.data.action);
        expect(actions).toContain('impersonation.stop');
      });

      it('revoking its own session by id is its stop too', async () => {
        const admin = await signedInAdmin(ctx);
        const target = await ctx.signIn(await ctx.signUp());
        const adminToken = admin.client.jar.get(SESSION_COOKIE);
        const as = await impersonate(ctx, admin, target.userId);
        await admin.client.fetchCsrf();
        const id = (as.body.session as { id: string }).id;
        const out = await admin.client.request('DELETE', `/sessions/${id}`);
        expectNoContent(out);
        expect(cookieOf(out, SESSION_COOKIE)?.value).toBe(adminToken);
        expectCleared(out, ADMIN_COOKIE, '/');
      });

      it("clears both cookies at stop when the admin's own session died meanwhile", async () => {
        const admin = await signedInAdmin(ctx);
        const target = await ctx.signIn(await ctx.signUp());
        const adminSessionId = (admin.login.session as { id: string }).id;
        await impersonate(ctx, admin, target.userId);
        await ctx.auth().logout(adminSessionId);
        const stop = await admin.client.request('POST', '/admin/impersonation/stop');
        expectNoContent(stop);
        expectCleared(stop, SESSION_COOKIE, '/');
        expectCleared(stop, ADMIN_COOKIE, '/');
        expectError(await admin.client.request('GET', '/session'), 401, 'UNAUTHENTICATED');
      });
    } else {
      it('answers the tokens in the body, sets no cookie, marks them with act, and stop ends them', async () => {
        const admin = await signedInAdmin(ctx);
        const target = await ctx.signIn(await ctx.signUp());
        const res = await admin.client.request('POST', `/admin/users/${target.userId}/impersonate`);
        expectOk(res);
        const body = res.body as Record<string, unknown>;
        expect(Object.keys(body).sort()).toEqual([
          'accessToken',
          'expiresIn',
          'refreshToken',
          'status',
          'user',
        ]);
        // The admin's own refresh cookie stays theirs.
        expect(res.setCookies).toEqual([]);
        const accessToken = String(body.accessToken);
        expect(claimsOf(accessToken)).toMatchObject({
          sub: target.userId,
          act: { sub: admin.userId },
        });
        expect(claimsOf(String(admin.client.bearer))).not.toHaveProperty('act');
        const as = ctx.client('portcullis-contract/impersonation');
        as.bearer = accessToken;
        const seen = expectOk(await as.request('GET', '/session'));
        expectUser(seen.user, { id: target.userId });
        expect(seen.session).toMatchObject({ impersonatedBy: admin.userId });
        // A refresh keeps the mark (and its hour).
        const refreshed = expectOk(
          await ctx.client().request('POST', '/token/refresh', {
            json: { refreshToken: body.refreshToken },
          }),
        );
        expect(claimsOf(String(refreshed.accessToken))).toMatchObject({
          act: { sub: admin.userId },
        });
        as.bearer = String(refreshed.accessToken);
        expectNoContent(await as.request('POST', '/admin/impersonation/stop'));
        expectError(await as.request('GET', '/session'), 401, 'UNAUTHENTICATED');
        expectError(
          await ctx.client().request('POST', '/token/refresh', {
            json: { refreshToken: refreshed.refreshToken },
          }),
          401,
          'REFRESH_TOKEN_INVALID',
        );
        // The admin never left.
        const own = expectOk(await admin.client.request('GET', '/session'));
        expectUser(own.user, { id: admin.userId });
      });
    }
  });
}
