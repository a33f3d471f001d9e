import { timingSafeEqual } from '../../crypto/compare.js';
import { utf8 } from '../../crypto/encoding.js';
import type { KdfPrimitives } from '../kdf.js';
import type { ParsedLegacyHash } from './format.js';
import { decodeCanonicalBase64, parseBoundedInt } from './parse.js';

/**
 * Bounds on the parameters of a stored scrypt hash. Django's default (N = 2^14, r = 8, p = 5)
 * needs 16 MiB and about 130 ms in hash-wasm; at the limits one check needs at most 256 MiB
 * and about 3 s on one core here.
 */
export const SCRYPT_LIMITS = Object.freeze({
  /** Largest cost N; N must also be a power of two, at least 2. */
  maxCost: 1_048_576,
  /** Largest block size r. */
  maxBlockSize: 32,
  /** Largest parallelism p. */
  maxParallelism: 16,
  /** Largest memory, 128 × N × r, in bytes (256 MiB). */
  maxMemoryBytes: 268_435_456,
  /** Largest N × r × p, the amount of work (25× Django's default). */
  maxWork: 16_777_216,
});

// Django's ScryptPasswordHasher always asks for 64 bytes.
const KEY_BYTES = 64;

/**
 * Parses what follows `scrypt$` in a Django hash: `<N>$<salt>$<r>$<p>$<base64 hash>`. Django
 * 4.0+ (`ScryptPasswordHasher.encode`) writes `"%s$%d$%s$%d$%d$%s" % ("scrypt", n, salt, r, p,
 * b64encode(hashlib.scrypt(password, salt=salt.encode(), n=n, r=r, p=p, maxmem=…,
 * dklen=64)))`. Parameters must be within {@link SCRYPT_LIMITS}.
 */
export function parseDjangoScrypt(rest: string): ParsedLegacyHash | undefined {
  const [nText, salt, rText, pText, hashText, extra] = rest.split('$');
  const cost = parseBoundedInt(nText, 2, SCRYPT_LIMITS.maxCost);
  const blockSize = parseBoundedInt(rText, 1, SCRYPT_LIMITS.maxBlockSize);
  const parallelism = parseBoundedInt(pText, 1, SCRYPT_LIMITS.maxParallelism);
  const expected = decodeCanonicalBase64(hashText, 'required');
  if (cost === undefined || blockSize === undefined || parallelism === undefined) return undefined;
  if (expected?.length !== KEY_BYTES || extra !== undefined) return undefined;
  if (salt === undefined || salt === '') return undefined;
  // N is at most 2^20, so the bitwise test is exact.
  if ((cost & (cost - 1)) !== 0) return undefined;
  if (128 * cost * blockSize > SCRYPT_LIMITS.maxMemoryBytes) return undefined;
  if (cost * blockSize * parallelism > SCRYPT_LIMITS.maxWork) return undefined;
  return {
    format: 'django_scrypt',
    async verify(password, kdf: KdfPrimitives) {
      const derived = await kdf.scrypt({
        password,
        salt: utf8(salt),
        costFactor: cost,
        blockSize,
        parallelism,
        keyLength: KEY_BYTES,
      });
      return timingSafeEqual(derived, expected);
    },
  };
}
