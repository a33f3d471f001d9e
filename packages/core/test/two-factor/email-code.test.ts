import { describe, expect, it } from 'vitest';
import type { AuthConfig } from '../../src/index.js';
import { CTX, codeOf, fail, setup2fa } from './helpers.js';

const mailedCode = (mailer: Awaited<ReturnType<typeof setup2fa>>['mailer']) =>
  /\b(\d{6})\b/.exec(mailer.find('ada@example.com', 'email-otp')?.text ?? '')?.[1] ??
  fail('no code mailed');

/** Enough room that the code's own attempts run out before the challenge's or the account's. */
const roomy: Partial<AuthConfig> = {
  twoFactor: { challengeMaxAttempts: 20 },
  rateLimits: { secondFactorPerAccount: { limit: 50, windowSeconds: 900, lockSeconds: 900 } },
};

describe('second factor by emailed code', () => {
  it('mails a 6-digit code for the challenge; it signs in once, with amr [pwd, email]', async () => {
    const { auth, enabledUser, challenge, mailer, events } = await setup2fa();
    const { userId } = await enabledUser();
    const { challenge: token } = await challenge();
    await auth.twoFactor.sendEmailCode({ challenge: token }, CTX);
    expect(events.at(-1)).toMatchObject({
      type: '2fa.code_sent',
      userId,
      data: { method: 'email', purpose: 'sign_in' },
    });
    const code = mailedCode(mailer);
    expect(mailer.find('ada@example.com', 'email-otp')?.text).toContain('10 minutes');
    const result = await auth.verifySecondFactor({ challenge: token, method: 'email', code }, CTX);
    expect(result.session.amr).toEqual(['pwd', 'email']);
    const again = await challenge();
    expect(
      await codeOf(auth.verifySecondFactor({ challenge: again.challenge, method: 'email', code })),
    ).toBe('CODE_INVALID');
  });

  it('is stored only as an HMAC: no code in anything the store was given', async () => {
    const { auth, enabledUser, challenge, mailer, writes } = await setup2fa();
    await enabledUser();
    const { challenge: token } = await challenge();
    await auth.twoFactor.sendEmailCode({ challenge: token });
    const code = mailedCode(mailer);
    expect(writes.join('\n')).not.toContain(code);
  });

  it('is bound to its challenge', async () => {
    const { auth, enabledUser, challenge, mailer } = await setup2fa();
    await enabledUser();
    const a = await challenge();
    const b = await challenge();
    await auth.twoFactor.sendEmailCode({ challenge: a.challenge });
    const code = mailedCode(mailer);
    expect(
      await codeOf(auth.verifySecondFactor({ challenge: b.challenge, method: 'email', code })),
    ).toBe('CODE_INVALID');
    expect(
      (await auth.verifySecondFactor({ challenge: a.challenge, method: 'email', code })).status,
    ).toBe('signed_in');
  });

  it('a new code replaces the previous one', async () => {
    const { auth, enabledUser, challenge, mailer } = await setup2fa();
    await enabledUser();
    const { challenge: token } = await challenge();
    await auth.twoFactor.sendEmailCode({ challenge: token });
    const first = mailedCode(mailer);
    mailer.clear();
    await auth.twoFactor.sendEmailCode({ challenge: token });
    const second = mailedCode(mailer);
    if (first !== second) {
      expect(
        await codeOf(auth.verifySecondFactor({ challenge: token, method: 'email', code: first })),
      ).toBe('CODE_INVALID');
    }
    expect(
      (await auth.verifySecondFactor({ challenge: token, method: 'email', code: second })).status,
    ).toBe('signed_in');
  });

  it('5 wrong tries kill the code (the challenge lives on; a new code works)', async () => {
    const { auth, enabledUser, challenge, mailer } = await setup2fa(roomy);
    await enabledUser();
    const { challenge: token } = await challenge();
    await auth.twoFactor.sendEmailCode({ challenge: token });
    const code = mailedCode(mailer);
    const bad = code === '000000' ? '000001' : '000000';
    for (let i = 0; i < 5; i++) {
      expect(
        await codeOf(auth.verifySecondFactor({ challenge: token, method: 'email', code: bad })),
      ).toBe('CODE_INVALID');
    }
    expect(await codeOf(auth.verifySecondFactor({ challenge: token, method: 'email', code }))).toBe(
      'CODE_INVALID',
    );
    mailer.clear();
    await auth.twoFactor.sendEmailCode({ challenge: token });
    const result = await auth.verifySecondFactor({
      challenge: token,
      method: 'email',
      code: mailedCode(mailer),
    });
    expect(result.status).toBe('signed_in');
  });

  it('expires after otpTtlSeconds', async () => {
    const { auth, enabledUser, challenge, mailer, clock } = await setup2fa({
      twoFactor: { otpTtlSeconds: 120 },
    });
    await enabledUser();
    const { challenge: token } = await challenge();
    await auth.twoFactor.sendEmailCode({ challenge: token });
    const code = mailedCode(mailer);
    clock.advance(120_000);
    expect(await codeOf(auth.verifySecondFactor({ challenge: token, method: 'email', code }))).toBe(
      'CODE_INVALID',
    );
  });

  it('without a sent code, the email method is a wrong code', async () => {
    const { auth, enabledUser, challenge } = await setup2fa();
    await enabledUser();
    const { challenge: token } = await challenge();
    expect(
      await codeOf(auth.verifySecondFactor({ challenge: token, method: 'email', code: '123456' })),
    ).toBe('CODE_INVALID');
  });

  it('sending needs a live challenge', async () => {
    const { auth, enabledUser, challenge, clock } = await setup2fa();
    await enabledUser();
    expect(await codeOf(auth.twoFactor.sendEmailCode({ challenge: 'forged' }))).toBe(
      'TOKEN_INVALID',
    );
    const { challenge: token } = await challenge();
    clock.advance(10 * 60_000);
    expect(await codeOf(auth.twoFactor.sendEmailCode({ challenge: token }))).toBe('TOKEN_EXPIRED');
    expect(await codeOf(auth.twoFactor.sendEmailCode({} as never))).toBe('VALIDATION_FAILED');
  });

  it('sends are limited: 3 per 10 minutes per account, then per IP', async () => {
    const { auth, enabledUser, challenge, clock } = await setup2fa({
      rateLimits: { codeSendPerIp: { limit: 5, windowSeconds: 3600 } },
    });
    await enabledUser();
    const { challenge: token } = await challenge();
    for (let i = 0; i < 3; i++) await auth.twoFactor.sendEmailCode({ challenge: token }, CTX);
    const error = await auth.twoFactor.sendEmailCode({ challenge: token }, CTX).catch((e) => e);
    expect(error).toMatchObject({ code: 'RATE_LIMITED' });
    clock.advance(10 * 60_000);
    const next = await challenge();
    await auth.twoFactor.sendEmailCode({ challenge: next.challenge }, CTX);
    // Five hits from this address in the hour so far (one refused): the next is over.
    expect(await codeOf(auth.twoFactor.sendEmailCode({ challenge: next.challenge }, CTX))).toBe(
      'RATE_LIMITED',
    );
    expect(
      (await auth.twoFactor.sendEmailCode({ challenge: next.challenge }, { ip: '198.51.100.1' })) ??
        'ok',
    ).toBe('ok');
  });

  it('a failed mail does not fail the send (logged, mail.failed)', async () => {
    const { auth, enabledUser, challenge, mailer, events } = await setup2fa();
    await enabledUser();
    const { challenge: token } = await challenge();
    mailer.failNext();
    await auth.twoFactor.sendEmailCode({ challenge: token });
    expect(events.map((e) => e.type)).toContain('mail.failed');
  });
});
