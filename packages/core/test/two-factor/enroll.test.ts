import { describe, expect, it } from 'vitest';
import { CTX, codeOf, PASSWORD, setup2fa } from './helpers.js';

describe('TOTP enrollment', () => {
  it('enroll returns a 160-bit Base32 secret and a complete otpauth URI; 2FA stays off', async () => {
    const { auth, signUp } = await setup2fa({ appName: 'Acme Co' });
    const userId = await signUp('ada@example.com');
    const { secret, otpauthUri } = await auth.twoFactor.totp.enroll(
      { userId, password: PASSWORD },
      CTX,
    );
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(otpauthUri).toBe(
      `otpauth://totp/Acme%20Co:ada%40example.com?secret=${secret}&issuer=Acme%20Co&algorithm=SHA1&digits=6&period=30`,
    );
    expect(await auth.twoFactor.status(userId)).toEqual({
      enabled: false,
      methods: [],
      phone: null,
      recoveryCodesLeft: 0,
    });
    expect((await auth.users.get(userId)).twoFactorEnabled).toBe(false);
  });

  it('totpIssuer overrides the issuer', async () => {
    const { auth, signUp } = await setup2fa({ twoFactor: { totpIssuer: 'Acme Login' } });
    const userId = await signUp('ada@example.com');
    const { otpauthUri } = await auth.twoFactor.totp.enroll({ userId, password: PASSWORD });
    expect(otpauthUri).toMatch(
      /^otpauth:\/\/totp\/Acme%20Login:ada%40example\.com\?.*&issuer=Acme%20Login&/,
    );
  });

  it('confirm turns 2FA on, stores the secret encrypted with the step used, returns 10 codes', async () => {
    const { auth, signUp, code, events, writes } = await setup2fa();
    const userId = await signUp('ada@example.com');
    const { secret } = await auth.twoFactor.totp.enroll({ userId, password: PASSWORD }, CTX);
    const { recoveryCodes } = await auth.twoFactor.totp.confirm(
      { userId, code: await code(secret) },
      CTX,
    );
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    const user = await auth.storage.users.getById(userId);
    expect(user?.totp).toMatchObject({ algorithm: 'sha1', digits: 6, periodSeconds: 30, t0: 0 });
    expect(user?.totp?.encryptedSecret).toMatch(/^pc1\./);
    expect(user?.totp?.lastUsedStep).toBe(Math.floor(Date.UTC(2026, 0, 1) / 30_000));
    expect(writes.join('\n')).not.toContain(secret);
    expect((await auth.users.get(userId)).twoFactorEnabled).toBe(true);
    expect(await auth.twoFactor.status(userId)).toEqual({
      enabled: true,
      methods: ['totp', 'email', 'recovery'],
      phone: null,
      recoveryCodesLeft: 10,
    });
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['2fa.enrollment_started', '2fa.enabled']),
    );
  });

  it('the code used to confirm cannot sign in (its step is spent)', async () => {
    const { auth, signUp, code, challenge } = await setup2fa();
    const userId = await signUp('ada@example.com');
    const { secret } = await auth.twoFactor.totp.enroll({ userId, password: PASSWORD });
    const first = await code(secret);
    await auth.twoFactor.totp.confirm({ userId, code: first });
    const { challenge: token } = await challenge();
    expect(
      await codeOf(auth.verifySecondFactor({ challenge: token, method: 'totp', code: first })),
    ).toBe('CODE_INVALID');
  });

  it('rejects a wrong password, a wrong code, a missing or expired enrollment', async () => {
    const { auth, signUp, code, wrongCode, clock } = await setup2fa();
    const userId = await signUp('ada@example.com');
    expect(await codeOf(auth.twoFactor.totp.enroll({ userId, password: 'not the password' }))).toBe(
      'PASSWORD_INCORRECT',
    );
    expect(await codeOf(auth.twoFactor.totp.confirm({ userId, code: '123456' }))).toBe(
      'CODE_INVALID',
    );
    const { secret } = await auth.twoFactor.totp.enroll({ userId, password: PASSWORD });
    expect(
      await codeOf(auth.twoFactor.totp.confirm({ userId, code: await wrongCode(secret) })),
    ).toBe('CODE_INVALID');
    expect(await codeOf(auth.twoFactor.totp.confirm({ userId, code: 'abcdef' }))).toBe(
      'CODE_INVALID',
    );
    clock.advance(15 * 60_000);
    expect(await codeOf(auth.twoFactor.totp.confirm({ userId, code: await code(secret) }))).toBe(
      'CODE_INVALID',
    );
    expect((await auth.twoFactor.status(userId)).enabled).toBe(false);
  });

  it('a second enroll replaces the first secret', async () => {
    const { auth, signUp, code } = await setup2fa();
    const userId = await signUp('ada@example.com');
    const first = await auth.twoFactor.totp.enroll({ userId, password: PASSWORD });
    const second = await auth.twoFactor.totp.enroll({ userId, password: PASSWORD });
    expect(second.secret).not.toBe(first.secret);
    expect(
      await codeOf(auth.twoFactor.totp.confirm({ userId, code: await code(first.secret) })),
    ).toBe('CODE_INVALID');
    await auth.twoFactor.totp.confirm({ userId, code: await code(second.secret) });
  });

  it('cannot enroll again while 2FA is on (turn it off first)', async () => {
    const { auth, enabledUser } = await setup2fa();
    const { userId } = await enabledUser();
    const error = await auth.twoFactor.totp
      .enroll({ userId, password: PASSWORD })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('two concurrent confirmations: one turns 2FA on, the other is refused', async () => {
    const { auth, signUp, code } = await setup2fa();
    const userId = await signUp('ada@example.com');
    const { secret } = await auth.twoFactor.totp.enroll({ userId, password: PASSWORD });
    const c = await code(secret);
    const results = await Promise.allSettled([
      auth.twoFactor.totp.confirm({ userId, code: c }),
      auth.twoFactor.totp.confirm({ userId, code: c }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('validates input with details', async () => {
    const { auth } = await setup2fa();
    const error = await auth.twoFactor.totp
      .enroll({ userId: '', password: 42 } as never)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((error as { details: { path: string }[] }).details.map((d) => d.path)).toEqual([
      'userId',
      'password',
    ]);
    expect(await codeOf(auth.twoFactor.totp.confirm({ userId: 'x', code: '' }))).toBe(
      'VALIDATION_FAILED',
    );
  });

  it('settings of an unknown user are UNAUTHENTICATED', async () => {
    const { auth } = await setup2fa();
    expect(await codeOf(auth.twoFactor.status('nobody'))).toBe('UNAUTHENTICATED');
    expect(await codeOf(auth.twoFactor.totp.enroll({ userId: 'nobody', password: PASSWORD }))).toBe(
      'UNAUTHENTICATED',
    );
  });
});
