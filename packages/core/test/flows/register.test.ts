import { describe, expect, it } from 'vitest';
import { CTX, PASSWORD, setup } from './helpers.js';

describe('register', () => {
  it('creates an unverified account and mails a single-use verification link', async () => {
    const { auth, mailer, events } = await setup();
    expect(
      await auth.register(
        { email: '  Ada@Example.COM ', password: PASSWORD, firstName: 'Ada' },
        CTX,
      ),
    ).toEqual({
      status: 'verification_sent',
    });
    const mail = mailer.find('Ada@Example.COM', 'verify-email');
    expect(mail?.to).toBe('Ada@Example.COM');
    const token = mailer.extractToken(mail ?? expect.fail());
    const { status, user } = await auth.verifyEmail(token ?? '', CTX);
    expect(status).toBe('verified');
    expect(user).toMatchObject({
      email: 'Ada@Example.COM',
      emailVerified: true,
      firstName: 'Ada',
      username: null,
    });
    await expect(auth.verifyEmail(token ?? '', CTX)).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
    });
    expect(events.map((e) => e.type)).toEqual([
      'user.registered',
      'email.verification_sent',
      'email.verified',
    ]);
  });

  it('is enumeration-safe: an existing address gets the same answer and its owner a notice', async () => {
    const { auth, mailer, storage, signUp } = await setup();
    await signUp('ada@example.com');
    mailer.clear();
    const again = await auth.register(
      { email: 'ADA@example.com', password: 'another fine passphrase' },
      CTX,
    );
    const fresh = await auth.register(
      { email: 'bob@example.com', password: 'another fine passphrase' },
      CTX,
    );
    expect(again).toEqual(fresh);
    expect(mailer.messages.map((m) => [m.to, m.kind])).toEqual([
      ['ada@example.com', 'register-existing'],
      ['bob@example.com', 'verify-email'],
    ]);
    // No second account, and the first one's password is unchanged.
    expect((await storage.users.getByEmail('ada@example.com'))?.email).toBe('ada@example.com');
    expect(
      (await auth.login({ identifier: 'ada@example.com', password: PASSWORD }, CTX)).status,
    ).toBe('signed_in');
  });

  it('normalizes email with NFKC and case for uniqueness', async () => {
    const { auth, mailer, signUp } = await setup();
    await signUp('ada@example.com');
    mailer.clear();
    // Fullwidth letters normalize (NFKC) to the same address.
    await auth.register({ email: 'ＡＤＡ@example.com', password: PASSWORD }, CTX);
    expect(mailer.messages.map((m) => m.kind)).toEqual(['register-existing']);
  });

  it('refuses a taken username with USERNAME_TAKEN, case-insensitively', async () => {
    const { auth, signUp } = await setup();
    await signUp('ada@example.com', { username: 'Ada_L' });
    await expect(
      auth.register({ email: 'bob@example.com', password: PASSWORD, username: 'ada_l' }, CTX),
    ).rejects.toMatchObject({
      code: 'USERNAME_TAKEN',
      status: 409,
    });
  });

  it.each([
    ['missing email', { password: PASSWORD }, 'email'],
    ['invalid email', { email: 'not-an-address', password: PASSWORD }, 'email'],
    ['email of wrong type', { email: 42, password: PASSWORD }, 'email'],
    ['missing password', { email: 'a@example.com' }, 'password'],
    [
      'username with @',
      { email: 'a@example.com', password: PASSWORD, username: 'a@b' },
      'username',
    ],
    [
      'username too short',
      { email: 'a@example.com', password: PASSWORD, username: 'ab' },
      'username',
    ],
    [
      'control characters in a name',
      { email: 'a@example.com', password: PASSWORD, firstName: 'A\u0000' },
      'firstName',
    ],
  ])('VALIDATION_FAILED for %s, naming the field', async (_name, input, path) => {
    const { auth } = await setup();
    const error = await auth.register(input as never, CTX).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((error as { details: { path: string }[] }).details.map((d) => d.path)).toContain(path);
  });

  it.each([
    ['too short', 'short1'],
    ['common', 'password123'],
    ['contains the email', 'adalovelace-is-me'],
  ])('WEAK_PASSWORD when the password is %s', async (_name, password) => {
    const { auth, mailer } = await setup();
    await expect(
      auth.register({ email: 'adalovelace@example.com', password }, CTX),
    ).rejects.toMatchObject({
      code: 'WEAK_PASSWORD',
    });
    expect(mailer.messages).toHaveLength(0);
  });
});

describe('verify email and resend', () => {
  it('expires the link after 24 hours (injected clock)', async () => {
    const { auth, mailer, clock } = await setup();
    await auth.register({ email: 'ada@example.com', password: PASSWORD }, CTX);
    const token = mailer.extractToken(mailer.last() ?? expect.fail()) ?? '';
    clock.advance(24 * 3600 * 1000);
    await expect(auth.verifyEmail(token, CTX)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
  });

  it('accepts the link one millisecond before expiry', async () => {
    const { auth, mailer, clock } = await setup();
    await auth.register({ email: 'ada@example.com', password: PASSWORD }, CTX);
    const token = mailer.extractToken(mailer.last() ?? expect.fail()) ?? '';
    clock.advance(24 * 3600 * 1000 - 1);
    expect((await auth.verifyEmail(token, CTX)).status).toBe('verified');
  });

  it('of two concurrent uses of one token, exactly one verifies', async () => {
    const { auth, mailer } = await setup();
    await auth.register({ email: 'ada@example.com', password: PASSWORD }, CTX);
    const token = mailer.extractToken(mailer.last() ?? expect.fail()) ?? '';
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, () => auth.verifyEmail(token, CTX)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'TOKEN_INVALID' });
    }
  });

  it.each(['', 'garbage', 'a.b', `${'A'.repeat(22)}.${'B'.repeat(43)}`])(
    'refuses token %j with TOKEN_INVALID',
    async (token) => {
      const { auth } = await setup();
      await expect(auth.verifyEmail(token, CTX)).rejects.toMatchObject({
        code: token === '' ? 'VALIDATION_FAILED' : 'TOKEN_INVALID',
      });
    },
  );

  it('a tampered verifier leaves the real token usable', async () => {
    const { auth, mailer } = await setup();
    await auth.register({ email: 'ada@example.com', password: PASSWORD }, CTX);
    const token = mailer.extractToken(mailer.last() ?? expect.fail()) ?? '';
    const [selector] = token.split('.');
    await expect(auth.verifyEmail(`${selector}.${'x'.repeat(43)}`, CTX)).rejects.toMatchObject({
      code: 'TOKEN_INVALID',
    });
    expect((await auth.verifyEmail(token, CTX)).status).toBe('verified');
  });

  it('resend answers the same for unknown, verified and unverified addresses; only the last gets mail', async () => {
    const { auth, mailer, signUp } = await setup();
    await signUp('verified@example.com');
    await auth.register({ email: 'pending@example.com', password: PASSWORD }, CTX);
    mailer.clear();
    const answers = await Promise.all(
      ['nobody@example.com', 'verified@example.com', 'pending@example.com', 'not an email'].map(
        (e) => auth.resendVerification(e, CTX),
      ),
    );
    for (const a of answers) expect(a).toEqual({ status: 'verification_sent' });
    expect(mailer.messages.map((m) => m.to)).toEqual(['pending@example.com']);
  });

  it('a new verification link replaces the previous one', async () => {
    const { auth, mailer } = await setup();
    await auth.register({ email: 'ada@example.com', password: PASSWORD }, CTX);
    const first = mailer.extractToken(mailer.last() ?? expect.fail()) ?? '';
    await auth.resendVerification('ada@example.com', CTX);
    const second = mailer.extractToken(mailer.last() ?? expect.fail()) ?? '';
    await expect(auth.verifyEmail(first, CTX)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
    expect((await auth.verifyEmail(second, CTX)).status).toBe('verified');
  });
});
