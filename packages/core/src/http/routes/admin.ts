import type { AdminCreateUserInput } from '../../admin/create.js';
import type { AdminUserPatch } from '../../admin/users.js';
import type { HttpContext } from '../context.js';
import { json, noContent } from '../respond.js';
import type { Handlers } from '../router.js';
import { clearAuthCookies, pick, sessionView } from './shared.js';

/** The signed-in caller as the admin API names them. */
async function actor(ctx: HttpContext) {
  const { user, session } = await ctx.caller();
  return { userId: user.id, sessionId: session.id };
}

/**
 * The named fields of a query string, as a flow's input: `limit` as a number when it is one,
 * `disabled` as a boolean when it is `true`/`false` (anything else passes through untouched,
 * for the flow's schema to refuse naming the field).
 */
function queryFields(ctx: HttpContext, names: readonly string[]): Record<string, unknown> {
  const q = new URL(ctx.request.url).searchParams;
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const value = q.get(name);
    if (value === null) continue;
    if (name === 'limit' && /^\d{1,4}$/.test(value)) out[name] = Number(value);
    else if (name === 'disabled' && (value === 'true' || value === 'false')) {
      out[name] = value === 'true';
    } else out[name] = value;
  }
  return out;
}

/** Handlers of the admin operations of `operations/admin.ts`, by operationId. */
export const adminHandlers = {
  listAdminUsers: async (ctx) =>
    json(
      200,
      await ctx.auth.admin.users.list(
        await actor(ctx),
        queryFields(ctx, ['query', 'cursor', 'limit', 'role', 'disabled']),
      ),
    ),
  getAdminUser: async (ctx) => {
    const detail = await ctx.auth.admin.users.get(await actor(ctx), ctx.params.id as string);
    // Sessions as `GET /sessions` shows them (the contract's keys, no `amr`).
    return json(200, { ...detail, sessions: detail.sessions.map(sessionView) });
  },
  createAdminUser: async (ctx) => {
    const who = await actor(ctx);
    // The whole body: the flow's strict schema refuses any field it does not name.
    const user = await ctx.auth.admin.users.create(
      who,
      (await ctx.body()) as unknown as AdminCreateUserInput,
      ctx.client,
    );
    return json(201, { user });
  },
  updateAdminUser: async (ctx) => {
    const who = await actor(ctx);
    // The whole body: the flow's strict schema refuses any field an admin may not change.
    const user = await ctx.auth.admin.users.update(
      who,
      ctx.params.id as string,
      (await ctx.body()) as AdminUserPatch,
      ctx.client,
    );
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
  revokeAllAdminSessions: async (ctx) => {
    const result = await ctx.auth.admin.sessions.revokeAll(await actor(ctx), ctx.client);
    // The caller's own session ended with the others.
    return json(200, result, clearAuthCookies(ctx.config, ['session', 'refresh']));
  },
  listAdminAudit: async (ctx) =>
    json(
      200,
      await ctx.auth.admin.audit.list(
        await actor(ctx),
        queryFields(ctx, ['userId', 'type', 'cursor', 'limit']),
      ),
    ),
} satisfies Handlers;
