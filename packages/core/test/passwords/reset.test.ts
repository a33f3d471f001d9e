import { describe, expect, it } from 'vitest';
import { CTX, expectCode, NEW_PASSWORD, ofType, PASSWORD, setup } from '../account/helpers.js';

const ADA = 'ada@example.com';

describe('passwords.reset', () => {
  it('sets the new password, revokes every session and mails a notice', async () => {
    const { auth, mailer, events, signUp, signIn, tokenFrom } = await setup();
    const id = await signUp(ADA);
    const a = await signIn(ADA);
    const b = await signIn(ADA, PASSWORD, { ip: '198.51.100.2', userAgent: 'other' });
    await auth.passwords.requestReset(ADA, CTX);
    const result = await auth.passwords.reset(
      { token: tokenFrom(ADA, 'password-reset'), newPassword: NEW_PASSWORD },
      CTX,
    );
    expect(result).toEqual({ status: 'password_reset' });
    for (const s of [a, b])
      await expectCode(auth.validateSession(s.sessionToken), 'UNAUTHENTICATED');
    expect(await auth.sessions.list(id)).toEqual([]);
    await expectCode(
      auth.login({ identifier: ADA, password: PASSWORD }, CTX),
      'INVALID_CREDENTIALS',
    );
    expect((await auth.login({ identifier: ADA, password: NEW_PASSWORD }, CTX)).status).toBe(
      'signed_in',
    );
    const notice = mailer.find(ADA, 'password-reset-notice');
    expect(notice?.text).toContain(CTX.ip);
    expect(ofType(events, 'password.reset')).toMatchObject([{ userId: id }]);
    expect(ofType(events, 'session.revoked_all')).toMatchObject([
      { userId: id, data: { reason: 'password_reset' } },
    ]);
    expect((await auth.audit.list(id)).map((e) => e.type)).toContain('password.reset');
  });

  it('clears trusted devices', async () => {
    const { auth, clock, signUp, tokenFrom } = await setup();
    const id = await signUp(ADA);
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
    await auth.passwords.requestReset(ADA, CTX);
    await auth.passwords.reset(
      { token: tokenFrom(ADA, 'password-reset'), newPassword: NEW_PASSWORD },
      CTX,
    );
    expect(await auth.storage.twoFactor.listTrustedDevices(id, clock.now())).toEqual([]);
  });

  it('marks an unverified address verified: the link proved control of it', async () => {
    const { auth, tokenFrom } = await setup();
    await auth.register({ email: ADA, password: PASSWORD }, CTX);
    await expectCode(
      auth.login({ identifier: ADA, password: PASSWORD }, CTX),
      'EMAIL_NOT_VERIFIED',
    );
    await auth.passwords.requestReset(ADA, CTX);
    await auth.passwords.reset(
      { token: tokenFrom(ADA, 'password-reset'), newPassword: NEW_PASSWORD },
      CTX,
    );
    const result = await auth.login({ identifier: ADA, password: NEW_PASSWORD }, CTX);
    expect(result.status === 'signed_in' && result.user.emailVerified).toBe(true);
  });

  it('leaks nothing: no password, hash or token in results, events or logs', async () => {
    const { auth, events, logs, signUp, signIn, tokenFrom, rememberHash, assertNoSecrets } =
      await setup();
    const id = await signUp(ADA);
    const results: unknown[] = [await signIn(ADA).then(() => 'signed in')];
    results.push(await auth.passwords.requestReset(ADA, CTX));
    results.push(await auth.passwords.requestReset('nobody@example.com', CTX));
    const token = tokenFrom(ADA, 'password-reset');
    results.push(await auth.passwords.reset({ token, newPassword: 'x' }, CTX).catch((e) => e));
    results.push(await auth.passwords.reset({ token, newPassword: NEW_PASSWORD }, CTX));
    results.push(
      await auth.passwords.reset({ token, newPassword: NEW_PASSWORD }, CTX).catch((e) => e),
    );
    await rememberHash(id);
    results.push(await auth.audit.list(id));
    assertNoSecrets([...results, ...events, ...logs]);
  });
});
