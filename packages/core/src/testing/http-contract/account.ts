import { describe, expect, it } from 'vitest';
import type { ContractContext } from './context.js';
import {
  expectError,
  expectIsoTime,
  expectNoContent,
  expectOk,
  expectUser,
  expectValidation,
  keysOf,
} from './expect.js';
import { expectSignedOut } from './sessions.js';

/** Profile, email change, account deletion and audit. */
export function describeAccount(ctx: ContractContext): void {
  const login = (identifier: string, password: string) =>
    ctx.client().request('POST', '/login', { json: { identifier, password } });

  describe('profile (GET and PATCH /user)', () => {
    it('answers GET /user with 200 {user}', async () => {
      const account = await ctx.signUp();
      const { client, userId } = await ctx.signIn(account);
      const body = expectOk(await client.request('GET', '/user'));
      expect(keysOf(body)).toEqual(['user']);
      expectUser(body.user, { id: userId, email: account.email, username: account.username });
    });

    it('updates names and username with PATCH /user (200 {user}); null clears', async () => {
      const { client } = await ctx.signIn(await ctx.signUp());
      const res = await client.request('PATCH', '/user', {
        json: { firstName: 'Ada', lastName: 'Lovelace', username: ctx.newAccount().username },
      });
      const body = expectOk(res);
      expect(keysOf(body)).toEqual(['user']);
      expectUser(body.user, { firstName: 'Ada', lastName: 'Lovelace' });
      const cleared = expectOk(
        await client.request('PATCH', '/user', { json: { lastName: null } }),
      );
      expectUser(cleared.user, { firstName: 'Ada', lastName: null });
    });

    it('answers 409 USERNAME_TAKEN for a username someone has', async () => {
      const taken = await ctx.signUp();
      const { client } = await ctx.signIn(await ctx.signUp());
      const res = await client.request('PATCH', '/user', { json: { username: taken.username } });
      expectError(res, 409, 'USERNAME_TAKEN');
    });

    it('answers 400 VALIDATION_FAILED for mistyped or malformed fields', async () => {
      const { client } = await ctx.signIn(await ctx.signUp());
      expectValidation(await client.request('PATCH', '/user', { json: { firstName: 42 } }), [
        'firstName',
      ]);
      const bad = await client.request('PATCH', '/user', { json: { username: 'no spaces!' } });
      expectError(bad, 400, 'VALIDATION_FAILED');
    });
  });

  describe('email change (POST /user/email, /user/email/confirm)', () => {
    it('mails the new address (202) and switches on confirmation (200 {user}); once', async () => {
      const account = await ctx.signUp();
      const { client, userId } = await ctx.signIn(account);
      const newEmail = `moved.${account.email}`;
      const res = await client.request('POST', '/user/email', {
        json: { newEmail, password: account.password },
      });
      expect(expectOk(res, 202)).toEqual({ status: 'confirmation_sent' });
      expect(ctx.mailer.find(account.email, 'email-change-notice')).toBeDefined();
      const token = await ctx.mailToken(newEmail, 'email-change-confirm');
      const ok = await ctx.client().request('POST', '/user/email/confirm', { json: { token } });
      const body = expectOk(ok);
      expect(keysOf(body)).toEqual(['user']);
      expectUser(body.user, { id: userId, email: newEmail });
      const replay = await ctx.client().request('POST', '/user/email/confirm', { json: { token } });
      expectError(replay, 400, 'TOKEN_INVALID');
      expect((await login(newEmail, account.password)).status).toBe(200);
    });

    it('answers 403 PASSWORD_INCORRECT for a wrong password and mails nothing', async () => {
      const account = await ctx.signUp();
      const { client } = await ctx.signIn(account);
      const newEmail = `elsewhere.${account.email}`;
      const res = await client.request('POST', '/user/email', {
        json: { newEmail, password: 'not the password at all' },
      });
      expectError(res, 403, 'PASSWORD_INCORRECT');
      expect(ctx.mailer.find(newEmail, 'email-change-confirm')).toBeUndefined();
    });

    it('answers 400 VALIDATION_FAILED for a malformed address, TOKEN_INVALID for a bad token', async () => {
      const account = await ctx.signUp();
      const { client } = await ctx.signIn(account);
      const res = await client.request('POST', '/user/email', {
        json: { newEmail: 'nope', password: account.password },
      });
      expectValidation(res, ['newEmail']);
      const bad = await ctx.client().request('POST', '/user/email/confirm', {
        json: { token: 'forged.token' },
      });
      expectError(bad, 400, 'TOKEN_INVALID');
    });
  });

  describe('account deletion (DELETE /user) and audit (GET /audit)', () => {
    it('deletes the account (204): its sessions and its password stop working', async () => {
      const account = await ctx.signUp();
      const other = await ctx.signIn(account);
      const { client } = await ctx.signIn(account);
      expectNoContent(
        await client.request('DELETE', '/user', { json: { password: account.password } }),
      );
      await expectSignedOut(other.client);
      expectError(await login(account.email, account.password), 401, 'INVALID_CREDENTIALS');
    });

    it('answers 403 PASSWORD_INCORRECT for a wrong password and keeps the account', async () => {
      const account = await ctx.signUp();
      const { client } = await ctx.signIn(account);
      const res = await client.request('DELETE', '/user', {
        json: { password: 'not the password at all' },
      });
      expectError(res, 403, 'PASSWORD_INCORRECT');
      expect((await client.request('GET', '/user')).status).toBe(200);
    });

    it('lists the caller security events newest first (200 {events})', async () => {
      const account = await ctx.signUp();
      await login(account.email, 'not the password at all');
      ctx.clock.advance(1000);
      const { client } = await ctx.signIn(account, 'contract-audit');
      const body = expectOk(await client.request('GET', '/audit'));
      expect(keysOf(body)).toEqual(['events']);
      const events = body.events as Record<string, unknown>[];
      expect(events.length).toBeGreaterThan(2);
      for (const e of events) {
        expect(keysOf(e)).toEqual(['at', 'ip', 'type', 'userAgent']);
        expect(e.type).toBeTypeOf('string');
        expectIsoTime(e.at);
      }
      const times = events.map((e) => Date.parse(String(e.at)));
      expect([...times].sort((x, y) => y - x)).toEqual(times);
      const types = events.map((e) => e.type);
      expect(types).toContain('login.succeeded');
      expect(types).toContain('login.failed');
      expect(types.indexOf('login.succeeded')).toBeLessThan(types.indexOf('login.failed'));
      expect(events.find((e) => e.type === 'login.succeeded')?.userAgent).toBe('contract-audit');
    });
  });
}
