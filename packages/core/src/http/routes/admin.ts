import { AuthError } from '../../errors/auth-error.js';
import type { HttpContext } from '../context.js';
import { json, noContent } from '../respond.js';
import type { Handlers } from '../router.js';
import { pick, sessionView } from './shared.js';

/** The signed-in caller as the admin API names them. */
async function actor(ctx: HttpContext) {
  const { user, session } = await ctx.caller();
  return { userId: user.id, sessionId: session.id };
}

/** `limit` and `disabled` of a query string, typed for the flow's schema (which checks them). */
function listQuery(url: URL) {
  const q = url.searchParams;
  const out: Record<string, unknown> = {};
  for (const name of ['query', 'cursor', 'role']) {
    const value = q.get(name);
    if (value !== null) out[name] = value;
  }
  const limit = q.get('limit');
  if (limit !== null) out.limit = /^\d{1,4}$/.test(limit) ? Number(limit) : limit;
  const disabled = q.get('disabled');
  if (disabled !== null) {
    if (disabled !== 'true' && disabled !== 'false') {
      throw new AuthError('VALIDATION_FAILED', {
        details: [{ path: 'disabled', message: 'disabled must be true or false' }],
      });
    }
    out.disabled = disabled === 'true';
  }
  return out;
}

/** Handlers of the admin operations of `operations/admin.ts`, by operationId. */
export const adminHandlers = {
  listAdminUsers: async (ctx) =>
    json(
      200,
      await ctx.auth.admin.users.list(await actor(ctx), listQuery(new URL(ctx.request.url))),
    ),
  getAdminUser: async (ctx) => {
    const detail = await ctx.auth.admin.users.get(await actor(ctx), ctx.params.id as string);
    // Sessions as `GET /sessions` shows them (the contract's keys, no `amr`).
    return json(200, { ...detail, sessions: detail.sessions.map(sessionView) });
  },
  updateAdminUser: async (ctx) => {
    const who = await actor(ctx);
    const body = pick<Record<string, unknown>>(await ctx.body(), [
      'firstName',
      'lastName',
      'username',
      'roles',
      'disabled',
      'emailVerified',
    ]);
    const extra = Object.keys(await ctx.body()).filter(
      (k) =>
        !['firstName', 'lastName', 'username', 'roles', 'disabled', 'emailVerified'].includes(k),
    );
    if (extra.length > 0) {
      throw new AuthError('VALIDATION_FAILED', {
        details: extra.map((path) => ({ path, message: `${path} cannot be changed here` })),
      });
    }
    const user = await ctx.auth.admin.users.update(who, ctx.params.id as string, body, ctx.client);
    return json(200, { user });
  },
  deleteAdminUser: async (ctx) => {
    await ctx.auth.admin.users.delete(await actor(ctx), ctx.params.id as string, ctx.client);
    return noContent();
  },
  revokeAdminUserSessions: async (ctx) => {
    const who = await actor(ctx);
    const { sessionId } = pick<{ sessionId?: string }>(await ctx.body(), ['sessionId']);
    await ctx.auth.admin.users.revokeSessions(
      who,
      { userId: ctx.params.id as string, ...(sessionId === undefined ? {} : { sessionId }) },
      ctx.client,
    );
    return noContent();
  },
  unlockAdminUser: async (ctx) => {
    await ctx.auth.admin.users.unlock(await actor(ctx), ctx.params.id as string, ctx.client);
    return noContent();
  },
  resetAdminUserSecondFactor: async (ctx) => {
    const who = await actor(ctx);
    await ctx.auth.admin.users.resetSecondFactor(who, ctx.params.id as string, ctx.client);
    return noContent();
  },
  sendAdminUserResetLink: async (ctx) => {
    const who = await actor(ctx);
    await ctx.auth.admin.users.sendResetLink(who, ctx.params.id as string, ctx.client);
    return noContent();
  },
  listAdminAudit: async (ctx) => {
    const q = new URL(ctx.request.url).searchParams;
    const query: Record<string, unknown> = {};
    for (const name of ['userId', 'type', 'cursor']) {
      const value = q.get(name);
      if (value !== null) query[name] = value;
    }
    const limit = q.get('limit');
    if (limit !== null) query.limit = /^\d{1,4}$/.test(limit) ? Number(limit) : limit;
    return json(200, await ctx.auth.admin.audit.list(await actor(ctx), query));
  },
} satisfies Handlers;
