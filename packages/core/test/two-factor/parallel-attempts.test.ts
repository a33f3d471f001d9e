import { describe, expect, it } from 'vitest';
import type { AuthConfig } from '../../src/index.js';
import { CTX, codeOf, fail, PASSWORD, setup2fa } from './helpers.js';

/** Password re-checks off the table: these tests attack the second factor alone. */
const noPasswordLimit: Partial<AuthConfig> = { rateLimits: { loginPerAccount: false } };

const settle = async (promises: Promise<unknown>[]): Promise<string[]> =>
  Promise.all(
    promises.map((p) =>
      p.then(
        () => 'ok',
        (e: { code?: string }) => e.code ?? '?',
      ),
    ),
  );

/** Store calls `method`-shaped on `purpose` since `from`: consume has a verifier, get a time. */
const calls = (writes: string[], from: number, purpose: string, kind: 'consume' | 'get') =>
  writes.slice(from).filter((w) => {
    const args = JSON.parse(w) as unknown[];
    if (args[0] !== purpose || args.length !== 3) return false;
    return kind === 'get'
      ? typeof args[2] === 'number'
      : typeof args[2] === 'object' && args[2] !== null && 'verifierHash' in args[2];
  }).length;

const tally = (codes: string[]) =>
  codes.reduce<Record<string, number>>((acc, c) => {
    acc[c] = (acc[c] ?? 0) + 1;
    return acc;
  }, {});

describe('attempt limits hold under parallel requests (reserve before checking)', () => {
  it('200 parallel wrong TOTP codes on one challenge: at most 5 are checked', async () => {
    const { auth, enabledUser, challenge, wrongCode, events, storage, clock } = await setup2fa();
    const { secret } = await enabledUser();
    const { challenge: token } = await challenge();
    const bad = await wrongCode(secret);
    const outcomes = await settle(
      Array.from({ length: 200 }, () =>
        auth.verifySecondFactor({ challenge: token, method: 'totp', code: bad }, CTX),
      ),
    );
    const checked = events.filter((e) => e.type === '2fa.failed');
    expect(checked.length).toBeLessThanOrEqual(5);
    expect(tally(outcomes).CODE_INVALID ?? 0).toBeLessThanOrEqual(5);
    expect(
      outcomes.every((c) => ['CODE_INVALID', 'TOKEN_INVALID', 'RATE_LIMITED'].includes(c)),
    ).toBe(true);
    // The challenge is dead.
    const selector = token.split('.')[0] ?? fail('selector');
    expect(await storage.tokens.get('2fa-challenge', selector, clock.now())).toBeUndefined();
  });

  it('parallel wrong codes over 20 challenges: at most 10 checked per account, then locked', async () => {
    const { auth, enabledUser, challenge, code, wrongCode, events } = await setup2fa();
    const { secret } = await enabledUser();
    const tokens: string[] = [];
    for (let i = 0; i < 20; i++) tokens.push((await challenge()).challenge);
    const bad = await wrongCode(secret);
    const outcomes = await settle(
      tokens.flatMap((token) =>
        Array.from({ length: 10 }, () =>
          auth.verifySecondFactor({ challenge: token, method: 'totp', code: bad }, CTX),
        ),
      ),
    );
    expect(events.filter((e) => e.type === '2fa.failed').length).toBeLessThanOrEqual(10);
    expect(tally(outcomes).CODE_INVALID ?? 0).toBeLessThanOrEqual(10);
    const next = await challenge();
    expect(
      await codeOf(
        auth.verifySecondFactor({
          challenge: next.challenge,
          method: 'totp',
          code: await code(secret),
        }),
      ),
    ).toBe('RATE_LIMITED');
  });

  it('50 parallel wrong emailed codes: the code is compared at most 5 times', async () => {
    const { auth, enabledUser, challenge, writes } = await setup2fa({
      twoFactor: { challengeMaxAttempts: 100 },
      rateLimits: { secondFactorPerAccount: { limit: 500, windowSeconds: 900, lockSeconds: 900 } },
    });
    await enabledUser();
    const { challenge: token } = await challenge();
    await auth.twoFactor.sendEmailCode({ challenge: token }, CTX);
    const from = writes.length;
    const outcomes = await settle(
      Array.from({ length: 50 }, (_, i) =>
        auth.verifySecondFactor(
          { challenge: token, method: 'email', code: String(i).padStart(6, '9') },
          CTX,
        ),
      ),
    );
    expect(calls(writes, from, '2fa-email', 'consume')).toBeLessThanOrEqual(5);
    expect(new Set(outcomes)).toEqual(new Set(['CODE_INVALID']));
  });

  it('50 parallel wrong phone codes: at most 5 compared, then even the right code fails', async () => {
    const { auth, signUp, sms, writes } = await setup2fa();
    const userId = await signUp('ada@example.com');
    await auth.twoFactor.phone.start({ userId, phone: '+14155550123', password: PASSWORD }, CTX);
    const right = /\b(\d{6})\b/.exec(sms.messages.at(-1)?.text ?? '')?.[1] ?? fail('no sms');
    const from = writes.length;
    const wrong = (i: number) => String((Number(right) + 1 + i) % 1_000_000).padStart(6, '0');
    await settle(
      Array.from({ length: 50 }, (_, i) =>
        auth.twoFactor.phone.confirm({ userId, code: wrong(i) }),
      ),
    );
    expect(calls(writes, from, 'phone-verify', 'consume')).toBeLessThanOrEqual(5);
    expect(await codeOf(auth.twoFactor.phone.confirm({ userId, code: right }))).toBe(
      'CODE_INVALID',
    );
  });

  it('50 parallel wrong codes at /reauthenticate: at most 10 checked', async () => {
    const { auth, enabledUser, challenge, code, wrongCode, events } =
      await setup2fa(noPasswordLimit);
    const { userId, secret } = await enabledUser();
    const { challenge: token } = await challenge();
    const signedIn = await auth.verifySecondFactor({
      challenge: token,
      method: 'totp',
      code: await code(secret),
    });
    const sessionId = signedIn.session.id;
    const bad = await wrongCode(secret);
    const outcomes = await settle(
      Array.from({ length: 50 }, () =>
        auth.reauthenticate({ userId, sessionId, password: PASSWORD, code: bad, method: 'totp' }),
      ),
    );
    expect(events.filter((e) => e.type === '2fa.failed').length).toBeLessThanOrEqual(10);
    expect(new Set(outcomes)).toEqual(new Set(['CODE_INVALID', 'RATE_LIMITED']));
  });

  it('50 parallel wrong codes at /2fa/disable: at most 10 checked', async () => {
    const { auth, enabledUser, wrongCode, events } = await setup2fa(noPasswordLimit);
    const { userId, secret } = await enabledUser();
    const bad = await wrongCode(secret);
    const outcomes = await settle(
      Array.from({ length: 50 }, () =>
        auth.twoFactor.disable({ userId, password: PASSWORD, code: bad }),
      ),
    );
    expect(events.filter((e) => e.type === '2fa.failed').length).toBeLessThanOrEqual(10);
    expect(new Set(outcomes)).toEqual(new Set(['CODE_INVALID', 'RATE_LIMITED']));
    expect((await auth.twoFactor.status(userId)).enabled).toBe(true);
  });

  it('sequential behaviour is unchanged: 5 wrong codes kill a challenge, the 6th is TOKEN_INVALID', async () => {
    const { auth, enabledUser, challenge, code, wrongCode, events } = await setup2fa();
    const { secret } = await enabledUser();
    const { challenge: token } = await challenge();
    const bad = await wrongCode(secret);
    for (let i = 0; i < 5; i++) {
      expect(
        await codeOf(auth.verifySecondFactor({ challenge: token, method: 'totp', code: bad })),
      ).toBe('CODE_INVALID');
    }
    expect(events.filter((e) => e.type === '2fa.failed').map((e) => e.data?.attemptsLeft)).toEqual([
      4, 3, 2, 1, 0,
    ]);
    expect(
      await codeOf(
        auth.verifySecondFactor({ challenge: token, method: 'totp', code: await code(secret) }),
      ),
    ).toBe('TOKEN_INVALID');
  });

  it('a success resets the account counter: 9 wrong, a sign-in, 9 wrong is still not locked', async () => {
    const { auth, enabledUser, challenge, code, wrongCode, clock } = await setup2fa();
    const { secret } = await enabledUser();
    const bad = await wrongCode(secret);
    for (let round = 0; round < 2; round++) {
      for (const n of [5, 4]) {
        const { challenge: token } = await challenge();
        for (let i = 0; i < n; i++) {
          await auth
            .verifySecondFactor({ challenge: token, method: 'totp', code: bad })
            .catch(() => {});
        }
      }
      const { challenge: token } = await challenge();
      const result = await auth.verifySecondFactor({
        challenge: token,
        method: 'totp',
        code: await code(secret),
      });
      expect(result.status).toBe('signed_in');
      clock.advance(30_000);
    }
  });
});

describe('TOTP enrollment confirmation is limited', () => {
  it('5 wrong codes kill the pending enrollment: the right code then fails, a new enroll is needed', async () => {
    const { auth, signUp, code, wrongCode, events } = await setup2fa();
    const userId = await signUp('ada@example.com');
    const { secret } = await auth.twoFactor.totp.enroll({ userId, password: PASSWORD }, CTX);
    const bad = await wrongCode(secret);
    for (let i = 0; i < 6; i++) {
      expect(await codeOf(auth.twoFactor.totp.confirm({ userId, code: bad }, CTX))).toBe(
        'CODE_INVALID',
      );
    }
    expect(
      await codeOf(auth.twoFactor.totp.confirm({ userId, code: await code(secret) }, CTX)),
    ).toBe('CODE_INVALID');
    expect((await auth.twoFactor.status(userId)).enabled).toBe(false);
    expect(events.filter((e) => e.type === '2fa.failed').at(0)?.data).toMatchObject({
      via: 'enroll',
    });
    const again = await auth.twoFactor.totp.enroll({ userId, password: PASSWORD }, CTX);
    await auth.twoFactor.totp.confirm({ userId, code: await code(again.secret) }, CTX);
    expect((await auth.twoFactor.status(userId)).enabled).toBe(true);
  });

  it('50 parallel wrong confirmations: the pending secret is read (checked) at most 5 times', async () => {
    const { auth, signUp, wrongCode, writes } = await setup2fa();
    const userId = await signUp('ada@example.com');
    const { secret } = await auth.twoFactor.totp.enroll({ userId, password: PASSWORD }, CTX);
    const bad = await wrongCode(secret);
    const from = writes.length;
    const outcomes = await settle(
      Array.from({ length: 50 }, () => auth.twoFactor.totp.confirm({ userId, code: bad })),
    );
    expect(calls(writes, from, 'totp-enroll', 'get')).toBeLessThanOrEqual(5);
    expect(new Set(outcomes)).toEqual(new Set(['CODE_INVALID']));
  });

  it('wrong confirmations count toward secondFactorPerAccount', async () => {
    const { auth, signUp, code, wrongCode } = await setup2fa({
      rateLimits: { secondFactorPerAccount: { limit: 3, windowSeconds: 900, lockSeconds: 900 } },
    });
    const userId = await signUp('ada@example.com');
    const { secret } = await auth.twoFactor.totp.enroll({ userId, password: PASSWORD }, CTX);
    const bad = await wrongCode(secret);
    for (let i = 0; i < 3; i++)
      await auth.twoFactor.totp.confirm({ userId, code: bad }).catch(() => {});
    expect(
      await codeOf(auth.twoFactor.totp.confirm({ userId, code: await code(secret) }, CTX)),
    ).toBe('RATE_LIMITED');
  });
});

describe('code sends while the second factor is locked', () => {
  it('/2fa/email/send and /2fa/sms/send answer RATE_LIMITED and send nothing', async () => {
    const { auth, challenge, mailer, sms } = await lockedSetup();
    const { challenge: token } = await challenge();
    mailer.clear();
    const smsBefore = sms.messages.length;
    expect(await codeOf(auth.twoFactor.sendEmailCode({ challenge: token }, CTX))).toBe(
      'RATE_LIMITED',
    );
    expect(await codeOf(auth.twoFactor.sendSmsCode({ challenge: token }, CTX))).toBe(
      'RATE_LIMITED',
    );
    expect(mailer.messages.filter((m) => m.kind === 'email-otp')).toHaveLength(0);
    expect(sms.messages.length).toBe(smsBefore);
  });
});

/** A user with 2FA and a verified phone whose second factor has been locked by wrong codes. */
async function lockedSetup() {
  const s = await setup2fa();
  const { userId, secret, sessionId } = await s.enabledUser();
  await s.auth.twoFactor.phone.start(
    { userId, phone: '+14155550123', password: PASSWORD, sessionId },
    CTX,
  );
  const smsCode = /\b(\d{6})\b/.exec(s.sms.messages.at(-1)?.text ?? '')?.[1] ?? fail('no sms');
  await s.auth.twoFactor.phone.confirm({ userId, code: smsCode }, CTX);
  const bad = await s.wrongCode(secret);
  for (let round = 0; round < 2; round++) {
    const { challenge: token } = await s.challenge();
    for (let i = 0; i < 5; i++) {
      await s.auth
        .verifySecondFactor({ challenge: token, method: 'totp', code: bad })
        .catch(() => {});
    }
  }
  return s;
}
