export type { AccessTokenClaims } from './access-tokens/claims.js';
export type { EndSessionsOptions } from './account/sessions.js';
export type { TwoFactorApi } from './account/two-factor-api.js';
export { DEFAULT_RATE_LIMITS, MIN_SECRET_BYTES } from './config/defaults.js';
export type { Resolved, ResolvedConfig, ResolveEnvironment } from './config/resolve.js';
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
export { FIRST_GENERATION } from './credentials/generation.js';
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
export type {
  AuthEvent,
  AuthEventListener,
  AuthEventType,
  RequestContext,
} from './events/types.js';
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
  createPasswordHasher,
  DEFAULT_ARGON2_PARAMS,
  defaultPasswordHasher,
  hashPassword,
  identifyHashFormat,
  normalizePassword,
  parseArgon2Phc,
  verifyLegacyHash,
  verifyPassword,
} from './password/index.js';
export type { ChangePasswordInput } from './passwords/change.js';
export type { RegisterInput } from './register/register.js';
export type { RefreshResult } from './sessions/refresh.js';
export type { AuthenticatedSession, SessionInfo, SessionTokens } from './sessions/types.js';
export type {
  LoginInput,
  LoginResult,
  ReauthenticateInput,
  SecondFactorResult,
  SignedIn,
  StepUp,
  VerifySecondFactorInput,
} from './sign-in/types.js';
export type {
  ConsoleSmsSenderOptions,
  MemorySmsSender,
  SmsMessage,
  SmsSender,
} from './sms/index.js';
export { consoleSmsSender, memorySmsSender } from './sms/index.js';
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
} from './storage/index.js';
export {
  composeStorage,
  guardStorage,
  memoryStorage,
  STORE_NAMES,
  toStorageError,
} from './storage/index.js';
export { TOKEN_PURPOSES, type TokenPurpose } from './storage/purposes.js';
export type { Clock } from './time/clock.js';
export { systemClock } from './time/clock.js';
export { TOTP_SECRET_KEY } from './two-factor/purposes.js';
export type { TotpParams } from './two-factor/totp.js';
export { DEFAULT_TOTP_PARAMS, toBase32, totpCode, totpUri } from './two-factor/totp.js';
export type {
  SecondFactorMethod,
  TrustedDeviceInfo,
  TwoFactorStatus,
} from './two-factor/types.js';
export type { NormalizedEmail, NormalizedUsername } from './users/normalize.js';
export { normalizeEmail, normalizeIdentifier, normalizeUsername } from './users/normalize.js';
export type { PublicUser } from './users/public.js';
