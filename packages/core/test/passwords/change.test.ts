import { describe, expect, it } from 'vitest';
import { CTX, expectCode, NEW_PASSWORD, ofType, PASSWORD, setup } from '../account/helpers.js';

const ADA = 'ada@example.com';
const OTHER_DEVICE = { ip: '198.51.100.2', userAgent: 'other device' };

describe('passwords.change', () => {
  it('changes the password, keeps the current session, revokes the others and mails a notice', async () => {
    const { auth, mailer, events, signUp, signIn } = await setup();
    const id = await signUp(ADA);
    const current = await signIn(ADA);
    const other = await signIn(ADA, PASSWORD, OTHER_DEVICE);
    const result = await auth.passwords.change(
      {
        userId: id,
        currentPassword: PASSWORD,
        newPassword: NEW_PASSWORD,
        sessionId: current.sessionId,
      },
      CTX,
    );
    expect(result).toBeUndefined();
    expect((await auth.validateSession(current.sessionToken)).user.id).toBe(id);
    await expectCode(auth.validateSession(other.sessionToken), 'UNAUTHENTICATED');
    expect((await auth.sessions.list(id)).map((s) => s.id)).toEqual([current.sessionId]);
    await expectCode(
      auth.login({ identifier: ADA, password: PASSWORD }, CTX),
      'INVALID_CREDENTIALS',
    );
    expect((await auth.login({ identifier: ADA, password: NEW_PASSWORD }, CTX)).status).toBe(
      'signed_in',
    );
    expect(mailer.find(ADA, 'password-changed')?.text).toContain('/reset-password');
    expect(ofType(events, 'password.changed')).toMatchObject([
      { userId: id, sessionId: current.sessionId },
    ]);
    expect(ofType(events, 'session.revoked_all')).toMatchObject([
      {
        userId: id,
        sessionId: current.sessionId,
        data: { reason: 'password_changed', keptCurrent: true },
      },
    ]);
  });

  it('without a current session id, every session is revoked', async () => {
    const { auth, signUp, signIn } = await setup();
    const id = await signUp(ADA);
    const s = await signIn(ADA);
    await auth.passwords.change(
      { userId: id, currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
      CTX,
    );
    await expectCode(auth.validateSession(s.sessionToken), 'UNAUTHENTICATED');
  });

  it('PASSWORD_INCORRECT for a wrong current password, and nothing changes', async () => {
    const { auth, mailer, signUp, signIn } = await setup();
    const id = await signUp(ADA);
    const other = await signIn(ADA, PASSWORD, OTHER_DEVICE);
    mailer.clear();
    const error = await expectCode(
      auth.passwords.change(
        { userId: id, currentPassword: 'not the password', newPassword: NEW_PASSWORD },
        CTX,
      ),
      'PASSWORD_INCORRECT',
    );
    expect(error).toMatchObject({ status: 403 });
    expect((await auth.validateSession(other.sessionToken)).user.id).toBe(id);
    expect((await auth.login({ identifier: ADA, password: PASSWORD }, CTX)).status).toBe(
      'signed_in',
    );
    expect(mailer.messages).toEqual([]);
  });

  it('WEAK_PASSWORD on newPassword (policy and context words), and nothing changes', async () => {
    const { auth, signUp, signIn } = await setup();
    const id = await signUp(ADA, { username: 'lovelace' });
    const other = await signIn(ADA, PASSWORD, OTHER_DEVICE);
    for (const newPassword of ['short', 'qwerty123', 'lovelace forever']) {
      const error = await expectCode(
        auth.passwords.change({ userId: id, currentPassword: PASSWORD, newPassword }, CTX),
        'WEAK_PASSWORD',
      );
      expect(error.details?.[0]?.path).toBe('newPassword');
    }
    expect((await auth.validateSession(other.sessionToken)).user.id).toBe(id);
  });

  it('kills outstanding reset links and trusted devices', async () => {
    const { auth, clock, signUp, tokenFrom } = await setup();
    const id = await signUp(ADA);
    await auth.passwords.requestReset(ADA, CTX);
    const token = tokenFrom(ADA, 'password-reset');
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
    await auth.passwords.change(
      { userId: id, currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
      CTX,
    );
    await expectCode(
      auth.passwords.reset({ token, newPassword: 'another fine phrase' }, CTX),
      'TOKEN_INVALID',
    );
    expect(await auth.storage.twoFactor.listTrustedDevices(id, clock.now())).toEqual([]);
  });

  it('UNAUTHENTICATED when the user no longer exists', async () => {
    const { auth } = await setup();
    await expectCode(
      auth.passwords.change(
        { userId: 'gone', currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
        CTX,
      ),
      'UNAUTHENTICATED',
    );
  });

  it('VALIDATION_FAILED for missing or empty fields, naming them', async () => {
    const { auth, signUp } = await setup();
    const id = await signUp(ADA);
    const error = await expectCode(
      auth.passwords.change({ userId: id, currentPassword: '', newPassword: NEW_PASSWORD }, CTX),
      'VALIDATION_FAILED',
    );
    expect(error.details?.map((d) => d.path)).toEqual(['currentPassword']);
    await expectCode(
      auth.passwords.change({ userId: id, currentPassword: PASSWORD } as never, CTX),
      'VALIDATION_FAILED',
    );
  });

  it('leaks nothing: no password, hash or token in results, events or logs', async () => {
    const { auth, events, logs, signUp, signIn, rememberHash, assertNoSecrets } = await setup();
    const id = await signUp(ADA);
    const s = await signIn(ADA);
    const results: unknown[] = [];
    results.push(
      await auth.passwords
        .change({ userId: id, currentPassword: 'wrong password!', newPassword: NEW_PASSWORD }, CTX)
        .catch((e) => e),
    );
    results.push(
      await auth.passwords
        .change({ userId: id, currentPassword: PASSWORD, newPassword: 'abc' }, CTX)
        .catch((e) => e),
    );
    results.push(
      await auth.passwords.change(
        {
          userId: id,
          currentPassword: PASSWORD,
          newPassword: NEW_PASSWORD,
          sessionId: s.sessionId,
        },
        CTX,
      ),
    );
    await rememberHash(id);
    results.push(await auth.audit.list(id), await auth.sessions.list(id));
    assertNoSecrets([...results, ...events, ...logs]);
  });
});
