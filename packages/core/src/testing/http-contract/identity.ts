import { describe, expect, it } from 'vitest';
import type { ContractContext } from './context.js';
import {
  CSRF_COOKIE,
  cookieOf,
  expectError,
  expectNoCredentials,
  expectOk,
  expectSignedIn,
  expectValidation,
  keysOf,
} from './expect.js';

const DAY_MS = 86_400_000;

/** Registration, email verification, sign-in and `GET /csrf`. */
export function describeIdentity(ctx: ContractContext): void {
  describe('POST /register and email verification', () => {
    it('answers 202 verification_sent, identically for a new and an already registered address', async () => {
      const account = ctx.newAccount();
      const first = await ctx.client().request('POST', '/register', { json: account });
      expect(expectOk(first, 202)).toEqual({ status: 'verification_sent' });
      const again = await ctx.client().request('POST', '/register', {
        json: { email: account.email.toUpperCase(), password: 'another long passphrase' },
      });
      expect({ status: again.status, text: again.text }).toEqual({
        status: first.status,
        text: first.text,
      });
      expect(cookieOf(again, '__Host-portcullis.session')).toBeUndefined();
      // Only the owner learns of the second attempt.
      expect(ctx.mailer.find(account.email, 'register-existing')).toBeDefined();
    });

    it('refuses a weak password with 400 WEAK_PASSWORD and details', async () => {
      const account = { ...ctx.newAccount(), password: 'short' };
      const res = await ctx.client().request('POST', '/register', { json: account });
      const error = expectError(res, 400, 'WEAK_PASSWORD');
      expect(error.details?.length).toBeGreaterThan(0);
    });

    it('refuses a malformed email with 400 VALIDATION_FAILED naming the field', async () => {
      const res = await ctx.client().request('POST', '/register', {
        json: { ...ctx.newAccount(), email: 'not-an-address' },
      });
      expectValidation(res, ['email']);
    });

    // (A missing password is allowed with magic links on, as in the suite: passwordless.)
    it('refuses a password that is not a string with 400 VALIDATION_FAILED naming it', async () => {
      const res = await ctx.client().request('POST', '/register', {
        json: { email: ctx.newAccount().email, password: 12345678 },
      });
      expectValidation(res, ['password']);
    });

    it('answers 409 USERNAME_TAKEN for a username that exists', async () => {
      const taken = await ctx.signUp();
      const res = await ctx.client().request('POST', '/register', {
        json: { ...ctx.newAccount(), username: taken.username.toUpperCase() },
      });
      expectError(res, 409, 'USERNAME_TAKEN');
    });

    it('verifies with the mailed token once; replaying it is 400 TOKEN_INVALID', async () => {
      const account = await ctx.signUp({ verify: false });
      const token = await ctx.mailToken(account.email, 'verify-email');
      const ok = await ctx.client().request('POST', '/email/verify', { json: { token } });
      expect(expectOk(ok)).toEqual({ status: 'verified' });
      const replay = await ctx.client().request('POST', '/email/verify', { json: { token } });
      expectError(replay, 400, 'TOKEN_INVALID');
    });

    it('answers 400 TOKEN_EXPIRED for a verification token 24 h old', async () => {
      const account = await ctx.signUp({ verify: false });
      const token = await ctx.mailToken(account.email, 'verify-email');
      ctx.clock.advance(DAY_MS);
      const res = await ctx.client().request('POST', '/email/verify', { json: { token } });
      expectError(res, 400, 'TOKEN_EXPIRED');
    });

    it('answers 400 TOKEN_INVALID for a forged token and VALIDATION_FAILED for none', async () => {
      const account = await ctx.signUp({ verify: false });
      const [selector] = (await ctx.mailToken(account.email, 'verify-email')).split('.');
      const forged = await ctx.client().request('POST', '/email/verify', {
        json: { token: `${selector}.${'A'.repeat(43)}` },
      });
      expectError(forged, 400, 'TOKEN_INVALID');
      const garbage = await ctx.client().request('POST', '/email/verify', {
        json: { token: 'garbage' },
      });
      expectError(garbage, 400, 'TOKEN_INVALID');
      const none = await ctx.client().request('POST', '/email/verify', { json: {} });
      expectValidation(none, ['token']);
    });

    it('answers POST /email/verify/resend with 202 verification_sent whoever asks', async () => {
      const unverified = await ctx.signUp({ verify: false });
      const verified = await ctx.signUp();
      const answers = [];
      for (const email of [unverified.email, verified.email, 'nobody@example.com']) {
        const res = await ctx.client().request('POST', '/email/verify/resend', { json: { email } });
        answers.push({ status: res.status, text: res.text });
      }
      expect(answers[0]?.status).toBe(202);
      expect(JSON.parse(answers[0]?.text ?? '')).toEqual({ status: 'verification_sent' });
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[2]).toEqual(answers[0]);
    });
  });

  describe('POST /login', () => {
    it('signs in with the email, 200 with the documented body and credentials', async () => {
      const account = await ctx.signUp();
      const res = await ctx.client().request('POST', '/login', {
        json: { identifier: account.email, password: account.password },
      });
      expectSignedIn(ctx, res);
      expect((res.body as { user: unknown }).user).toMatchObject({
        email: account.email,
        emailVerified: true,
        username: account.username,
        twoFactorEnabled: false,
      });
    });

    it('signs in with the username, and with the email in other letter case', async () => {
      const account = await ctx.signUp();
      for (const identifier of [account.username, account.email.toUpperCase()]) {
        const res = await ctx.client().request('POST', '/login', {
          json: { identifier, password: account.password },
        });
        expectSignedIn(ctx, res);
      }
    });

    it('gives an unknown identifier and a wrong password the same 401 INVALID_CREDENTIALS', async () => {
      const account = await ctx.signUp();
      const wrong = await ctx.client().request('POST', '/login', {
        json: { identifier: account.email, password: 'not the password at all' },
      });
      const unknown = await ctx.client().request('POST', '/login', {
        json: { identifier: 'ghost@example.com', password: account.password },
      });
      expectError(wrong, 401, 'INVALID_CREDENTIALS');
      expect({ status: unknown.status, text: unknown.text }).toEqual({
        status: wrong.status,
        text: wrong.text,
      });
      expectNoCredentials(wrong);
    });

    it('answers 403 EMAIL_NOT_VERIFIED only after the right password', async () => {
      const account = await ctx.signUp({ verify: false });
      const wrong = await ctx.client().request('POST', '/login', {
        json: { identifier: account.email, password: 'not the password at all' },
      });
      expectError(wrong, 401, 'INVALID_CREDENTIALS');
      const right = await ctx.client().request('POST', '/login', {
        json: { identifier: account.email, password: account.password },
      });
      expectError(right, 403, 'EMAIL_NOT_VERIFIED');
      expectNoCredentials(right);
    });

    it('refuses a missing or mistyped identifier with 400 VALIDATION_FAILED', async () => {
      const missing = await ctx.client().request('POST', '/login', { json: { password: 'x' } });
      expectValidation(missing, ['identifier']);
      const typed = await ctx.client().request('POST', '/login', {
        json: { identifier: 42, password: ['x'] },
      });
      expectValidation(typed, ['identifier']);
    });
  });

  describe('GET /csrf', () => {
    it('answers 200 {csrfToken} and sets the CSRF cookie to the same value', async () => {
      const res = await ctx.client().request('GET', '/csrf');
      const body = expectOk(res);
      expect(keysOf(body)).toEqual(['csrfToken']);
      expect(body.csrfToken).toMatch(/^[\w-]{22,}$/);
      expect(cookieOf(res, CSRF_COOKIE)?.value).toBe(body.csrfToken);
    });

    it('gives each client its own token', async () => {
      const a = await ctx.client().fetchCsrf();
      const b = await ctx.client().fetchCsrf();
      expect(a).not.toBe(b);
    });
  });
}
