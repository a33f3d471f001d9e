import { toHex } from '../../crypto/encoding.js';
import { sha256 } from '../../crypto/hash.js';
import { parseArgon2Variant, verifyArgon2 } from './argon2.js';
import { isBcryptHash, verifyBcrypt } from './bcrypt.js';
import type { ParsedLegacyHash } from './format.js';
import { parseDjangoPbkdf2 } from './pbkdf2.js';
import { parseDjangoScrypt } from './scrypt.js';

/**
 * Parses a Django `auth_user.password` value, `<algorithm>$<rest>`, for the hashers
 * `pbkdf2_sha256`, `pbkdf2_sha1`, `argon2`, `bcrypt`, `bcrypt_sha256` and `scrypt`, with the
 * encodings of `django/contrib/auth/hashers.py`; `undefined` for any other value.
 */
export function parseDjangoHash(stored: string): ParsedLegacyHash | undefined {
  const separator = stored.indexOf('$');
  if (separator <= 0) return undefined;
  const algorithm = stored.slice(0, separator);
  const rest = stored.slice(separator + 1);
  switch (algorithm) {
    case 'pbkdf2_sha256':
    case 'pbkdf2_sha1':
      return parseDjangoPbkdf2(algorithm, rest);
    case 'scrypt':
      return parseDjangoScrypt(rest);
    case 'argon2':
      return parseDjangoArgon2(rest);
    case 'bcrypt':
      // `"bcrypt$" + bcrypt.hashpw(password, salt)`: the bcrypt hash keeps its own `$`.
      if (!isBcryptHash(rest)) return undefined;
      return {
        format: 'django_bcrypt',
        verify: (password, kdf) => verifyBcrypt(password, rest, kdf),
      };
    case 'bcrypt_sha256':
      if (!isBcryptHash(rest)) return undefined;
      return {
        format: 'django_bcrypt_sha256',
        // Django hashes first so bcrypt never truncates: bcrypt over the 64 lower-case hex
        // digits of SHA-256 of the UTF-8 password (`binascii.hexlify(sha256(pw).digest())`).
        verify: (password, kdf) => verifyBcrypt(toHex(sha256(password)), rest, kdf),
      };
    default:
      return undefined;
  }
}

/**
 * Django's `Argon2PasswordHasher` stores `"argon2" + argon2.low_level.hash_secret(…)`, the PHC
 * string without its leading `$` behind the name `argon2`, and verifies `"$" + rest`.
 */
function parseDjangoArgon2(rest: string): ParsedLegacyHash | undefined {
  const phc = `$${rest}`;
  const variant = parseArgon2Variant(phc);
  if (variant === undefined) return undefined;
  return {
    format: variant === 'argon2id' ? 'django_argon2id' : 'django_argon2i',
    verify: (password, kdf) => verifyArgon2(password, phc, kdf),
  };
}
