import { describe, expect, it } from 'vitest';
import { CTX, codeOf, PASSWORD, setup2fa } from './helpers.js';

describe('recovery codes', () => {
  it('10 codes of 24 Base32 characters in groups of 4, stored as SHA-256 only', async () => {
    const { auth, enabledUser, writes } = await setup2fa();
    const { userId, recoveryCodes } = await enabledUser();
    expect(recoveryCodes).toHaveLength(10);
    for (const c of recoveryCodes) expect(c).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){5}$/);
    const stored = await auth.storage.twoFactor.listRecoveryCodes(userId);
    expect(stored).toHaveLength(10);
    for (const record of stored) expect(record.hash).toMatch(/^[\w-]{43}$/);
    const everything = writes.join('\n');
    for (const c of recoveryCodes) {
      expect(everything).not.toContain(c);
      expect(everything).not.toContain(c.replaceAll('-', ''));
    }
  });

  it('signs in once per code, with amr [pwd, recovery]; case, dashes and spaces do not matter', async () => {
    const { auth, enabledUser, challenge, events } = await setup2fa();
    const { userId, recoveryCodes } = await enabledUser();
    const code = recoveryCodes[0] ?? '';
    const first = await challenge();
    const result = await auth.verifySecondFactor(
      {
        challenge: first.challenge,
        method: 'recovery',
        code: ` ${code.toLowerCase().replaceAll('-', ' ')} `,
      },
      CTX,
    );
    expect(result.session.amr).toEqual(['pwd', 'recovery']);
    expect(events.filter((e) => e.type === 'recovery_code.used').at(-1)).toMatchObject({
      userId,
      data: { remaining: 9 },
    });
    const second = await challenge();
    expect(
      await codeOf(
        auth.verifySecondFactor({ challenge: second.challenge, method: 'recovery', code }),
      ),
    ).toBe('CODE_INVALID');
    expect((await auth.twoFactor.status(userId)).recoveryCodesLeft).toBe(9);
    const other = await auth.verifySecondFactor({
      challenge: second.challenge,
      method: 'recovery',
      code: (recoveryCodes[1] ?? '').replaceAll('-', ''),
    });
    expect(other.status).toBe('signed_in');
  });

  it('concurrent sign-ins with one recovery code: exactly one wins', async () => {
    const { auth, enabledUser, challenge } = await setup2fa();
    const { recoveryCodes } = await enabledUser();
    const code = recoveryCodes[3] ?? '';
    const tokens = await Promise.all([challenge(), challenge(), challenge()]);
    const results = await Promise.allSettled(
      tokens.map((t) =>
        auth.verifySecondFactor({ challenge: t.challenge, method: 'recovery', code }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'CODE_INVALID' });
    }
  });

  it('regenerate kills the old codes and returns 10 new ones', async () => {
    const { auth, enabledUser, challenge, events, factorSession } = await setup2fa();
    const { userId, recoveryCodes: old, secret } = await enabledUser();
    const sessionId = await factorSession(secret);
    const { recoveryCodes: fresh } = await auth.twoFactor.recoveryCodes.regenerate(
      { userId, password: PASSWORD, sessionId },
      CTX,
    );
    expect(fresh).toHaveLength(10);
    expect(fresh.some((c) => old.includes(c))).toBe(false);
    expect(events.at(-1)).toMatchObject({
      type: '2fa.recovery_codes_regenerated',
      data: { count: 10 },
    });
    const { challenge: token } = await challenge();
    expect(
      await codeOf(
        auth.verifySecondFactor({ challenge: token, method: 'recovery', code: old[0] ?? '' }),
      ),
    ).toBe('CODE_INVALID');
    const result = await auth.verifySecondFactor({
      challenge: token,
      method: 'recovery',
      code: fresh[0] ?? '',
    });
    expect(result.status).toBe('signed_in');
  });

  it('regenerate needs the password, and 2FA on', async () => {
    const { auth, enabledUser, signUp, factorSession } = await setup2fa();
    const { userId, secret } = await enabledUser();
    const sessionId = await factorSession(secret);
    expect(
      await codeOf(
        auth.twoFactor.recoveryCodes.regenerate({ userId, password: 'wrong password!', sessionId }),
      ),
    ).toBe('PASSWORD_INCORRECT');
    const bob = await signUp('bob@example.com');
    expect(
      await codeOf(auth.twoFactor.recoveryCodes.regenerate({ userId: bob, password: PASSWORD })),
    ).toBe('VALIDATION_FAILED');
  });

  it('when every code is used, recovery is no longer offered', async () => {
    const { auth, enabledUser, challenge } = await setup2fa();
    const { recoveryCodes } = await enabledUser();
    for (const code of recoveryCodes) {
      const { challenge: token } = await challenge();
      await auth.verifySecondFactor({ challenge: token, method: 'recovery', code });
    }
    expect((await challenge()).methods).toEqual(['totp', 'email']);
  });

  it('short codes (16 characters = 80 bits) are stored as argon2id PHC strings and still work', async () => {
    const { auth, enabledUser, challenge } = await setup2fa({
      twoFactor: { recoveryCodeCharacters: 16 },
    });
    const { userId, recoveryCodes } = await enabledUser();
    for (const c of recoveryCodes) expect(c).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$/);
    const stored = await auth.storage.twoFactor.listRecoveryCodes(userId);
    const salts = new Set<string>();
    for (const record of stored) {
      expect(record.hash).toMatch(
        /^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/,
      );
      salts.add(record.hash.split('$')[4] ?? '');
    }
    expect(salts.size).toBe(10);
    const { challenge: token } = await challenge();
    expect(
      await codeOf(
        auth.verifySecondFactor({
          challenge: token,
          method: 'recovery',
          code: 'AAAA-AAAA-AAAA-AAAA',
        }),
      ),
    ).toBe('CODE_INVALID');
    const result = await auth.verifySecondFactor({
      challenge: token,
      method: 'recovery',
      code: (recoveryCodes[9] ?? '').toLowerCase(),
    });
    expect(result.session.amr).toEqual(['pwd', 'recovery']);
  });

  it('23 characters (115 bits) is the first length stored as SHA-256', async () => {
    for (const [characters, argon] of [
      [22, true],
      [23, false],
    ] as const) {
      const { auth, enabledUser } = await setup2fa({
        twoFactor: { recoveryCodeCharacters: characters },
      });
      const { userId, recoveryCodes } = await enabledUser();
      expect(recoveryCodes[0]?.replaceAll('-', '')).toHaveLength(characters);
      const [record] = await auth.storage.twoFactor.listRecoveryCodes(userId);
      expect(record?.hash.startsWith('$argon2id$')).toBe(argon);
    }
  });
});
