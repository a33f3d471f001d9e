import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.js';
import type { AuthConfig } from '../../src/config/types.js';
import { AuthError } from '../../src/errors/auth-error.js';
import { type Logger, silentLogger } from '../../src/logging/logger.js';

// Config validation only checks shapes; these stand-ins are enough for it.
const storage = {
  users: {},
  accounts: {},
  passkeys: {},
  sessions: {},
  tokens: {},
  twoFactor: {},
  rateLimits: {},
  audit: {},
} as unknown as AuthConfig['storage'];
const mailer: AuthConfig['mailer'] = { send: async () => {} };
const SECRET = 's'.repeat(32);
const base = (over: Partial<AuthConfig> = {}): AuthConfig => ({
  storage,
  mailer,
  appUrl: 'https://app.example.com',
  secret: SECRET,
  logger: silentLogger,
  ...over,
});

function configError(input: unknown, env: { nodeEnv?: string } = {}): AuthError {
  try {
    resolveConfig(input as AuthConfig, env);
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError);
    return error as AuthError;
  }
  throw new Error('expected resolveConfig to throw');
}

describe('resolveConfig: defaults from the HTTP contract', () => {
  it('applies every documented default', () => {
    const c = resolveConfig(base(), { nodeEnv: 'test' });
    expect(c.session).toMatchObject({
      strategy: 'cookie',
      idleTimeoutSeconds: 7 * 86400,
      absoluteTimeoutSeconds: 30 * 86400,
      freshForSeconds: 600,
    });
    expect(c.session.accessToken).toEqual({
      ttlSeconds: 900,
      leewaySeconds: 0,
      algorithm: 'HS256',
      privateKeys: [],
      checkSession: false,
      roles: false,
      issuer: 'https://app.example.com',
      audience: 'https://app.example.com',
    });
    expect(c.emailVerification).toEqual({
      required: true,
      tokenTtlSeconds: 86400,
      path: '/verify-email',
    });
    expect(c.passwordReset).toEqual({ tokenTtlSeconds: 1800, path: '/reset-password' });
    expect(c.password).toMatchObject({ minLength: 8, maxLength: 256, blocklist: true });
    expect(c.rateLimits.loginPerAccount).toEqual({
      limit: 5,
      windowSeconds: 900,
      lockSeconds: 900,
    });
    expect(c.rateLimits.loginPerIp).toEqual({ limit: 100, windowSeconds: 900 });
    expect(c.rateLimits.passwordResetPerAddress).toEqual({ limit: 3, windowSeconds: 3600 });
    expect(c.rateLimits.passwordResetPerIp).toEqual({ limit: 20, windowSeconds: 3600 });
    expect(c.rateLimits.secondFactorPerAccount).toEqual({
      limit: 10,
      windowSeconds: 900,
      lockSeconds: 900,
    });
    expect(c.rateLimits.codeSendPerAccount).toEqual({ limit: 3, windowSeconds: 600 });
    expect(c.twoFactor).toMatchObject({
      challengeTtlSeconds: 600,
      challengeMaxAttempts: 5,
      trustedDeviceTtlSeconds: 30 * 86400,
      totpIssuer: 'Portcullis',
    });
    expect(c.http).toMatchObject({
      basePath: '/api/auth',
      bodyLimitBytes: 16384,
      refreshTokenTransport: 'cookie',
      cookies: { sameSite: 'lax', insecureDevMode: false },
    });
    expect(c.trustProxy).toBe(false);
  });

  it('lets any rule be replaced or switched off, keeping the others', () => {
    const c = resolveConfig(
      base({
        rateLimits: { loginPerIp: false, loginPerAccount: { limit: 10, windowSeconds: 60 } },
      }),
    );
    expect(c.rateLimits.loginPerIp).toBe(false);
    expect(c.rateLimits.loginPerAccount).toEqual({ limit: 10, windowSeconds: 60 });
    expect(c.rateLimits.passwordResetPerIp).toEqual({ limit: 20, windowSeconds: 3600 });
  });

  it('accepts [current, ...previous] secrets for rotation', () => {
    expect(resolveConfig(base({ secret: [SECRET, 't'.repeat(40)] })).secrets).toEqual([
      SECRET,
      't'.repeat(40),
    ]);
  });
});

describe('resolveConfig: errors name the wrong field', () => {
  it.each([
    ['session.idleTimeoutSeconds', { session: { idleTimeoutSeconds: -1 } }],
    ['session.strategy', { session: { strategy: 'jwe' } }],
    ['appUrl', { appUrl: 'not a url' }],
    ['storage', { storage: { users: {} } }],
    ['mailer', { mailer: {} }],
    ['password.minLength', { password: { minLength: 4 } }],
    ['rateLimits.loginPerIp', { rateLimits: { loginPerIp: { limit: 0, windowSeconds: 10 } } }],
    ['http.cookies.sameSite', { http: { cookies: { sameSite: 'loose' } } }],
    ['trustProxy', { trustProxy: ['not-an-ip'] }],
  ])('%s', (path, over) => {
    const error = configError(base(over as Partial<AuthConfig>));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.details?.map((d) => d.path).some((p) => p.startsWith(path))).toBe(true);
    expect(error.message).toContain(path);
  });

  it('names an unknown key (a typo) instead of ignoring it', () => {
    const error = configError({ ...base(), sesion: { strategy: 'jwt' } });
    expect(error.message).toContain('sesion');
  });

  it('refuses an idle timeout longer than the absolute lifetime', () => {
    const error = configError(
      base({ session: { idleTimeoutSeconds: 100, absoluteTimeoutSeconds: 50 } }),
    );
    expect(error.details?.[0]?.path).toBe('session.idleTimeoutSeconds');
  });
});

describe('resolveConfig: secrets in production', () => {
  it('refuses a missing secret when NODE_ENV=production', () => {
    const { secret: _omit, ...noSecret } = base();
    const error = configError(noSecret, { nodeEnv: 'production' });
    expect(error.details).toEqual([
      { path: 'secret', message: expect.stringContaining('required in production') },
    ]);
  });

  it('refuses a secret shorter than 32 bytes, current or previous, in production', () => {
    expect(
      configError(base({ secret: 'x'.repeat(31) }), { nodeEnv: 'production' }).details?.[0]?.path,
    ).toBe('secret');
    expect(
      configError(base({ secret: [SECRET, 'short'] }), { nodeEnv: 'production' }).details?.[0]
        ?.path,
    ).toBe('secret.1');
  });

  it('counts bytes, not characters (31 ASCII + one 2-byte character is 33 bytes)', () => {
    expect(
      resolveConfig(base({ secret: `${'x'.repeat(31)}é` }), { nodeEnv: 'production' }).secrets,
    ).toHaveLength(1);
  });

  it('refuses the insecure cookie mode in production, and production: true overrides NODE_ENV', () => {
    const error = configError(
      base({ production: true, http: { cookies: { insecureDevMode: true } } }),
      { nodeEnv: 'development' },
    );
    expect(error.details?.[0]?.path).toBe('http.cookies.insecureDevMode');
  });

  it('outside production, makes a random secret and warns, without logging it', () => {
    const lines: string[] = [];
    const logger: Logger = { ...silentLogger, warn: (m) => lines.push(m) };
    const { secret: _omit, ...noSecret } = base();
    const a = resolveConfig({ ...noSecret, logger }, { nodeEnv: 'development' });
    const b = resolveConfig({ ...noSecret, logger }, { nodeEnv: 'development' });
    expect(a.secrets[0]).toHaveLength(43);
    expect(a.secrets[0]).not.toBe(b.secrets[0]);
    expect(lines).toHaveLength(2);
    expect(lines.join('\n')).not.toContain(a.secrets[0] as string);
  });
});

describe('resolveConfig: review fixes', () => {
  it('an explicit undefined keeps the default (never unlimited attempts or no timeout)', () => {
    const c = resolveConfig(
      base({
        twoFactor: { challengeMaxAttempts: undefined },
        session: { idleTimeoutSeconds: undefined },
        rateLimits: { loginPerAccount: undefined },
      } as unknown as Partial<AuthConfig>),
    );
    expect(c.twoFactor.challengeMaxAttempts).toBe(5);
    expect(c.session.idleTimeoutSeconds).toBe(7 * 86400);
    expect(c.rateLimits.loginPerAccount).toEqual({
      limit: 5,
      windowSeconds: 900,
      lockSeconds: 900,
    });
  });

  it('production: false cannot switch production rules off under NODE_ENV=production', () => {
    const { secret: _omit, ...noSecret } = base();
    expect(
      configError({ ...noSecret, production: false }, { nodeEnv: 'production' }).details?.[0]?.path,
    ).toBe('secret');
  });

  it('refuses a development mailer (it prints or drops tokens) in production', () => {
    const devMailer = { send: async () => {}, developmentOnly: true };
    expect(
      configError(base({ mailer: devMailer }), { nodeEnv: 'production' }).details?.[0]?.path,
    ).toBe('mailer');
    expect(resolveConfig(base({ mailer: devMailer }), { nodeEnv: 'development' }).mailer).toBe(
      devMailer,
    );
  });

  it('keeps only the origin of trusted and CORS origins', () => {
    const c = resolveConfig(
      base({
        http: {
          trustedOrigins: ['https://a.example.com/app/'],
          corsOrigins: ['http://localhost:5173/'],
        },
      }),
    );
    expect(c.http.trustedOrigins).toEqual(['https://a.example.com']);
    expect(c.http.corsOrigins).toEqual(['http://localhost:5173']);
  });
});

describe('resolveConfig: a custom random source (ASVS 6.5.3)', () => {
  const custom = { bytes: (n: number) => new Uint8Array(n).fill(7) };
  const errors = (nodeEnv: string, random?: typeof custom) => {
    const lines: string[] = [];
    const logger: Logger = { ...silentLogger, error: (m) => lines.push(m) };
    resolveConfig(
      { ...base({ logger }), ...(random === undefined ? {} : { random }) },
      { nodeEnv },
    );
    return lines;
  };

  it('is reported loudly in production, at every start', () => {
    expect(errors('production', custom)).toEqual([expect.stringContaining('custom `random`')]);
  });

  it('is quiet outside production, and with the default source', () => {
    expect(errors('test', custom)).toEqual([]);
    expect(errors('production')).toEqual([]);
  });
});
