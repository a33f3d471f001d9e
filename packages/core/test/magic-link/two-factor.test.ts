import { describe, expect, it } from 'vitest';
import { ADA, CTX, fail, setupMagic } from './helpers.js';

/** A magic-link sign-in of a 2FA user: it must stop at the challenge. */
async function challenged(s: Awaited<ReturnType<typeof setupMagic>>) {
  const { token } = await s.requested();
  const result = await s.auth.magicLink.verify({ token }, CTX);
  if (result.status !== 'two_factor_required') return fail(`got ${result.status}`);
  return result;
}

describe('a user with 2FA signing in by magic link', () => {
  it('gets a challenge whose methods leave email out; TOTP finishes it with amr [email, otp]', async () => {
    const s = await setupMagic();
    const { userId, secret } = await s.enabledUser();
    const result = await challenged(s);
    expect(result.methods).toEqual(['totp', 'recovery']);
    expect(s.events.findLast((e) => e.type === '2fa.challenged')).toMatchObject({
      userId,
      data: { methods: ['totp', 'recovery'] },
    });
    const signedIn = await s.auth.verifySecondFactor(
      { challenge: result.challenge, method: 'totp', code: await s.code(secret) },
      CTX,
    );
    expect(signedIn.session.amr).toEqual(['email', 'otp']);
  });

  it('the emailed code is refused as the second factor: no code is sent, none is accepted, nothing is counted', async () => {
    const s = await setupMagic();
    const { secret } = await s.enabledUser();
    const { challenge } = await challenged(s);
    s.mailer.clear();
    const send = await s.auth.twoFactor
      .sendEmailCode({ challenge }, CTX)
      .catch((e: unknown) => e as { code: string; details: { path: string }[] });
    expect(send).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'challenge' }] });
    expect(s.mailer.messages).toEqual([]);
    // As many tries as the challenge has: none of them is counted against it.
    for (let i = 0; i < 6; i++) {
      const error = await s.auth
        .verifySecondFactor({ challenge, method: 'email', code: '123456' }, CTX)
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'method' }] });
    }
    const result = await s.auth.verifySecondFactor(
      { challenge, method: 'totp', code: await s.code(secret) },
      CTX,
    );
    expect(result.status).toBe('signed_in');
    expect(s.events.filter((e) => e.type === '2fa.failed')).toEqual([]);
  });

  it('a recovery code finishes it too', async () => {
    const s = await setupMagic();
    const { recoveryCodes } = await s.enabledUser();
    const { challenge } = await challenged(s);
    const result = await s.auth.verifySecondFactor(
      { challenge, method: 'recovery', code: recoveryCodes[0] ?? fail('no code') },
      CTX,
    );
    expect(result.session.amr).toEqual(['email', 'recovery']);
  });

  it('a password sign-in of the same user still offers and accepts email codes', async () => {
    const s = await setupMagic();
    await s.enabledUser();
    const { challenge, methods } = await s.challenge();
    expect(methods).toContain('email');
    await s.auth.twoFactor.sendEmailCode({ challenge }, CTX);
    const code =
      /\b(\d{6})\b/.exec(s.mailer.find(ADA, 'email-otp')?.text ?? '')?.[1] ?? fail('no code');
    const result = await s.auth.verifySecondFactor({ challenge, method: 'email', code }, CTX);
    expect(result.session.amr).toEqual(['pwd', 'email']);
  });

  it('the code path stops at the challenge as well', async () => {
    const s = await setupMagic();
    await s.enabledUser();
    const { code } = await s.requested();
    const result = await s.auth.magicLink.verify({ email: ADA, code }, CTX);
    expect(result).toMatchObject({ status: 'two_factor_required', methods: ['totp', 'recovery'] });
  });

  it('a trusted device skips the challenge (amr [email, device])', async () => {
    const s = await setupMagic();
    const { secret } = await s.enabledUser();
    const { challenge } = await s.challenge();
    const remembered = await s.auth.verifySecondFactor(
      { challenge, method: 'totp', code: await s.code(secret), rememberDevice: true },
      CTX,
    );
    const device = remembered.trustedDevice?.token ?? fail('no device');
    const { token } = await s.requested();
    const result = s.signedIn(
      await s.auth.magicLink.verify({ token }, { ...CTX, trustedDevice: device }),
    );
    expect(result.session.amr).toEqual(['email', 'device']);
  });
});
