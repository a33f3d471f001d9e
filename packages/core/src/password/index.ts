/**
 * `@portcullis/core/password`: password hashing and policy outside `Auth`, for importers,
 * scripts and adapters. The argon2id hasher (`createPasswordHasher`) and its parameters,
 * verification of imported legacy hashes (Django, bcrypt, scrypt, PBKDF2), and the NIST
 * 800-63B policy check. An application that has an `Auth` uses `auth.hashPassword`,
 * `auth.verifyPassword` and `auth.checkPassword`, whose result types are at the root.
 */
export type { Argon2Params, ParsedArgon2 } from './argon2-params.js';
export { argon2NeedsRehash, DEFAULT_ARGON2_PARAMS, parseArgon2Phc } from './argon2-params.js';
export type {
  PasswordHasher,
  PasswordHasherBackend,
  PasswordHasherOptions,
} from './hasher.js';
export { createPasswordHasher } from './hasher.js';
export type { KdfPrimitives } from './kdf.js';
export type { HashFormat } from './legacy/index.js';
export { identifyHashFormat, verifyLegacyHash } from './legacy/index.js';
export type { LegacyHashCosts } from './legacy-costs.js';
export type {
  BreachedPasswordCheckOptions,
  PasswordCheckOptions,
  PasswordContext,
  PasswordPolicyOptions,
} from './policy.js';
export { checkPassword, checkPasswordAsync, normalizePassword } from './policy.js';
export type { PasswordFunctionOptions } from './verify.js';
export { defaultPasswordHasher, hashPassword, verifyPassword } from './verify.js';
