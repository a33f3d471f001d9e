import { describe, expect, it } from 'vitest';
import { codeOf, setup2fa } from './helpers.js';

describe('the sign-in challenge', () => {
  it('an expired challenge is TOKEN_EXPIRED, even with the right code', async () => {
    const { auth, enabledUser, challenge, code, clock } = await setup2fa();
    const { secret } = await enabledUser();
    const { challenge: token } = await challenge();
    clock.advance(10 * 60_000);
    expect(
      await codeOf(
        auth.verifySecondFactor({ challenge: token, method: 'totp', code: await code(secret) }),
      ),
    ).toBe('TOKEN_EXPIRED');
    // ...and then it is gone.
    expect(
      await codeOf(
        auth.verifySecondFactor({ challenge: token, method: 'totp', code: await code(secret) }),
      ),
    ).toBe('TOKEN_INVALID');
  });

  it('one second before expiry the challenge still works', async () => {
    const { auth, enabledUser, challenge, code, clock } = await setup2fa();
    const { secret } = await enabledUser();
    const { challenge: token } = await challenge();
    clock.advance(10 * 60_000 - 1000);
    const result = await auth.verifySecondFactor({
      challenge: token,
      method: 'totp',
      code: await code(secret),
    });
    expect(result.status).toBe('signed_in');
  });

  it('5 wrong codes kill the challenge: then even the right code is TOKEN_INVALID', async () => {
    const { auth, enabledUser, challenge, code, wrongCode, events } = await setup2fa();
    const { secret } = await enabledUser();
    const { challenge: token } = await challenge();
    const bad = await wrongCode(secret);
    for (let i = 0; i < 5; i++) {
      expect(
        await codeOf(auth.verifySecondFactor({ challenge: token, method: 'totp', code: bad })),
      ).toBe('CODE_INVALID');
    }
    const failures = events.filter((e) => e.type === '2fa.failed');
    expect(failures.map((e) => e.data?.attemptsLeft)).toEqual([4, 3, 2, 1, 0]);
    expect(
      await codeOf(
        auth.verifySecondFactor({ challenge: token, method: 'totp', code: await code(secret) }),
      ),
    ).toBe('TOKEN_INVALID');
  });

  it('a challenge is single use', async () => {
    const { auth, enabledUser, challenge, code } = await setup2fa();
    const { secret } = await enabledUser();
    const { challenge: token } = await challenge();
    await auth.verifySecondFactor({ challenge: token, method: 'totp', code: await code(secret) });
    expect(
      await codeOf(
        auth.verifySecondFactor({
          challenge: token,
          method: 'totp',
          code: await code(secret, 30_000),
        }),
      ),
    ).toBe('TOKEN_INVALID');
  });

  it('two concurrent verifies of one challenge with valid codes: exactly one signs in', async () => {
    const { auth, enabledUser, challenge, code } = await setup2fa();
    const { secret, recoveryCodes } = await enabledUser();
    const { challenge: token } = await challenge();
    const c = await code(secret);
    const results = await Promise.allSettled([
      auth.verifySecondFactor({ challenge: token, method: 'totp', code: c }),
      auth.verifySecondFactor({ challenge: token, method: 'totp', code: c }),
      auth.verifySecondFactor({
        challenge: token,
        method: 'recovery',
        code: recoveryCodes[0] ?? '',
      }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(
      results
        .filter((r) => r.status === 'rejected')
        .map((r) => (r.reason as { code: string }).code)
        .every((c2) => c2 === 'TOKEN_INVALID' || c2 === 'CODE_INVALID'),
    ).toBe(true);
  });

  it('forged, malformed and tampered challenges are TOKEN_INVALID', async () => {
    const { auth, enabledUser, challenge, code } = await setup2fa();
    const { secret } = await enabledUser();
    const { challenge: token } = await challenge();
    const c = await code(secret);
    const [selector = '', verifier = ''] = token.split('.');
    const flipped = verifier.startsWith('A') ? `B${verifier.slice(1)}` : `A${verifier.slice(1)}`;
    for (const bad of ['nope', `${selector}.${flipped}`, `${'A'.repeat(22)}.${verifier}`]) {
      expect(
        await codeOf(auth.verifySecondFactor({ challenge: bad, method: 'totp', code: c })),
      ).toBe('TOKEN_INVALID');
    }
    // The real challenge is untouched by the forgeries.
    expect(
      (await auth.verifySecondFactor({ challenge: token, method: 'totp', code: c })).status,
    ).toBe('signed_in');
  });
});
