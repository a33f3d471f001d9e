import type { KdfPrimitives } from '../kdf.js';
import { parseArgon2 } from './argon2.js';
import { parseBcrypt } from './bcrypt.js';
import { parseDjangoHash } from './django.js';
import type { HashFormat, ParsedLegacyHash } from './format.js';

export type { HashFormat } from './format.js';

// Django's password column is varchar(128) and a PHC string at our bounds is under 300
// characters; refusing anything longer keeps the parsers' work small on junk input.
const MAX_STORED_LENGTH = 1024;

const UNUSABLE: ParsedLegacyHash = Object.freeze({
  format: 'unusable',
  verify: async () => false,
});

/** Parses a stored hash of any supported format; `undefined` when unknown or malformed. */
export function parseLegacyHash(stored: string): ParsedLegacyHash | undefined {
  // Callers pass values straight from a database column; a NULL must not throw.
  if (typeof stored !== 'string' || stored.length > MAX_STORED_LENGTH) return undefined;
  // Django's `set_unusable_password()` stores "!" plus 40 random characters (older versions
  // a bare "!"); `is_password_usable` treats every value starting with "!" that way.
  if (stored.startsWith('!')) return UNUSABLE;
  if (stored.startsWith('$2')) return parseBcrypt(stored);
  if (stored.startsWith('$argon2')) return parseArgon2(stored);
  return parseDjangoHash(stored);
}

/**
 * Names the format of a stored password hash, or `undefined` when it is not one that
 * {@link verifyLegacyHash} can check: unknown, malformed, or with parameters outside the
 * bounds listed there. Pure and cheap (no hashing), and it never throws.
 *
 * @example
 * identifyHashFormat('pbkdf2_sha256$870000$fMKDCRXgSmLP$…='); // 'django_pbkdf2_sha256'
 * identifyHashFormat('!Xx3…'); // 'unusable'
 */
export function identifyHashFormat(stored: string): HashFormat | undefined {
  return parseLegacyHash(stored)?.format;
}

/**
 * Checks a password against a hash imported from another system, so that a user can sign in
 * once and be rehashed with Portcullis's own argon2id. Formats: see {@link HashFormat}.
 *
 * Resolves to `false` for a wrong password, for Django's unusable password (`!…`) and for any
 * stored value that is unknown or malformed; bad stored data never throws. All slow work goes
 * through `kdf`. Derived PBKDF2 and scrypt keys are compared in constant time; argon2 and
 * bcrypt are compared inside `kdf`.
 *
 * Parameters are bounded before any work so a crafted hash cannot tie up the server; beyond
 * the bounds the hash counts as malformed (`false`):
 * - bcrypt cost 4 to 16;
 * - argon2: v=19, m from 8·p KiB to 1 GiB, t 1 to 16, p 1 to 16, m·t at most 2 GiB·pass,
 *   salt 8 to 64 bytes, output 4 to 128 bytes;
 * - PBKDF2: 1 to 10,000,000 iterations;
 * - scrypt: N a power of two from 2 to 2^20, r 1 to 32, p 1 to 16, 128·N·r at most 256 MiB,
 *   N·r·p at most 2^24.
 *
 * The password is used as given, encoded as UTF-8: pass what the user typed, without the
 * Unicode normalization Portcullis applies to new passwords, since the old system hashed it
 * unnormalized. bcrypt keeps its own semantics: only the first 72 bytes count, and a password
 * containing NUL never verifies. argon2 never verifies the empty password (hash-wasm and the
 * reference implementation refuse to hash one).
 *
 * @param password - The password as the user typed it.
 * @param stored - The stored hash, exactly as the old system's database holds it.
 * @param kdf - Where slow hashing runs: `inlineKdf`, or a worker pool.
 * @returns Whether `password` matches `stored`.
 * @throws Whatever `kdf` throws when it fails itself (for example a worker pool that was shut
 *   down); such errors are passed through, never turned into `false`.
 *
 * @example
 * if (await verifyLegacyHash(password, user.legacyHash, inlineKdf)) {
 *   // signed in: store a fresh argon2id hash and drop the legacy one
 * }
 */
export async function verifyLegacyHash(
  password: string,
  stored: string,
  kdf: KdfPrimitives,
): Promise<boolean> {
  if (typeof password !== 'string') return false;
  const parsed = parseLegacyHash(stored);
  return parsed === undefined ? false : parsed.verify(password, kdf);
}
