/**
 * Inputs and results of the HTTP contract (`docs/http.md`), written by hand so that this
 * package depends on nothing. Times are ISO 8601 strings, as the server sends them.
 */

/** A user as the server shows it: every key always present (`null` when unset). */
export interface PublicUser {
  readonly id: string;
  readonly email: string;
  readonly emailVerified: boolean;
  readonly username: string | null;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly twoFactorEnabled: boolean;
  /** The user's roles (docs/roles.md); `[]` for none. */
  readonly roles: string[];
  /** ISO 8601. */
  readonly createdAt: string;
}

/** The session of a cookie sign-in, as `/login` answers it. */
export interface SessionSummary {
  /** The session id (the path of `sessions.revoke`). */
  readonly id: string;
  /** The earlier of the idle and the absolute expiry (ISO 8601). */
  readonly expiresAt: string;
}

/** A session as `GET /session` and `GET /sessions` show it. */
export interface SessionInfo {
  readonly id: string;
  /** ISO 8601. */
  readonly createdAt: string;
  /** ISO 8601. */
  readonly lastSeenAt: string;
  /** The earlier of the idle and the absolute expiry (ISO 8601). */
  readonly expiresAt: string;
  readonly ip: string | null;
  readonly userAgent: string | null;
  /** True for the session that asked. */
  readonly current: boolean;
  /**
   * The admin's user id when an admin opened this session by impersonation (show a banner,
   * and `admin.impersonation.stop()`), else `null`.
   */
  readonly impersonatedBy: string | null;
}

/** A second factor a sign-in challenge accepts. */
export type SecondFactorMethod = 'totp' | 'email' | 'sms' | 'recovery' | 'passkey';

/**
 * A completed sign-in. Cookie strategy: `session` is set. JWT strategy: `accessToken` and
 * `expiresIn` (seconds) are set; the client keeps the token in memory and uses it for you. A
 * `refreshToken` in the server's body (body transport) is dropped, never returned.
 */
export interface SignedInResult {
  readonly status: 'signed_in';
  readonly user: PublicUser;
  readonly session?: SessionSummary;
  readonly accessToken?: string;
  readonly expiresIn?: number;
}

/** The password was right and a second factor is needed: call `verifySecondFactor`. */
export interface TwoFactorRequiredResult {
  readonly status: 'two_factor_required';
  /** Opaque challenge for `verifySecondFactor`, `sendEmailCode` and `sendSmsCode` (10 min). */
  readonly challenge: string;
  /** The methods this user can answer with. */
  readonly methods: readonly SecondFactorMethod[];
}

/** What `login` resolves to; branch on `status`. */
export type LoginResult = SignedInResult | TwoFactorRequiredResult;

/** `register` input. */
export interface RegisterInput {
  readonly email: string;
  readonly password: string;
  readonly username?: string;
  readonly firstName?: string;
  readonly lastName?: string;
}

/** `login` input: `identifier` is the email or the username. */
export interface LoginInput {
  readonly identifier: string;
  readonly password: string;
}

/** `verifySecondFactor` input. */
export interface VerifySecondFactorInput {
  readonly challenge: string;
  readonly method: SecondFactorMethod;
  /** The code; every method but `passkey` needs one (`passkeys.secondFactor` runs a passkey). */
  readonly code?: string;
  /** With `passkey`: the browser's `AuthenticationResponseJSON`. */
  readonly response?: unknown;
  /** Trust this device for 30 days (the server sets an HttpOnly cookie). */
  readonly rememberDevice?: boolean;
}

/**
 * Proof for sensitive operations on a session that is not fresh (older than 10 minutes):
 * the password, plus `code` and `method` when the user has a second factor.
 */
export interface ReauthProof {
  readonly password?: string;
  readonly code?: string;
  readonly method?: SecondFactorMethod;
}

/** A passkey of the user (`GET /passkeys`): no credential id, no key. */
export interface Passkey {
  /** Its id, for `passkeys.rename` and `passkeys.remove`. */
  readonly id: string;
  /** The user's name for it. */
  readonly name: string;
  /** When it was registered, epoch ms. */
  readonly createdAt: number;
  /** When it last signed in, epoch ms, or `null`. */
  readonly lastUsedAt: number | null;
  /** Whether it is backed up (synced to the user's other devices). */
  readonly backedUp: boolean;
  /** `multiDevice` (synced) or `singleDevice` (a security key, a device-bound key). */
  readonly deviceType: 'singleDevice' | 'multiDevice';
}

/** A provider account linked to the user (`GET /oauth/accounts`). */
export interface LinkedAccount {
  /** The link's id, for {@link AuthClient.unlink}. */
  readonly id: string;
  /** The provider's id (`google`, `github`, ...). */
  readonly provider: string;
  /** The email the provider gave, or `null`. */
  readonly email: string | null;
  /** When it was linked, epoch ms. */
  readonly createdAt: number;
  /** When it last signed in, epoch ms. */
  readonly lastUsedAt: number;
}

/** `reauthenticate` input. */
export interface ReauthenticateInput {
  readonly password: string;
  readonly code?: string;
  readonly method?: SecondFactorMethod;
}

/** `user.update` input; `null` clears a field. */
export interface ProfilePatch {
  readonly username?: string | null;
  readonly firstName?: string | null;
  readonly lastName?: string | null;
}

/** `user.delete` input. */
export interface DeleteAccountInput {
  readonly password: string;
  readonly code?: string;
  readonly method?: SecondFactorMethod;
}

/** `passwords.change` input. */
export interface ChangePasswordInput {
  readonly currentPassword: string;
  readonly newPassword: string;
  readonly code?: string;
  readonly method?: SecondFactorMethod;
}

/** `twoFactor.regenerateRecoveryCodes` input. */
export interface RegenerateRecoveryCodesInput {
  readonly password: string;
  readonly code?: string;
  readonly method?: SecondFactorMethod;
}

/** `GET /session`. */
export interface SessionResult {
  readonly user: PublicUser;
  readonly session: SessionInfo;
}

/** A `202`/`200` answer that only says what happened. */
export interface StatusResult<S extends string> {
  readonly status: S;
}

/** `twoFactor.totp.enroll`: show `otpauthUri` as a QR code; `secret` is shown once. */
export interface TotpEnrollment {
  readonly secret: string;
  readonly otpauthUri: string;
}

/** A trusted device (`rememberDevice`), as `twoFactor.devices.list` shows it. */
export interface TrustedDevice {
  readonly id: string;
  /** ISO 8601. */
  readonly createdAt: string;
  /** ISO 8601. */
  readonly lastUsedAt: string;
  /** ISO 8601. */
  readonly expiresAt: string;
  readonly userAgent: string | null;
  /** True for the device that asked. */
  readonly current: boolean;
}

/** One security event of the user, newest first. */
export interface AuditEvent {
  /** Event type, e.g. `login.succeeded`. */
  readonly type: string;
  /** ISO 8601. */
  readonly at: string;
  readonly ip: string | null;
  readonly userAgent: string | null;
}

/** One public key of `GET /jwks.json` (RFC 7517). */
export interface PublicJwk {
  readonly kty: string;
  readonly kid?: string;
  readonly alg?: string;
  readonly use?: string;
  readonly crv?: string;
  readonly x?: string;
  readonly y?: string;
  readonly [member: string]: unknown;
}

/** `GET /jwks.json`. */
export interface JwksResult {
  readonly keys: readonly PublicJwk[];
}

/**
 * `admin.users.impersonate`: a sign-in as the user. Cookie strategy: `session` is set and the
 * client is now signed in as the user. jwt strategy: `accessToken`, `expiresIn` and
 * `refreshToken` are the impersonation's, for one hour; the client keeps the admin's own.
 */
export interface ImpersonationResult extends SignedInResult {
  readonly refreshToken?: string;
}

/** What `refresh` resolves to: the new access token (also kept by the client). */
export interface RefreshResult {
  readonly accessToken: string;
  /** Seconds until it expires. */
  readonly expiresIn: number;
}

/** What `onSessionChange` listeners receive. */
export interface SessionState {
  /** True while the client holds a session (jwt: an access token; cookie: a known sign-in). */
  readonly signedIn: boolean;
  /** The user, when known (jwt: `null` after a restore by `refresh` until `session()`). */
  readonly user: PublicUser | null;
}

/** A user as the admin API shows it (`GET /admin/users`). */
export interface AdminUser extends PublicUser {
  /** A disabled user cannot sign in. */
  readonly disabled: boolean;
  /** Whether the user has a password (or only passwordless ways in). */
  readonly hasPassword: boolean;
  /** When they last signed in (ISO 8601), or `null`. */
  readonly lastLoginAt: string | null;
}

/** `GET /admin/users/:id`: the user and what an admin acts on. */
export interface AdminUserDetail {
  readonly user: AdminUser;
  /** Live sessions, newest first. */
  readonly sessions: readonly SessionInfo[];
  /** Linked provider accounts. */
  readonly accounts: readonly LinkedAccount[];
  /** Passkeys. */
  readonly passkeys: readonly Passkey[];
  /** The second factor. */
  readonly twoFactor: {
    readonly enabled: boolean;
    readonly methods: readonly SecondFactorMethod[];
    readonly recoveryCodesLeft: number;
  };
  /** When each lock lifts (ISO 8601), or `null`. */
  readonly locks: { readonly signIn: string | null; readonly secondFactor: string | null };
}

/** A new user (`POST /admin/users`). */
export interface AdminCreateUserInput {
  readonly email: string;
  readonly username?: string;
  readonly firstName?: string;
  readonly lastName?: string;
  /** Roles named in the server's configuration. */
  readonly roles?: readonly string[];
  /** The address counts as verified from the start. */
  readonly emailVerified?: boolean;
  /** Checked by the server's password policy. Absent: an invitation mail lets them choose one. */
  readonly password?: string;
}

/** `POST /admin/sessions/revoke-all`: what ended. */
export interface RevokeAllResult {
  /** Sessions ended. */
  readonly sessionsEnded: number;
  /** Users who had them. */
  readonly users: number;
}

/** What an admin may change of a user (`PATCH /admin/users/:id`). */
export interface AdminUserPatch {
  readonly firstName?: string | null;
  readonly lastName?: string | null;
  readonly username?: string | null;
  /**
   * A new address: their sessions end; verified at once with `emailVerified: true`, else a
   * verification link is mailed to it.
   */
  readonly email?: string;
  /** Roles named in the server's configuration. */
  readonly roles?: readonly string[];
  readonly disabled?: boolean;
  readonly emailVerified?: boolean;
}

/** An event of `GET /admin/audit`. */
export interface AdminAuditEvent {
  /** Its place in the log: newer events have greater ones. */
  readonly sequence: number;
  readonly type: string;
  /** ISO 8601. */
  readonly at: string;
  readonly userId: string;
  readonly sessionId: string | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  /** Its facts (ids, reasons; never a secret). */
  readonly data: Readonly<Record<string, unknown>>;
}

/** No fields of the app's own: the default of `createAuthClient<F>`. */
export type NoFields = Record<never, never>;

/** A public user with the app's own fields `F` (docs/user-fields.md), each `null` when unset. */
export type UserWith<F extends object> = PublicUser & Readonly<F>;

/** Whether `A` and `B` are the same type (each assignable to the other). */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** An input of the client with the fields `F` it may carry (registration, profile, admin). */
export type InputWith<T, F extends object> =
  Same<T, RegisterInput> extends true
    ? T & { readonly [K in keyof F]?: Exclude<F[K], null> }
    : Same<T, ProfilePatch> extends true
      ? T & { readonly [K in keyof F]?: F[K] | null }
      : Same<T, AdminUserPatch> extends true
        ? T & { readonly [K in keyof F]?: F[K] | null }
        : Same<T, AdminCreateUserInput> extends true
          ? T & { readonly [K in keyof F]?: Exclude<F[K], null> }
          : T;

/**
 * `T` (the client, a result, a method) with every user in it typed with the fields `F`, and the
 * inputs that may set fields taking them. What `createAuthClient<F>` returns.
 */
export type WithUserFields<T, F extends object> = T extends PublicUser
  ? T & Readonly<F>
  : T extends (...args: infer A) => infer R
    ? (...args: { [I in keyof A]: InputWith<A[I], F> }) => WithUserFields<R, F>
    : T extends Promise<infer P>
      ? Promise<WithUserFields<P, F>>
      : T extends readonly (infer E)[]
        ? WithUserFields<E, F>[]
        : T extends object
          ? { [K in keyof T]: WithUserFields<T[K], F> }
          : T;
