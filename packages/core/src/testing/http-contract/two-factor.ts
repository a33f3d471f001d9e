import { describe, expect, it } from 'vitest';
import type { ContractContext } from './context.js';
import { expectCookieAttributes } from './cookies.js';
import {
  cookieOf,
  expectError,
  expectNoCredentials,
  expectOk,
  expectSignedIn,
  expectValidation,
} from './expect.js';
import { DEVICE_COOKIE, twoFactorKit, UNKNOWN_CHALLENGE } from './two-factor-kit.js';
import { describeTwoFactorLeakage } from './two-factor-leakage.js';
import { describeTwoFactorManagement } from './two-factor-manage.js';

const THIRTY_DAYS_S = 30 * 86_400;
const CHALLENGE_COOKIE = '__Host-portcullis.challenge';

/**
 * The Second factor section of the contract: sign-in with a challenge and a TOTP, emailed, SMS
 * or recovery code, trusted devices, enrollment and management, and a leak scan.
 */
export function describeTwoFactor(ctx: ContractContext): void {
  const kit = twoFactorKit(ctx);

  describe('second factor: sign-in (POST /login, /2fa/verify, /2fa/email/send)', () => {
    it('enroll, confirm, then /login asks for the second factor and /2fa/verify with TOTP signs in', async () => {
      const user = await kit.enable();
      const me = expectOk(await user.enrolled.client.request('GET', '/user'));
      expect(me.user).toMatchObject({ twoFactorEnabled: true });
      const pending = await kit.challenge(user.account);
      expect(pending.methods).toEqual(['totp', 'email', 'recovery']);
      const code = await kit.nextTotp(user.secret);
      const res = await kit.verify(pending.client, {
        challenge: pending.challenge,
        method: 'totp',
        code,
      });
      expectSignedIn(ctx, res);
      expect((res.body as { user: unknown }).user).toMatchObject({ twoFactorEnabled: true });
      expect(cookieOf(res, DEVICE_COOKIE)).toBeUndefined();
      kit.adopt(pending.client, res);
      expect((await pending.client.request('GET', '/session')).status).toBe(200);
    });

    it('hands out no credentials before the second factor', async () => {
      const user = await kit.enable();
      const client = ctx.client();
      const res = await client.request('POST', '/login', {
        json: { identifier: user.account.email, password: user.account.password },
      });
      expectNoCredentials(res);
      expectError(await client.request('GET', '/session'), 401, 'UNAUTHENTICATED');
    });

    it('refuses a replayed TOTP code with 400 CODE_INVALID, and a challenge used once', async () => {
      const user = await kit.enable();
      const first = await kit.challenge(user.account);
      const code = await kit.nextTotp(user.secret);
      const proof = { challenge: first.challenge, method: 'totp', code };
      kit.adopt(first.client, await kit.verify(first.client, proof));
      expectError(await kit.verify(ctx.client(), proof), 400, 'TOKEN_INVALID');
      const second = await kit.challenge(user.account);
      const replay = await kit.verify(second.client, { ...proof, challenge: second.challenge });
      expectError(replay, 400, 'CODE_INVALID');
      expectNoCredentials(replay);
    });

    it('accepts a recovery code once', async () => {
      const user = await kit.enable();
      const code = user.recoveryCodes[0];
      const first = await kit.challenge(user.account);
      const ok = await kit.verify(first.client, {
        challenge: first.challenge,
        method: 'recovery',
        code,
      });
      kit.adopt(first.client, ok);
      const second = await kit.challenge(user.account);
      const again = await kit.verify(second.client, {
        challenge: second.challenge,
        method: 'recovery',
        code,
      });
      expectError(again, 400, 'CODE_INVALID');
    });

    it('mails a 6-digit code with /2fa/email/send (202) that signs in once', async () => {
      const user = await kit.enable();
      const pending = await kit.challenge(user.account);
      const sent = await pending.client.request('POST', '/2fa/email/send', {
        json: { challenge: pending.challenge },
      });
      expect(expectOk(sent, 202)).toEqual({ status: 'code_sent' });
      const code = kit.mailedCode(user.account.email);
      const proof = { challenge: pending.challenge, method: 'email' };
      expectError(
        await kit.verify(pending.client, { ...proof, code: kit.wrongCode(code) }),
        400,
        'CODE_INVALID',
      );
      kit.adopt(pending.client, await kit.verify(pending.client, { ...proof, code }));
    });

    it("binds a browser's challenge to it (__Host-portcullis.challenge, HttpOnly, Strict): elsewhere it is TOKEN_INVALID and spends nothing", async () => {
      const user = await kit.enable();
      const login = await ctx.client().request('POST', '/login', {
        json: { identifier: user.account.email, password: user.account.password },
      });
      const binding = cookieOf(login, CHALLENGE_COOKIE);
      expectCookieAttributes(binding, { httpOnly: true, sameSite: 'strict', path: '/' });
      expect(binding?.value).toMatch(/^[\w-]{43}$/);
      const pending = await kit.challenge(user.account);
      const proof = { challenge: pending.challenge, method: 'totp' };
      // Read from a log or a proxy, the challenge alone opens nothing: not a code check, not a send.
      const thief = ctx.client();
      for (let i = 0; i < 6; i++) {
        const res = await kit.verify(thief, { ...proof, code: await kit.nextTotp(user.secret) });
        expectError(res, 400, 'TOKEN_INVALID');
        expectNoCredentials(res);
      }
      const send = await thief.request('POST', '/2fa/email/send', {
        json: { challenge: pending.challenge },
      });
      expectError(send, 400, 'TOKEN_INVALID');
      expect(ctx.mailer.find(user.account.email, 'email-otp')).toBeUndefined();
      // The owner's browser still has every check and finishes; the binding cookie is cleared.
      const done = await kit.verify(pending.client, {
        ...proof,
        code: await kit.nextTotp(user.secret),
      });
      expect(cookieOf(done, CHALLENGE_COOKIE)?.attributes.get('max-age')).toBe('0');
      kit.adopt(pending.client, done);
    });

    it('leaves the challenge of a client that is no browser (no Origin, no Sec-Fetch-Site) unbound', async () => {
      const user = await kit.enable();
      const app = ctx.client();
      const login = await app.request('POST', '/login', {
        json: { identifier: user.account.email, password: user.account.password },
        origin: null,
      });
      const body = expectOk(login);
      expect(cookieOf(login, CHALLENGE_COOKIE)).toBeUndefined();
      const other = ctx.client();
      const res = await other.request('POST', '/2fa/verify', {
        json: { challenge: body.challenge, method: 'totp', code: await kit.nextTotp(user.secret) },
        origin: null,
      });
      expectSignedIn(ctx, res);
    });

    it('with rememberDevice sets __Host-portcullis.device (HttpOnly, Secure, Lax, Path=/, 30 days); the next login skips 2FA', async () => {
      const user = await kit.enable();
      const pending = await kit.challenge(user.account);
      // A form body: booleans arrive as strings.
      const res = await pending.client.request('POST', '/2fa/verify', {
        form: {
          challenge: pending.challenge,
          method: 'totp',
          code: await kit.nextTotp(user.secret),
          rememberDevice: 'true',
        },
      });
      expectSignedIn(ctx, res);
      const device = cookieOf(res, DEVICE_COOKIE);
      expectCookieAttributes(device, { httpOnly: true, sameSite: 'lax', path: '/' });
      expect(device?.attributes.get('max-age')).toBe(String(THIRTY_DAYS_S));
      expect(device?.value).toMatch(/^[\w-]+\.[\w-]+$/);
      const again = await pending.client.request('POST', '/login', {
        json: { identifier: user.account.email, password: user.account.password },
      });
      expectSignedIn(ctx, again);
      await kit.challenge(user.account);
      // The cookie is not a password: a wrong one still stops at the second factor.
      const other = ctx.client();
      other.jar.set(DEVICE_COOKIE, `${device?.value.split('.')[0]}.${'A'.repeat(43)}`);
      await kit.challenge(user.account, other);
    });

    it('kills a challenge after 5 wrong codes: the right code then gets 400 TOKEN_INVALID', async () => {
      const user = await kit.enable();
      const pending = await kit.challenge(user.account);
      const code = await kit.nextTotp(user.secret);
      for (let i = 0; i < 5; i++) {
        const wrong = await kit.verify(pending.client, {
          challenge: pending.challenge,
          method: 'totp',
          code: kit.wrongCode(code),
        });
        expectError(wrong, 400, 'CODE_INVALID');
      }
      const late = await kit.verify(pending.client, {
        challenge: pending.challenge,
        method: 'totp',
        code,
      });
      expectError(late, 400, 'TOKEN_INVALID');
      expectNoCredentials(late);
    });

    it('answers an unknown challenge with 400 TOKEN_INVALID, and a dead one alike', async () => {
      const user = await kit.enable();
      const used = await kit.challenge(user.account);
      kit.adopt(
        used.client,
        await kit.verify(used.client, {
          challenge: used.challenge,
          method: 'totp',
          code: await kit.nextTotp(user.secret),
        }),
      );
      const send = (challenge: string) =>
        ctx.client().request('POST', '/2fa/email/send', { json: { challenge } });
      const unknown = await send(UNKNOWN_CHALLENGE);
      expectError(unknown, 400, 'TOKEN_INVALID');
      const dead = await send(used.challenge);
      expect({ status: dead.status, text: dead.text }).toEqual({
        status: unknown.status,
        text: unknown.text,
      });
      expectError(await send('garbage'), 400, 'TOKEN_INVALID');
      const proof = { challenge: UNKNOWN_CHALLENGE, method: 'totp', code: '123456' };
      expectError(await kit.verify(ctx.client(), proof), 400, 'TOKEN_INVALID');
      expect(ctx.mailer.find(user.account.email, 'email-otp')).toBeUndefined();
    });

    it('refuses bad bodies with 400 VALIDATION_FAILED naming the field', async () => {
      const c = ctx.client();
      const proof = { challenge: UNKNOWN_CHALLENGE, method: 'totp', code: '123456' };
      expectValidation(await kit.verify(c, { method: 'totp', code: '1' }), ['challenge']);
      expectValidation(await kit.verify(c, { ...proof, method: 'pigeon' }), ['method']);
      expectValidation(await kit.verify(c, { ...proof, code: 123456 }), ['code']);
      expectValidation(await kit.verify(c, { ...proof, rememberDevice: 'maybe' }), [
        'rememberDevice',
      ]);
      for (const path of ['/2fa/email/send', '/2fa/sms/send']) {
        expectValidation(await c.request('POST', path, { json: {} }), ['challenge']);
      }
    });

    it('refuses a cross-site POST /2fa/verify with 403 CSRF_FAILED, like /login', async () => {
      const res = await ctx.client().request('POST', '/2fa/verify', {
        json: { challenge: UNKNOWN_CHALLENGE, method: 'totp', code: '123456' },
        origin: 'https://evil.example',
      });
      expectError(res, 403, 'CSRF_FAILED');
    });
  });

  describeTwoFactorManagement(ctx, kit);
  describeTwoFactorLeakage(ctx, kit);
}
