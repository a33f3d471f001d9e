import * as v from 'valibot';
import { toBase64Url } from '../crypto/encoding.js';
import { type RandomSource, webCryptoRandom } from '../crypto/random.js';
import { AuthError, type AuthErrorDetail } from '../errors/auth-error.js';
import type { AuthEventListener } from '../events/types.js';
import { consoleLogger, type Logger } from '../logging/logger.js';
import type { Mailer } from '../mail/types.js';
import { checkProviders } from '../oauth/providers.js';
import type { OAuthConfig } from '../oauth/types.js';
import type { PasswordHasher } from '../password/hasher.js';
import type { LegacyHashCosts } from '../password/legacy-costs.js';
import type { SmsSender } from '../sms/types.js';
import type { Storage } from '../storage/types.js';
import { type Clock, systemClock } from '../time/clock.js';
import { type ResolvedUserField, resolveUserFields } from '../users/fields.js';
import { ADMIN_PERMISSIONS, ADMIN_ROLE, type RoleMap } from '../users/permissions.js';
import { DEFAULT_RATE_LIMITS, DEFAULTS, MIN_SECRET_BYTES } from './defaults.js';
import { configSchema } from './schema.js';
import type {
  AccessTokenClaimsHook,
  AuthConfig,
  CookieConfig,
  HttpConfig,
  LinkConfig,
  LoginPerAccountRule,
  MagicLinkConfig,
  PasswordConfig,
  RateLimitRule,
  RateLimitRuleName,
  SessionConfig,
  TwoFactorConfig,
} from './types.js';

/** `T` with every option present (its default applied). */
export type Resolved<T> = { -readonly [K in keyof T]-?: Exclude<T[K], undefined> };

/** The configuration with every default applied. */
export interface ResolvedConfig {
  readonly storage: Storage;
  readonly mailer: Mailer;
  /** The SMS sender; absent when SMS codes are unavailable. */
  readonly sms?: SmsSender;
  /** Current secret first, then previous ones. */
  readonly secrets: readonly string[];
  readonly appUrl: string;
  /** Origin of `appUrl` (scheme, host, port). */
  readonly appOrigin: string;
  readonly appName: string;
  readonly production: boolean;
  readonly session: Resolved<Omit<SessionConfig, 'accessToken'>> & {
    accessToken: Resolved<Omit<NonNullable<SessionConfig['accessToken']>, 'claims'>> & {
      /** The app's claims hook, when configured. */
      claims?: AccessTokenClaimsHook;
    };
  };
  readonly password: Resolved<Omit<PasswordConfig, 'hasher' | 'legacyHashes' | 'legacyQueue'>> & {
    hasher?: PasswordHasher;
    legacyHashes?: LegacyHashCosts;
    /** `concurrency` unset: the runtime takes half the available parallelism. */
    legacyQueue: { concurrency?: number; maxWaiting: number };
  };
  readonly emailVerification: Resolved<LinkConfig> & { required: boolean };
  /** Registration: `signIn` right after it (only without required verification). */
  readonly registration: { readonly signIn: boolean };
  /** The app's own user fields, checked (docs/user-fields.md). */
  readonly user: { readonly fields: readonly ResolvedUserField[] };
  readonly passwordReset: Resolved<LinkConfig>;
  readonly emailChange: Resolved<LinkConfig>;
  /** Invitation links; `path` is `passwordReset.path` unless set. */
  readonly invitation: Resolved<LinkConfig>;
  readonly rateLimits: Readonly<Record<RateLimitRuleName, RateLimitRule | false>> & {
    /** With its `key` when one was configured (absent: `'identifier'`). */
    readonly loginPerAccount: LoginPerAccountRule | false;
  };
  readonly twoFactor: Resolved<TwoFactorConfig>;
  /** Social sign-in, when providers are configured. */
  readonly oauth?: OAuthConfig;
  /** Passkeys; `false` when turned off. */
  readonly passkeys:
    | false
    | {
        readonly rpId: string;
        readonly rpName: string;
        /** `appUrl`'s origin first, then the configured ones. */
        readonly origins: readonly string[];
        readonly challengeTtlSeconds: number;
      };
  /** Magic links and email codes, when turned on. */
  readonly magicLink?: Resolved<MagicLinkConfig>;
  /** Role → permissions; `admin` always holds every admin-API permission. */
  readonly roles: RoleMap;
  readonly http: Resolved<Omit<HttpConfig, 'cookies'>> & {
    cookies: Resolved<Omit<CookieConfig, 'domain'>> & { domain?: string };
  };
  readonly trustProxy: false | number | readonly string[];
  readonly logger: Logger;
  readonly clock: Clock;
  readonly random: RandomSource;
  /** Event listeners (`onEvent`), as a list. */
  readonly onEvent: readonly AuthEventListener[];
}

/** Options of `resolveConfig` that come from the environment rather than the config. */
export interface ResolveEnvironment {
  /** Value of `NODE_ENV`. Default `process.env.NODE_ENV` where `process` exists. */
  nodeEnv?: string | undefined;
}

/**
 * The keys of `value` whose value is not `undefined`. Valibot's `optional` lets an explicit
 * `undefined` through, and spreading it over a default would erase the default (an
 * `otpMaxAttempts: undefined` would mean unlimited guesses).
 */
function defined<T extends object>(value: T | undefined): Partial<T> {
  if (value === undefined) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function fail(details: AuthErrorDetail[]): never {
  const summary = details.map((d) => `${d.path}: ${d.message}`).join('; ');
  throw new AuthError('CONFIG_INVALID', {
    message: `Invalid Portcullis configuration: ${summary}`,
    details,
  });
}

/**
 * Validates a configuration and applies the defaults.
 * @throws AuthError `CONFIG_INVALID`, whose message and `details` name each wrong field; in
 * production also for a missing or short (< 32 bytes) secret and for insecure cookie mode.
 */
export function resolveConfig(input: AuthConfig, env: ResolveEnvironment = {}): ResolvedConfig {
  const parsed = v.safeParse(configSchema, input);
  if (!parsed.success) {
    fail(parsed.issues.map((i) => ({ path: v.getDotPath(i) ?? '(config)', message: i.message })));
  }
  const c = input;
  const nodeEnv = 'nodeEnv' in env ? env.nodeEnv : globalThis.process?.env?.NODE_ENV;
  // Either signal switches production rules on; `production: false` cannot switch them off
  // under NODE_ENV=production (a stray flag must not boot production with a random secret).
  const production = c.production === true || nodeEnv === 'production';
  const logger = c.logger ?? consoleLogger();
  const random = c.random ?? webCryptoRandom;
  const problems: AuthErrorDetail[] = [];
  // Every token, code and salt comes from this source (OWASP ASVS 6.5.3): a custom one is for
  // tests. Production starts with it only with a loud warning on every start.
  if (production && c.random !== undefined && c.random !== webCryptoRandom) {
    logger.error(
      'SECURITY: a custom `random` source is configured in production. Every session token, code and salt comes from it; use the default (Web Crypto) unless it is a vetted CSPRNG.',
    );
  }

  // A hop count reads X-Forwarded-For from whoever connects: a client that reaches the app
  // without going through the proxies picks its own address (and its own rate-limit budget).
  if (production && typeof c.trustProxy === 'number') {
    logger.warn(
      'trustProxy is a hop count: X-Forwarded-For is believed from any peer. Unless nothing but your proxies can reach this app, list their addresses or CIDR ranges instead (docs/configuration.md, "Proxies").',
    );
  }

  let secrets =
    c.secret === undefined ? [] : typeof c.secret === 'string' ? [c.secret] : [...c.secret];
  const short = secrets.findIndex((s) => new TextEncoder().encode(s).length < MIN_SECRET_BYTES);
  if (production && secrets.length === 0) {
    problems.push({
      path: 'secret',
      message: `is required in production (at least ${MIN_SECRET_BYTES} bytes)`,
    });
  } else if (production && short >= 0) {
    problems.push({
      path: typeof c.secret === 'string' ? 'secret' : `secret.${short}`,
      message: `must be at least ${MIN_SECRET_BYTES} bytes in production`,
    });
  } else if (secrets.length === 0) {
    secrets = [toBase64Url(random.bytes(32))];
    logger.warn(
      'No secret configured: using a random one for this process. Sessions and encrypted data will not survive a restart. Set a secret of at least 32 bytes (required in production).',
    );
  } else if (short >= 0) {
    logger.warn(`The secret is shorter than ${MIN_SECRET_BYTES} bytes; production will refuse it.`);
  }

  const session = { ...DEFAULTS.session, ...defined(c.session) };
  if (session.idleTimeoutSeconds > session.absoluteTimeoutSeconds) {
    problems.push({
      path: 'session.idleTimeoutSeconds',
      message: 'must not exceed session.absoluteTimeoutSeconds',
    });
  }
  const password = {
    ...DEFAULTS.password,
    ...defined(c.password),
    legacyQueue: { ...DEFAULTS.password.legacyQueue, ...defined(c.password?.legacyQueue) },
  };
  if (password.minLength > password.maxLength) {
    problems.push({ path: 'password.minLength', message: 'must not exceed password.maxLength' });
  }
  const cookies = { ...DEFAULTS.http.cookies, ...defined(c.http?.cookies) };
  const accessToken = { ...DEFAULTS.session.accessToken, ...defined(c.session?.accessToken) };
  if (production && accessToken.algorithm !== 'HS256' && accessToken.privateKeys.length === 0) {
    problems.push({
      path: 'session.accessToken.privateKeys',
      message: `is required in production with ${accessToken.algorithm}`,
    });
  }
  if (production && (c.mailer as { developmentOnly?: boolean }).developmentOnly === true) {
    problems.push({
      path: 'mailer',
      message: 'is a development mailer (it prints tokens); refused in production',
    });
  }
  if (
    production &&
    (c.sms as { developmentOnly?: boolean } | undefined)?.developmentOnly === true
  ) {
    problems.push({
      path: 'sms',
      message: 'is a development SMS sender (it prints or keeps codes); refused in production',
    });
  }
  if (production && cookies.insecureDevMode) {
    problems.push({ path: 'http.cookies.insecureDevMode', message: 'is refused in production' });
  }
  if (c.registration?.signIn === true && c.emailVerification?.required !== false) {
    problems.push({
      path: 'registration.signIn',
      message:
        'needs emailVerification.required: false (an unverified account cannot sign in, so it cannot be signed in at registration)',
    });
  }
  if (problems.length > 0) fail(problems);

  const appOrigin = new URL(c.appUrl).origin;
  const appName = c.appName ?? DEFAULTS.appName;
  return {
    storage: c.storage,
    mailer: c.mailer,
    ...(c.sms === undefined ? {} : { sms: c.sms }),
    secrets,
    appUrl: c.appUrl.replace(/\/+$/, ''),
    appOrigin,
    appName,
    production,
    session: {
      ...session,
      accessToken: { issuer: appOrigin, audience: appOrigin, ...accessToken },
    },
    password,
    emailVerification: { ...DEFAULTS.emailVerification, ...defined(c.emailVerification) },
    registration: { signIn: c.registration?.signIn === true },
    user: { fields: resolveUserFields(c.user?.fields) },
    passwordReset: { ...DEFAULTS.passwordReset, ...defined(c.passwordReset) },
    emailChange: { ...DEFAULTS.emailChange, ...defined(c.emailChange) },
    invitation: {
      path: c.passwordReset?.path ?? DEFAULTS.passwordReset.path,
      ...DEFAULTS.invitation,
      ...defined(c.invitation),
    },
    rateLimits: { ...DEFAULT_RATE_LIMITS, ...defined(c.rateLimits) },
    twoFactor: { ...DEFAULTS.twoFactor, totpIssuer: appName, ...defined(c.twoFactor) },
    ...(c.oauth === undefined ? {} : { oauth: resolveOAuth(c.oauth, production) }),
    passkeys:
      c.passkeys === false
        ? false
        : {
            rpId: c.passkeys?.rpId ?? new URL(c.appUrl).hostname,
            rpName: c.passkeys?.rpName ?? appName,
            origins: [appOrigin, ...(c.passkeys?.origins ?? [])],
            challengeTtlSeconds:
              c.passkeys?.challengeTtlSeconds ?? DEFAULTS.passkeys.challengeTtlSeconds,
          },
    ...(c.magicLink === undefined
      ? {}
      : { magicLink: { ...DEFAULTS.magicLink, ...defined(c.magicLink) } }),
    roles: resolveRoles(c.roles),
    http: {
      ...DEFAULTS.http,
      ...defined(c.http),
      // Origins only: a configured path or trailing slash must not make a trusted origin fail
      // to match (or a path-scoped entry look like a different origin).
      trustedOrigins: (c.http?.trustedOrigins ?? []).map((u) => new URL(u).origin),
      corsOrigins: (c.http?.corsOrigins ?? []).map((u) => new URL(u).origin),
      openapi: c.http?.openapi ?? !production,
      cookies,
    },
    trustProxy: c.trustProxy ?? false,
    logger,
    clock: c.clock ?? systemClock,
    random,
    onEvent:
      c.onEvent === undefined ? [] : typeof c.onEvent === 'function' ? [c.onEvent] : [...c.onEvent],
  };
}

/** The role map: the configured roles, and `admin` with every admin-API permission. */
function resolveRoles(roles: AuthConfig['roles']): RoleMap {
  const map: Record<string, readonly string[]> = Object.create(null);
  for (const [role, permissions] of Object.entries(roles ?? {})) {
    map[role] = Object.freeze([...new Set(permissions)]);
  }
  map[ADMIN_ROLE] = Object.freeze([...new Set([...ADMIN_PERMISSIONS, ...(map[ADMIN_ROLE] ?? [])])]);
  return Object.freeze(map);
}

/**
 * Checks the social sign-in providers: ids well-formed and unique; an `http://` issuer or
 * endpoint only on a loopback address with `allowInsecureLoopback`, and never in production.
 * @throws AuthError `CONFIG_INVALID`
 */
function resolveOAuth(oauth: OAuthConfig, production: boolean): OAuthConfig {
  checkProviders(oauth.providers);
  for (const p of oauth.providers) {
    const urls = [p.issuer, p.endpoints?.authorization, p.endpoints?.token, p.endpoints?.userinfo];
    for (const raw of urls) {
      if (raw === undefined) continue;
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new AuthError('CONFIG_INVALID', {
          message: `OAuth provider ${p.id}: ${raw} is not a URL`,
        });
      }
      if (url.protocol === 'https:') continue;
      const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
      if (url.protocol !== 'http:' || !loopback || p.allowInsecureLoopback !== true || production) {
        throw new AuthError('CONFIG_INVALID', {
          message: `OAuth provider ${p.id}: ${url.origin} must be https (http only on a loopback address with allowInsecureLoopback, outside production)`,
        });
      }
    }
  }
  return oauth;
}
