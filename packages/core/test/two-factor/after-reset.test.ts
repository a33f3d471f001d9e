import { describe, expect, it } from 'vitest';
import { CTX, codeOf, fail, PASSWORD, setup2fa } from './helpers.js';

const NEW_PASSWORD = 'saffron meridian lantern';
const DAY = 86_400_000;

type Setup = Awaited<ReturnType<typeof setup2fa>>;

/** Someone with the mailbox alone resets the password; resolves once it is done. */
async function resetByMailbox(s: Setup, email = 'ada@example.com'): Promise<void> {
  await s.auth.passwords.requestReset(email, CTX);
  const mail = s.mailer.find(email, 'password-reset') ?? fail('no reset mail');
  const token = s.mailer.extractToken(mail) ?? fail('no token');
  await s.auth.passwords.reset({ token, newPassword: NEW_PASSWORD }, CTX);
}

const login = async (s: Setup, password = NEW_PASSWORD) => {
  const result = await s.auth.login({ identifier: 'ada@example.com', password }, CTX);
  if (result.status !== 'two_factor_required') fail(`expected a challenge, got ${result.status}`);
  return result;
};

describe('mailbox access alone does not pass the second factor', () => {
  it('after a password reset, email is neither offered nor accepted (VALIDATION_FAILED)', async () => {
    const s = await setup2fa();
    const { secret } = await s.enabledUser();
    await resetByMailbox(s);
    const { challenge, methods } = await login(s);
    expect(methods).not.toContain('email');
    expect(methods).toContain('totp');
    expect(await codeOf(s.auth.twoFactor.sendEmailCode({ challenge }, CTX))).toBe(
      'VALIDATION_FAILED',
    );
    expect(s.mailer.find('ada@example.com', 'email-otp')).toBeUndefined();
    expect(
      await codeOf(s.auth.verifySecondFactor({ challenge, method: 'email', code: '123456' }, CTX)),
    ).toBe('VALIDATION_FAILED');
    // The refusal did not use up the challenge: TOTP still completes it.
    const totp = { challenge, method: 'totp' as const, code: await s.code(secret) };
    expect((await s.auth.verifySecondFactor(totp, CTX)).status).toBe('signed_in');
  });

  it('an email code sent before the reset cannot be used after it', async () => {
    const s = await setup2fa();
    await s.enabledUser();
    const { challenge: before } = await login(s, PASSWORD);
    await s.auth.twoFactor.sendEmailCode({ challenge: before }, CTX);
    await resetByMailbox(s);
    const { challenge } = await login(s);
    expect(
      await codeOf(s.auth.verifySecondFactor({ challenge, method: 'email', code: '000000' })),
    ).toBe('VALIDATION_FAILED');
  });

  it('email comes back after a sign-in with TOTP', async () => {
    const s = await setup2fa();
    const { secret } = await s.enabledUser();
    await resetByMailbox(s);
    const first = await login(s);
    await s.auth.verifySecondFactor(
      { challenge: first.challenge, method: 'totp', code: await s.code(secret) },
      CTX,
    );
    const { challenge, methods } = await login(s);
    expect(methods).toContain('email');
    await s.auth.twoFactor.sendEmailCode({ challenge }, CTX);
    const code =
      /\b(\d{6})\b/.exec(s.mailer.find('ada@example.com', 'email-otp')?.text ?? '')?.[1] ??
      fail('no code');
    const result = await s.auth.verifySecondFactor({ challenge, method: 'email', code }, CTX);
    expect(result.session.amr).toEqual(['pwd', 'email']);
  });

  it('email comes back by itself 30 days after the reset', async () => {
    const s = await setup2fa();
    await s.enabledUser();
    await resetByMailbox(s);
    s.clock.advance(30 * DAY - 1000);
    expect((await login(s)).methods).not.toContain('email');
    s.clock.advance(1000);
    expect((await login(s)).methods).toContain('email');
  });

  it('a reset while 2FA was off pauses nothing: email is offered once 2FA is turned on', async () => {
    const s = await setup2fa();
    const userId = await s.signUp('ada@example.com');
    await resetByMailbox(s);
    const { secret } = await s.auth.twoFactor.totp.enroll({ userId, password: NEW_PASSWORD }, CTX);
    await s.auth.twoFactor.totp.confirm({ userId, code: await s.code(secret) }, CTX);
    s.clock.advance(30_000);
    expect((await login(s)).methods).toContain('email');
  });

  it('turning 2FA off (with a TOTP code) ends the pause for a later enrollment', async () => {
    const s = await setup2fa();
    const { userId, secret } = await s.enabledUser();
    await resetByMailbox(s);
    await s.auth.twoFactor.disable({ userId, password: NEW_PASSWORD, code: await s.code(secret) });
    const again = await s.auth.twoFactor.totp.enroll({ userId, password: NEW_PASSWORD }, CTX);
    s.clock.advance(30_000);
    await s.auth.twoFactor.totp.confirm({ userId, code: await s.code(again.secret) }, CTX);
    s.clock.advance(30_000);
    expect((await login(s)).methods).toContain('email');
  });

  it('twoFactor.status agrees with the challenge', async () => {
    const s = await setup2fa();
    const { userId } = await s.enabledUser();
    await resetByMailbox(s);
    expect((await s.auth.twoFactor.status(userId)).methods).not.toContain('email');
  });
});

describe('pending challenges and their codes die with a password reset or change', () => {
  it('a challenge issued before a reset is TOKEN_INVALID after it, even with the right TOTP code', async () => {
    const s = await setup2fa();
    const { secret, userId } = await s.enabledUser();
    const { challenge } = await login(s, PASSWORD);
    await s.auth.twoFactor.sendEmailCode({ challenge }, CTX);
    await resetByMailbox(s);
    expect(
      await codeOf(
        s.auth.verifySecondFactor(
          { challenge, method: 'totp', code: await s.code(secret), rememberDevice: true },
          CTX,
        ),
      ),
    ).toBe('TOKEN_INVALID');
    expect(await s.auth.twoFactor.devices.list(userId)).toEqual([]);
    const selector = challenge.split('.')[0] ?? fail('selector');
    for (const purpose of ['2fa-challenge', '2fa-email']) {
      expect(await s.inner.tokens.get(purpose, selector, s.clock.now())).toBeUndefined();
    }
  });

  it('a challenge issued before a password change is TOKEN_INVALID after it', async () => {
    const s = await setup2fa();
    const { secret, userId, sessionId } = await s.enabledUser();
    const { challenge } = await login(s, PASSWORD);
    await s.auth.passwords.change({
      userId,
      currentPassword: PASSWORD,
      newPassword: NEW_PASSWORD,
      sessionId,
    });
    expect(
      await codeOf(
        s.auth.verifySecondFactor({ challenge, method: 'totp', code: await s.code(secret) }, CTX),
      ),
    ).toBe('TOKEN_INVALID');
  });

  it('an SMS code sent before a reset dies with it', async () => {
    const s = await setup2fa();
    const { userId, sessionId } = await s.enabledUser();
    await s.auth.twoFactor.phone.start(
      { userId, phone: '+14155550123', password: PASSWORD, sessionId },
      CTX,
    );
    const phoneCode = /\b(\d{6})\b/.exec(s.sms.messages.at(-1)?.text ?? '')?.[1] ?? fail('sms');
    await s.auth.twoFactor.phone.confirm({ userId, code: phoneCode }, CTX);
    const { challenge } = await login(s, PASSWORD);
    await s.auth.twoFactor.sendSmsCode({ challenge }, CTX);
    const selector = challenge.split('.')[0] ?? fail('selector');
    expect(await s.inner.tokens.get('2fa-sms', selector, s.clock.now())).toBeDefined();
    await resetByMailbox(s);
    expect(await s.inner.tokens.get('2fa-sms', selector, s.clock.now())).toBeUndefined();
  });
});
