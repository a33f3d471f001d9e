import { describe, expect, it } from 'vitest';
import type { ContractContext } from './context.js';
import { expectError, expectNoContent, expectOk } from './expect.js';
import { expectSignedOut } from './sessions.js';

const NEW_PASSWORD = 'saffron meridian lantern';

/** Password change and reset. */
export function describePasswords(ctx: ContractContext): void {
  const login = (identifier: string, password: string) =>
    ctx.client().request('POST', '/login', { json: { identifier, password } });

  describe('password change (POST /password/change)', () => {
    it('changes it (204), keeps this session and signs the others out', async () => {
      const account = await ctx.signUp();
      const other = await ctx.signIn(account);
      const { client } = await ctx.signIn(account);
      const res = await client.request('POST', '/password/change', {
        json: { currentPassword: account.password, newPassword: NEW_PASSWORD },
      });
      expectNoContent(res);
      expect((await client.request('GET', '/session')).status).toBe(200);
      await expectSignedOut(other.client);
      expectError(await login(account.email, account.password), 401, 'INVALID_CREDENTIALS');
      expect((await login(account.email, NEW_PASSWORD)).status).toBe(200);
      expect(ctx.mailer.find(account.email, 'password-changed')).toBeDefined();
    });

    it('answers 403 PASSWORD_INCORRECT for a wrong current password', async () => {
      const account = await ctx.signUp();
      const { client } = await ctx.signIn(account);
      const res = await client.request('POST', '/password/change', {
        json: { currentPassword: 'not the password at all', newPassword: NEW_PASSWORD },
      });
      expectError(res, 403, 'PASSWORD_INCORRECT');
      expect((await login(account.email, account.password)).status).toBe(200);
    });

    it('answers 400 WEAK_PASSWORD with details for a weak new password', async () => {
      const account = await ctx.signUp();
      const { client } = await ctx.signIn(account);
      const res = await client.request('POST', '/password/change', {
        json: { currentPassword: account.password, newPassword: 'password' },
      });
      expect(expectError(res, 400, 'WEAK_PASSWORD').details?.length).toBeGreaterThan(0);
    });
  });

  describe('password reset (POST /password/reset, /password/reset/confirm)', () => {
    it('answers 202 reset_sent identically for known and unknown addresses', async () => {
      const account = await ctx.signUp();
      const known = await ctx.client().request('POST', '/password/reset', {
        json: { email: account.email },
      });
      expect(expectOk(known, 202)).toEqual({ status: 'reset_sent' });
      const unknown = await ctx.client().request('POST', '/password/reset', {
        json: { email: 'ghost@example.com' },
      });
      expect({ status: unknown.status, text: unknown.text }).toEqual({
        status: known.status,
        text: known.text,
      });
    });

    it('resets with the mailed token (200), signs every session out; the token is single-use', async () => {
      const account = await ctx.signUp();
      const signedIn = await ctx.signIn(account);
      await ctx.client().request('POST', '/password/reset', { json: { email: account.email } });
      const token = await ctx.mailToken(account.email, 'password-reset');
      const res = await ctx.client().request('POST', '/password/reset/confirm', {
        json: { token, newPassword: NEW_PASSWORD },
      });
      expect(expectOk(res)).toEqual({ status: 'password_reset' });
      await expectSignedOut(signedIn.client);
      expect((await login(account.email, NEW_PASSWORD)).status).toBe(200);
      const replay = await ctx.client().request('POST', '/password/reset/confirm', {
        json: { token, newPassword: 'yet another fine passphrase' },
      });
      expectError(replay, 400, 'TOKEN_INVALID');
    });

    it('answers WEAK_PASSWORD without using the token up', async () => {
      const account = await ctx.signUp();
      await ctx.client().request('POST', '/password/reset', { json: { email: account.email } });
      const token = await ctx.mailToken(account.email, 'password-reset');
      const weak = await ctx.client().request('POST', '/password/reset/confirm', {
        json: { token, newPassword: 'short' },
      });
      expectError(weak, 400, 'WEAK_PASSWORD');
      const ok = await ctx.client().request('POST', '/password/reset/confirm', {
        json: { token, newPassword: NEW_PASSWORD },
      });
      expect(ok.status).toBe(200);
    });

    it('answers 400 TOKEN_INVALID for a forged token and TOKEN_EXPIRED after 30 min', async () => {
      const account = await ctx.signUp();
      const forged = await ctx.client().request('POST', '/password/reset/confirm', {
        json: { token: 'forged.token', newPassword: NEW_PASSWORD },
      });
      expectError(forged, 400, 'TOKEN_INVALID');
      await ctx.client().request('POST', '/password/reset', { json: { email: account.email } });
      const token = await ctx.mailToken(account.email, 'password-reset');
      ctx.clock.advance(30 * 60_000);
      const late = await ctx.client().request('POST', '/password/reset/confirm', {
        json: { token, newPassword: NEW_PASSWORD },
      });
      expectError(late, 400, 'TOKEN_EXPIRED');
    });
  });
}
