import { describe, expect, it } from 'vitest';
import { CTX, codeOf, PASSWORD, setup2fa } from './helpers.js';

describe('sign-in with TOTP', () => {
  it('a correct password stops at two_factor_required with the methods; no session yet', async () => {
    const { auth, enabledUser, events } = await setup2fa();
    const { userId, sessionId } = await enabledUser();
    const result = await auth.login({ identifier: 'ada@example.com', password: PASSWORD }, CTX);
    expect(result).toEqual({
      status: 'two_factor_required',
      challenge: expect.stringMatching(/^[\w-]{22}\.[\w-]{43}$/),
      methods: ['totp', 'email', 'recovery'],
    });
    // Only the session that enrolled (before 2FA): the sign-in opened none.
    expect((await auth.sessions.list(userId)).map((s) => s.id)).toEqual([sessionId]);
    expect(events.at(-1)).toMatchObject({ type: '2fa.challenged', userId });
  });

  it('the right code signs in with amr [pwd, otp] and emits 2fa.succeeded', async () => {
    const { auth, enabledUser, challenge, code, events } = await setup2fa();
    const { userId, secret } = await enabledUser();
    const { challenge: token } = await challenge();
    const result = await auth.verifySecondFactor(
      { challenge: token, method: 'totp', code: await code(secret) },
      CTX,
    );
    expect(result.status).toBe('signed_in');
    expect(result.user).toMatchObject({ id: userId, twoFactorEnabled: true });
    expect(result.session.amr).toEqual(['pwd', 'otp']);
    expect(result.trustedDevice).toBeUndefined();
    expect(events.map((e) => e.type).slice(-3)).toEqual([
      'session.created',
      'login.succeeded',
      '2fa.succeeded',
    ]);
    expect(events.at(-1)).toMatchObject({ data: { method: 'totp' }, sessionId: result.session.id });
  });

  it('a code is accepted once: replay in the same window is CODE_INVALID', async () => {
    const { auth, enabledUser, challenge, code } = await setup2fa();
    const { secret } = await enabledUser();
    const c = await code(secret);
    const first = await challenge();
    await auth.verifySecondFactor({ challenge: first.challenge, method: 'totp', code: c });
    const second = await challenge();
    expect(
      await codeOf(
        auth.verifySecondFactor({ challenge: second.challenge, method: 'totp', code: c }),
      ),
    ).toBe('CODE_INVALID');
    // The replay counted against the challenge but did not kill it: the next step's code works.
    const later = await code(secret, 30_000);
    const result = await auth.verifySecondFactor({
      challenge: second.challenge,
      method: 'totp',
      code: later,
    });
    expect(result.status).toBe('signed_in');
  });

  it('accepts the codes of one step either side; refuses two steps away', async () => {
    const { auth, enabledUser, challenge, code, clock } = await setup2fa();
    const { secret } = await enabledUser();
    for (const offset of [-60_000, 60_000]) {
      const { challenge: token } = await challenge();
      expect(
        await codeOf(
          auth.verifySecondFactor({
            challenge: token,
            method: 'totp',
            code: await code(secret, offset),
          }),
        ),
      ).toBe('CODE_INVALID');
    }
    clock.advance(60_000);
    const before = await challenge();
    const previous = await code(secret, -30_000);
    expect(
      (
        await auth.verifySecondFactor({
          challenge: before.challenge,
          method: 'totp',
          code: previous,
        })
      ).status,
    ).toBe('signed_in');
    clock.advance(60_000);
    const after = await challenge();
    const next = await code(secret, 30_000);
    expect(
      (await auth.verifySecondFactor({ challenge: after.challenge, method: 'totp', code: next }))
        .status,
    ).toBe('signed_in');
    // That used the next step: the current code is now older than the last used one.
    const again = await challenge();
    expect(
      await codeOf(
        auth.verifySecondFactor({
          challenge: again.challenge,
          method: 'totp',
          code: await code(secret),
        }),
      ),
    ).toBe('CODE_INVALID');
  });

  it('codes with spaces are accepted; non-digit codes are simply wrong', async () => {
    const { auth, enabledUser, challenge, code } = await setup2fa();
    const { secret } = await enabledUser();
    const { challenge: token } = await challenge();
    expect(
      await codeOf(auth.verifySecondFactor({ challenge: token, method: 'totp', code: 'abc def' })),
    ).toBe('CODE_INVALID');
    const c = await code(secret);
    const spaced = `${c.slice(0, 3)} ${c.slice(3)}`;
    expect(
      (await auth.verifySecondFactor({ challenge: token, method: 'totp', code: spaced })).status,
    ).toBe('signed_in');
  });

  it('validates input with details', async () => {
    const { auth } = await setup2fa();
    const error = await auth
      .verifySecondFactor({ challenge: 'x', method: 'pigeon', code: 7 } as never)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((error as { details: { path: string }[] }).details.map((d) => d.path)).toEqual([
      'method',
      'code',
    ]);
  });

  it('sms is refused when the user has no verified phone (counts as a wrong code)', async () => {
    const { auth, enabledUser, challenge } = await setup2fa();
    await enabledUser();
    const { challenge: token } = await challenge();
    expect(
      await codeOf(auth.verifySecondFactor({ challenge: token, method: 'sms', code: '123456' })),
    ).toBe('CODE_INVALID');
  });

  it('users without 2FA sign in with the password alone (amr [pwd])', async () => {
    const { auth, signUp } = await setup2fa();
    await signUp('bob@example.com');
    const result = await auth.login({ identifier: 'bob@example.com', password: PASSWORD });
    expect(result.status === 'signed_in' && result.session.amr).toEqual(['pwd']);
  });

  it('a password reset does not bypass 2FA', async () => {
    const { auth, enabledUser, mailer } = await setup2fa();
    await enabledUser();
    await auth.passwords.requestReset('ada@example.com', CTX);
    const token = mailer.extractToken(
      mailer.find('ada@example.com', 'password-reset') ?? expect.fail(),
    );
    await auth.passwords.reset({ token: token ?? '', newPassword: 'saffron meridian lantern' });
    const result = await auth.login({
      identifier: 'ada@example.com',
      password: 'saffron meridian lantern',
    });
    expect(result.status).toBe('two_factor_required');
  });
});
