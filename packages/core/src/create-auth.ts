import type { AccessTokenClaims } from './access-tokens/claims.js';
import { getJwks } from './access-tokens/jwks.js';
import { verifyAccessToken } from './access-tokens/verify.js';
import { listAudit } from './account/audit.js';
import { deleteAccount } from './account/delete.js';
import { confirmEmailChange, requestEmailChange } from './account/email-change.js';
import { getUser, updateProfile } from './account/profile.js';
import type { ResolvedConfig } from './config/resolve.js';
import type { AuthConfig } from './config/types.js';
import type { RequestContext } from './events/types.js';
import { type LoginInput, type LoginResult, login } from './login/login.js';
import type { PasswordPolicyResult } from './password/policy.js';
import { checkPassword } from './password/policy.js';
import { hashPassword, type PasswordVerification, verifyPassword } from './password/verify.js';
import { changePassword, requestPasswordReset, resetPassword } from './passwords/index.js';
import { type RegisterInput, register } from './register/register.js';
import { resendVerification, verifyEmail } from './register/verify-email.js';
import { createRuntime } from './runtime/context.js';
import { attachRuntime } from './runtime/internal.js';
import { policyOptions } from './runtime/password-policy.js';
import { reauthenticate } from './sessions/fresh.js';
import { toSessionInfo } from './sessions/info.js';
import { logout } from './sessions/logout.js';
import { listSessions, revokeAllSessions, revokeSession } from './sessions/manage.js';
import { refreshSession } from './sessions/refresh.js';
import type { AuthenticatedSession, SessionInfo } from './sessions/types.js';
import { validateSessionToken } from './sessions/validate.js';
import type { AuditEventRecord } from './storage/types/audit.js';
import type { Storage } from './storage/types.js';
import { createTwoFactorApi } from './two-factor/api.js';
import { secondFactorHook } from './two-factor/hook.js';
import type {
  ReauthenticateInput,
  SecondFactorResult,
  TwoFactorApi,
  VerifySecondFactorInput,
} from './two-factor/types.js';
import { verifySecondFactor } from './two-factor/verify.js';
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

/** What {@link createAuth} returns: every account and session flow as a typed API. */
export interface Auth {
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
    input: RegisterInput,
    context?: RequestContext,
  ): Promise<{ status: 'verification_sent' }>;
  /** Confirms an email address with a mailed token. */
  verifyEmail(
    token: string,
    context?: RequestContext,
  ): Promise<{ status: 'verified'; user: PublicUser }>;
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
  login(input: LoginInput, context?: RequestContext): Promise<LoginResult>;
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
  ): Promise<SecondFactorResult>;
  /** Validates a cookie-strategy session token. @throws AuthError `UNAUTHENTICATED` */
  validateSession(token: string): Promise<AuthenticatedSession>;
  /** Verifies an access JWT. @throws AuthError `UNAUTHENTICATED` */
  verifyAccessToken(
    token: string,
    options?: { checkSession?: boolean },
  ): Promise<AccessTokenClaims>;
  /** Rotates a refresh token for a new access token. */
  refresh(
    refreshToken: string,
    context?: RequestContext,
  ): Promise<{ accessToken: string; expiresIn: number; refreshToken: string }>;
  /** Public keys of asymmetric access tokens. @throws AuthError `NOT_FOUND` with HS256 */
  jwks(): Promise<{ keys: JsonWebKey[] }>;
  /** Revokes the session `sessionId` (sign out). */
  logout(sessionId: string, context?: RequestContext): Promise<void>;
  /**
   * Re-checks the password of a signed-in user (and, with 2FA on, a TOTP or recovery `code`
   * with its `method`) and makes the session fresh again (sensitive operations are allowed for
   * `session.freshForSeconds`).
   * @throws AuthError `PASSWORD_INCORRECT`, `CODE_INVALID`, `RATE_LIMITED`, `VALIDATION_FAILED`,
   * `UNAUTHENTICATED`
   */
  reauthenticate(input: ReauthenticateInput, context?: RequestContext): Promise<void>;
  /** Second factor: TOTP enrollment, recovery codes, phone, codes, trusted devices. */
  readonly twoFactor: TwoFactorApi;

  /** Session management for a signed-in user. */
  readonly sessions: {
    /** Live sessions, newest first; `currentId` marks the caller's. */
    list(userId: string, options?: { currentId?: string }): Promise<SessionInfo[]>;
    /** Revokes one of the user's own sessions. @throws AuthError `NOT_FOUND` */
    revoke(userId: string, sessionId: string, context?: RequestContext): Promise<void>;
    /** Revokes every session of the user, or all but `exceptId`. */
    revokeAll(
      userId: string,
      options?: { exceptId?: string; context?: RequestContext },
    ): Promise<void>;
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
     * Changes the password of a signed-in user; revokes the other sessions.
     * @throws AuthError `PASSWORD_INCORRECT`, `WEAK_PASSWORD`
     */
    change(
      input: {
        userId: string;
        currentPassword: string;
        newPassword: string;
        currentSessionId?: string;
      },
      context?: RequestContext,
    ): Promise<void>;
  };
  /** Profile, email change and account deletion. See `docs/account.md`. */
  readonly users: {
    /** The user's public profile. @throws AuthError `UNAUTHENTICATED` when the user is gone */
    get(userId: string): Promise<PublicUser>;
    /** Updates username and names (`null` clears). @throws AuthError `USERNAME_TAKEN` */
    update(
      userId: string,
      patch: { username?: string | null; firstName?: string | null; lastName?: string | null },
      context?: RequestContext,
    ): Promise<PublicUser>;
    /**
     * Mails a confirmation link to the new address and a notice to the old one.
     * @throws AuthError `PASSWORD_INCORRECT`, `VALIDATION_FAILED`
     */
    requestEmailChange(
      input: { userId: string; newEmail: string; password: string },
      context?: RequestContext,
    ): Promise<{ status: 'confirmation_sent' }>;
    /** Switches to the new address. @throws AuthError `TOKEN_INVALID`, `TOKEN_EXPIRED` */
    confirmEmailChange(token: string, context?: RequestContext): Promise<PublicUser>;
    /** Deletes the account and everything tied to it. @throws AuthError `PASSWORD_INCORRECT` */
    delete(input: { userId: string; password: string }, context?: RequestContext): Promise<void>;
  };
  /** The user's security events, newest first. */
  readonly audit: {
    /** Security events of the user, newest first (default 50, at most 200). */
    list(
      userId: string,
      options?: { limit?: number; beforeSequence?: number },
    ): Promise<AuditEventRecord[]>;
  };

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
export function createAuth(config: AuthConfig): Auth {
  const rt = createRuntime(config);
  // After the hooks createRuntime registers (throttling), so a locked account is refused first.
  rt.loginHooks.push(secondFactorHook(rt));
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
    login: (input, context) => login(rt, input, ctx(context)),
    verifySecondFactor: (input, context) => verifySecondFactor(rt, input, ctx(context)),
    async validateSession(token) {
      const { session, user } = await validateSessionToken(rt, token);
      return { user: toPublicUser(user), session: toSessionInfo(session, session.id) };
    },
    verifyAccessToken: (token, opts) => verifyAccessToken(rt, token, opts ?? {}),
    refresh: (refreshToken, context) => refreshSession(rt, refreshToken, ctx(context)),
    jwks: () => getJwks(rt),
    logout: (sessionId, context) => logout(rt, sessionId, ctx(context)),
    reauthenticate: (input, context) => reauthenticate(rt, input, ctx(context)),
    twoFactor: createTwoFactorApi(rt),
    sessions: {
      list: (userId, opts) => listSessions(rt, userId, opts ?? {}),
      revoke: (userId, sessionId, context) =>
        revokeSession(rt, { userId, sessionId, context: ctx(context) }),
      revokeAll: (userId, opts) =>
        revokeAllSessions(rt, {
          userId,
          exceptId: opts?.exceptId,
          context: ctx(opts?.context),
          reason: opts?.exceptId === undefined ? 'logout_all' : 'logout_others',
        }),
    },
    passwords: {
      requestReset: (email, context) => requestPasswordReset(rt, { email }, ctx(context)),
      reset: (input, context) => resetPassword(rt, input, ctx(context)),
      change: (input, context) => changePassword(rt, input, ctx(context)),
    },
    users: {
      get: (userId) => getUser(rt, userId),
      update: (userId, patch, context) => updateProfile(rt, { userId, ...patch }, ctx(context)),
      requestEmailChange: (input, context) => requestEmailChange(rt, input, ctx(context)),
      confirmEmailChange: (token, context) => confirmEmailChange(rt, { token }, ctx(context)),
      delete: (input, context) => deleteAccount(rt, input, ctx(context)),
    },
    audit: {
      list: (userId, opts) => listAudit(rt, userId, opts ?? {}),
    },
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
  return attachRuntime(auth, rt);
}
