import type { HttpContext } from '../context.js';
import { json, noContent } from '../respond.js';
import type { Route } from '../router.js';
import { clearAuthCookies, pick, stepUp } from './shared.js';

type ProfilePatch = {
  username?: string | null;
  firstName?: string | null;
  lastName?: string | null;
};

async function deleteUser(ctx: HttpContext): Promise<Response> {
  const { user, session } = await ctx.caller();
  const body = await ctx.body();
  const { password } = pick<{ password: string }>(body, ['password']);
  await ctx.auth.users.delete(
    { userId: user.id, password, ...stepUp(body, session.id) },
    ctx.client,
  );
  // Trusted devices went with the account: the device cookie is dead too.
  return noContent(clearAuthCookies(ctx.config, ['session', 'refresh', 'device']));
}

/** The Account routes of the contract. */
export const accountRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/user',
    handle: async (ctx) => json(200, { user: (await ctx.caller()).user }),
  },
  {
    method: 'PATCH',
    path: '/user',
    handle: async (ctx) => {
      const { user } = await ctx.caller();
      const patch = pick<ProfilePatch>(await ctx.body(), ['username', 'firstName', 'lastName']);
      return json(200, { user: await ctx.auth.users.update(user.id, patch, ctx.client) });
    },
  },
  { method: 'DELETE', path: '/user', handle: deleteUser },
  {
    method: 'POST',
    path: '/user/email',
    handle: async (ctx) => {
      const { user, session } = await ctx.caller();
      const body = await ctx.body();
      const input = pick<{ newEmail: string; password: string }>(body, ['newEmail', 'password']);
      return json(
        202,
        await ctx.auth.users.requestEmailChange(
          { userId: user.id, ...input, ...stepUp(body, session.id) },
          ctx.client,
        ),
      );
    },
  },
  {
    method: 'POST',
    path: '/user/email/confirm',
    handle: async (ctx) => {
      const { token } = pick<{ token: string }>(await ctx.body(), ['token']);
      return json(200, { user: await ctx.auth.users.confirmEmailChange(token, ctx.client) });
    },
  },
  {
    method: 'POST',
    path: '/password/change',
    handle: async (ctx) => {
      const { user, session } = await ctx.caller();
      const body = await ctx.body();
      const input = pick<{ currentPassword: string; newPassword: string }>(body, [
        'currentPassword',
        'newPassword',
      ]);
      await ctx.auth.passwords.change(
        { userId: user.id, ...input, ...stepUp(body, session.id) },
        ctx.client,
      );
      return noContent();
    },
  },
  {
    method: 'POST',
    path: '/password/reset',
    handle: async (ctx) => {
      const { email } = pick<{ email: string }>(await ctx.body(), ['email']);
      return json(202, await ctx.auth.passwords.requestReset(email, ctx.client));
    },
  },
  {
    method: 'POST',
    path: '/password/reset/confirm',
    handle: async (ctx) => {
      const input = pick<{ token: string; newPassword: string }>(await ctx.body(), [
        'token',
        'newPassword',
      ]);
      await ctx.auth.passwords.reset(input, ctx.client);
      // Every session was revoked: the browser's cookie is dead too.
      return json(
        200,
        { status: 'password_reset' },
        clearAuthCookies(ctx.config, ['session', 'refresh']),
      );
    },
  },
  {
    method: 'GET',
    path: '/audit',
    handle: async (ctx) => {
      const { user } = await ctx.caller();
      const events = await ctx.auth.audit.list(user.id);
      return json(200, {
        events: events.map((e) => ({
          type: e.type,
          at: new Date(e.createdAt).toISOString(),
          ip: e.ip ?? null,
          userAgent: e.userAgent ?? null,
        })),
      });
    },
  },
];
