/**
 * `@portcullis/client`: a typed browser and Node.js client of the Portcullis HTTP API, with
 * the cookie or jwt strategy, single-flight refresh across tabs, and no runtime dependencies.
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
} from './options.js';
export type { AuthClient, PasswordsApi, SessionsApi, TwoFactorApi, UserApi } from './surface.js';
export type {
  AuditEvent,
  ChangePasswordInput,
  DeleteAccountInput,
  JwksResult,
  LinkedAccount,
  LoginInput,
  LoginResult,
  ProfilePatch,
  PublicJwk,
  PublicUser,
  ReauthenticateInput,
  ReauthProof,
  RefreshResult,
  RegenerateRecoveryCodesInput,
  RegisterInput,
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
  VerifySecondFactorInput,
} from './types.js';
