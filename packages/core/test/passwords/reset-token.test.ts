import { describe, expect, it } from 'vitest';
import { CTX, expectCode, MINUTE, NEW_PASSWORD, PASSWORD, setup } from '../account/helpers.js';

const ADA = 'ada@example.com';

describe('passwords.reset: the token', () => {
  it('the token works once: replay is TOKEN_INVALID', async () => {
    const { auth, signUp, tokenFrom } = await setup();
    await signUp(ADA);
    await auth.passwords.requestReset(ADA, CTX);
    const token = tokenFrom(ADA, 'password-reset');
    await auth.passwords.reset({ token, newPassword: NEW_PASSWORD }, CTX);
    await expectCode(
      auth.passwords.reset({ token, newPassword: 'another fine phrase' }, CTX),
      'TOKEN_INVALID',
    );
    expect((await auth.login({ identifier: ADA, password: NEW_PASSWORD }, CTX)).status).toBe(
      'signed_in',
    );
  });

  it('race: of two concurrent resets with one token exactly one succeeds', async () => {
    const { auth, signUp, tokenFrom } = await setup();
    await signUp(ADA);
    await auth.passwords.requestReset(ADA, CTX);
    const token = tokenFrom(ADA, 'password-reset');
    const results = await Promise.allSettled([
      auth.passwords.reset({ token, newPassword: NEW_PASSWORD }, CTX),
      auth.passwords.reset({ token, newPassword: 'another fine phrase' }, CTX),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter((r) => r.status === 'rejected');
    expect(rejected.map((r) => r.reason.code)).toEqual(['TOKEN_INVALID']);
  });

  it('expiry: valid at 29:59, TOKEN_EXPIRED at 30:00', async () => {
    const { auth, clock, signUp, tokenFrom } = await setup();
    await signUp(ADA);
    await auth.passwords.requestReset(ADA, CTX);
    clock.advance(30 * MINUTE - 1000);
    await auth.passwords.reset(
      { token: tokenFrom(ADA, 'password-reset'), newPassword: NEW_PASSWORD },
      CTX,
    );
    await auth.passwords.requestReset(ADA, CTX);
    const late = tokenFrom(ADA, 'password-reset');
    clock.advance(30 * MINUTE);
    await expectCode(
      auth.passwords.reset({ token: late, newPassword: 'another fine phrase' }, CTX),
      'TOKEN_EXPIRED',
    );
    // Dead is dead: the expired token was removed, and the password did not change.
    await expectCode(
      auth.passwords.reset({ token: late, newPassword: 'another fine phrase' }, CTX),
      'TOKEN_INVALID',
    );
    expect((await auth.login({ identifier: ADA, password: NEW_PASSWORD }, CTX)).status).toBe(
      'signed_in',
    );
  });

  it('a policy failure is WEAK_PASSWORD on newPassword and does not use the token up', async () => {
    const { auth, signUp, tokenFrom } = await setup();
    await signUp('margaret@example.com');
    await auth.passwords.requestReset('margaret@example.com', CTX);
    const token = tokenFrom('margaret@example.com', 'password-reset');
    for (const newPassword of ['short', 'password123', 'margaret is my name']) {
      const error = await expectCode(
        auth.passwords.reset({ token, newPassword }, CTX),
        'WEAK_PASSWORD',
      );
      expect(error.details?.[0]?.path).toBe('newPassword');
    }
    expect(await auth.passwords.reset({ token, newPassword: NEW_PASSWORD }, CTX)).toEqual({
      status: 'password_reset',
    });
  });

  it('TOKEN_INVALID for malformed, forged and other-purpose tokens; a forged verifier leaves the real token alive', async () => {
    const { auth, signUp, tokenFrom } = await setup();
    await auth.register({ email: 'grace@example.com', password: PASSWORD }, CTX);
    const verifyToken = tokenFrom('grace@example.com', 'verify-email');
    await signUp(ADA);
    await auth.passwords.requestReset(ADA, CTX);
    const token = tokenFrom(ADA, 'password-reset');
    const [selector = '', verifier = ''] = token.split('.');
    const forged = `${selector}.${verifier.startsWith('A') ? 'B' : 'A'}${verifier.slice(1)}`;
    for (const bad of ['nope', `${selector}.`, forged, verifyToken]) {
      await expectCode(
        auth.passwords.reset({ token: bad, newPassword: NEW_PASSWORD }, CTX),
        'TOKEN_INVALID',
      );
    }
    expect(await auth.passwords.reset({ token, newPassword: NEW_PASSWORD }, CTX)).toEqual({
      status: 'password_reset',
    });
  });

  it('TOKEN_INVALID when the account was disabled after the mail', async () => {
    const { auth, signUp, tokenFrom } = await setup();
    const id = await signUp(ADA);
    await auth.passwords.requestReset(ADA, CTX);
    await auth.storage.users.update(id, { disabled: true, updatedAt: 0 });
    await expectCode(
      auth.passwords.reset(
        { token: tokenFrom(ADA, 'password-reset'), newPassword: NEW_PASSWORD },
        CTX,
      ),
      'TOKEN_INVALID',
    );
  });

  it('VALIDATION_FAILED for missing or non-string fields', async () => {
    const { auth } = await setup();
    const cases = [
      { token: 'x' },
      { newPassword: NEW_PASSWORD },
      { token: 1, newPassword: NEW_PASSWORD },
    ];
    for (const input of cases) {
      await expectCode(auth.passwords.reset(input as never, CTX), 'VALIDATION_FAILED');
    }
  });
});
