import type { KdfPrimitives } from '../kdf.js';

/**
 * The stored-hash formats that `verifyLegacyHash` understands, as `identifyHashFormat` names them:
 *
 * - `'argon2id'`, `'argon2i'`: a PHC string, `$argon2id$v=19$m=…,t=…,p=…$salt$hash` (the form
 *   Portcullis itself stores for `'argon2id'`).
 * - `'bcrypt'`: `$2a$`, `$2b$` or `$2y$` followed by cost, salt and checksum.
 * - `'django_pbkdf2_sha256'`, `'django_pbkdf2_sha1'`: `pbkdf2_sha256$<iterations>$<salt>$<hash>`.
 * - `'django_argon2id'`, `'django_argon2i'`: `argon2$argon2id$v=19$…`, the PHC string with
 *   `argon2` in front of it in place of its leading `$`.
 * - `'django_bcrypt'`: `bcrypt$$2b$…`, bcrypt of the raw password.
 * - `'django_bcrypt_sha256'`: `bcrypt_sha256$$2b$…`, bcrypt of the hex SHA-256 of the password.
 * - `'django_scrypt'`: `scrypt$<N>$<salt>$<r>$<p>$<hash>` (Django 4.0+).
 * - `'unusable'`: Django's unusable password, `!` followed by anything; it never verifies.
 */
export type HashFormat =
  | 'argon2id'
  | 'argon2i'
  | 'bcrypt'
  | 'django_pbkdf2_sha256'
  | 'django_pbkdf2_sha1'
  | 'django_argon2id'
  | 'django_argon2i'
  | 'django_bcrypt'
  | 'django_bcrypt_sha256'
  | 'django_scrypt'
  | 'unusable';

/** A stored hash that parsed and passed its bounds, ready to check passwords against. */
export interface ParsedLegacyHash {
  /** The format the stored string is in. */
  readonly format: HashFormat;
  /** Whether `password` matches; all slow work goes through `kdf`. */
  verify(password: string, kdf: KdfPrimitives): Promise<boolean>;
}
