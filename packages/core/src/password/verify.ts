import { createPasswordHasher, type PasswordHasher } from './hasher.js';
import { identifyHashFormat, verifyLegacyHash } from './legacy/index.js';
import { normalizePassword } from './policy.js';

/** Result of {@link verifyPassword}. */
export interface PasswordVerification {
  /** True when the password matches the stored hash. */
  readonly valid: boolean;
  /**
   * True when the hash should be replaced by a fresh argon2id hash at current parameters:
   * a legacy format (bcrypt, PBKDF2, scrypt, Django's), another argon2 variant, or older
   * parameters. Only meaningful when `valid`.
   */
  readonly needsRehash: boolean;
}

/** Options of {@link hashPassword} and {@link verifyPassword}. */
export interface PasswordFunctionOptions {
  /** The hasher to use. Default: one shared hasher with the automatic backend. */
  hasher?: PasswordHasher;
}

let sharedHasher: Promise<PasswordHasher> | undefined;

/** The process-wide default hasher (automatic backend), created on first use. */
export function defaultPasswordHasher(): Promise<PasswordHasher> {
  sharedHasher ??= createPasswordHasher();
  return sharedHasher;
}

/**
 * Hashes a password with argon2id (m = 19456 KiB, t = 2, p = 1 by default) after Unicode NFKC
 * normalization (NIST SP 800-63B 5.1.1.2), and resolves to a PHC string.
 *
 * @example
 * ```ts
 * const stored = await hashPassword('correct horse battery staple')
 * // '$argon2id$v=19$m=19456,t=2,p=1$…$…'
 * ```
 */
export async function hashPassword(
  password: string,
  options: PasswordFunctionOptions = {},
): Promise<string> {
  const hasher = options.hasher ?? (await defaultPasswordHasher());
  return hasher.hash(normalizePassword(password));
}

/**
 * Verifies a password against a stored hash in any supported format: argon2id/argon2i PHC
 * strings, bcrypt (`$2a$`, `$2b$`, `$2y$`), and Django's `pbkdf2_sha256`, `pbkdf2_sha1`,
 * `argon2`, `bcrypt`, `bcrypt_sha256` and `scrypt` formats. Never throws for a malformed or
 * unknown hash, or for Django's unusable `!` passwords: those are simply not valid.
 *
 * @example
 * ```ts
 * const { valid, needsRehash } = await verifyPassword(input, user.passwordHash)
 * if (valid && needsRehash) await save(await hashPassword(input))
 * ```
 */
export async function verifyPassword(
  password: string,
  storedHash: string,
  options: PasswordFunctionOptions = {},
): Promise<PasswordVerification> {
  const hasher = options.hasher ?? (await defaultPasswordHasher());
  const format = identifyHashFormat(storedHash);
  if (format === undefined || format === 'unusable') return { valid: false, needsRehash: false };
  if (format === 'argon2id' || format === 'argon2i') {
    const normalized = normalizePassword(password);
    // Hashes made elsewhere may be of the raw, unnormalized password.
    const valid =
      (await hasher.verify(normalized, storedHash).catch(() => false)) ||
      (normalized !== password && (await hasher.verify(password, storedHash).catch(() => false)));
    return { valid, needsRehash: valid && hasher.needsRehash(storedHash) };
  }
  // Legacy systems (Django, bcrypt libraries) hashed the raw password bytes.
  const valid = await verifyLegacyHash(password, storedHash, hasher.kdf);
  return { valid, needsRehash: valid };
}
