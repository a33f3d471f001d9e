import { describe, expect, it } from 'vitest';
import { CTX, PASSWORD, setup } from './helpers.js';

const signIn = async () => {
  const s = await setup();
  const userId = await s.signUp('ada@example.com');
  const r = await s.auth.login({ identifier: 'ada@example.com', password: PASSWORD }, CTX);
  if (r.status !== 'signed_in') throw new Error('setup');
  return { ...s, userId, sessionId: r.session.id };
};

describe('a pending email change does not outlive a password reset or change', () => {
  it('reset: the confirmation link asked for with the old password stops working', async () => {
    const { auth, mailer, userId } = await signIn();
    // An attacker who knows the password asks to move the account to their address...
    await auth.users.requestEmailChange(
      { userId, newEmail: 'evil@attacker.test', password: PASSWORD },
      CTX,
    );
    const stolen =
      mailer.extractToken(
        mailer.find('evil@attacker.test', 'email-change-confirm') ?? expect.fail(),
      ) ?? '';
    // ...the owner resets the password...
    await auth.passwords.requestReset('ada@example.com', CTX);
    const reset =
      mailer.extractToken(mailer.find('ada@example.com', 'password-reset') ?? expect.fail()) ?? '';
    await auth.passwords.reset({ token: reset, newPassword: 'saffron meridian lantern' }, CTX);
    // ...and the attacker's link is dead.
    await expect(auth.users.confirmEmailChange(stolen, CTX)).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
    });
    expect((await auth.users.get(userId)).email).toBe('ada@example.com');
  });

  it('change: likewise', async () => {
    const { auth, mailer, userId, sessionId } = await signIn();
    await auth.users.requestEmailChange(
      { userId, newEmail: 'evil@attacker.test', password: PASSWORD },
      CTX,
    );
    const stolen =
      mailer.extractToken(
        mailer.find('evil@attacker.test', 'email-change-confirm') ?? expect.fail(),
      ) ?? '';
    await auth.passwords.change(
      {
        userId,
        currentPassword: PASSWORD,
        newPassword: 'saffron meridian lantern',
        sessionId: sessionId,
      },
      CTX,
    );
    await expect(auth.users.confirmEmailChange(stolen, CTX)).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
    });
  });
});

describe('reauthenticate', () => {
  it('needs the right password and makes the session fresh again', async () => {
    const { auth, userId, sessionId, storage, clock } = await signIn();
    clock.advance(11 * 60 * 1000);
    expect((await storage.sessions.get(sessionId, clock.now()))?.freshUntil).toBeLessThan(
      clock.now(),
    );
    await expect(
      auth.reauthenticate({ userId, sessionId, password: 'wrong but long' }, CTX),
    ).rejects.toMatchObject({
      code: 'PASSWORD_INCORRECT',
    });
    const { session, tokens } = await auth.reauthenticate(
      { userId, sessionId, password: PASSWORD },
      CTX,
    );
    // A new session (ASVS 7.2.4: a new token when trust changes), fresh; the old one ended.
    expect(session.id).not.toBe(sessionId);
    expect((await storage.sessions.get(session.id, clock.now()))?.freshUntil).toBe(
      clock.now() + 600_000,
    );
    expect(await storage.sessions.get(sessionId, clock.now())).toBeUndefined();
    if (tokens.strategy !== 'cookie') throw new Error('expected a cookie session');
    expect((await auth.validateSession(tokens.sessionToken)).session.id).toBe(session.id);
  });

  it('a code or method of the wrong shape is VALIDATION_FAILED before the password; a code without 2FA claims nothing', async () => {
    const { auth, userId, sessionId, storage, clock } = await signIn();
    for (const bad of [{ method: 'x\u0000y' }, { method: 'pigeon' }, { code: 42 }]) {
      await expect(
        auth.reauthenticate(
          { userId, sessionId, password: 'wrong but long', ...(bad as object) },
          CTX,
        ),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    // None of those was a counted password check: the right password still works after them.
    const { session } = await auth.reauthenticate(
      { userId, sessionId, password: PASSWORD, method: 'totp', code: '123456' },
      CTX,
    );
    expect((await storage.sessions.get(session.id, clock.now()))?.amr).toEqual(['pwd']);
  });

  it('refuses a revoked session', async () => {
    const { auth, userId, sessionId } = await signIn();
    await auth.logout(sessionId, CTX);
    await expect(
      auth.reauthenticate({ userId, sessionId, password: PASSWORD }, CTX),
    ).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
  });

  it('auth.options shows key ids, never private signing keys', async () => {
    const { auth } = await setup();
    expect(JSON.stringify(auth.options)).not.toContain('"d"');
    expect(auth.options.session.accessToken.keyIds).toEqual([]);
  });
});
