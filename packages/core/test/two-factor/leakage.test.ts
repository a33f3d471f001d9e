import { describe, expect, it } from 'vitest';
import { CTX, fail, PASSWORD, setup2fa } from './helpers.js';

const PHONE = '+14155550123';

describe('no second-factor secret leaks', () => {
  it('TOTP secrets, codes, recovery codes, challenge and device tokens stay out of events, audit, logs, errors and the store', async () => {
    const s = await setup2fa();
    const { auth, mailer, sms, events, logs, writes } = s;
    const secrets = new Set<string>(); // must appear nowhere but where they were handed out
    const stored = new Set<string>(); // may not reach the store either (hashes only)
    const errors: unknown[] = [];
    const keep = (value: string, inStore = true) => {
      secrets.add(value);
      if (inStore) stored.add(value);
      return value;
    };
    const fails = (p: Promise<unknown>) =>
      p.then(
        () => fail('expected a rejection'),
        (e: unknown) => errors.push(e, String(e), JSON.stringify(e), (e as Error).stack),
      );
    const challenge = async () => {
      const { challenge: token } = await s.challenge();
      keep(token.split('.')[1] ?? fail('no verifier'));
      return token;
    };

    const userId = await s.signUp('ada@example.com');
    const { secret } = await auth.twoFactor.totp.enroll({ userId, password: PASSWORD }, CTX);
    keep(secret);
    const { recoveryCodes } = await auth.twoFactor.totp.confirm(
      { userId, code: keep(await s.code(secret), false) },
      CTX,
    );
    for (const c of recoveryCodes) {
      keep(c);
      keep(c.replaceAll('-', ''));
    }
    s.clock.advance(30_000);

    let token = await challenge();
    await fails(
      auth.verifySecondFactor(
        { challenge: token, method: 'totp', code: await s.wrongCode(secret) },
        CTX,
      ),
    );
    await fails(
      auth.verifySecondFactor(
        { challenge: token, method: 'recovery', code: 'AAAA-BBBB-CCCC-DDDD-EEEE-FFFF' },
        CTX,
      ),
    );
    const remembered = await auth.verifySecondFactor(
      {
        challenge: token,
        method: 'totp',
        code: keep(await s.code(secret), false),
        rememberDevice: true,
      },
      CTX,
    );
    const deviceToken = remembered.trustedDevice?.token ?? fail('no device');
    keep(deviceToken.split('.')[1] ?? '');
    await fails(auth.verifySecondFactor({ challenge: token, method: 'totp', code: '000000' }, CTX));

    token = await challenge();
    await auth.twoFactor.sendEmailCode({ challenge: token }, CTX);
    const emailed = keep(/\b(\d{6})\b/.exec(mailer.last()?.text ?? '')?.[1] ?? fail('no code'));
    const byEmail = await auth.verifySecondFactor(
      { challenge: token, method: 'email', code: emailed },
      CTX,
    );
    const sessionId = byEmail.session.id;

    await auth.twoFactor.phone.start({ userId, phone: PHONE, password: PASSWORD, sessionId }, CTX);
    const phoneCode = keep(sms.lastCode() ?? fail('no sms'));
    await fails(
      auth.twoFactor.phone.confirm(
        { userId, code: phoneCode === '111111' ? '222222' : '111111' },
        CTX,
      ),
    );
    await auth.twoFactor.phone.confirm({ userId, code: phoneCode }, CTX);
    token = await challenge();
    await auth.twoFactor.sendSmsCode({ challenge: token }, CTX);
    const smsCode = keep(sms.lastCode() ?? fail('no sms'));
    const session = await auth.verifySecondFactor(
      { challenge: token, method: 'sms', code: smsCode },
      CTX,
    );

    token = await challenge();
    await auth.verifySecondFactor(
      { challenge: token, method: 'recovery', code: recoveryCodes[0] ?? '' },
      CTX,
    );
    await fails(
      auth.verifySecondFactor(
        { challenge: token, method: 'recovery', code: recoveryCodes[0] ?? '' },
        CTX,
      ),
    );
    await auth.login(
      { identifier: 'ada@example.com', password: PASSWORD },
      { ...CTX, trustedDevice: deviceToken },
    );
    s.clock.advance(30_000);
    await auth.reauthenticate(
      {
        userId,
        sessionId: session.session.id,
        password: PASSWORD,
        code: keep(await s.code(secret), false),
        method: 'totp',
      },
      CTX,
    );
    await fails(
      auth.reauthenticate(
        {
          userId,
          sessionId: session.session.id,
          password: PASSWORD,
          code: recoveryCodes[0] ?? '',
          method: 'recovery',
        },
        CTX,
      ),
    );
    const regenerated = await auth.twoFactor.recoveryCodes.regenerate(
      { userId, password: PASSWORD, sessionId },
      CTX,
    );
    for (const c of regenerated.recoveryCodes) keep(c);
    s.clock.advance(30_000);
    await auth.twoFactor.disable(
      { userId, password: PASSWORD, code: keep(await s.code(secret), false) },
      CTX,
    );

    const audit = await auth.audit.list(userId, { limit: 200 });
    const scanned = {
      events: JSON.stringify(events),
      audit: JSON.stringify(audit),
      logs: logs.join('\n'),
      errors: errors.map(String).join('\n'),
    };
    // Digit codes are matched as whole numbers: a timestamp may contain any six digits.
    const pattern = (value: string) =>
      /^\d+$/.test(value)
        ? new RegExp(`(?<!\\d)${value}(?!\\d)`)
        : new RegExp(value.replace(/[-.]/g, '\\$&'));
    for (const value of secrets) {
      for (const [where, text] of Object.entries(scanned)) {
        expect(pattern(value).test(text), `${value} in ${where}`).toBe(false);
      }
    }
    const store = writes.join('\n');
    for (const value of stored)
      expect(pattern(value).test(store), `${value} in the store`).toBe(false);
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining([
        '2fa.enrollment_started',
        '2fa.enabled',
        '2fa.challenged',
        '2fa.failed',
        '2fa.succeeded',
        '2fa.code_sent',
        'trusted_device.added',
        'phone.verified',
        'recovery_code.used',
        '2fa.recovery_codes_regenerated',
        '2fa.disabled',
      ]),
    );
    expect(audit.length).toBeGreaterThan(20);
  });
});
