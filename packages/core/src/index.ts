export { DEFAULT_RATE_LIMITS, MIN_SECRET_BYTES } from './config/defaults.js';
export type { Resolved, ResolvedConfig, ResolveEnvironment } from './config/resolve.js';
export { resolveConfig } from './config/resolve.js';
export type {
  AuthConfig,
  CookieConfig,
  HttpConfig,
  LinkConfig,
  PasswordConfig,
  RateLimitRule,
  RateLimitRuleName,
  SessionConfig,
  TwoFactorConfig,
} from './config/types.js';
export type { Auth, AuthOptions } from './create-auth.js';
export { createAuth } from './create-auth.js';
export type { KeyPurpose, RandomSource, SplitToken } from './crypto/index.js';
export {
  createSplitToken,
  fromBase64Url,
  hkdfSha256,
  hmacSha256,
  Keyring,
  parseSplitToken,
  randomToken,
  sha256,
  sha256Base64Url,
  timingSafeEqual,
  timingSafeEqualStrings,
  toBase64Url,
  verifyTokenSecret,
  webCryptoRandom,
} from './crypto/index.js';
export type { AuthErrorCode, AuthErrorDetail, AuthErrorOptions } from './errors/index.js';
export { AUTH_ERROR_MESSAGES, AUTH_ERROR_STATUS, AuthError, isAuthError } from './errors/index.js';
export type { LogFields, Logger, LogLevel } from './logging/logger.js';
export { consoleLogger, silentLogger } from './logging/logger.js';
export type {
  ConsoleMailerOptions,
  MailData,
  MailDataBase,
  MailEventOrigin,
  Mailer,
  MailKind,
  MailLinkData,
  MailMessage,
  MailNoticeData,
  MailTemplate,
  MailTemplates,
  MemoryMailer,
  MemoryMailerOptions,
  RenderedMail,
  RenderMailOptions,
} from './mail/index.js';
export {
  buildLink,
  buildPageLink,
  consoleMailer,
  escapeHtml,
  MAIL_KINDS,
  memoryMailer,
  renderMail,
} from './mail/index.js';
export type {
  Argon2Params,
  BreachedPasswordCheckOptions,
  HashFormat,
  KdfPrimitives,
  KdfWorkerPoolOptions,
  ParsedArgon2,
  PasswordCheckOptions,
  PasswordContext,
  PasswordFunctionOptions,
  PasswordHasher,
  PasswordHasherBackend,
  PasswordHasherOptions,
  PasswordPolicyOptions,
  PasswordPolicyResult,
  PasswordRejectionReason,
  PasswordVerification,
} from './password/index.js';
export {
  argon2NeedsRehash,
  checkPassword,
  checkPasswordAsync,
  createDummyVerifier,
  createPasswordHasher,
  DEFAULT_ARGON2_PARAMS,
  defaultPasswordHasher,
  hashPassword,
  identifyHashFormat,
  inlineKdf,
  KdfWorkerPool,
  normalizePassword,
  parseArgon2Phc,
  verifyLegacyHash,
  verifyPassword,
} from './password/index.js';
export type {
  AuditEventRecord,
  AuditListOptions,
  AuditStore,
  ComposeStorageParts,
  JsonObject,
  JsonValue,
  MemoryStorage,
  NewAuditEvent,
  NewRecoveryCode,
  OneTimeTokenRecord,
  Purgeable,
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
} from './storage/index.js';
export {
  composeStorage,
  guardStorage,
  memoryStorage,
  STORE_NAMES,
  toStorageError,
} from './storage/index.js';
export type { Clock } from './time/clock.js';
export { systemClock } from './time/clock.js';
