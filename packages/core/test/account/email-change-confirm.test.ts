import { describe, expect, it } from 'vitest';
import { CTX, expectCode, MINUTE, ofType, PASSWORD, setup } from './helpers.js';

const ADA = 'ada@example.com';
const NEW = 'ada.lovelace@example.org';

describe('users.confirmEmailChange', () => {
  it('changes the address, marks it verified, and sign-in follows it', async () => {
    const { auth, events, signUp, tokenFrom } = await setup();
    const id = await signUp(ADA);
    await auth.users.requestEmailChange({ userId: id, newEmail: NEW, password: PASSWORD }, CTX);
    const user = await auth.users.confirmEmailChange(tokenFrom(NEW, 'email-change-confirm'), CTX);
    expect(user).toMatchObject({ id, email: NEW, emailVerified: true });
    expect(await auth.users.get(id)).toEqual(user);
    expect((await auth.login({ identifier: NEW, password: PASSWORD }, CTX)).status).toBe(
      'signed_in',
    );
    await expectCode(
      auth.login({ identifier: ADA, password: PASSWORD }, CTX),
      'INVALID_CREDENTIALS',
    );
    expect(ofType(events, 'email.changed')).toMatchObject([{ userId: id }]);
    // The old address is free again.
    await auth.register({ email: ADA, password: PASSWORD }, CTX);
    expect(await auth.storage.users.getByEmail(ADA)).toMatchObject({ email: ADA });
  });

  it('the token works once, and a newer request replaces it', async () => {
    const { auth, signUp, tokenFrom } = await setup();
    const id = await signUp(ADA);
    await auth.users.requestEmailChange(
      { userId: id, newEmail: 'first@example.org', password: PASSWORD },
      CTX,
    );
    const first = tokenFrom('first@example.org', 'email-change-confirm');
    await auth.users.requestEmailChange({ userId: id, newEmail: NEW, password: PASSWORD }, CTX);
    const second = tokenFrom(NEW, 'email-change-confirm');
    await expectCode(auth.users.confirmEmailChange(first, CTX), 'TOKEN_INVALID');
    await auth.users.confirmEmailChange(second, CTX);
    await expectCode(auth.users.confirmEmailChange(second, CTX), 'TOKEN_INVALID');
  });

  it('race: of two concurrent confirmations exactly one succeeds', async () => {
    const { auth, signUp, tokenFrom } = await setup();
    const id = await signUp(ADA);
    await auth.users.requestEmailChange({ userId: id, newEmail: NEW, password: PASSWORD }, CTX);
    const token = tokenFrom(NEW, 'email-change-confirm');
    const results = await Promise.allSettled([
      auth.users.confirmEmailChange(token, CTX),
      auth.users.confirmEmailChange(token, CTX),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => r.reason.code)).toEqual([
      'TOKEN_INVALID',
    ]);
  });

  it('expiry: valid until just before 24 h, TOKEN_EXPIRED at 24 h', async () => {
    const { auth, clock, signUp, tokenFrom } = await setup();
    const id = await signUp(ADA);
    await auth.users.requestEmailChange(
      { userId: id, newEmail: 'first@example.org', password: PASSWORD },
      CTX,
    );
    clock.advance(24 * 60 * MINUTE - 1);
    await auth.users.confirmEmailChange(
      tokenFrom('first@example.org', 'email-change-confirm'),
      CTX,
    );
    await auth.users.requestEmailChange({ userId: id, newEmail: NEW, password: PASSWORD }, CTX);
    clock.advance(24 * 60 * MINUTE);
    await expectCode(
      auth.users.confirmEmailChange(tokenFrom(NEW, 'email-change-confirm'), CTX),
      'TOKEN_EXPIRED',
    );
    expect((await auth.users.get(id)).email).toBe('first@example.org');
  });

  it('TOKEN_INVALID when the address was taken by another account meanwhile', async () => {
    const { auth, signUp, tokenFrom } = await setup();
    const id = await signUp(ADA);
    await auth.users.requestEmailChange({ userId: id, newEmail: NEW, password: PASSWORD }, CTX);
    const token = tokenFrom(NEW, 'email-change-confirm');
    await signUp(NEW);
    await expectCode(auth.users.confirmEmailChange(token, CTX), 'TOKEN_INVALID');
    expect((await auth.users.get(id)).email).toBe(ADA);
  });

  it('TOKEN_INVALID for malformed tokens and tokens of another purpose; VALIDATION_FAILED for a non-string', async () => {
    const { auth, signUp, tokenFrom } = await setup();
    await signUp(ADA);
    await auth.passwords.requestReset(ADA, CTX);
    const resetToken = tokenFrom(ADA, 'password-reset');
    for (const token of ['nope', 'a.b', resetToken]) {
      await expectCode(auth.users.confirmEmailChange(token, CTX), 'TOKEN_INVALID');
    }
    await expectCode(
      auth.users.confirmEmailChange(undefined as unknown as string, CTX),
      'VALIDATION_FAILED',
    );
  });

  it('reset links mailed to the old address stop working', async () => {
    const { auth, signUp, tokenFrom } = await setup();
    const id = await signUp(ADA);
    await auth.passwords.requestReset(ADA, CTX);
    const reset = tokenFrom(ADA, 'password-reset');
    await auth.users.requestEmailChange({ userId: id, newEmail: NEW, password: PASSWORD }, CTX);
    await auth.users.confirmEmailChange(tokenFrom(NEW, 'email-change-confirm'), CTX);
    await expectCode(
      auth.passwords.reset({ token: reset, newPassword: 'copper lantern meadow' }, CTX),
      'TOKEN_INVALID',
    );
  });

  it('leaks nothing: no password, hash or token in results, events or logs', async () => {
    const { auth, events, logs, signUp, tokenFrom, rememberHash, assertNoSecrets } = await setup();
    const id = await signUp(ADA);
    const results: unknown[] = [];
    results.push(
      await auth.users
        .requestEmailChange({ userId: id, newEmail: NEW, password: 'wrong password!' }, CTX)
        .catch((e) => e),
    );
    results.push(
      await auth.users.requestEmailChange({ userId: id, newEmail: NEW, password: PASSWORD }, CTX),
    );
    const token = tokenFrom(NEW, 'email-change-confirm');
    results.push(await auth.users.confirmEmailChange(token, CTX));
    results.push(await auth.users.confirmEmailChange(token, CTX).catch((e) => e));
    await rememberHash(id);
    results.push(await auth.audit.list(id));
    assertNoSecrets([...results, ...events, ...logs]);
  });
});
