import { describe, expect, it } from 'vitest';
import { consoleSmsSender, memorySmsSender } from '../../src/index.js';
import { CTX, codeOf, fail, PASSWORD, setup2fa } from './helpers.js';

const PHONE = '+14155550123';

/** A user with 2FA on and a verified phone. */
async function withPhone(over: Parameters<typeof setup2fa>[0] = {}) {
  const s = await setup2fa(over);
  const user = await s.enabledUser();
  await s.auth.twoFactor.phone.start(
    { userId: user.userId, phone: PHONE, password: PASSWORD, sessionId: user.sessionId },
    CTX,
  );
  await s.auth.twoFactor.phone.confirm({
    userId: user.userId,
    code: s.sms.lastCode(PHONE) ?? fail('no sms'),
  });
  s.sms.clear();
  return { ...s, ...user };
}

describe('phone verification', () => {
  it('texts a code to the new number; confirming it makes SMS a method', async () => {
    const { auth, enabledUser, sms, events } = await setup2fa();
    const { userId, sessionId } = await enabledUser();
    await auth.twoFactor.phone.start(
      { userId, phone: ` ${PHONE} `, password: PASSWORD, sessionId },
      CTX,
    );
    const message = sms.last(PHONE) ?? fail('no sms');
    expect(message.text).toMatch(/^Portcullis code: \d{6}\. It expires in 10 minutes\./);
    expect(message.text).toMatch(/\n@app\.example\.com #\d{6}$/);
    expect(events.at(-1)).toMatchObject({
      type: '2fa.code_sent',
      data: { method: 'sms', purpose: 'phone' },
    });
    expect((await auth.twoFactor.status(userId)).phone).toBeNull();
    await auth.twoFactor.phone.confirm({ userId, code: sms.lastCode(PHONE) ?? '' }, CTX);
    expect(events.at(-1)).toMatchObject({ type: 'phone.verified', userId });
    expect(await auth.twoFactor.status(userId)).toMatchObject({
      phone: PHONE,
      methods: ['totp', 'email', 'sms', 'recovery'],
    });
  });

  it('refuses a wrong password, a number not in E.164, and a wrong code', async () => {
    const { auth, enabledUser, sms, writes } = await setup2fa();
    const { userId, sessionId } = await enabledUser();
    expect(
      await codeOf(
        auth.twoFactor.phone.start({
          userId,
          phone: PHONE,
          password: 'wrong password!',
          sessionId,
        }),
      ),
    ).toBe('PASSWORD_INCORRECT');
    for (const phone of [
      '4155550123',
      '+0155550123',
      '+1 415 555 0123',
      '+1234567890123456',
      '+12',
    ]) {
      const error = await auth.twoFactor.phone
        .start({ userId, phone, password: PASSWORD })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'phone' }] });
    }
    expect(sms.messages).toHaveLength(0);
    await auth.twoFactor.phone.start({ userId, phone: PHONE, password: PASSWORD, sessionId });
    const code = sms.lastCode(PHONE) ?? '';
    expect(writes.join('\n')).not.toContain(code);
    const bad = code === '000000' ? '000001' : '000000';
    for (let i = 0; i < 5; i++) {
      expect(await codeOf(auth.twoFactor.phone.confirm({ userId, code: bad }))).toBe(
        'CODE_INVALID',
      );
    }
    // Five wrong tries killed the code.
    expect(await codeOf(auth.twoFactor.phone.confirm({ userId, code }))).toBe('CODE_INVALID');
    expect((await auth.twoFactor.status(userId)).phone).toBeNull();
  });

  it('the code expires after otpTtlSeconds', async () => {
    const { auth, enabledUser, sms, clock } = await setup2fa();
    const { userId, sessionId } = await enabledUser();
    await auth.twoFactor.phone.start({ userId, phone: PHONE, password: PASSWORD, sessionId });
    clock.advance(10 * 60_000);
    expect(await codeOf(auth.twoFactor.phone.confirm({ userId, code: sms.lastCode() ?? '' }))).toBe(
      'CODE_INVALID',
    );
  });

  it('without an SMS sender, phone verification is unavailable and SMS is never offered', async () => {
    const { auth, enabledUser, challenge } = await setup2fa({}, { withSms: false });
    const { userId, sessionId } = await enabledUser();
    const error = await auth.twoFactor.phone
      .start({ userId, phone: PHONE, password: PASSWORD, sessionId })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'phone' }] });
    expect((await challenge()).methods).not.toContain('sms');
  });

  it('code sends for phones count toward the per-account limit', async () => {
    const { auth, enabledUser } = await setup2fa();
    const { userId, sessionId } = await enabledUser();
    for (let i = 0; i < 3; i++)
      await auth.twoFactor.phone.start({ userId, phone: PHONE, password: PASSWORD, sessionId });
    expect(
      await codeOf(
        auth.twoFactor.phone.start({ userId, phone: PHONE, password: PASSWORD, sessionId }),
      ),
    ).toBe('RATE_LIMITED');
  });
});

describe('second factor by SMS', () => {
  it('texts a code for the challenge to the verified phone; it signs in with amr [pwd, sms]', async () => {
    const { auth, challenge, sms, writes } = await withPhone();
    const { challenge: token, methods } = await challenge();
    expect(methods).toContain('sms');
    await auth.twoFactor.sendSmsCode({ challenge: token }, CTX);
    const code = sms.lastCode(PHONE) ?? fail('no sms');
    expect(writes.join('\n')).not.toContain(code);
    const result = await auth.verifySecondFactor({ challenge: token, method: 'sms', code }, CTX);
    expect(result.session.amr).toEqual(['pwd', 'sms']);
  });

  it('5 wrong tries kill the code; it expires after otpTtlSeconds; it is single use', async () => {
    const { auth, challenge, sms, clock } = await withPhone({
      twoFactor: { challengeMaxAttempts: 20, otpTtlSeconds: 120 },
      rateLimits: { secondFactorPerAccount: false, codeSendPerAccount: false },
    });
    const { challenge: token } = await challenge();
    await auth.twoFactor.sendSmsCode({ challenge: token });
    const code = sms.lastCode() ?? '';
    const bad = code === '000000' ? '000001' : '000000';
    for (let i = 0; i < 5; i++) {
      expect(
        await codeOf(auth.verifySecondFactor({ challenge: token, method: 'sms', code: bad })),
      ).toBe('CODE_INVALID');
    }
    expect(await codeOf(auth.verifySecondFactor({ challenge: token, method: 'sms', code }))).toBe(
      'CODE_INVALID',
    );

    await auth.twoFactor.sendSmsCode({ challenge: token });
    const late = sms.lastCode() ?? '';
    clock.advance(120_000);
    expect(
      await codeOf(auth.verifySecondFactor({ challenge: token, method: 'sms', code: late })),
    ).toBe('CODE_INVALID');

    await auth.twoFactor.sendSmsCode({ challenge: token });
    const good = sms.lastCode() ?? '';
    await auth.verifySecondFactor({ challenge: token, method: 'sms', code: good });
    const next = await challenge();
    expect(
      await codeOf(
        auth.verifySecondFactor({ challenge: next.challenge, method: 'sms', code: good }),
      ),
    ).toBe('CODE_INVALID');
  });

  it('is refused for a user without a verified phone', async () => {
    const { auth, enabledUser, challenge } = await setup2fa();
    await enabledUser();
    const { challenge: token } = await challenge();
    expect(await codeOf(auth.twoFactor.sendSmsCode({ challenge: token }))).toBe(
      'VALIDATION_FAILED',
    );
  });

  it('a failed SMS is logged and emitted as sms.failed without the text', async () => {
    const { auth, challenge, sms, events, logs } = await withPhone();
    const { challenge: token } = await challenge();
    sms.failNext(new Error('provider down'));
    await auth.twoFactor.sendSmsCode({ challenge: token });
    expect(events.map((e) => e.type)).toContain('sms.failed');
    expect(logs.some((l) => l.includes('sms failed') && l.includes('provider down'))).toBe(true);
  });
});

describe('SMS senders', () => {
  it('the console sender prints the message; the memory sender keeps it', async () => {
    const lines: string[] = [];
    await consoleSmsSender({ log: (l) => lines.push(l) }).send({ to: PHONE, text: 'code 123456' });
    expect(lines).toEqual([`--- sms to ${PHONE} ---`, 'code 123456', '--- end of sms ---']);
    const memory = memorySmsSender();
    await memory.send({ to: PHONE, text: 'Your code: 654321' });
    expect(memory.lastCode(PHONE)).toBe('654321');
    expect(memory.last('+1999')).toBeUndefined();
    memory.clear();
    expect(memory.messages).toEqual([]);
  });
});
