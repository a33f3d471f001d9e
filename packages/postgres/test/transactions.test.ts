import { randomBytes } from 'node:crypto';
import type { SessionRecord } from '@portcullis/core/storage';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromPool, migrate, type PostgresStorage, postgresStorage } from '../src/index.js';
import { connectPool, makeUser, release, testSchema } from './helpers.js';

const schema = testSchema();
/** The application_name of the pool under test, to find its backends from outside. */
const appName = `pc-tx-${randomBytes(4).toString('hex')}`;
let pool: Pool;
let admin: Pool;
let storage: PostgresStorage;

beforeAll(async () => {
  admin = await connectPool({ max: 2 });
  pool = await connectPool({ max: 4, pool: { application_name: appName } });
  await migrate(fromPool(admin), { schema });
  storage = postgresStorage(fromPool(pool), { schema });
});

afterAll(async () => {
  await release(pool);
  await release(admin, schema);
});

const HOUR = 3_600_000;
const sessionOf = (userId: string, now: number, n: number): SessionRecord => ({
  id: `sess-${n}-${userId}`,
  userId,
  secretHash: `secret-${n}`,
  previousRefreshHashes: [],
  createdAt: now + n,
  lastSeenAt: now,
  idleExpiresAt: now + HOUR,
  absoluteExpiresAt: now + 10 * HOUR,
  freshUntil: now,
  amr: ['pwd'],
  credentialGeneration: 0,
});

/** A user with two sessions, a token, recovery codes, a trusted device and an audit event. */
async function seed() {
  const now = Date.now();
  const user = makeUser(now, { passwordHash: 'old-hash' });
  await storage.users.create(user);
  for (const n of [1, 2]) await storage.sessions.create(sessionOf(user.id, now, n));
  await storage.tokens.create({
    purpose: 'password_reset',
    selector: `sel-${user.id}`,
    verifierHash: 'v',
    userId: user.id,
    expiresAt: now + HOUR,
    attempts: 0,
  });
  await storage.twoFactor.replaceRecoveryCodes(user.id, [{ id: 'rc-1', hash: 'h1' }]);
  await storage.twoFactor.createTrustedDevice({
    id: `dev-${user.id}`,
    userId: user.id,
    secretHash: 'd',
    createdAt: now,
    lastUsedAt: now,
    expiresAt: now + HOUR,
    credentialGeneration: 0,
  });
  await storage.audit.append({ userId: user.id, type: 'login.succeeded', createdAt: now });
  return { user, now };
}

/**
 * Terminates, from another connection, the backend of the pool under test that sits idle in
 * a transaction, and waits until it is gone: the connection dies between two statements.
 */
async function killTransactionBackend(): Promise<void> {
  const { rows } = await admin.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle in transaction'`,
    [appName],
  );
  expect(rows).toHaveLength(1);
  await admin.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
  for (let i = 0; i < 100; i += 1) {
    const alive = await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [
      rows[0]?.pid,
    ]);
    if (alive.rows.length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the backend did not go away');
}

/** What a fresh connection sees of the user's records. */
async function snapshot(userId: string, now: number) {
  return {
    user: await storage.users.getById(userId),
    sessions: (await storage.sessions.listByUser(userId, now)).length,
    token: await storage.tokens.get('password_reset', `sel-${userId}`, now),
    codes: (await storage.twoFactor.listRecoveryCodes(userId)).length,
    devices: (await storage.twoFactor.listTrustedDevices(userId, now)).length,
    audit: (await storage.audit.list(userId, { limit: 10 })).length,
  };
}

describe('a connection killed in the middle of a transaction', () => {
  it('leaves a password reset unwritten: old hash, sessions and token all still there', async () => {
    const { user, now } = await seed();
    const before = await snapshot(user.id, now);
    const run = storage.transaction(async (tx) => {
      await tx.tokens.consume('password_reset', `sel-${user.id}`, { verifierHash: 'v', now });
      await tx.sessions.deleteByUser(user.id);
      await tx.twoFactor.deleteAllTrustedDevices(user.id);
      await killTransactionBackend();
      await tx.users.update(user.id, { passwordHash: 'new-hash', updatedAt: now + 1 });
    });
    // The connection's own failure, not a statement's error.
    await expect(run).rejects.toThrow(/terminat|not queryable/i);
    const after = await snapshot(user.id, now);
    expect(after).toEqual(before);
    expect(after.user?.passwordHash).toBe('old-hash');
    expect(after.sessions).toBe(2);
  });

  it('leaves an account deletion undone: the user and everything it owns are still there', async () => {
    const { user, now } = await seed();
    const before = await snapshot(user.id, now);
    const run = storage.transaction(async (tx) => {
      await tx.sessions.deleteByUser(user.id);
      await tx.tokens.deleteByUser(user.id);
      await tx.twoFactor.deleteByUser(user.id);
      await tx.audit.deleteByUser(user.id);
      await killTransactionBackend();
      await tx.users.delete(user.id);
    });
    await expect(run).rejects.toThrow();
    expect(await snapshot(user.id, now)).toEqual(before);
  });

  it('costs the pool nothing: the dead connection is dropped and the next calls work', async () => {
    const { user, now } = await seed();
    const run = storage.transaction(async (tx) => {
      await tx.sessions.deleteByUser(user.id);
      await killTransactionBackend();
      await tx.sessions.deleteByUser(user.id);
    });
    await expect(run).rejects.toThrow();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => storage.sessions.listByUser(user.id, now)),
    );
    expect(results.map((r) => r.length)).toEqual(Array(8).fill(2));
  });
});

describe('transactions', () => {
  it('commits every store together, and rolls all of them back on a rejection', async () => {
    const { user, now } = await seed();
    const failure = new Error('abort');
    const run = storage.transaction(async (tx) => {
      await tx.sessions.deleteByUser(user.id);
      await tx.users.update(user.id, { passwordHash: 'new-hash', updatedAt: now + 1 });
      throw failure;
    });
    await expect(run).rejects.toBe(failure);
    expect((await storage.users.getById(user.id))?.passwordHash).toBe('old-hash');
    await storage.transaction(async (tx) => {
      await tx.sessions.deleteByUser(user.id);
      await tx.users.update(user.id, { passwordHash: 'new-hash', updatedAt: now + 1 });
    });
    expect((await snapshot(user.id, now)).sessions).toBe(0);
    expect((await storage.users.getById(user.id))?.passwordHash).toBe('new-hash');
  });

  it('answers conflict inside a transaction without aborting it', async () => {
    const { user, now } = await seed();
    const other = makeUser(now);
    await storage.users.create(other);
    await storage.transaction(async (tx) => {
      const taken = {
        emailNormalized: other.emailNormalized,
        email: other.email,
        updatedAt: now + 1,
      };
      expect(await tx.users.update(user.id, taken)).toBe('conflict');
      expect(
        await tx.users.create({ ...makeUser(now), emailNormalized: other.emailNormalized }),
      ).toBe('conflict');
      // The transaction goes on after the conflict and commits.
      expect(await tx.users.update(user.id, { firstName: 'Ada', updatedAt: now + 2 })).toBe(
        'updated',
      );
    });
    expect(await storage.users.getById(user.id)).toMatchObject({
      firstName: 'Ada',
      email: user.email,
    });
  });

  it('nests as a savepoint: an inner rejection undoes only the inner writes', async () => {
    const { user, now } = await seed();
    await storage.transaction(async (tx) => {
      await tx.users.update(user.id, { firstName: 'Outer', updatedAt: now + 1 });
      await expect(
        tx.transaction(async (inner) => {
          await inner.sessions.deleteByUser(user.id);
          throw new Error('inner');
        }),
      ).rejects.toThrow('inner');
      await tx.transaction((inner) =>
        inner.users.update(user.id, { lastName: 'Inner', updatedAt: now + 2 }),
      );
    });
    expect(await storage.users.getById(user.id)).toMatchObject({
      firstName: 'Outer',
      lastName: 'Inner',
    });
    expect((await snapshot(user.id, now)).sessions).toBe(2);
  });
});
