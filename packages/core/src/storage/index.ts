/**
 * `@portcullis/core/storage`: the storage contract, for adapters and for importers that write
 * records themselves. Every store and record type, the names core gives stores and token
 * purposes, and the helpers that assemble and guard a `Storage`. The conformance kit
 * (`@portcullis/core/testing`) checks an adapter against it; `memoryStorage` is at the root.
 */
export type { ComposeStorageParts } from './compose.js';
export { composeStorage } from './compose.js';
export { FIRST_GENERATION } from './generation.js';
export { guardStorage, toStorageError } from './guard.js';
export type { TokenPurpose } from './purposes.js';
export { TOKEN_PURPOSES } from './purposes.js';
export type {
  AccountPatch,
  AccountRecord,
  AccountStore,
  AuditEventRecord,
  AuditListAllOptions,
  AuditListOptions,
  AuditStore,
  JsonObject,
  JsonValue,
  LiveSessionRecord,
  NewAuditEvent,
  NewRecoveryCode,
  OneTimeTokenRecord,
  PasskeyRecord,
  PasskeyStore,
  PasskeyUse,
  RateLimitHit,
  RateLimitHitOptions,
  RateLimitStore,
  RateLimitWindow,
  RecoveryCodeRecord,
  SessionMarkFreshOptions,
  SessionRecord,
  SessionRotateOptions,
  SessionStore,
  SessionTouchOptions,
  SessionWithUser,
  Storage,
  StorageStores,
  StoreName,
  TokenConsumeOptions,
  TokenConsumeResult,
  TokenStore,
  TotpState,
  TrustedDeviceRecord,
  TwoFactorStore,
  UserListQuery,
  UserPatch,
  UserRecord,
  UserStore,
} from './types.js';
export { STORE_NAMES } from './types.js';
