import { describe, expect, it } from 'vitest';
import { requireStepUp } from '../../src/sign-in/reauthenticate.js';
import { CTX, codeOf, PASSWORD, setup2fa } from './helpers.js';

describe('turning 2FA off', () => {
  it('with the password and a TOTP code: TOTP, recovery codes and devices go; sign-in is password only', async () => {
    const { auth, enabledUser, code, events, clock } = await setup2fa();
    const { userId, secret } = await enabledUser();
    await auth.twoFactor.disable({ userId, password: PASSWORD, code: await code(secret) }, CTX);
    expect(events.at(-1)).toMatchObject({ type: '2fa.disabled', userId, data: { method: 'totp' } });
    expect(await auth.twoFactor.status(userId)).toEqual({
      enabled: false,
      methods: [],
      phone: null,
      recoveryCodesLeft: 0,
    });
    expect((await auth.storage.users.getById(userId))?.totp).toBeUndefined();
    clock.advance(1000);
    const login = await auth.login({ identifier: 'ada@example.com', password: PASSWORD });
    expect(login.status).toBe('signed_in');
  });

  it('with a recovery code instead of a TOTP code', async () => {
    const { auth, enabledUser } = await setup2fa();
    const { userId, recoveryCodes } = await enabledUser();
    await auth.twoFactor.disable({ userId, password: PASSWORD, code: recoveryCodes[5] ?? '' });
    expect((await auth.twoFactor.status(userId)).enabled).toBe(false);
  });

  it('refuses a wrong password, a wrong or replayed code', async () => {
    const { auth, enabledUser, code, wrongCode, challenge } = await setup2fa();
    const { userId, secret } = await enabledUser();
    const c = await code(secret);
    expect(
      await codeOf(auth.twoFactor.disable({ userId, password: 'wrong password!', code: c })),
    ).toBe('PASSWORD_INCORRECT');
    expect(
      await codeOf(
        auth.twoFactor.disable({ userId, password: PASSWORD, code: await wrongCode(secret) }),
      ),
    ).toBe('CODE_INVALID');
    expect(
      await codeOf(
        auth.twoFactor.disable({ userId, password: PASSWORD, code: 'NOT-A-RECOVERY-CODE' }),
      ),
    ).toBe('CODE_INVALID');
    const { challenge: token } = await challenge();
    await auth.verifySecondFactor({ challenge: token, method: 'totp', code: c });
    expect(await codeOf(auth.twoFactor.disable({ userId, password: PASSWORD, code: c }))).toBe(
      'CODE_INVALID',
    );
    expect((await auth.twoFactor.status(userId)).enabled).toBe(true);
  });

  it('turning off what is off only checks the password', async () => {
    const { auth, signUp } = await setup2fa();
    const userId = await signUp('bob@example.com');
    await auth.twoFactor.disable({ userId, password: PASSWORD, code: '123456' });
    expect(await codeOf(auth.twoFactor.disable({ userId, password: 'nope nope', code: '1' }))).toBe(
      'PASSWORD_INCORRECT',
    );
  });
});

describe('re-authentication with a second factor', () => {
  async function signedIn() {
    const s = await setup2fa();
    const user = await s.enabledUser();
    const { challenge: token } = await s.challenge();
    const result = await s.auth.verifySecondFactor({
      challenge: token,
      method: 'totp',
      code: await s.code(user.secret),
    });
    s.clock.advance(11 * 60_000); // the session is no longer fresh
    return { ...s, ...user, sessionId: result.session.id };
  }

  it('needs the password and a TOTP code; then the session is fresh', async () => {
    const { auth, rt, userId, sessionId, secret, code } = await signedIn();
    await expect(requireStepUp(rt, 'fresh', { userId, sessionId }, {})).rejects.toMatchObject({
      code: 'REAUTH_REQUIRED',
    });
    const { session } = await auth.reauthenticate(
      { userId, sessionId, password: PASSWORD, code: await code(secret), method: 'totp' },
      CTX,
    );
    // A new session, fresh and second-factor fresh; the old one is gone.
    expect(session.id).not.toBe(sessionId);
    await requireStepUp(rt, 'fresh', { userId, sessionId: session.id }, {});
    await requireStepUp(rt, 'factor', { userId, sessionId: session.id, password: PASSWORD }, {});
    await expect(requireStepUp(rt, 'fresh', { userId, sessionId }, {})).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
  });

  it('a missing code or method is CODE_INVALID; another method is VALIDATION_FAILED', async () => {
    const { auth, userId, sessionId, secret, code } = await signedIn();
    const c = await code(secret);
    expect(await codeOf(auth.reauthenticate({ userId, sessionId, password: PASSWORD }))).toBe(
      'CODE_INVALID',
    );
    expect(
      await codeOf(auth.reauthenticate({ userId, sessionId, password: PASSWORD, code: c })),
    ).toBe('CODE_INVALID');
    expect(
      await codeOf(
        auth.reauthenticate({ userId, sessionId, password: PASSWORD, code: c, method: 'email' }),
      ),
    ).toBe('VALIDATION_FAILED');
    expect(
      await codeOf(
        auth.reauthenticate({
          userId,
          sessionId,
          password: 'wrong password!',
          code: c,
          method: 'totp',
        }),
      ),
    ).toBe('PASSWORD_INCORRECT');
  });

  it('a wrong or replayed code is CODE_INVALID', async () => {
    const { auth, userId, sessionId, secret, code, wrongCode } = await signedIn();
    const bad = await wrongCode(secret);
    expect(
      await codeOf(
        auth.reauthenticate({ userId, sessionId, password: PASSWORD, code: bad, method: 'totp' }),
      ),
    ).toBe('CODE_INVALID');
    const c = await code(secret);
    const { session } = await auth.reauthenticate({
      userId,
      sessionId,
      password: PASSWORD,
      code: c,
      method: 'totp',
    });
    const replay = { userId, sessionId: session.id, password: PASSWORD, code: c };
    expect(await codeOf(auth.reauthenticate({ ...replay, method: 'totp' }))).toBe('CODE_INVALID');
  });

  it('a recovery code works once and is reported used', async () => {
    const { auth, userId, sessionId, recoveryCodes, events } = await signedIn();
    const code = recoveryCodes[2] ?? '';
    const { session } = await auth.reauthenticate({
      userId,
      sessionId,
      password: PASSWORD,
      code,
      method: 'recovery',
    });
    expect(events.filter((e) => e.type === 'recovery_code.used').at(-1)).toMatchObject({
      sessionId,
      data: { remaining: 9 },
    });
    const again = { userId, sessionId: session.id, password: PASSWORD, code };
    expect(await codeOf(auth.reauthenticate({ ...again, method: 'recovery' }))).toBe(
      'CODE_INVALID',
    );
  });

  it('the fresh-session rule: a password alone is checked but cannot refresh a 2FA session', async () => {
    const { rt, userId, sessionId, secret, code } = await signedIn();
    await expect(
      requireStepUp(rt, 'fresh', { userId, sessionId, password: 'wrong password!' }, {}),
    ).rejects.toMatchObject({ code: 'PASSWORD_INCORRECT' });
    await expect(
      requireStepUp(rt, 'fresh', { userId, sessionId, password: PASSWORD }, {}),
    ).rejects.toMatchObject({ code: 'REAUTH_REQUIRED' });
    await requireStepUp(
      rt,
      'fresh',
      { userId, sessionId, password: PASSWORD, code: await code(secret), method: 'totp' },
      {},
    );
    // The proof authorized that request only: the session is as stale as before.
    await expect(
      requireStepUp(rt, 'fresh', { userId, sessionId, password: PASSWORD }, {}),
    ).rejects.toMatchObject({ code: 'REAUTH_REQUIRED' });
  });

  it('users without 2FA re-authenticate with the password alone, as before', async () => {
    const { auth, signUp, rt } = await setup2fa();
    const userId = await signUp('bob@example.com');
    const login = await auth.login({ identifier: 'bob@example.com', password: PASSWORD });
    if (login.status !== 'signed_in') throw new Error('setup');
    const { session } = await auth.reauthenticate({
      userId,
      sessionId: login.session.id,
      password: PASSWORD,
    });
    await requireStepUp(rt, 'fresh', { userId, sessionId: session.id }, {});
  });
});
