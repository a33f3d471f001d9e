import { describe, expect, it } from 'vitest';
import type { ContractContext, SignedIn } from './context.js';
import { expectError, expectOk } from './expect.js';

/** Every admin route, with a body where it takes one; `:id` is replaced by a user's id. */
const ROUTES = [
  ['GET', '/admin/users', undefined],
  ['GET', '/admin/audit', undefined],
  ['GET', '/admin/users/:id', undefined],
  ['PATCH', '/admin/users/:id', { firstName: 'X' }],
  ['DELETE', '/admin/users/:id', undefined],
  ['POST', '/admin/users/:id/sessions/revoke', {}],
  ['POST', '/admin/users/:id/unlock', {}],
  ['POST', '/admin/users/:id/2fa/reset', {}],
  ['POST', '/admin/users/:id/password-reset', {}],
] as const;

/** A signed-in admin: a new account given the built-in `admin` role, then signed in. */
async function signedInAdmin(ctx: ContractContext): Promise<SignedIn> {
  const account = await ctx.signUp();
  const user = await ctx.auth().storage.users.getByEmail(account.email);
  if (user === undefined) throw new Error('http contract: no such user');
  await ctx.auth().storage.users.update(user.id, { roles: ['admin'], updatedAt: ctx.clock.now() });
  return ctx.signIn(account);
}

/** The admin API (`docs/admin.md`): gated by permissions, 401 for anonymous callers. */
export function describeAdmin(ctx: ContractContext): void {
  describe('admin API', () => {
    it('answers 401 to an anonymous caller and 403 FORBIDDEN to one without the permission', async () => {
      const target = await ctx.signIn(await ctx.signUp());
      const plain = await ctx.signIn(await ctx.signUp());
      for (const [method, path, json] of ROUTES) {
        const route = path.replace(':id', target.userId);
        const options = json === undefined ? {} : { json };
        expectError(await ctx.client().request(method, route, options), 401, 'UNAUTHENTICATED');
        expectError(await plain.client.request(method, route, options), 403, 'FORBIDDEN');
      }
      // Nothing happened to the target.
      expect((await target.client.request('GET', '/session')).status).toBe(200);
    });

    it('lists, shows, changes, unlocks, ends the sessions of, and deletes a user', async () => {
      const admin = await signedInAdmin(ctx);
      const target = await ctx.signIn(await ctx.signUp());
      const email = (target.login.user as { email: string }).email;
      const list = expectOk(
        await admin.client.request(
          'GET',
          `/admin/users?query=${encodeURIComponent(email)}&limit=5`,
        ),
      );
      expect((list.users as { id: string }[]).map((u) => u.id)).toEqual([target.userId]);
      expect(list.nextCursor).toBeNull();
      const detail = expectOk(await admin.client.request('GET', `/admin/users/${target.userId}`));
      expect(detail.user).toMatchObject({ id: target.userId, email, disabled: false });
      expect(detail.sessions).toHaveLength(1);
      const changed = expectOk(
        await admin.client.request('PATCH', `/admin/users/${target.userId}`, {
          json: { roles: ['admin'], firstName: 'Changed' },
        }),
      );
      expect(changed.user).toMatchObject({ roles: ['admin'], firstName: 'Changed' });
      expectError(
        await admin.client.request('PATCH', `/admin/users/${target.userId}`, {
          json: { roles: 'admin' },
        }),
        400,
        'VALIDATION_FAILED',
      );
      expectError(
        await admin.client.request('PATCH', `/admin/users/${target.userId}`, {
          json: { passwordHash: 'x' },
        }),
        400,
        'VALIDATION_FAILED',
      );
      const unlock = await admin.client.request('POST', `/admin/users/${target.userId}/unlock`);
      expect(unlock.status).toBe(204);
      // Its 2FA is off: nothing to reset.
      expectError(
        await admin.client.request('POST', `/admin/users/${target.userId}/2fa/reset`),
        400,
        'VALIDATION_FAILED',
      );
      const reset = await admin.client.request(
        'POST',
        `/admin/users/${target.userId}/password-reset`,
      );
      expect(reset.status).toBe(204);
      expect(await ctx.mailToken(email, 'password-reset')).toMatch(/^[\w-]+\.[\w-]+$/);
      const revoke = await admin.client.request(
        'POST',
        `/admin/users/${target.userId}/sessions/revoke`,
      );
      expect(revoke.status).toBe(204);
      expectError(await target.client.request('GET', '/session'), 401, 'UNAUTHENTICATED');
      // The admin's actions are in the audit, naming them.
      const audit = expectOk(
        await admin.client.request(
          'GET',
          `/admin/audit?userId=${target.userId}&type=admin.action&limit=50`,
        ),
      );
      const actions = (audit.events as { data: { action: string; adminId: string } }[]).map(
        (e) => e.data,
      );
      expect(actions.map((a) => a.action)).toEqual(
        expect.arrayContaining(['user.updated', 'user.unlocked', 'sessions.revoked']),
      );
      expect(new Set(actions.map((a) => a.adminId))).toEqual(new Set([admin.userId]));
      expect((await admin.client.request('DELETE', `/admin/users/${target.userId}`)).status).toBe(
        204,
      );
      expectError(
        await admin.client.request('GET', `/admin/users/${target.userId}`),
        404,
        'NOT_FOUND',
      );
    });

    it('refuses an admin disabling or deleting themselves', async () => {
      const admin = await signedInAdmin(ctx);
      expectError(
        await admin.client.request('PATCH', `/admin/users/${admin.userId}`, {
          json: { disabled: true },
        }),
        400,
        'VALIDATION_FAILED',
      );
      expectError(
        await admin.client.request('DELETE', `/admin/users/${admin.userId}`),
        400,
        'VALIDATION_FAILED',
      );
    });
  });
}
