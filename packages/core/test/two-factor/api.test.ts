import { describe, expect, expectTypeOf, it } from 'vitest';
import type {
  Auth,
  LoginResult,
  SecondFactorMethod,
  SecondFactorResult,
  TrustedDeviceInfo,
  TwoFactorStatus,
} from '../../src/index.js';
import { CTX, codeOf, PASSWORD, setup2fa } from './helpers.js';

describe('the public second-factor API', () => {
  it('has the signatures the HTTP layer codes against', () => {
    expectTypeOf<Auth['verifySecondFactor']>().returns.resolves.toEqualTypeOf<SecondFactorResult>();
    expectTypeOf<SecondFactorResult>().toMatchTypeOf<
      Extract<LoginResult, { status: 'signed_in' }>
    >();
    expectTypeOf<NonNullable<SecondFactorResult['trustedDevice']>>().toEqualTypeOf<{
      readonly token: string;
      readonly expiresAt: number;
    }>();
    expectTypeOf<Auth['twoFactor']['status']>().returns.resolves.toEqualTypeOf<TwoFactorStatus>();
    expectTypeOf<Auth['twoFactor']['devices']['list']>().returns.resolves.toEqualTypeOf<
      TrustedDeviceInfo[]
    >();
    expectTypeOf<Auth['twoFactor']['totp']['enroll']>().returns.resolves.toEqualTypeOf<{
      secret: string;
      otpauthUri: string;
    }>();
    expectTypeOf<Auth['twoFactor']['totp']['confirm']>().returns.resolves.toEqualTypeOf<{
      recoveryCodes: string[];
    }>();
    expectTypeOf<Parameters<Auth['reauthenticate']>[0]['method']>().toEqualTypeOf<
      SecondFactorMethod | undefined
    >();
    expectTypeOf<Auth['twoFactor']['sendEmailCode']>().returns.resolves.toBeVoid();
    expectTypeOf<Auth['twoFactor']['sendSmsCode']>().returns.resolves.toBeVoid();
    expectTypeOf<Auth['twoFactor']['disable']>().returns.resolves.toBeVoid();
  });

  it('a challenge for a user who turned 2FA off meanwhile is TOKEN_INVALID', async () => {
    const { auth, enabledUser, challenge, code } = await setup2fa();
    const { userId, secret, recoveryCodes } = await enabledUser();
    const { challenge: token } = await challenge();
    await auth.twoFactor.disable({ userId, password: PASSWORD, code: recoveryCodes[0] ?? '' });
    expect(
      await codeOf(
        auth.verifySecondFactor({ challenge: token, method: 'totp', code: await code(secret) }),
      ),
    ).toBe('TOKEN_INVALID');
  });

  it('a user disabled after the password is ACCOUNT_DISABLED at the second factor', async () => {
    const { auth, enabledUser, challenge, code, clock } = await setup2fa();
    const { userId, secret } = await enabledUser();
    const { challenge: token } = await challenge();
    await auth.storage.users.update(userId, { disabled: true, updatedAt: clock.now() });
    expect(
      await codeOf(
        auth.verifySecondFactor(
          { challenge: token, method: 'totp', code: await code(secret) },
          CTX,
        ),
      ),
    ).toBe('ACCOUNT_DISABLED');
  });
});
