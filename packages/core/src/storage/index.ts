export type { ComposeStorageParts } from './compose.js';
export { composeStorage } from './compose.js';
export { guardStorage, toStorageError } from './guard.js';
export type { Purgeable } from './memory/copy.js';
export type { MemoryStorage } from './memory/index.js';
export { memoryStorage } from './memory/index.js';
export type {
  AuditEventRecord,
  AuditListOptions,
  AuditStore,
  JsonObject,
  JsonValue,
  NewAuditEvent,
  NewRecoveryCode,
  OneTimeTokenRecord,
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
  UserPatch,
  UserRecord,
  UserStore,
} from './types.js';
export { STORE_NAMES } from './types.js';
