/**
 * `@portcullis/client`: a typed browser and Node.js client of the Portcullis HTTP API, with
 * the cookie or jwt strategy, single-flight refresh across tabs, and one runtime dependency
 * (`@simplewebauthn/browser`, loaded only when a passkey ceremony runs).
 * Guide: `docs/client.md`.
 *
 * @packageDocumentation
 */

export { createAuthClient } from './client.js';
export type {
  AuthClientErrorCode,
  AuthClientErrorDetail,
  AuthClientErrorOptions,
  ClientErrorCode,
  ServerErrorCode,
} from './errors.js';
export { AuthClientError, isAuthClientError } from './errors.js';
export type {
  AuthClientOptions,
  BroadcastChannelConstructor,
  BroadcastChannelLike,
  LockManagerLike,
  MessageHandler,
  WebAuthnCeremonies,
} from './options.js';
export type {
  AdminApi,
  AuthClient,
  ClientOf,
  MagicLinkApi,
  PasskeysApi,
  PasswordsApi,
  SessionsApi,
  TwoFactorApi,
  UserApi,
} from './surface.js';
export type {
  AdminAuditEvent,
  AdminCreateUserInput,
  AdminUser,
  AdminUserDetail,
  AdminUserPatch,
  AuditEvent,
  ChangePasswordInput,
  DeleteAccountInput,
  ImpersonationResult,
  InputWith,
  JwksResult,
  LinkedAccount,
  LoginInput,
  LoginResult,
  NoFields,
  Passkey,
  ProfilePatch,
  PublicJwk,
  PublicUser,
  ReauthenticateInput,
  ReauthProof,
  RefreshResult,
  RegenerateRecoveryCodesInput,
  RegisterInput,
  RevokeAllResult,
  Same,
  SecondFactorMethod,
  SessionInfo,
  SessionResult,
  SessionState,
  SessionSummary,
  SignedInResult,
  StatusResult,
  TotpEnrollment,
  TrustedDevice,
  TwoFactorRequiredResult,
  UserWith,
  VerifySecondFactorInput,
  WithUserFields,
} from './types.js';
