/**
 * `@portcullis/core`: what an application needs to create and use `Auth`. `createAuth` and
 * its configuration, the input and result types of every `Auth` method, `AuthError` and its
 * codes, events, and the built-in storage, mailers, SMS senders, loggers and clock for
 * development and tests. Integrators' surfaces are subpaths: `/storage` (the storage
 * contract), `/crypto`, `/password`, `/two-factor`, `/users`, `/mail`, `/http` and `/testing`.
 */
export type { AccessTokenClaims } from './access-tokens/claims.js';
export type { ChangePasswordInput } from './account/password-change.js';
export type { EndSessionsOptions } from './account/sessions.js';
export type { TwoFactorApi } from './account/two-factor-api.js';
export type { AdminAuditEvent } from './admin/audit.js';
export type { AdminCreateUserInput } from './admin/create.js';
export type { ImpersonationEnded } from './admin/impersonation.js';
export type { RevokeAllResult } from './admin/revoke-all.js';
export type {
  AdminActor,
  AdminUser,
  AdminUserDetail,
  AdminUserPatch,
} from './admin/users.js';
export { toAdminUser } from './admin/users.js';
export { DEFAULT_RATE_LIMITS, MIN_SECRET_BYTES } from './config/defaults.js';
export type { Resolved, ResolvedConfig } from './config/resolve.js';
export type {
  AccessTokenClaimsHook,
  AuthConfig,
  ClaimsHookSession,
  CookieConfig,
  HttpConfig,
  LinkConfig,
  LoginPerAccountRule,
  MagicLinkConfig,
  PasskeyConfig,
  PasswordConfig,
  RateLimitRule,
  RateLimitRuleName,
  SessionConfig,
  TwoFactorConfig,
} from './config/types.js';
export type {
  Auth,
  AuthOptions,
  AuthUser,
  NoFields,
  PasskeyProof,
  WithFields,
  WithUser,
} from './create-auth.js';
export { createAuth } from './create-auth.js';
export type { AuthErrorCode, AuthErrorDetail, AuthErrorOptions } from './errors/index.js';
export { AUTH_ERROR_MESSAGES, AUTH_ERROR_STATUS, AuthError, isAuthError } from './errors/index.js';
export type {
  AuthEvent,
  AuthEventListener,
  AuthEventType,
  RequestContext,
  RequestProblem,
} from './events/types.js';
export type { LogFields, Logger, LogLevel } from './logging/logger.js';
export { consoleLogger, silentLogger } from './logging/logger.js';
export type { ConsoleMailerOptions } from './mail/console.js';
export { consoleMailer } from './mail/console.js';
export type { MemoryMailer, MemoryMailerOptions } from './mail/memory.js';
export { memoryMailer } from './mail/memory.js';
export type { Mailer, MailKind, MailMessage } from './mail/types.js';
export type { OAuthFailure } from './oauth/client.js';
export type { PresetOptions } from './oauth/providers.js';
export {
  apple,
  discord,
  github,
  gitlab,
  google,
  MICROSOFT_CONSUMER_TENANT,
  microsoft,
  oidcProvider,
  profileFromClaims,
} from './oauth/providers.js';
export type {
  OAuthConfig,
  OAuthProfile,
  OAuthProfileInput,
  OAuthProvider,
} from './oauth/types.js';
export type { PasswordPolicyResult, PasswordRejectionReason } from './password/policy.js';
export type { PasswordVerification } from './password/verify.js';
export type { RegisterInput, RegisterResult } from './register/register.js';
export type { ServerErrorContext } from './runtime/server-error.js';
export { IMPERSONATION_SECONDS } from './sessions/impersonation.js';
export type { RefreshResult } from './sessions/refresh.js';
export type { AuthenticatedSession, SessionInfo, SessionTokens } from './sessions/types.js';
export type { LinkedAccount, OAuthOutcome, OAuthStart } from './sign-in/oauth.js';
export type { PasskeyView } from './sign-in/passkeys.js';
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
export type { Purgeable } from './storage/memory/copy.js';
export type { MemoryStorage } from './storage/memory/index.js';
export { memoryStorage } from './storage/memory/index.js';
export type { Clock } from './time/clock.js';
export { systemClock } from './time/clock.js';
export type {
  SecondFactorMethod,
  TrustedDeviceInfo,
  TwoFactorStatus,
} from './two-factor/types.js';
export type {
  EditableNames,
  FieldSource,
  InputNames,
  InputOf,
  NoUserFields,
  OutputOf,
  ResolvedUserField,
  SchemaOf,
  UserFieldAdminPatch,
  UserFieldDefinition,
  UserFieldDefinitions,
  UserFieldInput,
  UserFieldPatch,
  UserFieldSchema,
  UserFieldValues,
} from './users/fields.js';
export { parseUserFields, readUserFields, resolveUserFields } from './users/fields.js';
export type { AdminPermission, HasRoles, RoleMap } from './users/permissions.js';
export {
  ADMIN_PERMISSIONS,
  ADMIN_ROLE,
  hasPermission,
  hasRole,
  permissionsOf,
} from './users/permissions.js';
export type { PublicUser } from './users/public.js';
