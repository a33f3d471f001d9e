import { describe, expect, it } from 'vitest';
import type { AuthError } from '../../src/errors/auth-error.js';
import { composeStorage } from '../../src/storage/compose.js';
import { memoryStorage } from '../../src/storage/memory/index.js';
import type { Storage } from '../../src/storage/types.js';
import { describeStorageConformance } from '../../src/testing/conformance/index.js';

const parts = (a: Storage, b: Storage) => ({
  users: a.users,
  accounts: a.accounts,
  passkeys: a.passkeys,
  twoFactor: a.twoFactor,
  audit: a.audit,
  sessions: b.sessions,
  tokens: b.tokens,
  rateLimits: b.rateLimits,
});

const thrown = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e as AuthError;
  }
  throw new Error('did not throw');
};

describeStorageConformance('composeStorage of two memory storages', () =>
  composeStorage(parts(memoryStorage(), memoryStorage())),
);

describe('composeStorage', () => {
  it('takes each store from its own backend', async () => {
    const [sql, kv] = [memoryStorage(), memoryStorage()];
    const storage = composeStorage(parts(sql, kv));
    expect(storage.users).toBe(sql.users);
    expect(storage.accounts).toBe(sql.accounts);
    expect(storage.passkeys).toBe(sql.passkeys);
    expect(storage.sessions).toBe(kv.sessions);
    await storage.rateLimits.hit('k', { limit: 1, windowMs: 10, now: 0 });
    expect(await kv.rateLimits.peek('k', 0)).toEqual({ count: 1, resetAt: 10 });
    expect(await sql.rateLimits.peek('k', 0)).toBeUndefined();
    expect(storage.transaction).toBeUndefined();
  });

  it('refuses a missing store with CONFIG_INVALID naming it', () => {
    const { sessions: _s, ...noSessions } = parts(memoryStorage(), memoryStorage());
    const error = thrown(() => composeStorage(noSessions as Parameters<typeof composeStorage>[0]));
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
    expect(error.message).toContain('sessions');
    expect(error.details).toEqual([{ path: 'sessions', message: 'Missing or invalid.' }]);
  });

  it('refuses parts without accounts, naming the store', () => {
    const { accounts: _a, ...noAccounts } = parts(memoryStorage(), memoryStorage());
    const error = thrown(() => composeStorage(noAccounts as Parameters<typeof composeStorage>[0]));
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
    expect(error.message).toContain('accounts');
    expect(error.details).toEqual([{ path: 'accounts', message: 'Missing or invalid.' }]);
  });

  it('runs transactions of the source backend over its own stores only', async () => {
    const [sql, kv] = [memoryStorage(), memoryStorage()];
    const txStores = memoryStorage();
    const calls: string[] = [];
    const source: Storage = {
      ...sql,
      async transaction(fn) {
        calls.push('begin');
        const result = await fn(txStores);
        calls.push('commit');
        return result;
      },
    };
    const storage = composeStorage({ ...parts(source, kv), transactionsFrom: source });
    const seen = await storage.transaction?.(async (tx) => [
      tx.users,
      tx.audit,
      tx.sessions,
      tx.accounts,
    ]);
    expect(seen?.[0]).toBe(txStores.users);
    expect(seen?.[1]).toBe(txStores.audit);
    expect(seen?.[2]).toBe(kv.sessions);
    // Accounts go with users: inside a transaction, the transaction's own.
    expect(seen?.[3]).toBe(txStores.accounts);
    expect(calls).toEqual(['begin', 'commit']);
  });

  it('offers sessionWithUser only when users and sessions both come from its storage', async () => {
    const [sql, kv] = [memoryStorage(), memoryStorage()];
    const source: Storage = { ...sql, transaction: (fn) => fn(sql) };
    // Sessions elsewhere: the source's join would read sessions core never writes to.
    expect(
      composeStorage({ ...parts(source, kv), transactionsFrom: source }).sessionWithUser,
    ).toBeUndefined();
    const joined = composeStorage({
      ...parts(source, kv),
      sessions: source.sessions,
      transactionsFrom: source,
    });
    expect(joined.sessionWithUser).toBeTypeOf('function');
    const t = Date.UTC(2026, 0, 1);
    const user = {
      id: 'u1',
      email: 'a@example.com',
      emailNormalized: 'a@example.com',
      metadata: {},
      disabled: false,
      credentialGeneration: 0,
      createdAt: t,
      updatedAt: t,
    };
    await joined.users.create(user);
    const session = {
      id: 's1',
      userId: 'u1',
      previousRefreshHashes: [],
      createdAt: t,
      lastSeenAt: t,
      idleExpiresAt: t + 1000,
      absoluteExpiresAt: t + 2000,
      freshUntil: t,
      amr: ['pwd'],
      credentialGeneration: 0,
    };
    await joined.sessions.create(session);
    expect(await joined.sessionWithUser?.('s1', t)).toEqual({ session, user });
    expect(await joined.sessionWithUser?.('s1', t + 1000)).toBeUndefined();
  });

  it('refuses transactionsFrom without a transaction or sharing no store', () => {
    const [sql, kv] = [memoryStorage(), memoryStorage()];
    expect(
      thrown(() => composeStorage({ ...parts(sql, kv), transactionsFrom: sql })),
    ).toMatchObject({
      code: 'CONFIG_INVALID',
    });
    const unrelated: Storage = { ...memoryStorage(), transaction: (fn) => fn(memoryStorage()) };
    expect(
      thrown(() => composeStorage({ ...parts(sql, kv), transactionsFrom: unrelated })),
    ).toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
