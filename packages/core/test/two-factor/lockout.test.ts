import { describe, expect, it } from 'vitest';
import type { AuthError } from '../../src/index.js';
import { CTX, codeOf, PASSWORD, setup2fa } from './helpers.js';

describe('per-account second-factor lockout (secondFactorPerAccount)', () => {
  it('the lock mails the owner once, with until when and where the last wrong code came from', async () => {
    const { auth, enabledUser, challenge, wrongCode, mailer } = await setup2fa();
    const { secret } = await enabledUser();
    const bad = await wrongCode(secret);
    const attempt = async (token: string) =>
      codeOf(auth.verifySecondFactor({ challenge: token, method: 'totp', code: bad }, CTX));
    for (let round = 0; round < 2; round++) {
      const { challenge: token } = await challenge();
      for (let i = 0; i < 5; i++) await attempt(token);
    }
    // Mail goes out in the background.
    await new Promise((resolve) => setTimeout(resolve, 10));
    const notices = mailer.messages.filter((m) => m.kind === 'second-factor-locked');
    expect(notices.map((m) => m.to)).toEqual(['ada@example.com']);
    expect(notices[0]?.text).toContain('10 wrong codes');
    expect(notices[0]?.text).toContain(CTX.ip);
    // Refused attempts while locked send no more mail.
    const { challenge: token } = await challenge();
    expect(await attempt(token)).toBe('RATE_LIMITED');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(mailer.messages.filter((m) => m.kind === 'second-factor-locked')).toHaveLength(1);
  });

  it('10 wrong codes across challenges lock the second factor: the right code gets RATE_LIMITED', async () => {
    const { auth, enabledUser, challenge, code, wrongCode, clock, events } = await setup2fa();
    const { userId, secret } = await enabledUser();
    const bad = await wrongCode(secret);
    for (let round = 0; round < 2; round++) {
      const { challenge: token } = await challenge();
      for (let i = 0; i < 5; i++) {
        expect(
          await codeOf(
            auth.verifySecondFactor({ challenge: token, method: 'totp', code: bad }, CTX),
          ),
        ).toBe('CODE_INVALID');
      }
    }
    const locked = events.filter((e) => e.type === '2fa.failed').at(-1);
    expect(locked?.data?.lockedUntil).toBe(clock.now() + 15 * 60_000);

    const { challenge: token } = await challenge();
    const error = (await auth
      .verifySecondFactor({ challenge: token, method: 'totp', code: await code(secret) }, CTX)
      .catch((e: unknown) => e)) as AuthError;
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryAfterSeconds).toBe(15 * 60);
    // Locked attempts do not count and do not use the challenge up.
    clock.advance(15 * 60_000 - 1000);
    expect(
      await codeOf(
        auth.verifySecondFactor({ challenge: token, method: 'totp', code: await code(secret) }),
      ),
    ).toBe('TOKEN_EXPIRED');

    clock.advance(1000);
    const fresh = await challenge();
    const result = await auth.verifySecondFactor(
      { challenge: fresh.challenge, method: 'totp', code: await code(secret) },
      CTX,
    );
    expect(result.status).toBe('signed_in');
    expect(result.user.id).toBe(userId);
  });

  it('wrong codes at re-authentication count toward the same lock', async () => {
    const { auth, enabledUser, challenge, code, wrongCode } = await setup2fa();
    const { userId, secret } = await enabledUser();
    const { challenge: token } = await challenge();
    const signedIn = await auth.verifySecondFactor({
      challenge: token,
      method: 'totp',
      code: await code(secret),
    });
    const sessionId = signedIn.session.id;
    const bad = await wrongCode(secret);
    for (let i = 0; i < 10; i++) {
      expect(
        await codeOf(
          auth.reauthenticate({ userId, sessionId, password: PASSWORD, code: bad, method: 'totp' }),
        ),
      ).toBe('CODE_INVALID');
    }
    expect(
      await codeOf(
        auth.reauthenticate({
          userId,
          sessionId,
          password: PASSWORD,
          code: await code(secret, 30_000),
          method: 'totp',
        }),
      ),
    ).toBe('RATE_LIMITED');
    const next = await challenge();
    expect(
      await codeOf(
        auth.verifySecondFactor({
          challenge: next.challenge,
          method: 'totp',
          code: await code(secret, 30_000),
        }),
      ),
    ).toBe('RATE_LIMITED');
    // Turning 2FA off is locked too, even with the password and a right code.
    expect(
      await codeOf(
        auth.twoFactor.disable({ userId, password: PASSWORD, code: await code(secret, 30_000) }),
      ),
    ).toBe('RATE_LIMITED');
  });

  it('the lock is per account: another user is not affected', async () => {
    const { auth, enabledUser, challenge, code, wrongCode } = await setup2fa();
    const ada = await enabledUser('ada@example.com');
    const bob = await enabledUser('bob@example.com');
    const bad = await wrongCode(ada.secret);
    for (let round = 0; round < 2; round++) {
      const { challenge: token } = await challenge('ada@example.com');
      for (let i = 0; i < 5; i++) {
        await auth
          .verifySecondFactor({ challenge: token, method: 'totp', code: bad })
          .catch(() => {});
      }
    }
    const { challenge: token } = await challenge('bob@example.com');
    const result = await auth.verifySecondFactor({
      challenge: token,
      method: 'totp',
      code: await code(bob.secret),
    });
    expect(result.user.id).toBe(bob.userId);
  });
});
