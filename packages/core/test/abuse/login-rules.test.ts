import { describe, expect, it } from 'vitest';
import { ruleKey } from '../../src/abuse/rate-limit.js';
import { DEFAULT_TOTP_PARAMS, totpCode } from '../../src/two-factor/index.js';
import { CTX, fail, PASSWORD, setup, T0 } from '../flows/helpers.js';
import { attempt, codeOf, WRONG, wrongTimes } from './helpers.js';

const NEW_PASSWORD = 'saffron meridian lantern';

describe('per-IP throttle (loginPerIp: 100 attempts in 15 min)', () => {
  it('the 101st attempt from one IP is refused, even with the right password', async () => {
    const { auth, signUp } = await setup();
    await signUp('ada@example.com');
    // Credential stuffing: one guess per account, so no account rule ever trips.
    for (let i = 0; i < 100; i++) {
      expect(codeOf(await attempt(auth, `user${i}@example.com`, WRONG))).toBe(
        'INVALID_CREDENTIALS',
      );
    }
    expect(await attempt(auth, 'ada@example.com', PASSWORD)).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: 900,
    });
    // Another address is not throttled, and neither is the account itself.
    expect(await attempt(auth, 'ada@example.com', PASSWORD, { ip: '198.51.100.9' })).toBe(
      'signed_in',
    );
  });

  it('successful sign-ins count too (every attempt), and an unknown IP is not counted', async () => {
    const { auth, signUp, clock } = await setup({
      rateLimits: { loginPerIp: { limit: 3, windowSeconds: 60 } },
    });
    await signUp('ada@example.com');
    for (let i = 0; i < 3; i++) await attempt(auth, 'ada@example.com', PASSWORD);
    expect(await attempt(auth, 'ada@example.com', PASSWORD)).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: 60,
    });
    expect(await attempt(auth, 'ada@example.com', PASSWORD, {})).toBe('signed_in');
    clock.advance(60_000);
    expect(await attempt(auth, 'ada@example.com', PASSWORD)).toBe('signed_in');
  });
});

describe('configuration', () => {
  it('loginPerAccount: false turns the lockout off', async () => {
    const { auth, signUp, events } = await setup({ rateLimits: { loginPerAccount: false } });
    await signUp('ada@example.com');
    const wrong = await wrongTimes(auth, 'ada@example.com', 20);
    expect(new Set(wrong.map(codeOf))).toEqual(new Set(['INVALID_CREDENTIALS']));
    expect(await attempt(auth, 'ada@example.com', PASSWORD)).toBe('signed_in');
    expect(events.some((e) => e.type === 'login.locked')).toBe(false);
  });

  it('loginPerIp: false turns the per-IP limit off', async () => {
    const { auth, storage } = await setup({ rateLimits: { loginPerIp: false } });
    for (let i = 0; i < 3; i++) await attempt(auth, `user${i}@example.com`, WRONG);
    expect(await storage.rateLimits.peek(ruleKey('loginPerIp', CTX.ip), T0)).toBeUndefined();
  });

  it('a stricter rule applies as configured', async () => {
    const { auth, signUp, clock } = await setup({
      rateLimits: { loginPerAccount: { limit: 2, windowSeconds: 60, lockSeconds: 3600 } },
    });
    await signUp('ada@example.com');
    await wrongTimes(auth, 'ada@example.com', 2);
    expect(await attempt(auth, 'ada@example.com', PASSWORD)).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: 3600,
    });
    clock.advance(3_600_000);
    expect(await attempt(auth, 'ada@example.com', PASSWORD)).toBe('signed_in');
  });
});

describe('what clears the failures', () => {
  it('a successful sign-in resets the failure count', async () => {
    const { auth, signUp } = await setup();
    await signUp('ada@example.com', { username: 'ada_l' });
    for (let round = 0; round < 3; round++) {
      await wrongTimes(auth, 'ada@example.com', 2);
      await wrongTimes(auth, 'ada_l', 2);
      expect(await attempt(auth, round % 2 ? 'ada_l' : 'ada@example.com', PASSWORD)).toBe(
        'signed_in',
      );
    }
    // After the last success the budget is whole again: 4 failures, still not locked.
    await wrongTimes(auth, 'ada@example.com', 4);
    expect(await attempt(auth, 'ada@example.com', PASSWORD)).toBe('signed_in');
  });

  it('a correct password of an unverified account does not reset the count', async () => {
    const { auth } = await setup();
    await auth.register({ email: 'ada@example.com', password: PASSWORD }, CTX);
    await wrongTimes(auth, 'ada@example.com', 4);
    expect(codeOf(await attempt(auth, 'ada@example.com', PASSWORD))).toBe('EMAIL_NOT_VERIFIED');
    expect(codeOf(await attempt(auth, 'ada@example.com', WRONG))).toBe('INVALID_CREDENTIALS');
    expect(codeOf(await attempt(auth, 'ada@example.com', PASSWORD))).toBe('RATE_LIMITED');
  });

  it('a completed password reset lifts the lock (the link proves the owner)', async () => {
    const { auth, signUp, mailer } = await setup();
    await signUp('ada@example.com', { username: 'ada_l' });
    await wrongTimes(auth, 'ada@example.com', 5);
    await auth.passwords.requestReset('ada@example.com', CTX);
    const mail = mailer.find('ada@example.com', 'password-reset') ?? fail('no reset mail');
    const token = mailer.extractToken(mail) ?? fail('no token');
    await auth.passwords.reset({ token, newPassword: NEW_PASSWORD }, CTX);
    expect(await attempt(auth, 'ada@example.com', NEW_PASSWORD)).toBe('signed_in');
    expect(await attempt(auth, 'ada_l', NEW_PASSWORD)).toBe('signed_in');
  });
});

describe('sign-in order: the throttle before the second factor', () => {
  it('a locked account with 2FA on gets RATE_LIMITED, and no challenge is issued', async () => {
    const { auth, signUp, events, clock } = await setup();
    const userId = await signUp('ada@example.com');
    const { secret } = await auth.twoFactor.totp.enroll({ userId, password: PASSWORD }, CTX);
    await auth.twoFactor.totp.confirm(
      { userId, code: await totpCode(secret, DEFAULT_TOTP_PARAMS, clock.now()) },
      CTX,
    );
    expect(await attempt(auth, 'ada@example.com', PASSWORD)).toBe('two_factor_required');
    await wrongTimes(auth, 'ada@example.com', 5);
    const before = events.filter((e) => e.type === '2fa.challenged').length;
    expect(codeOf(await attempt(auth, 'ada@example.com', PASSWORD))).toBe('RATE_LIMITED');
    expect(events.filter((e) => e.type === '2fa.challenged').length).toBe(before);
  });
});
