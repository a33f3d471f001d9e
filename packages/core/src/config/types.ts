import type { RandomSource } from '../crypto/random.js';
import type { AuthEventListener } from '../events/types.js';
import type { Logger } from '../logging/logger.js';
import type { Mailer } from '../mail/types.js';
import type { OAuthConfig } from '../oauth/types.js';
import type { PasswordHasher } from '../password/hasher.js';
import type { LegacyHashCosts } from '../password/legacy-costs.js';
import type { SmsSender } from '../sms/types.js';
import type { JsonObject, JsonValue } from '../storage/types/json.js';
import type { Storage } from '../storage/types.js';
import type { Clock } from '../time/clock.js';
import type { UserFieldDefinitions } from '../users/fields.js';
import type { PublicUser } from '../users/public.js';

/** A throttling rule: at most `limit` hits per `windowSeconds`; `false` turns the rule off. */
export interface RateLimitRule {
  /** Hits allowed in one window. */
  limit: number;
  /** Length of the window, which starts at its first hit, in seconds. */
  windowSeconds: number;
  /** When set, reaching the limit locks the key for this many seconds (account lockout). */
  lockSeconds?: number;
}

/**
 * The `loginPerAccount` rule: a {@link RateLimitRule}, and what one counter (and its lock)
 * covers. See `docs/rate-limits.md`, "Lockout: by identifier, or by identifier and IP".
 */
export interface LoginPerAccountRule extends RateLimitRule {
  /**
   * `'identifier'` (default): one counter per normalized identifier, whoever types it. Anyone
   * who knows an address can lock its owner out (`limit` wrong passwords, default 5, lock it
   * for `lockSeconds`, default 15 min), but a botnet gets `limit` guesses per window in all.
   * `'identifier+ip'`: one counter per identifier and client IP (IPv6 per /64): failures from
   * one address lock that address only, so strangers cannot lock the owner out, but an
   * attacker with N addresses gets N × `limit` guesses per window; pair it with `loginPerIp`
   * and the password blocklist. A call without a known IP counts under the identifier alone.
   * Sign-ins and a signed-in user's password re-checks are keyed alike.
   */
  key?: 'identifier' | 'identifier+ip';
}

/** Names of the throttling rules; defaults in `docs/rate-limits.md`. */
export type RateLimitRuleName =
  | 'loginPerAccount'
  | 'loginPerIp'
  | 'passwordResetPerAddress'
  | 'passwordResetPerIp'
  | 'verificationResendPerAddress'
  | 'verificationResendPerIp'
  | 'secondFactorPerAccount'
  | 'codeSendPerAccount'
  | 'codeSendPerIp'
  | 'registerPerIp'
  | 'registerPerAddress'
  | 'emailChangePerAccount'
  | 'emailChangePerAddress'
  | 'mailPerRecipient'
  | 'oauthPerIp'
  | 'passkeyPerIp'
  | 'magicLinkPerAddress'
  | 'magicLinkPerIp'
  | 'magicLinkCodePerAddress'
  | 'magicLinkVerifyPerIp';

/** Session options. */
export interface SessionConfig {
  /** `'cookie'` (default; browser apps) or `'jwt'` (access JWT + rotating refresh token). */
  strategy?: 'cookie' | 'jwt';
  /** A session unused this long ends. Default 604800 (7 days). */
  idleTimeoutSeconds?: number;
  /** A session ends this long after sign-in, used or not. Default 2592000 (30 days). */
  absoluteTimeoutSeconds?: number;
  /** `lastSeenAt` is written at most once per this many seconds per session. Default 60. */
  touchIntervalSeconds?: number;
  /** How long after a sign-in or re-authentication sensitive operations are allowed. Default 600. */
  freshForSeconds?: number;
  /**
   * At most this many live sessions per user (OWASP ASVS 7.1.2): a sign-in beyond it ends the
   * user's oldest sessions. `false` (default): no limit.
   */
  maxPerUser?: number | false;
  /**
   * `jwt` strategy: for this many seconds after a refresh, presenting the refresh token it
   * replaced again answers with the same new refresh token (and a new access token) instead of
   * revoking the session as reuse, as long as that new token has not been used itself. A client
   * whose refresh answer was lost (a 503 after the rotation was written, a timeout, a dropped
   * connection) can retry it without being signed out; no second token family is ever made.
   * `0` turns it off: any second presentation is reuse. Default 30, at most 300.
   */
  refreshRetrySeconds?: number;
  /** Access tokens of the `jwt` strategy. */
  accessToken?: {
    /** Lifetime in seconds. Default 900 (15 min). */
    ttlSeconds?: number;
    /** `iss` claim. Default: the origin of `appUrl`. */
    issuer?: string;
    /** `aud` claim. Default: the origin of `appUrl`. */
    audience?: string;
    /** Clock skew tolerated on `exp`/`nbf`/`iat`, in seconds. Default 0. */
    leewaySeconds?: number;
    /**
     * Signing algorithm. `'HS256'` (default) uses a key derived from `secret`; `'EdDSA'` (Ed25519)
     * and `'ES256'` (P-256) sign with `privateKeys[0]` and publish the public keys at
     * `GET /jwks.json`, so other services verify tokens without the secret.
     */
    algorithm?: 'HS256' | 'EdDSA' | 'ES256';
    /**
     * Private JWKs for `EdDSA`/`ES256`, current first; the others still verify (rotation). Each
     * needs a `kid`. Required in production with an asymmetric algorithm; in development a
     * key is generated per process, with a warning.
     */
    privateKeys?: readonly JsonWebKey[];
    /**
     * Whether `verifyAccessToken` also checks that the session still lives (one store read per
     * call; revoked sessions are refused at once instead of at token expiry). Default false.
     */
    checkSession?: boolean;
    /**
     * Put the user's roles in every access token (a `roles` claim), so a service that verifies
     * tokens statelessly can check them without a store read. Off by default (token size); a
     * role change reaches tokens issued after it (at the next refresh, within `ttlSeconds`).
     */
    roles?: boolean;
    /**
     * The app's own claims (docs/jwt.md, "Claims of your own"): called for every access token
     * issued (sign-in, refresh) with the user (the public user, with the app's fields) and the
     * session, it returns a JSON object whose keys join the token's claims, and which
     * `verifyAccessToken` returns. The registered claims (`sub`, `sid`, `iat`, `exp`, `jti`,
     * `iss`, `aud`, `amr`, `roles`, `act`, `nbf`, …) cannot be set: a hook returning one fails
     * the sign-in or refresh (`INTERNAL`, logged), as does a hook that throws. Keep it small
     * and fast: it runs on every refresh, and the token travels with every request.
     */
    claims?: AccessTokenClaimsHook;
  };
}

/**
 * `session.accessToken.claims`: the app's own claims of an access token, from the user and the
 * session it is issued for. `C` is their type, which `verifyAccessToken` returns.
 */
export type AccessTokenClaimsHook<C extends JsonObject = JsonObject> = (
  user: PublicUser & { readonly [field: string]: JsonValue },
  session: ClaimsHookSession,
) => C | Promise<C>;

/** The session an access token is issued for, as `session.accessToken.claims` sees it. */
export interface ClaimsHookSession {
  /** The session id (the token's `sid`). */
  readonly id: string;
  /** When the session began (ISO 8601). */
  readonly createdAt: string;
  /** How the user authenticated (RFC 8176), as the token's `amr`. */
  readonly amr: readonly string[];
  /** The admin behind an impersonation (docs/impersonation.md), or `null`. */
  readonly impersonatedBy: string | null;
}

/** Password options. */
export interface PasswordConfig {
  /** Minimum length in Unicode code points, after NFKC. Default 8 (NIST SP 800-63B). */
  minLength?: number;
  /** Maximum length in code points. Default 256. */
  maxLength?: number;
  /** Refuse common passwords (the built-in list of 49,000+ from zxcvbn-ts). Default true. */
  blocklist?: boolean;
  /** Extra passwords refused outright, added to the blocklist (whole-password match, case-insensitive). Default none. */
  extraBlockedWords?: readonly string[];
  /** The hasher. Default: argon2id with the fastest backend available (see `createPasswordHasher`). */
  hasher?: PasswordHasher;
  /**
   * The costs of the legacy hashes (imported from Django or bcrypt) that accounts still hold,
   * for example `{ pbkdf2: { iterations: 1_000_000 } }`. When set, every password check (an
   * argon2id account, a legacy one, an unknown one) spends this legacy work as well as one
   * argon2id verification, so that answer times do not reveal which accounts are not yet
   * rehashed; a PBKDF2 hash with fewer iterations is padded up to `iterations`. Costs every
   * sign-in that much CPU: remove it once the legacy hashes are gone. Default unset: argon2id
   * work only, and the first legacy verification logs a warning. See docs/passwords.md.
   */
  legacyHashes?: LegacyHashCosts;
  /**
   * Bounds legacy verifications (PBKDF2, scrypt, bcrypt, foreign argon2; with `legacyHashes`,
   * the legacy part of every check) so they cannot starve argon2id: `concurrency` at once
   * (default half the available parallelism, at least 1), `maxWaiting` waiting (default 16);
   * one more is refused with `RATE_LIMITED` (`Retry-After: 1`).
   */
  legacyQueue?: { concurrency?: number; maxWaiting?: number };
}

/** One-time link options. */
export interface LinkConfig {
  /** Lifetime of the mailed token, in seconds. */
  tokenTtlSeconds?: number;
  /** Path of the app page that receives `?token=`; joined to `appUrl`. */
  path?: string;
}

/** Passkey (WebAuthn) options. See docs/passkeys.md. */
export interface PasskeyConfig {
  /**
   * The relying party id: the registrable domain the passkeys belong to. Default: the host name
   * of `appUrl`. A parent domain (`example.com` for `app.example.com`) lets sibling subdomains
   * share passkeys.
   */
  rpId?: string;
  /** The name authenticators show. Default `appName`. */
  rpName?: string;
  /**
   * Origins allowed besides `appUrl`'s (a native app's `android:apk-key-hash:...`, another
   * subdomain under `rpId`). Default none.
   */
  origins?: readonly string[];
  /** Lifetime of a registration or sign-in challenge, seconds. Default 300. */
  challengeTtlSeconds?: number;
}

/** Magic-link and email-code sign-in options. See docs/magic-links.md. */
export interface MagicLinkConfig extends LinkConfig {
  /**
   * Create an account for an unknown address on first use (its address verified by the link).
   * Default false: an unknown address gets no mail, and the same answer.
   */
  createAccounts?: boolean;
  /** Wrong codes a request survives before it ends. Default 5. */
  maxCodeAttempts?: number;
}

/** Second-factor options (used by the second-factor flows). */
export interface TwoFactorConfig {
  /** Lifetime of a login challenge, seconds. Default 600. */
  challengeTtlSeconds?: number;
  /** Wrong codes a challenge survives. Default 5. */
  challengeMaxAttempts?: number;
  /** Lifetime of an emailed or SMS code, seconds. Default 600. */
  otpTtlSeconds?: number;
  /** Wrong tries an emailed or SMS code survives. Default 5. */
  otpMaxAttempts?: number;
  /** How long "remember this device" lasts, seconds. Default 2592000 (30 days). */
  trustedDeviceTtlSeconds?: number;
  /** `issuer` in `otpauth://` URIs. Default: `appName`. */
  totpIssuer?: string;
  /**
   * Base32 characters of each recovery code (5 bits each), shown in groups of 4 with dashes.
   * Default 24 (120 bits), stored as SHA-256. Below 23 characters (112 bits, ASVS 6.5.2) codes
   * are stored as salted argon2id with the password hasher, so each sign-in with a recovery
   * code costs up to 10 hashes. From 12 (60 bits) to 64.
   */
  recoveryCodeCharacters?: number;
}

/** Cookie options of the HTTP layer. */
export interface CookieConfig {
  /** SameSite of the session, CSRF and device cookies. Default `'lax'`. */
  sameSite?: 'lax' | 'strict' | 'none';
  /** Domain attribute; only without the `__Host-` prefix. Default none. */
  domain?: string;
  /**
   * Development only: drops `Secure` and the `__Host-`/`__Secure-` prefixes so plain-http
   * origins other than localhost work. Refused when `production` is true. Default false.
   */
  insecureDevMode?: boolean;
}

/** HTTP options. */
export interface HttpConfig {
  /** Where the routes are mounted. Default `/api/auth`. */
  basePath?: string;
  /** Largest accepted request body, bytes. Default 16384. */
  bodyLimitBytes?: number;
  /** Origins trusted for cookie-authenticated writes, besides the origin of `appUrl`. */
  trustedOrigins?: readonly string[];
  /** Cross-origin apps answered with CORS (credentials allowed). Default none. */
  corsOrigins?: readonly string[];
  /** Where the `jwt` strategy puts the refresh token: HttpOnly cookie (default) or body. */
  refreshTokenTransport?: 'cookie' | 'body';
  /** Cookie attributes. */
  cookies?: CookieConfig;
  /**
   * Whether the handler serves the OpenAPI 3.1 document of the contract at
   * `GET {basePath}/openapi.json` (its `servers` entry is `appUrl` + `basePath`). Off, that path
   * answers 404 like any unknown route. Default `true` outside production and `false` in
   * production (`production`), where describing the API is opt-in.
   */
  openapi?: boolean;
}

/**
 * Everything `createAuth` accepts. Only `storage`, `mailer` and `appUrl` are required. `F` is the
 * app's own user fields (`user.fields`), which type the user objects of the returned `Auth`.
 */
export interface AuthConfig<
  F extends UserFieldDefinitions = UserFieldDefinitions,
  C extends JsonObject = JsonObject,
> {
  /** Where users, sessions and tokens live: `memoryStorage()`, a Postgres or Redis adapter, … */
  storage: Storage;
  /** How mail leaves: `consoleMailer()`, `memoryMailer()`, or the application's own. */
  mailer: Mailer;
  /**
   * How SMS codes leave (`consoleSmsSender()`, `memorySmsSender()`, or the application's own
   * {@link SmsSender}). Absent: phone verification and the `sms` second factor are unavailable.
   * Production refuses the console and memory senders.
   */
  sms?: SmsSender;
  /**
   * At least 32 bytes of secret, or `[current, ...previous]` to rotate (old data still
   * decrypts and verifies). Required in production; elsewhere a random one is made per process,
   * with a warning.
   */
  secret?: string | readonly string[];
  /** Base URL of the application, for links in mails and the trusted origin, e.g. `https://app.example.com`. */
  appUrl: string;
  /** Name shown in mails and authenticator apps. Default `'Portcullis'`. */
  appName?: string;
  /** Production rules (secret required, no insecure cookies). Default `process.env.NODE_ENV === 'production'`. */
  production?: boolean;
  /** Sessions; `accessToken.claims`' result type is `C`, what verified tokens carry. */
  session?: SessionConfig & { accessToken?: { claims?: AccessTokenClaimsHook<C> } };
  password?: PasswordConfig;
  /** Email verification: `required` (default true) and the link (default 86400 s, `/verify-email`). */
  emailVerification?: LinkConfig & { required?: boolean };
  /**
   * Registration. `signIn: true` signs the person in right after registering (Django's
   * `login()` after sign-up): only with `emailVerification.required: false` and a password in
   * the registration. Trade-off: registration then tells a new address (signed in, 200) from a
   * taken one (the usual 202), as Django's sign-up form does; see docs/register.md.
   */
  registration?: { signIn?: boolean };
  /**
   * The user model: the app's own fields (docs/user-fields.md), each a valibot schema, or
   * `{ schema, input, editable }` to let users set it at registration (`input`) or from their
   * profile (`editable`). Stored in the user's `metadata` under the field's name.
   */
  user?: { fields?: F };
  /** Password reset link (default 1800 s, `/reset-password`). */
  passwordReset?: LinkConfig;
  /** Email change confirmation link (default 86400 s, `/confirm-email`). */
  emailChange?: LinkConfig;
  /**
   * The link of an invitation (`auth.admin.users.create` without a password, docs/admin.md):
   * default 604800 s (7 days), and `passwordReset.path` (the page posts the token and the new
   * password to `POST /password/reset/confirm`).
   */
  invitation?: LinkConfig;
  /**
   * Throttling rules; any rule may be replaced or set to `false`. `loginPerAccount` also takes
   * a `key` ({@link LoginPerAccountRule}).
   */
  rateLimits?: Partial<Record<RateLimitRuleName, RateLimitRule | false>> & {
    loginPerAccount?: LoginPerAccountRule | false;
  };
  twoFactor?: TwoFactorConfig;
  /**
   * Social sign-in: the OAuth 2 / OpenID Connect providers offered (`google(...)`,
   * `github(...)`, `oidcProvider(...)`, ...). See docs/oauth.md.
   */
  oauth?: OAuthConfig;
  /**
   * Passkeys (WebAuthn): on by default (a user registers one from settings); `false` turns the
   * `/passkeys` routes and methods off. See docs/passkeys.md.
   */
  passkeys?: false | PasskeyConfig;
  /**
   * Sign-in by a mailed link or code: off unless set (`magicLink: {}` turns it on with the
   * defaults: 15 minutes, `/magic-link`, no account creation). See docs/magic-links.md.
   */
  magicLink?: MagicLinkConfig;
  /**
   * Roles and the permissions each grants (docs/roles.md), e.g.
   * `{ support: ['users:read', 'audit:read'], editor: ['posts:write'] }`. The `admin` role is
   * built in with every admin-API permission (`users:read`, `users:write`, `sessions:revoke`,
   * `audit:read`, `users:impersonate`); permissions listed for `admin` here are added to those.
   */
  roles?: Readonly<Record<string, readonly string[]>>;
  http?: HttpConfig;
  /**
   * Which proxies may set the client address: `false` (default: the socket address only), the
   * proxies' addresses or CIDR ranges (`['10.0.0.0/8', 'fd00::/8']`: `X-Forwarded-For` is read
   * only when the connecting peer is one of them), or a hop count (read from any peer: safe only
   * when nothing but your proxies can reach the app; production logs a warning). See
   * docs/configuration.md, "Proxies".
   */
  trustProxy?: false | number | readonly string[];
  /** Default: a console logger at level `info`. */
  logger?: Logger;
  /** Default: the system clock. Inject one to test expiry. */
  clock?: Clock;
  /** Default: Web Crypto. */
  random?: RandomSource;
  /** Receives every event (also written to `storage.audit` when it concerns a user). */
  onEvent?: AuthEventListener | readonly AuthEventListener[];
}
