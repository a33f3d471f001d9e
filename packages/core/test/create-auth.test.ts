import { afterAll, describe, expect, it } from 'vitest';
import {
  type Auth,
  AuthError,
  createAuth,
  memoryMailer,
  memoryStorage,
  silentLogger,
} from '../src/index.js';

const opened: Auth[] = [];
const make = (over: Partial<Parameters<typeof createAuth>[0]> = {}) => {
  const auth = createAuth({
    storage: memoryStorage(),
    mailer: memoryMailer(),
    appUrl: 'https://app.example.com',
    secret: 'k'.repeat(32),
    logger: silentLogger,
    ...over,
  });
  opened.push(auth);
  return auth;
};
afterAll(async () => {
  await Promise.all(opened.map((a) => a.close()));
});

describe('createAuth', () => {
  it('validates its configuration and exposes the resolved options without secrets', () => {
    const auth = make();
    expect(auth.options.session.strategy).toBe('cookie');
    expect(JSON.stringify(auth.options)).not.toContain('k'.repeat(32));
    expect('secrets' in auth.options).toBe(false);
  });

  it('throws CONFIG_INVALID naming the field', () => {
    expect(() => make({ appUrl: 'nope' })).toThrow(AuthError);
    expect(() => make({ appUrl: 'nope' })).toThrow(/appUrl/);
  });

  it('refuses to start in production without a real secret', () => {
    const { secret: _s, ...rest } = {
      secret: '',
      storage: memoryStorage(),
      mailer: memoryMailer(),
      appUrl: 'https://a.example',
      logger: silentLogger,
    };
    expect(() => createAuth({ ...rest, production: true })).toThrow(/secret/);
    expect(() => createAuth({ ...rest, production: true, secret: 'short' })).toThrow(/32 bytes/);
  });

  it('reports the password backend and hashes, verifies and upgrades through it', async () => {
    const logs: string[] = [];
    const auth = make({
      logger: { ...silentLogger, info: (m, f) => logs.push(`${m} ${JSON.stringify(f)}`) },
    });
    expect(await auth.ready()).toEqual({ passwordBackend: 'native' });
    expect(logs.some((l) => l.includes('"backend":"native"'))).toBe(true);
    const stored = await auth.hashPassword('Tr0ub4dour&3 horse');
    expect(await auth.verifyPassword('Tr0ub4dour&3 horse', stored)).toEqual({
      valid: true,
      needsRehash: false,
    });
    expect(await auth.verifyPassword('Tr0ub4dour&3 horsE', stored)).toEqual({
      valid: false,
      needsRehash: false,
    });
  });

  it('matches a password typed in another Unicode form (NFKC before hashing)', async () => {
    const auth = make();
    const stored = await auth.hashPassword('café au lait 2024'.normalize('NFC'));
    expect((await auth.verifyPassword('café au lait 2024'.normalize('NFD'), stored)).valid).toBe(
      true,
    );
  });

  it('checks new passwords against the policy with the user context and app name', () => {
    const auth = make({ appName: 'Acme Rockets' });
    expect(auth.checkPassword('password123').ok).toBe(false);
    expect(
      auth.checkPassword('ada.lovelace-rocks-99', { email: 'ada.lovelace@example.com' }).ok,
    ).toBe(false);
    expect(auth.checkPassword('i fly acme rockets daily').ok).toBe(false);
    expect(auth.checkPassword('violet tangerine orbit').ok).toBe(true);
  });

  it('wraps the storage so a driver error surfaces as STORAGE_UNAVAILABLE', async () => {
    const storage = memoryStorage();
    const broken = {
      ...storage,
      users: {
        ...storage.users,
        getById: async () => {
          throw new Error('ECONNRESET');
        },
      },
    };
    const auth = make({ storage: broken });
    await expect(auth.storage.users.getById('u1')).rejects.toMatchObject({
      code: 'STORAGE_UNAVAILABLE',
    });
  });
});
