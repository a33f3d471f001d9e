import { timingSafeEqual } from '../../crypto/compare.js';
import { utf8 } from '../../crypto/encoding.js';
import type { KdfPrimitives } from '../kdf.js';
import type { ParsedLegacyHash } from './format.js';
import { decodeCanonicalBase64, parseBoundedInt } from './parse.js';

/**
 * Most PBKDF2 iterations accepted in a stored hash: 10,000,000, about 8× Django 6.0's
 * 1,200,000 (and about 28 s in hash-wasm on one core here, so raise it only knowingly).
 */
export const PBKDF2_MAX_ITERATIONS = 10_000_000;

/** Django's two PBKDF2 hashers, by the name they write in front of the hash. */
export type DjangoPbkdf2Algorithm = 'pbkdf2_sha256' | 'pbkdf2_sha1';

// Django leaves dklen unset, so the key is one block of the digest.
const KEY_BYTES = { sha256: 32, sha1: 20 } as const;

/**
 * Parses what follows `pbkdf2_sha256$` or `pbkdf2_sha1$` in a Django hash:
 * `<iterations>$<salt>$<base64 hash>`. Django (`PBKDF2PasswordHasher.encode`) writes
 * `"%s$%d$%s$%s" % (algorithm, iterations, salt, b64encode(pbkdf2_hmac(digest, password,
 * salt, iterations)))` with password and salt as UTF-8 and a salt that never contains `$`.
 * Iterations must be 1 to {@link PBKDF2_MAX_ITERATIONS}.
 */
export function parseDjangoPbkdf2(
  algorithm: DjangoPbkdf2Algorithm,
  rest: string,
): ParsedLegacyHash | undefined {
  const digest = algorithm === 'pbkdf2_sha256' ? 'sha256' : 'sha1';
  const [iterationsText, salt, hashText, extra] = rest.split('$');
  const iterations = parseBoundedInt(iterationsText, 1, PBKDF2_MAX_ITERATIONS);
  const expected = decodeCanonicalBase64(hashText, 'required');
  if (iterations === undefined || expected === undefined || extra !== undefined) return undefined;
  if (salt === undefined || salt === '' || expected.length !== KEY_BYTES[digest]) return undefined;
  return {
    format: algorithm === 'pbkdf2_sha256' ? 'django_pbkdf2_sha256' : 'django_pbkdf2_sha1',
    async verify(password, kdf: KdfPrimitives) {
      const derived = await kdf.pbkdf2({
        password,
        salt: utf8(salt),
        iterations,
        keyLength: expected.length,
        digest,
      });
      return timingSafeEqual(derived, expected);
    },
  };
}
