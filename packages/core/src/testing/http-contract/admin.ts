import { describe, expect, it } from 'vitest';
import type { Account, ContractContext, SignedIn } from './context.js';
import { expectError, expectOk } from './expect.js';

/** Every admin route, with a body where it takes one; `:id` is replaced by a user's id. */
const ROUTES = [
  ['GET', '/admin/users', undefined],
  ['POST', '/admin/users', { email: 'someone.new@example.com' }],
  ['POST', '/admin/sessions/revoke-all', {}],
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
async function signedInAdmin(ctx: ContractContext): Promise<SignedIn & { account: Account }> {
  const account = await ctx.signUp();
  const user = await ctx.auth().storage.users.getByEmail(account.email);
  if (user === undefined) throw new Error('http contract: no such user');
  await ctx.auth().storage.users.update(user.id, { roles: ['admin'], updatedAt: ctx.clock.now() });
  return { ...(await ctx.signIn(account)), account };
}

/** The `user` of a `{user}` answer. */
const userOf = (body: Record<string, unknown>) =>
  body.user as { id: string; email: string; emailVerified: boolean; hasPassword: boolean };

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

    it('creates a user with a password (201), who signs in; 409 and 400 name what is wrong', async () => {
      const admin = await signedInAdmin(ctx);
      const account = ctx.newAccount();
      const created = expectOk(
        await admin.client.request('POST', '/admin/users', {
          json: {
            email: account.email,
            password: account.password,
            username: account.username,
            emailVerified: true,
          },
        }),
        201,
      );
      expect(created.user).toMatchObject({
        email: account.email,
        emailVerified: true,
        hasPassword: true,
        disabled: false,
      });
      expect((await ctx.signIn(account)).userId).toBe(userOf(created).id);
      const other = ctx.newAccount();
      const create = async (json: Record<string, unknown>) =>
        admin.client.request('POST', '/admin/users', { json });
      expectError(await create({ email: account.email.toUpperCase() }), 409, 'CONFLICT');
      expectError(
        await create({ email: other.email, username: account.username }),
        409,
        'USERNAME_TAKEN',
      );
      expectError(await create({ email: other.email, password: 'short' }), 400, 'WEAK_PASSWORD');
      expectError(
        await create({ email: other.email, passwordHash: 'x' }),
        400,
        'VALIDATION_FAILED',
      );
      expectError(await create({ email: 'not an address' }), 400, 'VALIDATION_FAILED');
      expect(await ctx.auth().storage.users.getByEmail(other.email)).toBeUndefined();
    });

    it('invites a user: the mailed link sets the password at /password/reset/confirm, once', async () => {
      const admin = await signedInAdmin(ctx);
      const account = ctx.newAccount();
      const created = expectOk(
        await admin.client.request('POST', '/admin/users', { json: { email: account.email } }),
        201,
      );
      expect(created.user).toMatchObject({ hasPassword: false, emailVerified: false });
      const token = await ctx.mailToken(account.email, 'invitation');
      const confirm = () =>
        ctx.client().request('POST', '/password/reset/confirm', {
          json: { token, newPassword: account.password },
        });
      expect(expectOk(await confirm())).toEqual({ status: 'password_reset' });
      expectError(await confirm(), 400, 'TOKEN_INVALID');
      const signedIn = await ctx.signIn(account);
      expect(signedIn.login.user).toMatchObject({ id: userOf(created).id, emailVerified: true });
    });

    it('changes a user’s email, verified or by a mailed link; their sessions end', async () => {
      const admin = await signedInAdmin(ctx);
      const account = await ctx.signUp();
      const target = await ctx.signIn(account);
      const moved = ctx.newAccount().email;
      const verified = expectOk(
        await admin.client.request('PATCH', `/admin/users/${target.userId}`, {
          json: { email: moved, emailVerified: true },
        }),
      );
      expect(verified.user).toMatchObject({ email: moved, emailVerified: true });
      expectError(await target.client.request('GET', '/session'), 401, 'UNAUTHENTICATED');
      await ctx.mailer.waitFor(account.email, 'email-changed');
      await ctx.signIn({ ...account, email: moved });
      const unverified = ctx.newAccount().email;
      const changed = expectOk(
        await admin.client.request('PATCH', `/admin/users/${target.userId}`, {
          json: { email: unverified },
        }),
      );
      expect(changed.user).toMatchObject({ email: unverified, emailVerified: false });
      const token = await ctx.mailToken(unverified, 'verify-email');
      expectOk(await ctx.client().request('POST', '/email/verify', { json: { token } }));
      await ctx.signIn({ ...account, email: unverified });
      expectError(
        await admin.client.request('PATCH', `/admin/users/${target.userId}`, {
          json: { email: admin.account.email },
        }),
        409,
        'CONFLICT',
      );
    });

    it('ends every session of every user, the caller’s own too (200 with the count)', async () => {
      const admin = await signedInAdmin(ctx);
      const one = await ctx.signIn(await ctx.signUp());
      const two = await ctx.signIn(await ctx.signUp());
      const ended = expectOk(await admin.client.request('POST', '/admin/sessions/revoke-all'));
      expect(ended.sessionsEnded).toBeGreaterThanOrEqual(3);
      expect(ended.users).toBeGreaterThanOrEqual(3);
      for (const client of [one.client, two.client, admin.client]) {
        expectError(await client.request('GET', '/session'), 401, 'UNAUTHENTICATED');
      }
      // Audited in the admin's own trail, with the totals.
      const again = await ctx.signIn(admin.account);
      const audit = expectOk(
        await again.client.request(
          'GET',
          `/admin/audit?userId=${admin.userId}&type=admin.action&limit=50`,
        ),
      );
      expect((audit.events as { data: Record<string, unknown> }[])[0]?.data).toMatchObject({
        action: 'sessions.revoked_all',
        adminId: admin.userId,
        sessionsEnded: ended.sessionsEnded,
      });
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
