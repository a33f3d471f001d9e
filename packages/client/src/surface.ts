import type {
  AdminAuditEvent,
  AdminCreateUserInput,
  AdminUser,
  AdminUserDetail,
  AdminUserPatch,
  AuditEvent,
  ChangePasswordInput,
  DeleteAccountInput,
  ImpersonationResult,
  JwksResult,
  LinkedAccount,
  LoginInput,
  LoginResult,
  Passkey,
  ProfilePatch,
  PublicUser,
  ReauthenticateInput,
  ReauthProof,
  RefreshResult,
  RegenerateRecoveryCodesInput,
  RegisterInput,
  RevokeAllResult,
  SecondFactorMethod,
  SessionInfo,
  SessionResult,
  SessionState,
  SignedInResult,
  StatusResult,
  TotpEnrollment,
  TrustedDevice,
  VerifySecondFactorInput,
  WithUserFields,
} from './types.js';

/** `client.passkeys` (`docs/passkeys.md`). */
export interface PasskeysApi {
  /**
   * Registers a passkey for the signed-in user: `POST /passkeys/register/options`, the
   * browser's `navigator.credentials.create()`, then `POST /passkeys/register/verify`. Needs a
   * fresh session or `password` (and with 2FA a recent second factor or `code` + `method`).
   * @throws AuthClientError `REAUTH_REQUIRED`, `PASSWORD_INCORRECT`, `CODE_INVALID`,
   * `EMAIL_NOT_VERIFIED`, `PASSKEY_INVALID`, `NOT_FOUND` (passkeys off); the browser's own
   * errors (`NotAllowedError` when the person cancels, `InvalidStateError` for a passkey this
   * authenticator already holds) pass through.
   */
  register(options?: ReauthProof & { name?: string }): Promise<Passkey>;
  /**
   * Signs in with a passkey: `POST /passkeys/login/options`, `navigator.credentials.get()`,
   * `POST /passkeys/login/verify`; signed in like `login`. With `autofill`, the browser offers
   * the passkey in the autofill of an `<input autocomplete="username webauthn">` (conditional
   * UI) and the promise waits until the person picks one. With `identifier`, only that user's
   * passkeys are offered. `signal` stops it (leaving the page, the person choosing the button
   * or a password): no browser request starts after it fired, a pending one is cancelled, and
   * the promise rejects with the signal's reason.
   * @throws AuthClientError `PASSKEY_INVALID`, `ACCOUNT_DISABLED`, `RATE_LIMITED`
   */
  signIn(options?: {
    identifier?: string;
    autofill?: boolean;
    signal?: AbortSignal;
  }): Promise<LoginResult>;
  /**
   * Answers a `two_factor_required` sign-in with a passkey (when `methods` includes `passkey`):
   * `POST /2fa/passkey/options`, `navigator.credentials.get()`, then `POST /2fa/verify` with
   * `method: 'passkey'`; signed in like `verifySecondFactor`.
   * @throws AuthClientError `CODE_INVALID`, `TOKEN_INVALID`, `TOKEN_EXPIRED`, `RATE_LIMITED`
   */
  secondFactor(input: { challenge: string; rememberDevice?: boolean }): Promise<SignedInResult>;
  /** `GET /passkeys`: oldest first. */
  list(): Promise<Passkey[]>;
  /** `PATCH /passkeys/:id`. @throws AuthClientError `NOT_FOUND`, `VALIDATION_FAILED` */
  rename(id: string, name: string): Promise<Passkey>;
  /**
   * `DELETE /passkeys/:id` (a fresh session or `proof`).
   * @throws AuthClientError `VALIDATION_FAILED` (the last way to sign in), `NOT_FOUND`,
   * `REAUTH_REQUIRED`
   */
  remove(id: string, proof?: ReauthProof): Promise<void>;
}

/** `client.admin` (`docs/admin.md`); `403 FORBIDDEN` without the route's permission. */
export interface AdminApi {
  readonly users: {
    /** `GET /admin/users` (`users:read`): a page, oldest first; `nextCursor` for the next. */
    list(query?: {
      query?: string;
      cursor?: string;
      limit?: number;
      role?: string;
      disabled?: boolean;
    }): Promise<{ users: AdminUser[]; nextCursor: string | null }>;
    /** `GET /admin/users/:id` (`users:read`). */
    get(id: string): Promise<AdminUserDetail>;
    /**
     * `POST /admin/users` (`users:write`): with a password, or without (an invitation is mailed).
     * @throws AuthClientError `VALIDATION_FAILED`, `WEAK_PASSWORD`, `USERNAME_TAKEN`,
     * `CONFLICT` (the email belongs to another user)
     */
    create(input: AdminCreateUserInput): Promise<AdminUser>;
    /**
     * `PATCH /admin/users/:id` (`users:write`).
     * @throws AuthClientError `VALIDATION_FAILED`, `USERNAME_TAKEN`, `CONFLICT` (email taken)
     */
    update(id: string, patch: AdminUserPatch): Promise<AdminUser>;
    /** `DELETE /admin/users/:id` (`users:write`). */
    delete(id: string): Promise<void>;
    /** `POST /admin/users/:id/sessions/revoke` (`sessions:revoke`): one session, or all. */
    revokeSessions(id: string, sessionId?: string): Promise<void>;
    /** `POST /admin/users/:id/unlock` (`users:write`). */
    unlock(id: string): Promise<void>;
    /** `POST /admin/users/:id/2fa/reset` (`users:write`): they enroll again. */
    resetSecondFactor(id: string): Promise<void>;
    /** `POST /admin/users/:id/password-reset` (`users:write`). */
    sendResetLink(id: string): Promise<void>;
    /**
     * `POST /admin/users/:id/impersonate` (`users:impersonate`; docs/impersonation.md): sign in
     * as the user for one hour. Cookie strategy: this client (every tab) is now the user, until
     * `admin.impersonation.stop()`. jwt strategy: the impersonation's tokens are returned and
     * this client stays the admin.
     * @throws AuthClientError `FORBIDDEN` (an admin, or from an impersonation),
     * `VALIDATION_FAILED` (oneself, a disabled user), `NOT_FOUND`
     */
    impersonate(id: string): Promise<ImpersonationResult>;
  };
  readonly impersonation: {
    /**
     * `POST /admin/impersonation/stop`, from the impersonation session. Cookie strategy: the
     * admin's session comes back when it still lives (else the client is signed out). jwt
     * strategy: pass the impersonation's `accessToken`.
     * @throws AuthClientError `VALIDATION_FAILED` (not an impersonation), `UNAUTHENTICATED`
     */
    stop(options?: { accessToken?: string }): Promise<void>;
  };
  readonly sessions: {
    /**
     * `POST /admin/sessions/revoke-all` (`sessions:revoke`): ends every session of every user,
     * this client's own too (it is signed out).
     */
    revokeAll(): Promise<RevokeAllResult>;
  };
  readonly audit: {
    /** `GET /admin/audit` (`audit:read`): events across users, newest first. */
    list(query?: {
      userId?: string;
      type?: string;
      cursor?: string;
      limit?: number;
    }): Promise<{ events: AdminAuditEvent[]; nextCursor: string | null }>;
  };
}

/** `client.magicLink` (`docs/magic-links.md`). */
export interface MagicLinkApi {
  /**
   * `POST /magic-link`: mails a sign-in link and a code (the same answer whether or not the
   * address has an account). @throws AuthClientError `RATE_LIMITED`, `NOT_FOUND` (off)
   */
  request(email: string): Promise<StatusResult<'link_sent'>>;
  /**
   * `POST /magic-link/verify` with the link's `token`, or `email` and `code`; signed in like
   * `login` (a user with 2FA gets `two_factor_required`).
   * @throws AuthClientError `TOKEN_INVALID`, `TOKEN_EXPIRED`, `CODE_INVALID`
   */
  verify(input: { token: string } | { email: string; code: string }): Promise<LoginResult>;
}

/** `client.sessions`: the user's sessions ("log out other devices"). */
export interface SessionsApi {
  /** `GET /sessions`: live sessions, newest first. @throws AuthClientError `UNAUTHENTICATED` */
  list(): Promise<SessionInfo[]>;
  /**
   * `DELETE /sessions/:id`. Ending another session needs a fresh session or `proof`.
   * @throws AuthClientError `UNAUTHENTICATED`, `REAUTH_REQUIRED`, `NOT_FOUND`
   */
  revoke(id: string, proof?: ReauthProof): Promise<void>;
}

/** `client.user`: the signed-in user's account. */
export interface UserApi {
  /** `GET /user`. @throws AuthClientError `UNAUTHENTICATED` */
  get(): Promise<PublicUser>;
  /** `PATCH /user`. @throws AuthClientError `VALIDATION_FAILED`, `USERNAME_TAKEN` */
  update(patch: ProfilePatch): Promise<PublicUser>;
  /**
   * `POST /user/email`: mails a confirmation link to the new address. With 2FA on, also a
   * `code` and `method`, unless the session proved its second factor in the last 10 minutes.
   * @throws AuthClientError `PASSWORD_INCORRECT`, `REAUTH_REQUIRED`, `CODE_INVALID`
   */
  requestEmailChange(input: {
    newEmail: string;
    password: string;
    code?: string;
    method?: SecondFactorMethod;
  }): Promise<StatusResult<'confirmation_sent'>>;
  /** `POST /user/email/confirm` with the mailed token. @throws AuthClientError `TOKEN_INVALID`, `TOKEN_EXPIRED` */
  confirmEmailChange(input: { token: string }): Promise<PublicUser>;
  /**
   * `DELETE /user`: deletes the account; the client is signed out.
   * @throws AuthClientError `PASSWORD_INCORRECT`, `REAUTH_REQUIRED`
   */
  delete(input: DeleteAccountInput): Promise<void>;
}

/** `client.passwords`. */
export interface PasswordsApi {
  /**
   * `POST /password/change`: other sessions are revoked, this one stays.
   * @throws AuthClientError `PASSWORD_INCORRECT`, `WEAK_PASSWORD`, `REAUTH_REQUIRED`
   */
  change(input: ChangePasswordInput): Promise<void>;
  /** `POST /password/reset`: always `reset_sent`. @throws AuthClientError `RATE_LIMITED` */
  requestReset(input: { email: string }): Promise<StatusResult<'reset_sent'>>;
  /**
   * `POST /password/reset/confirm` with the mailed token: every session is revoked and this
   * client is signed out.
   * @throws AuthClientError `TOKEN_INVALID`, `TOKEN_EXPIRED`, `WEAK_PASSWORD`
   */
  confirmReset(input: {
    token: string;
    newPassword: string;
  }): Promise<StatusResult<'password_reset'>>;
}

/** `client.twoFactor`: second-factor settings of the signed-in user. */
export interface TwoFactorApi {
  /** TOTP (authenticator apps). */
  readonly totp: {
    /** `POST /2fa/totp/enroll`: a secret, not active until confirmed. @throws AuthClientError `PASSWORD_INCORRECT` */
    enroll(input: { password: string }): Promise<TotpEnrollment>;
    /** `POST /2fa/totp/confirm`: 2FA is on; the recovery codes are shown once. @throws AuthClientError `CODE_INVALID` */
    confirm(input: { code: string }): Promise<{ recoveryCodes: string[] }>;
  };
  /** `POST /2fa/disable`. @throws AuthClientError `PASSWORD_INCORRECT`, `CODE_INVALID` */
  disable(input: { password: string; code: string }): Promise<void>;
  /** `POST /2fa/recovery-codes`: new codes, the old ones die. @throws AuthClientError `PASSWORD_INCORRECT`, `REAUTH_REQUIRED` */
  regenerateRecoveryCodes(
    input: RegenerateRecoveryCodesInput,
  ): Promise<{ recoveryCodes: string[] }>;
  /** SMS as a second factor. */
  readonly phone: {
    /**
     * `POST /2fa/phone`: texts a code to `phone` (E.164). With 2FA on, also a `code` and
     * `method`, unless the session proved its second factor in the last 10 minutes.
     * @throws AuthClientError `PASSWORD_INCORRECT`, `REAUTH_REQUIRED`, `CODE_INVALID`,
     * `VALIDATION_FAILED`, `RATE_LIMITED`
     */
    start(input: {
      phone: string;
      password: string;
      code?: string;
      method?: SecondFactorMethod;
    }): Promise<StatusResult<'code_sent'>>;
    /** `POST /2fa/phone/confirm`. @throws AuthClientError `CODE_INVALID` */
    confirm(input: { code: string }): Promise<void>;
  };
  /** Devices trusted with `rememberDevice`. */
  readonly devices: {
    /** `GET /2fa/devices`. */
    list(): Promise<TrustedDevice[]>;
    /** `DELETE /2fa/devices/:id`. @throws AuthClientError `NOT_FOUND` */
    revoke(id: string): Promise<void>;
  };
}

/**
 * The client {@link createAuthClient} returns. Every method rejects with `AuthClientError`
 * on a non-2xx answer or a network failure (`NETWORK_ERROR`).
 */
export interface AuthClient {
  /**
   * `POST /register`: `verification_sent`; or, when the server signs new accounts in at once
   * (`registration.signIn`), signed in as with `login`.
   * @throws AuthClientError `VALIDATION_FAILED`, `WEAK_PASSWORD`, `USERNAME_TAKEN`
   */
  register(input: RegisterInput): Promise<StatusResult<'verification_sent'> | SignedInResult>;
  /** `POST /email/verify` with the mailed token. @throws AuthClientError `TOKEN_INVALID`, `TOKEN_EXPIRED` */
  verifyEmail(input: { token: string }): Promise<StatusResult<'verified'>>;
  /** `POST /email/verify/resend`: always `verification_sent`. @throws AuthClientError `RATE_LIMITED` */
  resendVerification(input: { email: string }): Promise<StatusResult<'verification_sent'>>;
  /**
   * `POST /login`. Signed in: the client keeps the session (jwt: the access token, in memory)
   * and tells `onSessionChange` listeners and other tabs. `two_factor_required`: call
   * {@link AuthClient.verifySecondFactor}.
   * @throws AuthClientError `INVALID_CREDENTIALS`, `EMAIL_NOT_VERIFIED`, `ACCOUNT_DISABLED`, `RATE_LIMITED`
   */
  login(input: LoginInput): Promise<LoginResult>;
  /**
   * `POST /2fa/verify`: the second step of a sign-in; signed in as with `login`.
   * @throws AuthClientError `CODE_INVALID`, `TOKEN_INVALID`, `TOKEN_EXPIRED`, `RATE_LIMITED`
   */
  verifySecondFactor(input: VerifySecondFactorInput): Promise<SignedInResult>;
  /** `POST /2fa/email/send`: mails a code for the challenge. @throws AuthClientError `TOKEN_INVALID`, `RATE_LIMITED` */
  sendEmailCode(input: { challenge: string }): Promise<StatusResult<'code_sent'>>;
  /** `POST /2fa/sms/send`: texts a code for the challenge. @throws AuthClientError `TOKEN_INVALID`, `RATE_LIMITED` */
  sendSmsCode(input: { challenge: string }): Promise<StatusResult<'code_sent'>>;
  /**
   * JWT strategy: `POST /token/refresh` with the HttpOnly refresh cookie, single flight in the
   * page and, with Web Locks, across tabs. Restores a session after a page load. A `401`
   * signs the client out (listeners and other tabs are told); a network failure does not.
   * Cookie strategy: rejects with a `TypeError`.
   * @throws AuthClientError `REFRESH_TOKEN_INVALID`, `REFRESH_TOKEN_REUSED`, `NETWORK_ERROR`
   */
  refresh(): Promise<RefreshResult>;
  /**
   * `POST /reauthenticate`: a new session, fresh for 10 minutes, replaces this one (its token
   * changes; the client adopts it like a sign-in). @throws AuthClientError
   * `PASSWORD_INCORRECT`, `CODE_INVALID`, `RATE_LIMITED`
   */
  reauthenticate(input: ReauthenticateInput): Promise<SignedInResult>;
  /** `POST /logout`; the client is signed out even if the server already was. */
  logout(): Promise<void>;
  /** `POST /logout/all`: every session of the user ends. @throws AuthClientError `REAUTH_REQUIRED` */
  logoutAll(proof?: ReauthProof): Promise<void>;
  /** `GET /session`: the user and this session; records the user. @throws AuthClientError `UNAUTHENTICATED` */
  session(): Promise<SessionResult>;
  /** The user's sessions. */
  readonly sessions: SessionsApi;
  /** The user's account. */
  readonly user: UserApi;
  /** Password change and reset. */
  readonly passwords: PasswordsApi;
  /** `GET /audit`: the user's security events, newest first. */
  audit(): Promise<AuditEvent[]>;
  /**
   * Social sign-in: sends the browser to `GET /oauth/:provider/authorize` (the provider's page,
   * then back to `redirectTo`, a path on the app's site) and returns that URL; with
   * `navigate: false` only returns it (for a link or a popup of your own).
   */
  signInWith(provider: string, options?: { redirectTo?: string; navigate?: boolean }): string;
  /**
   * `POST /oauth/:provider/link`: starts linking a provider to the signed-in user and sends the
   * browser there (returns the URL; `navigate: false` only returns it). Needs a fresh session or
   * the password, and with 2FA a recent second factor or `code` + `method`.
   * @throws AuthClientError `REAUTH_REQUIRED`, `PASSWORD_INCORRECT`, `CODE_INVALID`, `NOT_FOUND`
   */
  linkAccount(
    provider: string,
    options?: ReauthProof & { redirectTo?: string; navigate?: boolean },
  ): Promise<string>;
  /** `GET /oauth/accounts`: the linked provider accounts, oldest first. */
  linkedAccounts(): Promise<LinkedAccount[]>;
  /**
   * `DELETE /oauth/accounts/:id`.
   * @throws AuthClientError `VALIDATION_FAILED` (the last way to sign in), `NOT_FOUND`
   */
  unlink(id: string): Promise<void>;
  /** Passkeys: register, sign in (also as autofill), list, rename, remove. */
  readonly passkeys: PasskeysApi;
  /** Sign-in by a mailed link or code (when the server has `magicLink` on). */
  readonly magicLink: MagicLinkApi;
  /** The admin API (`/admin`; each call needs a permission of the user's roles). */
  readonly admin: AdminApi;
  /** Second-factor settings. */
  readonly twoFactor: TwoFactorApi;
  /** The CSRF token (`GET /csrf`), fetched once and cached; dropped after a sign-in. */
  csrf(): Promise<string>;
  /** `GET /jwks.json`: public keys of EdDSA/ES256 access tokens. @throws AuthClientError `NOT_FOUND` with HS256 */
  jwks(): Promise<JwksResult>;
  /**
   * `fetch` for the app's own API. To the origin of `baseUrl`, the page's origin and
   * `apiOrigins` only: jwt adds `Authorization: Bearer`, refreshes a token about to expire,
   * and on `401 UNAUTHENTICATED` refreshes once and retries once; cookie sends
   * `credentials: 'include'` and `x-csrf-token` on unsafe methods, retrying once on
   * `403 CSRF_FAILED`. Other URLs go out untouched. Resolves to the `Response` whatever its
   * status; rejects as `fetch` does.
   */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
  /**
   * Calls `listener` whenever the client signs in or out or learns another user, here or in
   * another tab. Not called at once with the current state. Returns the unsubscribe function.
   */
  onSessionChange(listener: (state: SessionState) => void): () => void;
  /** True while signed in (jwt: an access token is held; cookie: a sign-in or `session()` succeeded). */
  isSignedIn(): boolean;
  /** Stops listening to other tabs (closes the BroadcastChannel). The client still works alone. */
  close(): void;
}

/**
 * What `createAuthClient<F>()` returns: the {@link AuthClient}, with every user typed with the
 * app's own fields `F` (`{ bio: string | null }`, docs/user-fields.md) when there are any.
 */
export type ClientOf<F extends object> = [keyof F] extends [never]
  ? AuthClient
  : WithUserFields<AuthClient, F>;
