import type { HttpContext } from '../context.js';
import { json, noContent } from '../respond.js';
import type { Handlers } from '../router.js';
import { clearAuthCookies, pick, stepUp } from './shared.js';

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

/** Handlers of the Account operations of `operations/account.ts`, by operationId. */
export const accountHandlers = {
  getUser: async (ctx) => json(200, { user: (await ctx.caller()).user }),
  updateUser: async (ctx) => {
    const { user } = await ctx.caller();
    // The whole body: the flow refuses any key that is not a profile or editable field.
    const patch = (await ctx.body()) as Parameters<typeof ctx.auth.users.update>[1];
    return json(200, { user: await ctx.auth.users.update(user.id, patch, ctx.client) });
  },
  deleteUser,
  requestEmailChange: async (ctx) => {
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
  confirmEmailChange: async (ctx) => {
    const { token } = pick<{ token: string }>(await ctx.body(), ['token']);
    return json(200, { user: await ctx.auth.users.confirmEmailChange(token, ctx.client) });
  },
  changePassword: async (ctx) => {
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
  requestPasswordReset: async (ctx) => {
    const { email } = pick<{ email: string }>(await ctx.body(), ['email']);
    return json(202, await ctx.auth.passwords.requestReset(email, ctx.client));
  },
  resetPassword: async (ctx) => {
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
  listAuditEvents: async (ctx) => {
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
} satisfies Handlers;
