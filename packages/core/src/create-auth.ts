import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { reportRequestProblem } from './abuse/request-problem.js';
import type { AccessTokenClaims } from './access-tokens/claims.js';
import { getJwks } from './access-tokens/jwks.js';
import { listAudit } from './account/audit.js';
import { deleteAccount } from './account/delete.js';
import { confirmEmailChange, requestEmailChange } from './account/email-change.js';
import { type ChangePasswordInput, changePassword } from './account/password-change.js';
import { requestPasswordReset, resetPassword } from './account/password-reset.js';
import { getUser, updateProfile } from './account/profile.js';
import { type EndSessionsOptions, endAllSessions, endSession } from './account/sessions.js';
import { createTwoFactorApi, type TwoFactorApi } from './account/two-factor-api.js';
import { type AdminAuditEvent, listAuditAsAdmin } from './admin/audit.js';
import { type AdminCreateUserInput, createUserAsAdmin } from './admin/create.js';
import {
  type ImpersonationEnded,
  impersonateUser,
  stopImpersonation,
} from './admin/impersonation.js';
import { type RevokeAllResult, revokeEverySession } from './admin/revoke-all.js';
import {
  type AdminActor,
  type AdminUser,
  type AdminUserDetail,
  type AdminUserPatch,
  deleteUserAsAdmin,
  getUserDetail,
  listUsers,
  resetSecondFactor,
  revokeUserSessions,
  sendResetLink,
  unlockUser,
  updateUserAsAdmin,
} from './admin/users.js';
import type { ResolvedConfig } from './config/resolve.js';
import type { AuthConfig } from './config/types.js';
import type { RequestContext, RequestProblem } from './events/types.js';
import type { PasswordPolicyResult } from './password/policy.js';
import { checkPassword, policyOptions } from './password/policy.js';
import { hashPassword, type PasswordVerification, verifyPassword } from './password/verify.js';
import { type RegisterInput, type RegisterResult, register } from './register/register.js';
import { resendVerification, verifyEmail } from './register/verify-email.js';
import { createRuntime } from './runtime/context.js';
import { reportServerError, type ServerErrorContext } from './runtime/server-error.js';
import { csrfTokenFor, csrfTokenMatches } from './sessions/csrf.js';
import { toSessionInfo } from './sessions/info.js';
import { logout } from './sessions/logout.js';
import { listSessions } from './sessions/manage.js';
import { type RefreshResult, refreshSession } from './sessions/refresh.js';
import type { AuthenticatedSession, SessionInfo } from './sessions/types.js';
import {
  authenticateAccessToken,
  validateSessionToken,
  verifyAccessTokenClaims,
} from './sign-in/authenticate.js';
import { requestMagicLink, signInWithMagicLink } from './sign-in/magic-link.js';
import {
  completeOAuth,
  type LinkedAccount,
  listLinkedAccounts,
  type OAuthOutcome,
  type OAuthStart,
  startLink,
  startOAuth,
  unlinkAccount,
} from './sign-in/oauth.js';
import {
  listPasskeys,
  type PasskeyView,
  passkeyLoginOptions,
  passkeyRegistrationOptions,
  registerPasskey,
  removePasskey,
  renamePasskey,
  secondFactorPasskeyOptions,
  signInWithPasskey,
} from './sign-in/passkeys.js';
import { signInWithPassword } from './sign-in/password.js';
import { reauthenticate } from './sign-in/reauthenticate.js';
import type {
  LoginInput,
  LoginResult,
  ReauthenticateInput,
  SecondFactorResult,
  SignedIn,
  StepUp,
  VerifySecondFactorInput,
} from './sign-in/types.js';
import { verifySecondFactor } from './sign-in/verify-second-factor.js';
import type { AuditEventRecord } from './storage/types/audit.js';
import type { JsonObject } from './storage/types/json.js';
import type { Storage } from './storage/types.js';
import type {
  NoUserFields,
  UserFieldAdminPatch,
  UserFieldDefinitions,
  UserFieldInput,
  UserFieldPatch,
  UserFieldValues,
} from './users/fields.js';
import { type HasRoles, hasPermission, hasRole, permissionsOf } from './users/permissions.js';
import type { PublicUser } from './users/public.js';
import { toPublicUser } from './users/public.js';

/**
 * The configuration as `createAuth` resolved it, without the secrets: no `secret`, and the
 * access-token signing keys reduced to their ids (`keyIds`).
 */
export type AuthOptions = Omit<
  ResolvedConfig,
  'secrets' | 'storage' | 'mailer' | 'sms' | 'session'
> & {
  readonly session: Omit<ResolvedConfig['session'], 'accessToken'> & {
    readonly accessToken: Omit<ResolvedConfig['session']['accessToken'], 'privateKeys'> & {
      /** `kid` of each configured private key, current first. */
      readonly keyIds: readonly string[];
    };
  };
};

/** The proof fields of a passkey change: the password, or a second-factor code with 2FA on. */
export interface PasskeyProof {
  /** The password, when the session is not fresh. */
  password?: string;
  /** With 2FA on and no second factor proven in the session lately: a TOTP or recovery code. */
  code?: string;
  /** The kind of `code`. */
  method?: 'totp' | 'recovery';
}

/**
 * A user as an `Auth` with the app's fields `F` returns it: the public user and each field
 * (`null` when unset; docs/user-fields.md).
 */
export type AuthUser<F extends UserFieldDefinitions = NoUserFields> =
  NoFields<F> extends true ? PublicUser : PublicUser & UserFieldValues<F>;

/**
 * Whether `F` names no field: none declared, or only known as the wide `UserFieldDefinitions`
 * (a config typed `AuthConfig` without its parameter), whose users stay plain `PublicUser`s.
 */
export type NoFields<F> = [keyof F] extends [never] ? true : string extends keyof F ? true : false;

/** `T` and the fields `F` (each `null` when unset); `T` itself when there are none. */
export type WithFields<T, F extends UserFieldDefinitions> =
  NoFields<F> extends true ? T : T & UserFieldValues<F>;

/**
 * `T` (a result with a `user`, or a union of them) with its user an {@link AuthUser} of `F`;
 * `T` itself when there are no fields.
 */
export type WithUser<T, F extends UserFieldDefinitions> =
  NoFields<F> extends true
    ? T
    : T extends { readonly user: PublicUser }
      ? Omit<T, 'user'> & { readonly user: AuthUser<F> }
      : T;

/**
 * What {@link createAuth} returns: every account and session flow as a typed API. `F` is the
 * app's own user fields (`user.fields`): every user it returns is an {@link AuthUser} of them.
 */
export interface Auth<
  F extends UserFieldDefinitions = NoUserFields,
  C extends JsonObject = NoUserFields,
> {
  /** The resolved configuration (every default applied), without secrets. */
  readonly options: AuthOptions;
  /** The stores, wrapped so that any driver error surfaces as `STORAGE_UNAVAILABLE`. */
  readonly storage: Storage;
  /** Resolves once the password hasher is chosen; says which backend runs argon2id. */
  ready(): Promise<{ passwordBackend: string }>;
  /** Stops worker threads. Call it when the process shuts down (tests, graceful exits). */
  close(): Promise<void>;

  /** Registers an account (enumeration-safe). See `docs/register.md`. */
  register(
    input: RegisterInput & UserFieldInput<F>,
    context?: RequestContext,
  ): Promise<WithUser<RegisterResult, F>>;
  /** Confirms an email address with a mailed token. */
  verifyEmail(
    token: string,
    context?: RequestContext,
  ): Promise<{ status: 'verified'; user: AuthUser<F> }>;
  /** Sends a new verification mail; the same answer whether or not the address exists. */
  resendVerification(
    email: string,
    context?: RequestContext,
  ): Promise<{ status: 'verification_sent' }>;
  /**
   * Signs in with an email or username and a password. See `docs/login.md`. With 2FA on, the
   * result is `two_factor_required` (a challenge and its methods) unless
   * `context.trustedDevice` names a live trusted device of the user.
   */
  login(input: LoginInput, context?: RequestContext): Promise<WithUser<LoginResult, F>>;
  /**
   * Completes a `two_factor_required` sign-in with a TOTP, emailed, SMS or recovery code; with
   * `rememberDevice`, also trusts the device (its token is in `trustedDevice`). See
   * `docs/two-factor.md`.
   * @throws AuthError `VALIDATION_FAILED`, `TOKEN_INVALID` (unknown, used or dead challenge),
   * `TOKEN_EXPIRED`, `CODE_INVALID`, `RATE_LIMITED` (second factor locked), `ACCOUNT_DISABLED`
   */
  verifySecondFactor(
    input: VerifySecondFactorInput,
    context?: RequestContext,
  ): Promise<WithUser<SecondFactorResult, F>>;
  /**
   * Validates a cookie-strategy session token (live, the user enabled, no credential change
   * since it opened) and slides its idle expiry. @throws AuthError `UNAUTHENTICATED`
   */
  validateSession(token: string): Promise<WithUser<AuthenticatedSession, F>>;
  /**
   * Authenticates a Bearer access token with its session and user (live, enabled, no
   * credential change since the session opened): what a protected route that needs the user
   * calls. @throws AuthError `UNAUTHENTICATED`
   */
  validateAccessToken(token: string): Promise<WithUser<AuthenticatedSession, F>>;
  /**
   * Verifies an access JWT and resolves to its claims: stateless unless `checkSession` (default
   * `session.accessToken.checkSession`). The app's own claims (`session.accessToken.claims`,
   * typed `C`) come with them, each possibly absent (a token issued before the hook).
   * @throws AuthError `UNAUTHENTICATED`
   */
  verifyAccessToken(
    token: string,
    options?: { checkSession?: boolean },
  ): Promise<AccessTokenClaims & Partial<Readonly<C>>>;
  /** Rotates a refresh token for a new access token. */
  refresh(refreshToken: string, context?: RequestContext): Promise<RefreshResult>;
  /** Public keys of asymmetric access tokens. @throws AuthError `NOT_FOUND` with HS256 */
  jwks(): Promise<{ keys: JsonWebKey[] }>;
  /** Revokes the session `sessionId` (sign out). */
  logout(sessionId: string, context?: RequestContext): Promise<void>;
  /**
   * Re-checks the password of a signed-in user (and, with 2FA on, a TOTP or recovery `code`
   * with its `method`) and replaces the session with a fresh one (sensitive operations are
   * allowed for `session.freshForSeconds`; with a code, factor changes too): a new token, and
   * the old one ends. Resolves to the new session and tokens, as a sign-in does.
   * @throws AuthError `PASSWORD_INCORRECT`, `CODE_INVALID`, `RATE_LIMITED`, `VALIDATION_FAILED`,
   * `UNAUTHENTICATED`
   */
  reauthenticate(
    input: ReauthenticateInput,
    context?: RequestContext,
  ): Promise<WithUser<SignedIn, F>>;
  /** Second factor: TOTP enrollment, recovery codes, phone, codes, trusted devices. */
  readonly twoFactor: TwoFactorApi;

  /** Session management for a signed-in user. */
  readonly sessions: {
    /** Live sessions, newest first; `currentId` marks the caller's. */
    list(userId: string, options?: { currentId?: string }): Promise<SessionInfo[]>;
    /**
     * Revokes one of the user's own sessions. Ending the caller's own session (`id` equal to
     * `options.sessionId`) is a sign-out; ending another one needs a fresh caller session or
     * `password` (with 2FA on, and `code`/`method`).
     * @throws AuthError `NOT_FOUND`, `REAUTH_REQUIRED`, `PASSWORD_INCORRECT`, `CODE_INVALID`
     */
    revoke(userId: string, id: string, options?: EndSessionsOptions): Promise<void>;
    /**
     * Revokes every session of the user, or all but `exceptId`. Needs a fresh caller session
     * (`sessionId`) or `password` (with 2FA on, and `code`/`method`).
     * @throws AuthError `REAUTH_REQUIRED`, `PASSWORD_INCORRECT`, `CODE_INVALID`
     */
    revokeAll(userId: string, options?: EndSessionsOptions): Promise<void>;
    /**
     * The CSRF token of a session: an HMAC of its id under a key of its own (43 characters,
     * base64url). Pure and synchronous; call it only for a session you have validated, since
     * whoever gets it can make cookie-authenticated requests for that session.
     */
    csrfToken(sessionId: string): string;
    /**
     * Whether `token` is the CSRF token of `sessionId` (under the current secret or an older
     * one still configured). Constant time. Pure: it does not check that the session lives.
     */
    verifyCsrfToken(sessionId: string, token: string): boolean;
  };
  /** Password reset and change. See `docs/account.md`. */
  readonly passwords: {
    /** Mails a reset link (30 min, single use); the same answer for unknown addresses. */
    requestReset(email: string, context?: RequestContext): Promise<{ status: 'reset_sent' }>;
    /**
     * Sets a new password with a mailed token; revokes every session.
     * @throws AuthError `TOKEN_INVALID`, `TOKEN_EXPIRED`, `WEAK_PASSWORD`
     */
    reset(
      input: { token: string; newPassword: string },
      context?: RequestContext,
    ): Promise<{ status: 'password_reset' }>;
    /**
     * Changes the password of a signed-in user: a credential change, so every session but the
     * caller's (`sessionId`) ends, sign-ins in flight included. With 2FA on, also needs a code
     * (`code`, `method`) or a second-factor-fresh `sessionId`.
     * @throws AuthError `REAUTH_REQUIRED`, `PASSWORD_INCORRECT`, `CODE_INVALID`, `WEAK_PASSWORD`
     */
    change(input: ChangePasswordInput, context?: RequestContext): Promise<void>;
  };
  /** Profile, email change and account deletion. See `docs/account.md`. */
  readonly users: {
    /** The user's public profile. @throws AuthError `UNAUTHENTICATED` when the user is gone */
    get(userId: string): Promise<AuthUser<F>>;
    /**
     * Updates username, names and the app's `editable` fields (`null` clears). Any other key is
     * refused, naming it. @throws AuthError `USERNAME_TAKEN`, `VALIDATION_FAILED`
     */
    update(
      userId: string,
      patch: {
        username?: string | null;
        firstName?: string | null;
        lastName?: string | null;
      } & UserFieldPatch<F>,
      context?: RequestContext,
    ): Promise<AuthUser<F>>;
    /**
     * Mails a confirmation link to the new address and a notice to the old one. With 2FA on,
     * also needs a code (`code`, `method`) or a second-factor-fresh `sessionId`; the confirmed
     * change keeps that session and ends the others.
     * @throws AuthError `REAUTH_REQUIRED`, `PASSWORD_INCORRECT`, `CODE_INVALID`, `VALIDATION_FAILED`
     */
    requestEmailChange(
      input: { userId: string; newEmail: string; password?: string } & StepUp,
      context?: RequestContext,
    ): Promise<{ status: 'confirmation_sent' }>;
    /** Switches to the new address. @throws AuthError `TOKEN_INVALID`, `TOKEN_EXPIRED` */
    confirmEmailChange(token: string, context?: RequestContext): Promise<AuthUser<F>>;
    /**
     * Deletes the account and everything tied to it. With 2FA on, also needs a code (`code`,
     * `method`) or a second-factor-fresh `sessionId`.
     * @throws AuthError `REAUTH_REQUIRED`, `PASSWORD_INCORRECT`, `CODE_INVALID`
     */
    delete(
      input: { userId: string; password?: string } & StepUp,
      context?: RequestContext,
    ): Promise<void>;
  };
  /**
   * Social sign-in (OAuth 2 / OpenID Connect; docs/oauth.md). The HTTP routes
   * `/oauth/:provider/authorize`, `/oauth/:provider/callback`, `/oauth/accounts`,
   * `/oauth/:provider/link` and `DELETE /oauth/accounts/:id` call these.
   */
  readonly oauth: {
    /** The configured providers, for sign-in buttons: `{ id, name }`. */
    providers(): { id: string; name: string }[];
    /**
     * Starts a sign-in at a provider: the URL to send the browser to, and the secret for the
     * browser-binding cookie the callback needs.
     * @throws AuthError `NOT_FOUND`, `VALIDATION_FAILED` (`redirectTo`), `RATE_LIMITED`
     */
    start(
      providerId: string,
      input: { redirectTo?: string },
      context?: RequestContext,
    ): Promise<OAuthStart>;
    /**
     * Starts linking a provider to a signed-in user (fresh session or password; a factor for
     * 2FA users).
     * @throws AuthError `REAUTH_REQUIRED`, `PASSWORD_INCORRECT`, `CODE_INVALID`, `NOT_FOUND`
     */
    link(
      providerId: string,
      input: {
        userId: string;
        sessionId: string;
        redirectTo?: string;
        password?: string;
        code?: string;
        method?: 'totp' | 'recovery';
      },
      context?: RequestContext,
    ): Promise<OAuthStart>;
    /**
     * Finishes at the callback: the provider's answer (query or form fields) and the binding
     * cookie's value. Signs in (the second factor applies) or links, and says where to go.
     * @throws AuthError `OAUTH_FAILED`, `ACCOUNT_LINK_REQUIRED`, `ACCOUNT_DISABLED`, `NOT_FOUND`
     */
    complete(
      providerId: string,
      input: { params: URLSearchParams; binding: string | undefined },
      context?: RequestContext,
    ): Promise<{ outcome: OAuthOutcome; redirectTo: string }>;
    /** The user's linked accounts, oldest first. */
    accounts(userId: string): Promise<LinkedAccount[]>;
    /**
     * Unlinks one; refused when it is the last way to sign in.
     * @throws AuthError `NOT_FOUND`, `VALIDATION_FAILED`
     */
    unlink(
      input: { userId: string; accountId: string; sessionId?: string },
      context?: RequestContext,
    ): Promise<void>;
  };
  /**
   * Passkeys (WebAuthn; docs/passkeys.md). The `/passkeys` routes call these. Every method
   * throws `NOT_FOUND` when `passkeys: false`.
   */
  readonly passkeys: {
    /**
     * Starts registering a passkey for the signed-in user (a fresh session or `password`; for
     * 2FA users a factor): the options for `navigator.credentials.create()`.
     * @throws AuthError `REAUTH_REQUIRED`, `PASSWORD_INCORRECT`, `CODE_INVALID`,
     * `EMAIL_NOT_VERIFIED`, `UNAUTHENTICATED`
     */
    registrationOptions(
      input: { userId: string; sessionId: string } & PasskeyProof,
      context?: RequestContext,
    ): Promise<PublicKeyCredentialCreationOptionsJSON>;
    /**
     * Finishes registering: verifies the browser's `RegistrationResponseJSON` against the
     * challenge of this user and session, and stores the passkey.
     * @throws AuthError `PASSKEY_INVALID`, `VALIDATION_FAILED`, `UNAUTHENTICATED`
     */
    register(
      input: { userId: string; sessionId: string; response: unknown; name?: string },
      context?: RequestContext,
    ): Promise<PasskeyView>;
    /**
     * Starts a passkey sign-in: the options for `navigator.credentials.get()` and the
     * `challengeId` to send back. Without `identifier`, discoverable passkeys (and autofill).
     * @throws AuthError `VALIDATION_FAILED`, `RATE_LIMITED`
     */
    loginOptions(
      input?: { identifier?: string },
      context?: RequestContext,
    ): Promise<{ challengeId: string; options: PublicKeyCredentialRequestOptionsJSON }>;
    /**
     * Signs in with the browser's `AuthenticationResponseJSON`: a passkey that verified the
     * user signs in without a password or second-factor challenge.
     * @throws AuthError `PASSKEY_INVALID`, `ACCOUNT_DISABLED`, `EMAIL_NOT_VERIFIED`,
     * `VALIDATION_FAILED`, `RATE_LIMITED`
     */
    signIn(
      input: { challengeId: string; response: unknown },
      context?: RequestContext,
    ): Promise<WithUser<LoginResult, F>>;
    /**
     * The options for answering a sign-in's second-factor challenge with a passkey; send the
     * browser's response to `verifySecondFactor` with `method: 'passkey'`.
     * @throws AuthError `TOKEN_INVALID`, `TOKEN_EXPIRED`, `VALIDATION_FAILED`
     */
    secondFactorOptions(
      challenge: string,
      context?: RequestContext,
    ): Promise<{ options: PublicKeyCredentialRequestOptionsJSON }>;
    /** The user's passkeys, oldest first. */
    list(userId: string): Promise<PasskeyView[]>;
    /** Renames one. @throws AuthError `NOT_FOUND`, `VALIDATION_FAILED` */
    rename(
      input: { userId: string; passkeyId: string; name: string; sessionId?: string },
      context?: RequestContext,
    ): Promise<PasskeyView>;
    /**
     * Removes one (a fresh session or `password`; for 2FA users a factor); refused when it is
     * the last way to sign in.
     * @throws AuthError `NOT_FOUND`, `VALIDATION_FAILED`, `REAUTH_REQUIRED`
     */
    remove(
      input: { userId: string; passkeyId: string; sessionId: string } & PasskeyProof,
      context?: RequestContext,
    ): Promise<void>;
  };
  /**
   * Sign-in by a mailed link or code (docs/magic-links.md); `NOT_FOUND` unless `magicLink` is
   * configured. The `/magic-link` routes call these.
   */
  readonly magicLink: {
    /**
     * Mails a sign-in link and code to the address: the same answer whether or not it has an
     * account. @throws AuthError `VALIDATION_FAILED`, `RATE_LIMITED`, `NOT_FOUND` (off)
     */
    request(email: string, context?: RequestContext): Promise<{ status: 'link_sent' }>;
    /**
     * Signs in with the mailed link's `token`, or with `email` and `code`; a user with 2FA still
     * passes the second factor. @throws AuthError `TOKEN_INVALID`, `TOKEN_EXPIRED`,
     * `CODE_INVALID`, `ACCOUNT_DISABLED`, `VALIDATION_FAILED`, `NOT_FOUND` (magic links off)
     */
    verify(
      input: { token: string } | { email: string; code: string },
      context?: RequestContext,
    ): Promise<WithUser<LoginResult, F>>;
  };
  /**
   * The admin API (docs/admin.md): each call names the admin (`actor`: their user id, and
   * session over HTTP) and needs a permission of their roles; every change is an `admin.action`
   * event naming them. The `/admin` routes call these.
   */
  readonly admin: {
    readonly users: {
      /** A page of users (`users:read`). @throws AuthError `FORBIDDEN`, `VALIDATION_FAILED` */
      list(
        actor: AdminActor,
        query?: {
          query?: string;
          cursor?: string;
          limit?: number;
          role?: string;
          disabled?: boolean;
        },
      ): Promise<{ users: WithFields<AdminUser, F>[]; nextCursor: string | null }>;
      /** A user with sessions, links, passkeys, 2FA and locks (`users:read`). */
      get(
        actor: AdminActor,
        userId: string,
      ): Promise<Omit<AdminUserDetail, 'user'> & { user: WithFields<AdminUser, F> }>;
      /**
       * Creates a user (`users:write`) with a password, or without one: an `invitation` mail
       * then lets them choose it (docs/admin.md). @throws AuthError `FORBIDDEN`,
       * `VALIDATION_FAILED`, `WEAK_PASSWORD`, `USERNAME_TAKEN`, `CONFLICT` (email taken)
       */
      create(
        actor: AdminActor,
        input: AdminCreateUserInput & UserFieldAdminPatch<F>,
        context?: RequestContext,
      ): Promise<WithFields<AdminUser, F>>;
      /**
       * Changes a user (`users:write`): names, username, email (a credential change: their
       * sessions end; verified at once with `emailVerified: true`, else a link is mailed),
       * roles, disabled, email verified.
       * @throws AuthError `FORBIDDEN`, `NOT_FOUND`, `VALIDATION_FAILED`, `USERNAME_TAKEN`,
       * `CONFLICT` (email taken)
       */
      update(
        actor: AdminActor,
        userId: string,
        patch: AdminUserPatch & UserFieldAdminPatch<F>,
        context?: RequestContext,
      ): Promise<WithFields<AdminUser, F>>;
      /** Deletes a user (`users:write`); not oneself. */
      delete(actor: AdminActor, userId: string, context?: RequestContext): Promise<void>;
      /** Ends one session of a user, or all (`sessions:revoke`). */
      revokeSessions(
        actor: AdminActor,
        input: { userId: string; sessionId?: string },
        context?: RequestContext,
      ): Promise<void>;
      /** Lifts a user's sign-in and second-factor locks (`users:write`). */
      unlock(actor: AdminActor, userId: string, context?: RequestContext): Promise<void>;
      /**
       * Turns a user's second factor off (`users:write`); they enroll again (mailed notice).
       * @throws AuthError `VALIDATION_FAILED` when it is off
       */
      resetSecondFactor(actor: AdminActor, userId: string, context?: RequestContext): Promise<void>;
      /** Mails the user a password reset link (`users:write`). */
      sendResetLink(actor: AdminActor, userId: string, context?: RequestContext): Promise<void>;
      /**
       * Opens a session for the user on the admin's behalf (`users:impersonate`;
       * docs/impersonation.md): marked `impersonatedBy`, one hour, no `/admin`, no step-up;
       * audited in both users' trails. Not oneself, not a disabled user, not another admin,
       * not from an impersonation session.
       * @throws AuthError `FORBIDDEN`, `NOT_FOUND`, `VALIDATION_FAILED`
       */
      impersonate(actor: AdminActor, userId: string, context?: RequestContext): Promise<SignedIn>;
    };
    readonly impersonation: {
      /**
       * Ends an impersonation from its own session (no admin permission needed): the session
       * is revoked and the stop audited in both users' trails. Resolves to the admin and user.
       * @throws AuthError `UNAUTHENTICATED`, `VALIDATION_FAILED` (not an impersonation)
       */
      stop(
        caller: { userId: string; sessionId: string },
        context?: RequestContext,
      ): Promise<ImpersonationEnded>;
    };
    readonly sessions: {
      /**
       * Ends every session of every user, the admin's own included (`sessions:revoke`; after
       * an incident). @throws AuthError `FORBIDDEN`
       */
      revokeAll(actor: AdminActor, context?: RequestContext): Promise<RevokeAllResult>;
    };
    readonly audit: {
      /**
       * Security events across users, newest first (`audit:read`), of one user and/or type.
       * @throws AuthError `FORBIDDEN`, `VALIDATION_FAILED`
       */
      list(
        actor: AdminActor,
        query?: { userId?: string; type?: string; cursor?: string; limit?: number },
      ): Promise<{ events: AdminAuditEvent[]; nextCursor: string | null }>;
    };
  };
  /** The user's security events, newest first. */
  readonly audit: {
    /** Security events of the user, newest first (default 50, at most 200). */
    list(
      userId: string,
      options?: { limit?: number; beforeSequence?: number },
    ): Promise<AuditEventRecord[]>;
  };

  /**
   * Reports a request refused before any flow ran it: emits `request.csrf_refused` or
   * `request.invalid` to the listeners and the `warn` log, within the per-type event budget
   * (`docs/events.md`). `createHttpHandler` calls it; an adapter or app with a CSRF check or
   * input validation of its own may too. Never throws for a failing listener.
   */
  reportRequestProblem(problem: RequestProblem, context?: RequestContext): Promise<void>;
  /**
   * Reports a request that failed on the server's side (a 5xx; a store outage is
   * `STORAGE_UNAVAILABLE`): one `error` log line with the code, the failed store operation, the
   * route and the cause, and a `storage.unavailable` event for a store outage; at most 20 a
   * minute per code and operation, the rest counted (`suppressed`). `createHttpHandler` and
   * `handler.authenticate` call it; an adapter or app that answers such an error itself may
   * too. Never throws.
   */
  reportServerError(error: unknown, context?: ServerErrorContext): Promise<void>;
  /** Whether the user holds `role` (`user.roles`; docs/roles.md). */
  hasRole(user: HasRoles, role: string): boolean;
  /** Whether the user's roles grant `permission` under the configured `roles`. */
  hasPermission(user: HasRoles, permission: string): boolean;
  /** Every permission the user's roles grant, sorted. */
  permissionsOf(user: HasRoles): string[];
  /** Hashes a new password with the configured hasher (after NFKC). */
  hashPassword(password: string): Promise<string>;
  /** Verifies a password against a stored hash of any supported format. */
  verifyPassword(password: string, storedHash: string): Promise<PasswordVerification>;
  /** Checks a new password against the configured policy (length, blocklist, context words). */
  checkPassword(
    password: string,
    context?: { email?: string; username?: string; firstName?: string; lastName?: string },
  ): PasswordPolicyResult;
}

/**
 * Creates an Auth instance from a configuration.
 *
 * @throws AuthError `CONFIG_INVALID` naming each wrong field; in production (`NODE_ENV=production`
 * or `production: true`) also when the secret is missing or shorter than 32 bytes.
 *
 * @example
 * ```ts
 * const auth = createAuth({
 *   storage: memoryStorage(),
 *   mailer: consoleMailer(),
 *   secret: process.env.AUTH_SECRET,
 *   appUrl: 'http://localhost:3000',
 * })
 * ```
 */
export function createAuth<
  const F extends UserFieldDefinitions = NoUserFields,
  C extends JsonObject = NoUserFields,
>(config: AuthConfig<F, C>): Auth<F, C> {
  const rt = createRuntime(config);
  const { secrets: _s, storage: _st, mailer: _m, sms: _sms, ...rest } = rt.config;
  // Private signing keys are secrets too: options show only their key ids.
  const { privateKeys, ...accessToken } = rest.session.accessToken;
  const options: AuthOptions = {
    ...rest,
    session: {
      ...rest.session,
      accessToken: {
        ...accessToken,
        keyIds: privateKeys.map((k) => String((k as { kid?: unknown }).kid)),
      },
    },
  };
  const ctx = (context: RequestContext | undefined) => context ?? {};
  // The typed user of `Auth<F>` is the runtime's public user with the fields `resolveConfig`
  // checked: the flows return them, the generic only names them.
  const auth: Auth = {
    options,
    storage: rt.storage,
    async ready() {
      return { passwordBackend: (await rt.hasher()).backend };
    },
    async close() {
      await (await rt.hasher()).close();
    },
    register: (input, context) => register(rt, input, ctx(context)),
    verifyEmail: (token, context) => verifyEmail(rt, token, ctx(context)),
    resendVerification: (email, context) => resendVerification(rt, email, ctx(context)),
    login: (input, context) => signInWithPassword(rt, input, ctx(context)),
    verifySecondFactor: (input, context) => verifySecondFactor(rt, input, ctx(context)),
    async validateSession(token) {
      const { session, user } = await validateSessionToken(rt, token);
      return {
        user: toPublicUser(user, rt.config.user.fields),
        session: toSessionInfo(session, session.id),
      };
    },
    async validateAccessToken(token) {
      const { session, user } = await authenticateAccessToken(rt, token);
      return {
        user: toPublicUser(user, rt.config.user.fields),
        session: toSessionInfo(session, session.id),
      };
    },
    verifyAccessToken: (token, opts) => verifyAccessTokenClaims(rt, token, opts ?? {}),
    refresh: (refreshToken, context) => refreshSession(rt, refreshToken, ctx(context)),
    jwks: () => getJwks(rt),
    logout: (sessionId, context) => logout(rt, sessionId, ctx(context)),
    reauthenticate: (input, context) => reauthenticate(rt, input, ctx(context)),
    twoFactor: createTwoFactorApi(rt),
    sessions: {
      list: (userId, opts) => listSessions(rt, userId, opts ?? {}),
      revoke: (userId, id, opts) => endSession(rt, userId, id, opts ?? {}),
      revokeAll: (userId, opts) => endAllSessions(rt, userId, opts ?? {}),
      csrfToken: (sessionId) => csrfTokenFor(rt.keyring, sessionId),
      verifyCsrfToken: (sessionId, token) =>
        typeof sessionId === 'string' &&
        typeof token === 'string' &&
        csrfTokenMatches(rt.keyring, sessionId, token),
    },
    passwords: {
      requestReset: (email, context) => requestPasswordReset(rt, { email }, ctx(context)),
      reset: (input, context) => resetPassword(rt, input, ctx(context)),
      change: (input, context) => changePassword(rt, input, ctx(context)),
    },
    users: {
      get: (userId) => getUser(rt, userId),
      update: (userId, patch, context) => updateProfile(rt, userId, patch, ctx(context)),
      requestEmailChange: (input, context) => requestEmailChange(rt, input, ctx(context)),
      confirmEmailChange: (token, context) => confirmEmailChange(rt, { token }, ctx(context)),
      delete: (input, context) => deleteAccount(rt, input, ctx(context)),
    },
    oauth: {
      providers: () => (rt.config.oauth?.providers ?? []).map((p) => ({ id: p.id, name: p.name })),
      start: (providerId, input, context) => startOAuth(rt, providerId, input, ctx(context)),
      link: (providerId, input, context) => startLink(rt, providerId, input, ctx(context)),
      complete: (providerId, input, context) => completeOAuth(rt, providerId, input, ctx(context)),
      accounts: (userId) => listLinkedAccounts(rt, userId),
      unlink: (input, context) => unlinkAccount(rt, input, ctx(context)),
    },
    passkeys: {
      registrationOptions: (input, context) => passkeyRegistrationOptions(rt, input, ctx(context)),
      register: (input, context) => registerPasskey(rt, input, ctx(context)),
      loginOptions: (input, context) => passkeyLoginOptions(rt, input ?? {}, ctx(context)),
      signIn: (input, context) => signInWithPasskey(rt, input, ctx(context)),
      secondFactorOptions: (challenge, context) =>
        secondFactorPasskeyOptions(rt, { challenge }, ctx(context)),
      list: (userId) => listPasskeys(rt, userId),
      rename: (input, context) => renamePasskey(rt, input, ctx(context)),
      remove: (input, context) => removePasskey(rt, input, ctx(context)),
    },
    magicLink: {
      request: (email, context) => requestMagicLink(rt, { email }, ctx(context)),
      verify: (input, context) => signInWithMagicLink(rt, input, ctx(context)),
    },
    admin: {
      users: {
        list: (actor, query) => listUsers(rt, actor, query ?? {}),
        get: (actor, userId) => getUserDetail(rt, actor, userId),
        create: (actor, input, context) => createUserAsAdmin(rt, actor, input, ctx(context)),
        update: (actor, userId, patch, context) =>
          updateUserAsAdmin(rt, actor, userId, patch, ctx(context)),
        delete: (actor, userId, context) => deleteUserAsAdmin(rt, actor, userId, ctx(context)),
        revokeSessions: (actor, input, context) =>
          revokeUserSessions(rt, actor, input, ctx(context)),
        unlock: (actor, userId, context) => unlockUser(rt, actor, userId, ctx(context)),
        resetSecondFactor: (actor, userId, context) =>
          resetSecondFactor(rt, actor, userId, ctx(context)),
        sendResetLink: (actor, userId, context) => sendResetLink(rt, actor, userId, ctx(context)),
        impersonate: (actor, userId, context) => impersonateUser(rt, actor, userId, ctx(context)),
      },
      impersonation: {
        stop: (caller, context) => stopImpersonation(rt, caller, ctx(context)),
      },
      sessions: {
        revokeAll: (actor, context) => revokeEverySession(rt, actor, ctx(context)),
      },
      audit: {
        list: (actor, query) => listAuditAsAdmin(rt, actor, query ?? {}),
      },
    },
    audit: {
      list: (userId, opts) => listAudit(rt, userId, opts ?? {}),
    },
    reportRequestProblem: (problem, context) => reportRequestProblem(rt, problem, ctx(context)),
    reportServerError: (error, context) => reportServerError(rt, error, context ?? {}),
    hasRole: (user, role) => hasRole(user, role),
    hasPermission: (user, permission) => hasPermission(user, permission, rt.config.roles),
    permissionsOf: (user) => [...permissionsOf(user, rt.config.roles)].sort(),
    async hashPassword(password) {
      return hashPassword(password, { hasher: await rt.hasher() });
    },
    async verifyPassword(password, storedHash) {
      return verifyPassword(password, storedHash, { hasher: await rt.hasher() });
    },
    checkPassword(password, context = {}) {
      return checkPassword(password, policyOptions(rt.config, { context }));
    },
  };
  return auth as unknown as Auth<F, C>;
}
