import {
  type AuthConfig,
  type LoginResult,
  type MemoryStorage,
  memorySmsSender,
  memoryStorage,
} from '../../src/index.js';
import { STORE_NAMES, type Storage } from '../../src/storage/index.js';
import { totpCode } from '../../src/two-factor/index.js';
import { DEFAULT_TOTP_PARAMS, type TotpParams } from '../../src/two-factor/totp.js';
import { decryptTotpSecret } from '../../src/two-factor/totp-check.js';
import { CTX, fail, PASSWORD, setup } from '../flows/helpers.js';

export { CTX, fail, PASSWORD };

/**
 * Memory storage that also keeps the JSON of every argument any store method was called with:
 * everything the store was ever given, to scan for secrets in plain text.
 */
export function recordingStorage(): { storage: Storage; inner: MemoryStorage; writes: string[] } {
  const inner = memoryStorage();
  const writes: string[] = [];
  const wrap = <T extends object>(store: T): T =>
    new Proxy(store, {
      get(target, property) {
        const value = Reflect.get(target, property);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          writes.push(JSON.stringify(args));
          return Reflect.apply(value, target, args);
        };
      },
    });
  const storage = Object.fromEntries(
    STORE_NAMES.map((name) => [name, wrap(inner[name] as object)]),
  ) as unknown as Storage;
  return { storage, inner, writes };
}

/** The flow setup plus an SMS inbox, a recording store and 2FA helpers. */
export async function setup2fa(
  over: Partial<AuthConfig> = {},
  options: { withSms?: boolean } = {},
) {
  const sms = memorySmsSender();
  const recorded = recordingStorage();
  const base = await setup({
    storage: recorded.storage,
    ...(options.withSms === false ? {} : { sms }),
    ...over,
  });
  const { auth, clock, rt } = base;

  /** The TOTP code of `secret` at the fake clock's time plus `offsetMs`. */
  const code = (secret: string, offsetMs = 0, params: TotpParams = DEFAULT_TOTP_PARAMS) =>
    totpCode(secret, params, clock.now() + offsetMs);

  /**
   * Enrolls and confirms TOTP for a user from a session signed in with the password (before
   * 2FA), as an app would; that session proved the new authenticator, so it is second-factor
   * fresh (`sessionId`). Moves the clock one step on, so codes are fresh.
   */
  const enable = async (userId: string) => {
    const user = await auth.storage.users.getById(userId);
    const signedIn = await auth.login(
      { identifier: user?.email ?? fail('no user'), password: PASSWORD },
      CTX,
    );
    if (signedIn.status !== 'signed_in') fail('expected a sign-in before 2FA');
    const sessionId = signedIn.session.id;
    const { secret } = await auth.twoFactor.totp.enroll({ userId, password: PASSWORD }, CTX);
    const { recoveryCodes } = await auth.twoFactor.totp.confirm(
      { userId, code: await code(secret), sessionId },
      CTX,
    );
    clock.advance(30_000);
    return { secret, recoveryCodes, sessionId };
  };

  /** Signs up and turns 2FA on. */
  const enabledUser = async (email = 'ada@example.com') => {
    const userId = await base.signUp(email);
    return { userId, email, ...(await enable(userId)) };
  };

  /** A sign-in that must stop at the second factor; resolves to the challenge. */
  const challenge = async (email = 'ada@example.com', context: object = CTX) => {
    const result: LoginResult = await auth.login(
      { identifier: email, password: PASSWORD },
      context,
    );
    if (result.status !== 'two_factor_required') fail(`expected a challenge, got ${result.status}`);
    return result;
  };

  /**
   * Signs in with the password and a TOTP code: a session whose second factor was just proven,
   * as the factor-changing operations need. Moves the clock one step on (the code is used).
   */
  const factorSession = async (secret: string, email = 'ada@example.com') => {
    const { challenge: token } = await challenge(email);
    const result = await auth.verifySecondFactor(
      { challenge: token, method: 'totp', code: await code(secret) },
      CTX,
    );
    clock.advance(30_000);
    return result.session.id;
  };

  /** The TOTP secret as stored, decrypted. */
  const storedSecret = async (userId: string) => {
    const user = await auth.storage.users.getById(userId);
    return decryptTotpSecret(rt, user?.totp?.encryptedSecret ?? fail('no totp'));
  };

  /** A 6-digit code that matches none of the steps a verification would accept right now. */
  const wrongCode = async (secret: string) => {
    const window = new Set(await Promise.all([-30_000, 0, 30_000].map((o) => code(secret, o))));
    let candidate = 0;
    while (window.has(String(candidate).padStart(6, '0'))) candidate++;
    return String(candidate).padStart(6, '0');
  };

  return {
    ...base,
    ...recorded,
    sms,
    rt,
    code,
    wrongCode,
    enable,
    enabledUser,
    challenge,
    factorSession,
    storedSecret,
  };
}

/** The error code of a rejected promise (fails when it resolves). */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
  return fail('expected a rejection');
}
