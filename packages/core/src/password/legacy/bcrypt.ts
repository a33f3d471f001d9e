import { utf8 } from '../../crypto/encoding.js';
import type { KdfPrimitives } from '../kdf.js';
import type { ParsedLegacyHash } from './format.js';

/**
 * Highest bcrypt cost accepted (2^16 rounds, about 3 s in hash-wasm on one core here). Real
 * deployments use 10–14; a stored cost of 31 would take a day per guess.
 */
export const BCRYPT_MAX_COST = 16;

/** Lowest bcrypt cost, as OpenBSD and crypt_blowfish define it. */
export const BCRYPT_MIN_COST = 4;

// `$2a$`, `$2b$` and `$2y$` only. `$2x$` marks hashes made with crypt_blowfish's old
// sign-extension bug; verifying one would accept the colliding passwords that bug allowed.
const BCRYPT_HASH = /^\$2[aby]\$([0-9]{2})\$[./A-Za-z0-9]{53}$/;

// bcrypt keys Blowfish with at most 72 bytes (18 words of 4 bytes) of the password.
const BCRYPT_MAX_KEY_BYTES = 72;

/** Whether `hash` is a `$2a$`/`$2b$`/`$2y$` bcrypt hash with a cost in bounds. */
export function isBcryptHash(hash: string): boolean {
  const match = BCRYPT_HASH.exec(hash);
  if (match === null) return false;
  const cost = Number(match[1]);
  return cost >= BCRYPT_MIN_COST && cost <= BCRYPT_MAX_COST;
}

/**
 * The bytes that bcrypt actually keys with, or `undefined` for a password no bcrypt hash can
 * have been made from.
 */
function bcryptKey(password: string): Uint8Array | undefined {
  const bytes = utf8(password);
  // C bcrypt stops at the first NUL and pyca/bcrypt and PHP refuse one, so no stored hash
  // was computed over a password containing NUL as typed.
  if (bytes.includes(0)) return undefined;
  // bcrypt cycles the key together with its NUL terminator, so the empty password keys with
  // all-zero bytes, exactly as the one-byte key [0] does (hash-wasm needs at least one byte).
  if (bytes.length === 0) return new Uint8Array([0]);
  // bcrypt semantics: bytes after the 72nd never reach the key, so a longer password verifies
  // against its first 72 bytes, even if that cuts a UTF-8 sequence in half. We keep that
  // rather than reject, or users imported with long passwords could never sign in.
  return bytes.subarray(0, BCRYPT_MAX_KEY_BYTES);
}

/**
 * Checks `password` against a bcrypt hash through `kdf.bcryptVerify`; `false` when the hash is
 * not a bcrypt hash in bounds ({@link BCRYPT_MIN_COST} to {@link BCRYPT_MAX_COST}).
 *
 * The stored prefix is passed through unchanged. hash-wasm (crypt_blowfish, the code PHP and
 * libxcrypt use) reads `$2a$`, `$2b$` and `$2y$`, and for our inputs they are one algorithm:
 * `$2y$` is PHP's name for the corrected `$2a$`, `$2b$` is OpenBSD's, and crypt_blowfish's
 * `$2a$` deviates only for keys containing the byte 0xFF, which UTF-8 never produces.
 * (OpenBSD's pre-2014 `$2a$` also wrapped the length of passwords over 255 bytes; those are
 * longer than Portcullis accepts.)
 */
export async function verifyBcrypt(
  password: string,
  hash: string,
  kdf: KdfPrimitives,
): Promise<boolean> {
  if (!isBcryptHash(hash)) return false;
  const key = bcryptKey(password);
  if (key === undefined) return false;
  return kdf.bcryptVerify(key, hash);
}

/** Parses a bare bcrypt hash (`$2a$`, `$2b$`, `$2y$`); `undefined` unless {@link isBcryptHash}. */
export function parseBcrypt(stored: string): ParsedLegacyHash | undefined {
  if (!isBcryptHash(stored)) return undefined;
  return { format: 'bcrypt', verify: (password, kdf) => verifyBcrypt(password, stored, kdf) };
}
