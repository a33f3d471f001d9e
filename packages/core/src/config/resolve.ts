import * as v from 'valibot';
import { toBase64Url } from '../crypto/encoding.js';
import { type RandomSource, webCryptoRandom } from '../crypto/random.js';
import { AuthError, type AuthErrorDetail } from '../errors/auth-error.js';
import { consoleLogger, type Logger } from '../logging/logger.js';
import type { Mailer } from '../mail/index.js';
import type { PasswordHasher } from '../password/hasher.js';
import type { Storage } from '../storage/types.js';
import { type Clock, systemClock } from '../time/clock.js';
import { DEFAULT_RATE_LIMITS, DEFAULTS, MIN_SECRET_BYTES } from './defaults.js';
import { configSchema } from './schema.js';
import type {
  AuthConfig,
  CookieConfig,
  HttpConfig,
  LinkConfig,
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
  /** Current secret first, then previous ones. */
  readonly secrets: readonly string[];
  readonly appUrl: string;
  /** Origin of `appUrl` (scheme, host, port). */
  readonly appOrigin: string;
  readonly appName: string;
  readonly production: boolean;
  readonly session: Resolved<Omit<SessionConfig, 'accessToken'>> & {
    accessToken: Resolved<NonNullable<SessionConfig['accessToken']>>;
  };
  readonly password: Resolved<Omit<PasswordConfig, 'hasher'>> & { hasher?: PasswordHasher };
  readonly emailVerification: Resolved<LinkConfig> & { required: boolean };
  readonly passwordReset: Resolved<LinkConfig>;
  readonly emailChange: Resolved<LinkConfig>;
  readonly rateLimits: Readonly<Record<RateLimitRuleName, RateLimitRule | false>>;
  readonly twoFactor: Resolved<TwoFactorConfig>;
  readonly http: Resolved<Omit<HttpConfig, 'cookies'>> & {
    cookies: Resolved<Omit<CookieConfig, 'domain'>> & { domain?: string };
  };
  readonly trustProxy: false | number | readonly string[];
  readonly logger: Logger;
  readonly clock: Clock;
  readonly random: RandomSource;
}

/** Options of {@link resolveConfig} that come from the environment rather than the config. */
export interface ResolveEnvironment {
  /** Value of `NODE_ENV`. Default `process.env.NODE_ENV` where `process` exists. */
  nodeEnv?: string | undefined;
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
  const production = c.production ?? nodeEnv === 'production';
  const logger = c.logger ?? consoleLogger();
  const random = c.random ?? webCryptoRandom;
  const problems: AuthErrorDetail[] = [];

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

  const session = { ...DEFAULTS.session, ...c.session };
  if (session.idleTimeoutSeconds > session.absoluteTimeoutSeconds) {
    problems.push({
      path: 'session.idleTimeoutSeconds',
      message: 'must not exceed session.absoluteTimeoutSeconds',
    });
  }
  const password = { ...DEFAULTS.password, ...c.password };
  if (password.minLength > password.maxLength) {
    problems.push({ path: 'password.minLength', message: 'must not exceed password.maxLength' });
  }
  const cookies = { ...DEFAULTS.http.cookies, ...c.http?.cookies };
  if (production && cookies.insecureDevMode) {
    problems.push({ path: 'http.cookies.insecureDevMode', message: 'is refused in production' });
  }
  if (problems.length > 0) fail(problems);

  const appOrigin = new URL(c.appUrl).origin;
  const appName = c.appName ?? DEFAULTS.appName;
  return {
    storage: c.storage,
    mailer: c.mailer,
    secrets,
    appUrl: c.appUrl.replace(/\/+$/, ''),
    appOrigin,
    appName,
    production,
    session: {
      ...session,
      accessToken: {
        issuer: appOrigin,
        audience: appOrigin,
        ...DEFAULTS.session.accessToken,
        ...c.session?.accessToken,
      },
    },
    password,
    emailVerification: { ...DEFAULTS.emailVerification, ...c.emailVerification },
    passwordReset: { ...DEFAULTS.passwordReset, ...c.passwordReset },
    emailChange: { ...DEFAULTS.emailChange, ...c.emailChange },
    rateLimits: { ...DEFAULT_RATE_LIMITS, ...c.rateLimits },
    twoFactor: { ...DEFAULTS.twoFactor, totpIssuer: appName, ...c.twoFactor },
    http: {
      ...DEFAULTS.http,
      trustedOrigins: [],
      corsOrigins: [],
      ...c.http,
      cookies,
    },
    trustProxy: c.trustProxy ?? false,
    logger,
    clock: c.clock ?? systemClock,
    random,
  };
}
