import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.js';
import type { AuthConfig } from '../../src/config/types.js';
import { AuthError } from '../../src/errors/auth-error.js';
import {
  consoleSmsSender,
  createAuth,
  memorySmsSender,
  memoryStorage,
  type SmsSender,
} from '../../src/index.js';
import { silentLogger } from '../../src/logging/logger.js';

const base = (over: Partial<AuthConfig> = {}): AuthConfig => ({
  storage: memoryStorage(),
  mailer: { send: async () => {} },
  appUrl: 'https://app.example.com',
  secret: 's'.repeat(32),
  logger: silentLogger,
  ...over,
});
const provider: SmsSender = { send: async () => {} };

function detailsOf(input: AuthConfig, env: { nodeEnv?: string } = {}) {
  try {
    resolveConfig(input, env);
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError);
    return (error as AuthError).details ?? [];
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('second-factor configuration', () => {
  it('defaults: 24-character recovery codes, no SMS sender', () => {
    const c = resolveConfig(base(), { nodeEnv: 'test' });
    expect(c.twoFactor).toEqual({
      challengeTtlSeconds: 600,
      challengeMaxAttempts: 5,
      otpTtlSeconds: 600,
      otpMaxAttempts: 5,
      trustedDeviceTtlSeconds: 30 * 86400,
      recoveryCodeCharacters: 24,
      totpIssuer: 'Portcullis',
    });
    expect(c.sms).toBeUndefined();
  });

  it('recoveryCodeCharacters must be a whole number from 12 to 64', () => {
    for (const value of [11, 65, 20.5, '24']) {
      expect(
        detailsOf(base({ twoFactor: { recoveryCodeCharacters: value as number } })).map(
          (d) => d.path,
        ),
      ).toEqual(['twoFactor.recoveryCodeCharacters']);
    }
    expect(
      resolveConfig(base({ twoFactor: { recoveryCodeCharacters: 16 } })).twoFactor
        .recoveryCodeCharacters,
    ).toBe(16);
  });

  it('sms must have a send method', () => {
    expect(detailsOf(base({ sms: {} as SmsSender })).map((d) => d.path)).toEqual(['sms']);
    expect(resolveConfig(base({ sms: provider })).sms).toBe(provider);
  });

  it('production refuses the console and memory SMS senders, and accepts a provider', () => {
    for (const sms of [consoleSmsSender(), memorySmsSender()]) {
      const details = detailsOf(base({ sms, mailer: { send: async () => {} } }), {
        nodeEnv: 'production',
      });
      expect(details).toEqual([
        { path: 'sms', message: expect.stringContaining('refused in production') },
      ]);
    }
    expect(resolveConfig(base({ sms: provider }), { nodeEnv: 'production' }).sms).toBe(provider);
  });

  it('auth.options leaves the SMS sender out', () => {
    const auth = createAuth(base({ sms: provider }));
    expect('sms' in auth.options).toBe(false);
    expect(auth.options.twoFactor.recoveryCodeCharacters).toBe(24);
  });
});
