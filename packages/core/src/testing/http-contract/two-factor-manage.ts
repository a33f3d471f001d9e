import { describe, expect, it } from 'vitest';
import type { ContractContext } from './context.js';
import {
  expectCleared,
  expectError,
  expectIsoTime,
  expectNoContent,
  expectOk,
  expectSignedIn,
  expectValidation,
  keysOf,
  SESSION_COOKIE,
} from './expect.js';
import { DEVICE_COOKIE, type TwoFactorKit, WRONG_PASSWORD } from './two-factor-kit.js';

const DEVICE_KEYS = ['createdAt', 'current', 'expiresAt', 'id', 'lastUsedAt', 'userAgent'];
const ELEVEN_MINUTES_MS = 11 * 60_000;

/** Trusted devices, disabling, recovery codes, re-authentication, the phone and SMS codes. */
export function describeTwoFactorManagement(ctx: ContractContext, kit: TwoFactorKit): void {
  const login = (identifier: string, password: string) =>
    ctx.client().request('POST', '/login', { json: { identifier, password } });

  describe('second factor: management (/2fa/*, /reauthenticate)', () => {
    it('lists trusted devices (GET /2fa/devices), marks the current one, revokes one (DELETE, 204)', async () => {
      const user = await kit.enable();
      const remember = async (userAgent: string) => {
        const pending = await kit.challenge(user.account, ctx.client(userAgent));
        const res = await kit.verify(pending.client, {
          challenge: pending.challenge,
          method: 'totp',
          code: await kit.nextTotp(user.secret),
          rememberDevice: true,
        });
        kit.adopt(pending.client, res);
        return pending.client;
      };
      const one = await remember('contract-device-one');
      const two = await remember('contract-device-two');
      const body = expectOk(await one.request('GET', '/2fa/devices'));
      expect(keysOf(body)).toEqual(['devices']);
      const devices = body.devices as Record<string, unknown>[];
      expect(devices).toHaveLength(2);
      for (const d of devices) {
        expect(keysOf(d)).toEqual(DEVICE_KEYS);
        for (const key of ['createdAt', 'lastUsedAt', 'expiresAt']) expectIsoTime(d[key]);
      }
      expect(devices.map((d) => [d.userAgent, d.current])).toEqual([
        ['contract-device-two', false],
        ['contract-device-one', true],
      ]);
      const stranger = await ctx.signIn(await ctx.signUp());
      const twoId = String(devices[0]?.id);
      expectError(
        await stranger.client.request('DELETE', `/2fa/devices/${twoId}`),
        404,
        'NOT_FOUND',
      );
      expectError(await one.request('DELETE', '/2fa/devices/no-such-device'), 404, 'NOT_FOUND');
      expectNoContent(await one.request('DELETE', `/2fa/devices/${twoId}`));
      await kit.challenge(user.account, two);
      const oneId = String(devices[1]?.id);
      const own = await one.request('DELETE', `/2fa/devices/${oneId}`);
      expectNoContent(own);
      expectCleared(own, DEVICE_COOKIE, '/');
      expectError(await ctx.client().request('GET', '/2fa/devices'), 401, 'UNAUTHENTICATED');
    });

    it('turns 2FA off with the password and a code (POST /2fa/disable, 204)', async () => {
      const user = await kit.enable();
      const { client } = user.enrolled;
      const code = await kit.nextTotp(user.secret);
      const disable = (json: Record<string, unknown>) =>
        client.request('POST', '/2fa/disable', { json });
      expectError(await disable({ password: WRONG_PASSWORD, code }), 403, 'PASSWORD_INCORRECT');
      const password = user.account.password;
      expectError(await disable({ password, code: kit.wrongCode(code) }), 400, 'CODE_INVALID');
      expectValidation(await disable({ password }), ['code']);
      const off = await disable({ password, code });
      expectNoContent(off);
      expectCleared(off, DEVICE_COOKIE, '/');
      expectSignedIn(ctx, await login(user.account.email, password));
      const anonymous = await ctx.client().request('POST', '/2fa/disable', { json: { password } });
      expectError(anonymous, 401, 'UNAUTHENTICATED');
    });

    it('replaces the recovery codes (POST /2fa/recovery-codes): the old ones die', async () => {
      const user = await kit.enable();
      const { client } = user.enrolled;
      const password = user.account.password;
      const wrong = await client.request('POST', '/2fa/recovery-codes', {
        json: { password: WRONG_PASSWORD },
      });
      expectError(wrong, 403, 'PASSWORD_INCORRECT');
      const res = await client.request('POST', '/2fa/recovery-codes', { json: { password } });
      const body = expectOk(res);
      expect(keysOf(body)).toEqual(['recoveryCodes']);
      const fresh = body.recoveryCodes as string[];
      expect(fresh).toHaveLength(10);
      expect(fresh.filter((c) => user.recoveryCodes.includes(c))).toEqual([]);
      const pending = await kit.challenge(user.account);
      const proof = { challenge: pending.challenge, method: 'recovery' };
      const old = await kit.verify(pending.client, { ...proof, code: user.recoveryCodes[1] });
      expectError(old, 400, 'CODE_INVALID');
      kit.adopt(pending.client, await kit.verify(pending.client, { ...proof, code: fresh[1] }));
    });

    it('refuses enrollment without a session (401), a password (400) or the right one (403)', async () => {
      const account = await ctx.signUp();
      const { client } = await ctx.signIn(account);
      const enroll = (json: Record<string, unknown>) =>
        client.request('POST', '/2fa/totp/enroll', { json });
      expectError(await enroll({ password: WRONG_PASSWORD }), 403, 'PASSWORD_INCORRECT');
      expectValidation(await enroll({}), ['password']);
      const confirm = await client.request('POST', '/2fa/totp/confirm', { json: { code: 42 } });
      expectValidation(confirm, ['code']);
      const none = await client.request('POST', '/2fa/totp/confirm', { json: { code: '123456' } });
      expectError(none, 400, 'CODE_INVALID');
      const anonymous = ctx.client();
      for (const path of ['/2fa/totp/enroll', '/2fa/recovery-codes', '/2fa/phone']) {
        const res = await anonymous.request('POST', path, { json: { password: account.password } });
        expectError(res, 401, 'UNAUTHENTICATED');
      }
      if (ctx.variant.strategy === 'cookie') {
        const forged = await client.request('POST', '/2fa/totp/enroll', {
          json: { password: account.password },
          csrf: false,
        });
        expectError(forged, 403, 'CSRF_FAILED');
      }
    });

    it('re-authenticates with the password and a code when 2FA is on (POST /reauthenticate): a new session token, the old one dead', async () => {
      const user = await kit.enable();
      const password = user.account.password;
      const inline = await kit.signIn2fa(user);
      ctx.clock.advance(ELEVEN_MINUTES_MS);
      // For a user with 2FA, a password alone does not make a stale session fresh.
      const stale = await inline.request('POST', '/logout/all', { json: { password } });
      expectError(stale, 403, 'REAUTH_REQUIRED');
      const proof = { password, code: await kit.nextTotp(user.secret), method: 'totp' };
      expectNoContent(await inline.request('POST', '/logout/all', { json: proof }));
      const client = await kit.signIn2fa(user);
      ctx.clock.advance(ELEVEN_MINUTES_MS);
      const reauth = (json: Record<string, unknown>) =>
        client.request('POST', '/reauthenticate', { json });
      expectError(await reauth({ password }), 400, 'CODE_INVALID');
      const code = await kit.nextTotp(user.secret);
      const wrongPassword = await reauth({ password: WRONG_PASSWORD, code, method: 'totp' });
      expectError(wrongPassword, 403, 'PASSWORD_INCORRECT');
      const wrongCode = await reauth({ password, code: kit.wrongCode(code), method: 'totp' });
      expectError(wrongCode, 400, 'CODE_INVALID');
      const before = expectOk(await client.request('GET', '/session'));
      const oldSessionId = (before.session as { id: string }).id;
      const oldAuth = { bearer: client.bearer, cookie: client.jar.get(SESSION_COOKIE) };
      const reissued = await reauth({ password, code, method: 'totp' });
      kit.adopt(client, reissued);
      // The answer is a sign-in's; the session id and token changed, the old token is dead.
      const after = expectOk(await client.request('GET', '/session'));
      expect((after.session as { id: string }).id).not.toBe(oldSessionId);
      const old = ctx.client();
      if (oldAuth.bearer !== undefined) old.bearer = oldAuth.bearer;
      if (oldAuth.cookie !== undefined) old.jar.set(SESSION_COOKIE, oldAuth.cookie);
      expectError(await old.request('GET', '/session'), 401, 'UNAUTHENTICATED');
      // The new session is second-factor fresh: a factor change needs no code now.
      const codes = await client.request('POST', '/2fa/recovery-codes', { json: { password } });
      expect(expectOk(codes).recoveryCodes).toHaveLength(10);
      expectError(await reauth({ password, code, method: 'totp' }), 400, 'CODE_INVALID');
      expectNoContent(await client.request('POST', '/logout/all'));
    });

    it('verifies a phone (POST /2fa/phone 202, /2fa/phone/confirm 204) and signs in with an SMS code', async (t) => {
      const sms = kit.sms();
      if (sms === undefined) return t.skip();
      const user = await kit.enable();
      const { client } = user.enrolled;
      const password = user.account.password;
      const phone = `+1415555${String(ctx.clock.now() % 10_000).padStart(4, '0')}`;
      const start = (json: Record<string, unknown>) =>
        client.request('POST', '/2fa/phone', { json });
      expectValidation(await start({ phone: '555-0100', password }), ['phone']);
      expectError(await start({ phone, password: WRONG_PASSWORD }), 403, 'PASSWORD_INCORRECT');
      expect(expectOk(await start({ phone, password }), 202)).toEqual({ status: 'code_sent' });
      const code = sms.lastCode(phone) ?? '';
      const confirm = (c: string) =>
        client.request('POST', '/2fa/phone/confirm', { json: { code: c } });
      expectError(await confirm(kit.wrongCode(code)), 400, 'CODE_INVALID');
      expectNoContent(await confirm(code));
      const pending = await kit.challenge(user.account);
      expect(pending.methods).toEqual(['totp', 'email', 'sms', 'recovery']);
      const sent = await pending.client.request('POST', '/2fa/sms/send', {
        json: { challenge: pending.challenge },
      });
      expect(expectOk(sent, 202)).toEqual({ status: 'code_sent' });
      const res = await kit.verify(pending.client, {
        challenge: pending.challenge,
        method: 'sms',
        code: sms.lastCode(phone),
      });
      kit.adopt(pending.client, res);
    });
  });
}
