/**
 * `rateLimits.loginPerAccount.key`: 'identifier' (default) locks the identifier for everyone;
 * 'identifier+ip' gives each client address its own counter and lock, so a stranger's
 * failures do not lock the owner out (docs/rate-limits.md, "Lockout: by identifier, or by
 * identifier and IP").
 */
import { describe, expect, it } from 'vitest';
import { createAuth, memoryMailer, memoryStorage } from '../../src/index.js';
import { codeOf as rejectionOf, verifiedUser } from '../events/helpers.js';
import { PASSWORD, setup } from '../flows/helpers.js';
import { attempt, codeOf, WRONG, wrongTimes } from './helpers.js';

const A = { ip: '198.51.100.1', userAgent: 'attacker' };
const B = { ip: '203.0.113.9', userAgent: 'owner' };
const PAIR = {
  loginPerAccount: {
    limit: 5,
    windowSeconds: 900,
    lockSeconds: 900,
    key: 'identifier+ip' as const,
  },
};

describe("loginPerAccount key 'identifier+ip'", () => {
  it('failures from IP A lock A only; the owner at IP B still signs in (by identifier, B is locked)', async () => {
    const s = await setup({ rateLimits: PAIR });
    await verifiedUser(s, 'ada@example.com');
    const wrong = await wrongTimes(s.auth, 'ada@example.com', 5, A);
    expect(wrong.map(codeOf)).toEqual(Array(5).fill('INVALID_CREDENTIALS'));
    expect(await attempt(s.auth, 'ada@example.com', PASSWORD, A)).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: 900,
    });
    expect(await attempt(s.auth, 'ada@example.com', PASSWORD, B)).toBe('signed_in');
    // The owner's success does not lift the lock of the attacker's address.
    expect(await attempt(s.auth, 'ada@example.com', PASSWORD, A)).toMatchObject({
      code: 'RATE_LIMITED',
    });

    // The default key: the same failures from A lock the owner at B too.
    const byIdentifier = await setup();
    await verifiedUser(byIdentifier, 'ada@example.com');
    await wrongTimes(byIdentifier.auth, 'ada@example.com', 5, A);
    expect(await attempt(byIdentifier.auth, 'ada@example.com', PASSWORD, B)).toMatchObject({
      code: 'RATE_LIMITED',
    });
  });

  it('a password reset from the locked address lifts the lock of that address', async () => {
    const s = await setup({ rateLimits: PAIR });
    await verifiedUser(s, 'ada@example.com');
    await wrongTimes(s.auth, 'ada@example.com', 5, A);
    await s.auth.passwords.requestReset('ada@example.com', A);
    const mail = await s.mailer.waitFor('ada@example.com', 'password-reset');
    const token = s.mailer.extractToken(mail) as string;
    await s.auth.passwords.reset({ token, newPassword: 'saffron lighthouse quartz' }, A);
    expect(await attempt(s.auth, 'ada@example.com', 'saffron lighthouse quartz', A)).toBe(
      'signed_in',
    );
  });

  it('an IPv6 client counts for its /64: rotating addresses in it does not add guesses', async () => {
    const s = await setup({ rateLimits: PAIR });
    await verifiedUser(s, 'ada@example.com');
    for (let i = 1; i <= 5; i++) {
      await attempt(s.auth, 'ada@example.com', WRONG, { ip: `2001:db8:1:2::${i}` });
    }
    expect(
      await attempt(s.auth, 'ada@example.com', PASSWORD, { ip: '2001:db8:1:2:ffff::1' }),
    ).toMatchObject({ code: 'RATE_LIMITED' });
    expect(await attempt(s.auth, 'ada@example.com', PASSWORD, { ip: '2001:db8:1:3::1' })).toBe(
      'signed_in',
    );
  });

  it('password re-checks are keyed alike: wrong re-checks from A lock sign-in from A, not B', async () => {
    const s = await setup({ rateLimits: PAIR });
    const userId = await verifiedUser(s, 'ada@example.com');
    const signedIn = await s.auth.login({ identifier: 'ada@example.com', password: PASSWORD }, B);
    if (signedIn.status !== 'signed_in') throw new Error('expected a session');
    const sessionId = signedIn.session.id;
    for (let i = 0; i < 5; i++) {
      expect(
        await rejectionOf(s.auth.reauthenticate({ userId, sessionId, password: WRONG }, A)),
      ).toBe('PASSWORD_INCORRECT');
    }
    expect(await attempt(s.auth, 'ada@example.com', PASSWORD, A)).toMatchObject({
      code: 'RATE_LIMITED',
    });
    expect(await attempt(s.auth, 'ada@example.com', PASSWORD, B)).toBe('signed_in');
  });

  it('without a known IP, attempts count under the identifier alone', async () => {
    const s = await setup({ rateLimits: PAIR });
    await verifiedUser(s, 'ada@example.com');
    await wrongTimes(s.auth, 'ada@example.com', 5, {});
    expect(await attempt(s.auth, 'ada@example.com', PASSWORD, {})).toMatchObject({
      code: 'RATE_LIMITED',
    });
    expect(await attempt(s.auth, 'ada@example.com', PASSWORD, B)).toBe('signed_in');
  });

  it('refuses an unknown key, and a key on another rule, with CONFIG_INVALID', () => {
    const base = { storage: memoryStorage(), mailer: memoryMailer(), appUrl: 'https://a.example' };
    const invalid = (rateLimits: unknown) => {
      try {
        createAuth({ ...base, rateLimits } as never);
      } catch (e) {
        return (e as { code: string }).code;
      }
      return 'created';
    };
    expect(invalid({ loginPerAccount: { limit: 5, windowSeconds: 60, key: 'ip' } })).toBe(
      'CONFIG_INVALID',
    );
    expect(invalid({ loginPerIp: { limit: 5, windowSeconds: 60, key: 'identifier+ip' } })).toBe(
      'CONFIG_INVALID',
    );
    expect(invalid(PAIR)).toBe('created');
  });
});
