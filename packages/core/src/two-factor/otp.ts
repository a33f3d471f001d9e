import { toBase64Url } from '../crypto/encoding.js';
import { hmacSha256 } from '../crypto/hash.js';
import type { RandomSource } from '../crypto/random.js';
import { AuthError } from '../errors/auth-error.js';
import type { AuthRuntime } from '../runtime/context.js';
import type { JsonObject } from '../storage/types/json.js';
import type { OneTimeTokenRecord } from '../storage/types/tokens.js';

/** Digits of an emailed or SMS code. */
export const OTP_DIGITS = 6;

/** `digits` uniformly random decimal digits (rejection sampling: no modulo bias). */
export function randomDigits(random: RandomSource, digits: number = OTP_DIGITS): string {
  const range = 10 ** digits;
  const limit = 2 ** 32 - (2 ** 32 % range);
  for (;;) {
    const b = random.bytes(4);
    const value = new DataView(b.buffer, b.byteOffset, 4).getUint32(0);
    if (value < limit) return String(value % range).padStart(digits, '0');
  }
}

/**
 * What the store keeps of a short code: HMAC-SHA256 under a key for this purpose, over the
 * selector and the code. A 6-digit code hashed plainly would fall to a million guesses
 * offline; keyed, a stolen table is useless without the secret.
 */
export function otpHash(rt: AuthRuntime, purpose: string, selector: string, code: string): string {
  const key = rt.keyring.deriveKey(`otp-hmac/${purpose}`);
  return toBase64Url(hmacSha256(key, `${selector}.${code}`));
}

/**
 * Stores a new code for `(purpose, selector)`, replacing any earlier one, and returns it.
 * Lives `rt.config.twoFactor.otpTtlSeconds`.
 */
export async function issueOtp(
  rt: AuthRuntime,
  options: { purpose: string; selector: string; userId: string; payload?: JsonObject },
): Promise<string> {
  const code = randomDigits(rt.config.random);
  const record: OneTimeTokenRecord = {
    purpose: options.purpose,
    selector: options.selector,
    verifierHash: otpHash(rt, options.purpose, options.selector, code),
    userId: options.userId,
    expiresAt: rt.now() + rt.config.twoFactor.otpTtlSeconds * 1000,
    attempts: 0,
    ...(options.payload === undefined ? {} : { payload: options.payload }),
  };
  // A new code replaces the old one; a concurrent send may win the slot: then try once more.
  for (let attempt = 0; attempt < 2; attempt++) {
    await rt.storage.tokens.delete(options.purpose, options.selector);
    if ((await rt.storage.tokens.create(record)) === 'created') return code;
  }
  throw new AuthError('INTERNAL', { cause: new Error('one-time code slot kept conflicting') });
}

/** Outcome of {@link consumeOtp}. */
export type OtpResult =
  | { readonly status: 'ok'; readonly record: OneTimeTokenRecord }
  | { readonly status: 'wrong' | 'expired' };

/**
 * Checks and uses a code in one compare-and-delete (of two concurrent uses one wins). The
 * check is reserved first, on the code itself (`tokens.recordFailure` with
 * `twoFactor.otpMaxAttempts + 1`): of any number of concurrent tries at most `otpMaxAttempts`
 * are compared, and after that many wrong ones the code is dead. A code that is missing or has no
 * tries left is `wrong`, without a comparison.
 */
export async function consumeOtp(
  rt: AuthRuntime,
  purpose: string,
  selector: string,
  code: string,
): Promise<OtpResult> {
  const left = await rt.storage.tokens.recordFailure(purpose, selector, {
    maxAttempts: rt.config.twoFactor.otpMaxAttempts + 1,
  });
  if (left === 0) return { status: 'wrong' };
  const digits = code.replace(/\s+/g, '');
  const result = await rt.storage.tokens.consume(purpose, selector, {
    verifierHash: otpHash(rt, purpose, selector, digits),
    now: rt.now(),
  });
  if (result.status === 'ok') return result;
  if (result.status === 'expired') return { status: 'expired' };
  // After its last wrong try the code is left to the next reservation, which finds none left
  // and deletes it: deleting here could hit a new code sent meanwhile into the same slot.
  return { status: 'wrong' };
}
