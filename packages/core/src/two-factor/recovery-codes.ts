import { timingSafeEqualStrings } from '../crypto/compare.js';
import { sha256Base64Url } from '../crypto/hash.js';
import type { RandomSource } from '../crypto/random.js';
import type { PasswordHasher } from '../password/hasher.js';

/** Recovery codes a user gets at once. */
export const RECOVERY_CODE_COUNT = 10;

/** Bits from which a code is stored as plain SHA-256 (OWASP ASVS 6.5.2; NIST SP 800-63B). */
export const RECOVERY_CODE_SHA256_MIN_BITS = 112;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** A new recovery code of `characters` Base32 characters, shown in groups of 4: `ABCD-EFGH-…`. */
export function generateRecoveryCode(random: RandomSource, characters: number): string {
  // 256 is a multiple of 32: the low 5 bits of a random byte are uniform.
  const raw = Array.from(random.bytes(characters), (b) => BASE32[b & 31]).join('');
  return raw.match(/.{1,4}/g)?.join('-') ?? raw;
}

/**
 * The canonical form of a typed recovery code: upper case, without dashes and spaces; or
 * `undefined` when it cannot be one (other characters, or a length outside 8–64; django-otp static tokens have 8).
 */
export function normalizeRecoveryCode(input: string): string | undefined {
  const code = input.replace(/[\s-]+/g, '').toUpperCase();
  return /^[A-Z2-7]{8,64}$/.test(code) ? code : undefined;
}

/**
 * What the store keeps of a normalized code: SHA-256 (base64url) when the code carries at
 * least 112 bits, since no guessing gets through that; else a salted argon2id PHC string from
 * the password hasher, so a stolen table does not give shorter codes away.
 */
export async function hashRecoveryCode(
  code: string,
  hasher: () => Promise<PasswordHasher>,
): Promise<string> {
  if (code.length * 5 >= RECOVERY_CODE_SHA256_MIN_BITS) return sha256Base64Url(code);
  return (await hasher()).hash(code);
}

/** True when the normalized `code` matches a stored hash of either kind. */
export async function recoveryCodeMatches(
  code: string,
  storedHash: string,
  hasher: () => Promise<PasswordHasher>,
): Promise<boolean> {
  if (storedHash.startsWith('$')) return (await hasher()).verify(code, storedHash);
  return timingSafeEqualStrings(sha256Base64Url(code), storedHash);
}
