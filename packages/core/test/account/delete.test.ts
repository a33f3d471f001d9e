import { describe, expect, it } from 'vitest';
import { CTX, expectCode, ofType, PASSWORD, setup } from './helpers.js';

const ADA = 'ada@example.com';

describe('users.delete', () => {
  it('removes the user and everything tied to it; user.deleted reaches listeners only', async () => {
    const { auth, clock, events, signUp, signIn, tokenFrom } = await setup();
    const keep = await signUp('grace@example.com');
    const id = await signUp(ADA, { username: 'ada' });
    const session = await signIn(ADA);
    await auth.passwords.requestReset(ADA, CTX);
    const reset = tokenFrom(ADA, 'password-reset');
    await auth.users.requestEmailChange(
      { userId: id, newEmail: 'new@example.org', password: PASSWORD },
      CTX,
    );
    const change = tokenFrom('new@example.org', 'email-change-confirm');
    const now = clock.now();
    await auth.storage.twoFactor.createTrustedDevice({
      id: 'device-1',
      userId: id,
      secretHash: 'h',
      credentialGeneration: 0,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: now + 1e9,
    });
    await auth.storage.twoFactor.replaceRecoveryCodes(id, [{ id: 'rc-1', hash: 'h1' }]);
    expect((await auth.audit.list(id)).length).toBeGreaterThan(0);

    expect(await auth.users.delete({ userId: id, password: PASSWORD }, CTX)).toBeUndefined();

    const s = auth.storage;
    expect(await s.users.getById(id)).toBeUndefined();
    expect(await s.users.getByEmail(ADA)).toBeUndefined();
    expect(await s.users.getByUsername('ada')).toBeUndefined();
    expect(await s.sessions.get(session.sessionId, clock.now())).toBeUndefined();
    expect(await s.sessions.listByUser(id, clock.now())).toEqual([]);
    expect(
      await s.tokens.get('password-reset', reset.split('.')[0] ?? '', clock.now()),
    ).toBeUndefined();
    expect(
      await s.tokens.get('email-change', change.split('.')[0] ?? '', clock.now()),
    ).toBeUndefined();
    expect(await s.twoFactor.listTrustedDevices(id, clock.now())).toEqual([]);
    expect(await s.twoFactor.listRecoveryCodes(id)).toEqual([]);
    expect(await s.audit.list(id, { limit: 200 })).toEqual([]);
    expect(await auth.audit.list(id)).toEqual([]);
    await expectCode(auth.validateSession(session.sessionToken), 'UNAUTHENTICATED');
    await expectCode(auth.users.get(id), 'UNAUTHENTICATED');
    await expectCode(
      auth.passwords.reset({ token: reset, newPassword: 'copper lantern meadow' }, CTX),
      'TOKEN_INVALID',
    );
    await expectCode(auth.users.confirmEmailChange(change, CTX), 'TOKEN_INVALID');
    expect(ofType(events, 'user.deleted')).toMatchObject([
      { userId: id, ip: CTX.ip, userAgent: CTX.userAgent },
    ]);
    // Other accounts are untouched.
    expect((await auth.users.get(keep)).email).toBe('grace@example.com');
    expect((await auth.audit.list(keep)).length).toBeGreaterThan(0);
  });

  it('frees the address and username for a new account', async () => {
    const { auth, signUp } = await setup();
    const id = await signUp(ADA, { username: 'ada' });
    await auth.users.delete({ userId: id, password: PASSWORD }, CTX);
    const again = await signUp(ADA, { username: 'ada' });
    expect(again).not.toBe(id);
  });

  it('PASSWORD_INCORRECT for a wrong password, and nothing is deleted', async () => {
    const { auth, events, signUp, signIn } = await setup();
    const id = await signUp(ADA);
    const session = await signIn(ADA);
    const error = await expectCode(
      auth.users.delete({ userId: id, password: 'not the password' }, CTX),
      'PASSWORD_INCORRECT',
    );
    expect(error).toMatchObject({ status: 403 });
    expect((await auth.validateSession(session.sessionToken)).user.id).toBe(id);
    expect((await auth.audit.list(id)).length).toBeGreaterThan(0);
    expect(ofType(events, 'user.deleted')).toEqual([]);
  });

  it('UNAUTHENTICATED for a user that no longer exists; VALIDATION_FAILED without a password', async () => {
    const { auth, signUp } = await setup();
    const id = await signUp(ADA);
    await auth.users.delete({ userId: id, password: PASSWORD }, CTX);
    await expectCode(auth.users.delete({ userId: id, password: PASSWORD }, CTX), 'UNAUTHENTICATED');
    await expectCode(auth.users.delete({ userId: id, password: '' }, CTX), 'VALIDATION_FAILED');
    // A password is required of an account that has one (passwordless ones: a fresh session).
    const bea = await signUp('bea@example.com');
    await expectCode(auth.users.delete({ userId: bea } as never, CTX), 'VALIDATION_FAILED');
  });
});
