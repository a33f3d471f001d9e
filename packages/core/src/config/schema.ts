import * as v from 'valibot';
import { STORE_NAMES } from '../storage/types.js';
import { parseProxyRange } from './trust-proxy.js';

const seconds = (max: number) =>
  v.optional(
    v.pipe(
      v.number('must be a number'),
      v.integer('must be a whole number of seconds'),
      v.minValue(1, 'must be at least 1'),
      v.maxValue(max, `must be at most ${max}`),
    ),
  );
const count = v.optional(
  v.pipe(
    v.number('must be a number'),
    v.integer('must be a whole number'),
    v.minValue(1, 'must be at least 1'),
  ),
);
const path = v.optional(
  v.pipe(v.string('must be a string'), v.startsWith('/', 'must start with "/"')),
);
const origin = v.pipe(v.string('must be a string'), v.url('must be an absolute URL'));
const YEAR = 366 * 24 * 3600;
const methods = (names: readonly string[]) => (value: unknown) =>
  typeof value === 'object' &&
  value !== null &&
  names.every((n) => typeof (value as Record<string, unknown>)[n] === 'function');

const link = { tokenTtlSeconds: seconds(30 * 24 * 3600), path };
const rule = v.union(
  [
    v.literal(false),
    v.strictObject({
      limit: v.pipe(v.number(), v.integer(), v.minValue(1)),
      windowSeconds: v.pipe(v.number(), v.integer(), v.minValue(1)),
      lockSeconds: seconds(YEAR),
    }),
  ],
  'must be false or { limit, windowSeconds, lockSeconds? } with positive whole numbers',
);

const loginRule = v.union(
  [
    v.literal(false),
    v.strictObject({
      limit: v.pipe(v.number(), v.integer(), v.minValue(1)),
      windowSeconds: v.pipe(v.number(), v.integer(), v.minValue(1)),
      lockSeconds: seconds(YEAR),
      key: v.optional(v.picklist(['identifier', 'identifier+ip'])),
    }),
  ],
  "must be false or { limit, windowSeconds, lockSeconds?, key? } with positive whole numbers and key 'identifier' or 'identifier+ip'",
);

const stores = STORE_NAMES;

/**
 * The configuration's shape. Strict objects: an unknown key (a typo like `sesion`) is an
 * error that names it, rather than a setting silently ignored.
 */
export const configSchema = v.strictObject({
  storage: v.custom(
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      stores.every(
        (s) =>
          typeof (value as Record<string, unknown>)[s] === 'object' &&
          (value as Record<string, unknown>)[s] !== null,
      ),
    `must be a Storage with the stores ${stores.join(', ')} (memoryStorage(), composeStorage({...}), an adapter)`,
  ),
  mailer: v.custom(methods(['send']), 'must be a Mailer with a send(message) method'),
  sms: v.optional(v.custom(methods(['send']), 'must be an SmsSender with a send(message) method')),
  secret: v.optional(
    v.union(
      [v.string(), v.pipe(v.array(v.string()), v.minLength(1))],
      'must be a string or a non-empty array of strings',
    ),
  ),
  appUrl: v.pipe(
    origin,
    v.check((u) => /^https?:\/\//.test(u), 'must be an http(s) URL'),
  ),
  appName: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(100))),
  production: v.optional(v.boolean('must be true or false')),
  session: v.optional(
    v.strictObject({
      strategy: v.optional(v.picklist(['cookie', 'jwt'], 'must be "cookie" or "jwt"')),
      idleTimeoutSeconds: seconds(YEAR),
      absoluteTimeoutSeconds: seconds(5 * YEAR),
      touchIntervalSeconds: seconds(24 * 3600),
      freshForSeconds: seconds(24 * 3600),
      maxPerUser: v.optional(
        v.union(
          [v.literal(false), v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10_000))],
          'must be false or a whole number from 1 to 10000',
        ),
      ),
      refreshRetrySeconds: v.optional(
        v.pipe(
          v.number('must be a number'),
          v.integer('must be a whole number of seconds'),
          v.minValue(0, 'must be at least 0'),
          v.maxValue(300, 'must be at most 300'),
        ),
      ),
      accessToken: v.optional(
        v.strictObject({
          ttlSeconds: seconds(24 * 3600),
          roles: v.optional(v.boolean('must be true or false')),
          claims: v.optional(v.function('must be a function (user, session) => claims')),
          issuer: v.optional(v.pipe(v.string(), v.minLength(1))),
          audience: v.optional(v.pipe(v.string(), v.minLength(1))),
          leewaySeconds: v.optional(
            v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(300, 'must be at most 300')),
          ),
          algorithm: v.optional(
            v.picklist(['HS256', 'EdDSA', 'ES256'], 'must be "HS256", "EdDSA" or "ES256"'),
          ),
          privateKeys: v.optional(
            v.pipe(
              v.array(
                v.looseObject({
                  kty: v.string('must be a JWK (kty)'),
                  kid: v.pipe(v.string('needs a kid'), v.minLength(1)),
                  d: v.string('must be a private JWK (d)'),
                }),
              ),
              v.minLength(1, 'must hold at least one key'),
            ),
          ),
          checkSession: v.optional(v.boolean()),
        }),
      ),
    }),
  ),
  password: v.optional(
    v.strictObject({
      minLength: v.optional(
        v.pipe(
          v.number(),
          v.integer(),
          v.minValue(8, 'must be at least 8 (NIST SP 800-63B)'),
          v.maxValue(256),
        ),
      ),
      maxLength: v.optional(
        v.pipe(
          v.number(),
          v.integer(),
          v.minValue(64, 'must be at least 64 (NIST SP 800-63B)'),
          v.maxValue(4096),
        ),
      ),
      blocklist: v.optional(v.boolean()),
      extraBlockedWords: v.optional(v.array(v.string())),
      hasher: v.optional(
        v.custom(methods(['hash', 'verify', 'needsRehash']), 'must be a PasswordHasher'),
      ),
      // Within the bounds a stored hash may have (password/legacy/*): costs beyond them would
      // pad every check up to work that no accepted hash can need.
      legacyHashes: v.optional(
        v.strictObject({
          pbkdf2: v.optional(
            v.strictObject({
              iterations: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10_000_000)),
              digest: v.optional(v.picklist(['sha256', 'sha1'])),
            }),
          ),
          scrypt: v.optional(
            v.strictObject({
              cost: v.pipe(
                v.number(),
                v.integer(),
                v.minValue(2),
                v.maxValue(1_048_576),
                v.check((n) => (n & (n - 1)) === 0, 'must be a power of two'),
              ),
              blockSize: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(32)),
              parallelism: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(16)),
            }),
          ),
          bcrypt: v.optional(
            v.strictObject({
              cost: v.pipe(v.number(), v.integer(), v.minValue(4), v.maxValue(16)),
            }),
          ),
        }),
      ),
      legacyQueue: v.optional(
        v.strictObject({
          concurrency: count,
          maxWaiting: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
        }),
      ),
    }),
  ),
  emailVerification: v.optional(v.strictObject({ ...link, required: v.optional(v.boolean()) })),
  registration: v.optional(v.strictObject({ signIn: v.optional(v.boolean('must be a boolean')) })),
  // The field definitions themselves are checked by `resolveUserFields` (valibot schemas).
  user: v.optional(v.strictObject({ fields: v.optional(v.record(v.string(), v.unknown())) })),
  passwordReset: v.optional(v.strictObject(link)),
  emailChange: v.optional(v.strictObject(link)),
  invitation: v.optional(v.strictObject(link)),
  passkeys: v.optional(
    v.union(
      [
        v.literal(false),
        v.strictObject({
          rpId: v.optional(
            v.pipe(
              v.string('must be a string'),
              v.regex(/^[a-z0-9.-]+$/i, 'must be a host name (no scheme, port or path)'),
            ),
          ),
          rpName: v.optional(v.pipe(v.string('must be a string'), v.minLength(1))),
          origins: v.optional(
            v.array(
              v.pipe(
                v.string('must be a string'),
                v.regex(
                  /^[a-z][a-z0-9+.-]*:\S+$/i,
                  'must be an origin (https://… or an app origin)',
                ),
              ),
            ),
          ),
          challengeTtlSeconds: seconds(3600),
        }),
      ],
      'must be false or passkey options',
    ),
  ),
  roles: v.optional(
    v.record(
      v.pipe(
        v.string(),
        v.regex(
          /^[A-Za-z][A-Za-z0-9_.:-]{0,63}$/,
          'role names are 1 to 64 letters, digits, _ . : -',
        ),
      ),
      v.array(
        v.pipe(
          v.string('permissions are strings'),
          v.regex(
            /^[A-Za-z][A-Za-z0-9_.:*-]{0,127}$/,
            'permissions are 1 to 128 letters, digits, _ . : * -',
          ),
        ),
      ),
    ),
  ),
  magicLink: v.optional(
    v.strictObject({
      tokenTtlSeconds: seconds(24 * 3600),
      path,
      createAccounts: v.optional(v.boolean('must be a boolean')),
      maxCodeAttempts: v.optional(
        v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10, 'must be at most 10')),
      ),
    }),
  ),
  rateLimits: v.optional(
    v.strictObject({
      loginPerAccount: v.optional(loginRule),
      loginPerIp: v.optional(rule),
      passwordResetPerAddress: v.optional(rule),
      passwordResetPerIp: v.optional(rule),
      verificationResendPerAddress: v.optional(rule),
      verificationResendPerIp: v.optional(rule),
      secondFactorPerAccount: v.optional(rule),
      codeSendPerAccount: v.optional(rule),
      codeSendPerIp: v.optional(rule),
      registerPerIp: v.optional(rule),
      registerPerAddress: v.optional(rule),
      emailChangePerAccount: v.optional(rule),
      emailChangePerAddress: v.optional(rule),
      mailPerRecipient: v.optional(rule),
      oauthPerIp: v.optional(rule),
      passkeyPerIp: v.optional(rule),
      magicLinkPerAddress: v.optional(rule),
      magicLinkPerIp: v.optional(rule),
      magicLinkCodePerAddress: v.optional(rule),
      magicLinkVerifyPerIp: v.optional(rule),
    }),
  ),
  twoFactor: v.optional(
    v.strictObject({
      challengeTtlSeconds: seconds(3600),
      challengeMaxAttempts: count,
      otpTtlSeconds: seconds(3600),
      otpMaxAttempts: count,
      trustedDeviceTtlSeconds: seconds(YEAR),
      totpIssuer: v.optional(
        v.pipe(
          v.string(),
          v.minLength(1),
          v.check((s) => !s.includes(':'), 'must not contain ":"'),
        ),
      ),
      recoveryCodeCharacters: v.optional(
        v.pipe(
          v.number('must be a number'),
          v.integer('must be a whole number'),
          v.minValue(12, 'must be at least 12 (60 bits)'),
          v.maxValue(64, 'must be at most 64'),
        ),
      ),
    }),
  ),
  oauth: v.optional(
    v.strictObject({
      providers: v.array(
        v.custom(
          (p) =>
            typeof p === 'object' &&
            p !== null &&
            typeof (p as { id?: unknown }).id === 'string' &&
            typeof (p as { clientId?: unknown }).clientId === 'string' &&
            typeof (p as { profile?: unknown }).profile === 'function' &&
            ['oidc', 'oauth2'].includes((p as { kind?: unknown }).kind as string),
          'must be a provider (from a preset such as google(...) or oidcProvider(...))',
        ),
      ),
      callbackUrl: v.optional(v.custom((f) => typeof f === 'function', 'must be a function')),
      signInPath: v.optional(
        v.pipe(v.string(), v.regex(/^\/[\x21-\x7e]*$/, 'must be a path starting with /')),
      ),
      fetch: v.optional(v.custom((f) => typeof f === 'function', 'must be a function')),
    }),
  ),
  http: v.optional(
    v.strictObject({
      basePath: v.optional(
        v.pipe(
          v.string(),
          v.regex(
            /^(\/[A-Za-z0-9._~-]+)*$/,
            'must be "" or a path like /api/auth without a trailing slash',
          ),
        ),
      ),
      bodyLimitBytes: v.optional(
        v.pipe(
          v.number(),
          v.integer(),
          v.minValue(1024, 'must be at least 1024'),
          v.maxValue(1024 * 1024, 'must be at most 1048576'),
        ),
      ),
      trustedOrigins: v.optional(v.array(origin)),
      corsOrigins: v.optional(v.array(origin)),
      refreshTokenTransport: v.optional(
        v.picklist(['cookie', 'body'], 'must be "cookie" or "body"'),
      ),
      openapi: v.optional(v.boolean('must be true or false')),
      cookies: v.optional(
        v.strictObject({
          sameSite: v.optional(
            v.picklist(['lax', 'strict', 'none'], 'must be "lax", "strict" or "none"'),
          ),
          domain: v.optional(v.pipe(v.string(), v.minLength(1))),
          insecureDevMode: v.optional(v.boolean()),
        }),
      ),
    }),
  ),
  trustProxy: v.optional(
    v.union(
      [
        v.literal(false),
        v.pipe(v.number(), v.integer(), v.minValue(1)),
        v.array(
          v.pipe(
            v.string(),
            v.check(
              (entry) => parseProxyRange(entry.trim()) !== undefined,
              'must be an IP address or a CIDR range (10.0.0.0/8, fd00::/8)',
            ),
          ),
        ),
      ],
      'must be false, a hop count, or a list of proxy addresses and CIDR ranges',
    ),
  ),
  logger: v.optional(
    v.custom(
      methods(['debug', 'info', 'warn', 'error']),
      'must be a Logger with debug, info, warn and error',
    ),
  ),
  clock: v.optional(v.custom(methods(['now']), 'must be a Clock with now()')),
  onEvent: v.optional(
    v.union(
      [v.custom((f) => typeof f === 'function'), v.array(v.custom((f) => typeof f === 'function'))],
      'must be a function or an array of functions',
    ),
  ),
  random: v.optional(v.custom(methods(['bytes']), 'must be a RandomSource with bytes(length)')),
});
