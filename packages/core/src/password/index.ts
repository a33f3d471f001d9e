export type { Argon2Params, ParsedArgon2 } from './argon2-params.js';
export { argon2NeedsRehash, DEFAULT_ARGON2_PARAMS, parseArgon2Phc } from './argon2-params.js';
export { createDummyVerifier } from './dummy.js';
export type {
  PasswordHasher,
  PasswordHasherBackend,
  PasswordHasherOptions,
} from './hasher.js';
export { createPasswordHasher } from './hasher.js';
export type { KdfPrimitives } from './kdf.js';
export { inlineKdf } from './kdf.js';
export type { HashFormat } from './legacy/index.js';
export { identifyHashFormat, verifyLegacyHash } from './legacy/index.js';
export type {
  BreachedPasswordCheckOptions,
  PasswordCheckOptions,
  PasswordContext,
  PasswordPolicyOptions,
  PasswordPolicyResult,
  PasswordRejectionReason,
} from './policy.js';
export { checkPassword, checkPasswordAsync, normalizePassword } from './policy.js';
export type { PasswordFunctionOptions, PasswordVerification } from './verify.js';
export { defaultPasswordHasher, hashPassword, verifyPassword } from './verify.js';
export type { KdfWorkerPoolOptions } from './worker-pool.js';
export { KdfWorkerPool } from './worker-pool.js';
