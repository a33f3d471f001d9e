import { describe, expect, it } from 'vitest';
import { ADA, CTX, expectCode, fail, MINUTE, PASSWORD, setupMagic } from './helpers.js';

const FIRST_PASSWORD = 'amber quartz lighthouse';

/** Rejects with VALIDATION_FAILED; resolves to the paths of its details. */
async function validationPaths(promise: Promise<unknown>): Promise<string[]> {
  const error = (await promise.then(
    () => fail('expected a rejection'),
    (e: unknown) => e,
  )) as { code: string; details?: { path: string; message: string }[] };
  expect(error.code).toBe('VALIDATION_FAILED');
  return (error.details ?? []).map((d) => d.path);
}

/** A passwordless account (registered without a password, magic links on), signed in by link. */
async function passwordless(s: Awaited<ReturnType<typeof setupMagic>>) {
  expect(await s.auth.register({ email: ADA }, CTX)).toEqual({ status: 'verification_sent' });
  const { token } = await s.requested();
  const result = s.signedIn(await s.auth.magicLink.verify({ token }, CTX));
  return { userId: result.user.id, sessionId: result.session.id };
}

describe('passwordless accounts', () => {
  it('register without a password (magic links on): no hash, the verification link works, sign-in by link', async () => {
    const s = await setupMagic();
    await s.auth.register({ email: ADA, firstName: 'Ada' }, CTX);
    const user = await s.auth.storage.users.getByEmail(ADA);
    expect(user).toMatchObject({ email: ADA, firstName: 'Ada' });
    expect(user?.passwordHash).toBeUndefined();
    const verify = s.mailer.extractToken(s.mailer.find(ADA, 'verify-email') ?? fail('no mail'));
    expect((await s.auth.verifyEmail(verify ?? fail('no token'), CTX)).status).toBe('verified');
    const { token } = await s.requested();
    expect(s.signedIn(await s.auth.magicLink.verify({ token }, CTX)).user.id).toBe(user?.id);
    await expectCode(
      s.auth.login({ identifier: ADA, password: PASSWORD }, CTX),
      'INVALID_CREDENTIALS',
    );
  });

  it('without magic links the password stays required, with the same error as before', async () => {
    const s = await setupMagic({}, { off: true });
    const error = await s.auth
      .register({ email: ADA }, CTX)
      .catch((e: unknown) => e as { code: string; details: { path: string; message: string }[] });
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [
        { path: 'password', message: 'Invalid key: Expected "password" but received undefined' },
      ],
    });
    expect(await s.auth.storage.users.getByEmail(ADA)).toBeUndefined();
  });

  it('a password given with magic links on is still checked by the policy', async () => {
    const s = await setupMagic();
    await expectCode(s.auth.register({ email: ADA, password: 'short' }, CTX), 'WEAK_PASSWORD');
  });
});

describe('setting a first password', () => {
  it('works from a fresh session without currentPassword; the password then signs in', async () => {
    const s = await setupMagic();
    const { userId, sessionId } = await passwordless(s);
    // Another device of the same user: a credential change ends it.
    const other = await s.requested();
    const otherSession = s.signedIn(await s.auth.magicLink.verify({ token: other.token }, CTX));
    await s.auth.passwords.change({ userId, sessionId, newPassword: FIRST_PASSWORD }, CTX);
    expect((await s.auth.storage.users.getById(userId))?.passwordHash).toMatch(/^\$argon2id\$/);
    expect((await s.auth.login({ identifier: ADA, password: FIRST_PASSWORD }, CTX)).status).toBe(
      'signed_in',
    );
    expect(s.events.findLast((e) => e.type === 'password.changed')).toMatchObject({
      userId,
      sessionId,
      data: { set: true },
    });
    expect(s.mailer.find(ADA, 'password-changed')).toBeDefined();
    const live = await s.auth.storage.sessions.listByUser(userId, s.clock.now());
    expect(live.map((x) => x.id)).toContain(sessionId);
    expect(live.map((x) => x.id)).not.toContain(otherSession.session.id);
  });

  it('a stale session is REAUTH_REQUIRED; so is a call without a session', async () => {
    const s = await setupMagic();
    const { userId, sessionId } = await passwordless(s);
    await expectCode(
      s.auth.passwords.change({ userId, newPassword: FIRST_PASSWORD }, CTX),
      'REAUTH_REQUIRED',
    );
    s.clock.advance(11 * MINUTE);
    await expectCode(
      s.auth.passwords.change({ userId, sessionId, newPassword: FIRST_PASSWORD }, CTX),
      'REAUTH_REQUIRED',
    );
    expect((await s.auth.storage.users.getById(userId))?.passwordHash).toBeUndefined();
  });

  it('the new password passes the policy (WEAK_PASSWORD on newPassword)', async () => {
    const s = await setupMagic();
    const { userId, sessionId } = await passwordless(s);
    const error = (await s.auth.passwords
      .change({ userId, sessionId, newPassword: 'short' }, CTX)
      .catch((e: unknown) => e)) as { code: string; details: { path: string }[] };
    expect(error.code).toBe('WEAK_PASSWORD');
    expect(new Set(error.details.map((d) => d.path))).toEqual(new Set(['newPassword']));
    expect((await s.auth.storage.users.getById(userId))?.passwordHash).toBeUndefined();
  });

  it('a user who has a password cannot leave currentPassword out, even on a fresh session', async () => {
    const s = await setupMagic();
    const userId = await s.signUp(ADA);
    const signedIn = s.signedIn(await s.auth.login({ identifier: ADA, password: PASSWORD }, CTX));
    expect(
      await validationPaths(
        s.auth.passwords.change(
          { userId, sessionId: signedIn.session.id, newPassword: FIRST_PASSWORD },
          CTX,
        ),
      ),
    ).toEqual(['currentPassword']);
    // The password is unchanged.
    expect((await s.auth.login({ identifier: ADA, password: PASSWORD }, CTX)).status).toBe(
      'signed_in',
    );
  });

  it('magic links off: a missing currentPassword is the same VALIDATION_FAILED as ever', async () => {
    const s = await setupMagic({}, { off: true });
    const userId = await s.signUp(ADA);
    const error = await s.auth.passwords
      .change({ userId, newPassword: FIRST_PASSWORD }, CTX)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [
        {
          path: 'currentPassword',
          message: 'Invalid key: Expected "currentPassword" but received undefined',
        },
      ],
    });
  });

  it('with 2FA on, a session without a recent second factor needs a code (the factor rule)', async () => {
    const s = await setupMagic();
    const { userId, secret } = await s.enabledUser();
    // A user with 2FA and no password (an imported account, say).
    await s.auth.storage.users.update(userId, { passwordHash: null, updatedAt: s.clock.now() });
    const first = await s.requested();
    const signIn = await s.auth.magicLink.verify({ token: first.token }, CTX);
    if (signIn.status !== 'two_factor_required') return fail('expected a challenge');
    const { challenge } = signIn;
    const remembered = await s.auth.verifySecondFactor(
      { challenge, method: 'totp', code: await s.code(secret), rememberDevice: true },
      CTX,
    );
    s.clock.advance(30_000);
    // A trusted-device sign-in: fresh, but no second factor proven in it.
    const { token } = await s.requested();
    const viaDevice = s.signedIn(
      await s.auth.magicLink.verify(
        { token },
        { ...CTX, trustedDevice: remembered.trustedDevice?.token ?? fail('no device') },
      ),
    );
    const sessionId = viaDevice.session.id;
    await expectCode(
      s.auth.passwords.change({ userId, sessionId, newPassword: FIRST_PASSWORD }, CTX),
      'REAUTH_REQUIRED',
    );
    await s.auth.passwords.change(
      {
        userId,
        sessionId,
        newPassword: FIRST_PASSWORD,
        method: 'totp',
        code: await s.code(secret),
      },
      CTX,
    );
    expect((await s.auth.storage.users.getById(userId))?.passwordHash).toBeDefined();
  });
});
