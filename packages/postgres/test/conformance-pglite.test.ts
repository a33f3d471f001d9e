import { PGlite } from '@electric-sql/pglite';
import { describeStorageConformance } from '@portcullis/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromPGlite, migrate, postgresStorage } from '../src/index.js';
import { cookieLifecycle, refreshLifecycle } from './auth-helpers.js';
import { makeUser } from './helpers.js';

// PGlite in memory: one instance for the whole file (each takes seconds to start).
let db: PGlite | undefined;
const storage = () => {
  if (db === undefined) throw new Error('PGlite did not start');
  return postgresStorage(fromPGlite(db));
};

beforeAll(async () => {
  db = await PGlite.create();
  await migrate(fromPGlite(db));
});

afterAll(async () => {
  await db?.close();
});

describeStorageConformance('postgresStorage on PGlite (in memory)', storage);

describe('createAuth over postgresStorage on PGlite', () => {
  it('runs the cookie lifecycle: register, verify, login, validate, reset, delete', async () => {
    expect(await cookieLifecycle(storage(), 'ada@example.com')).toMatchObject({
      validatedUser: true,
      sessions: 1,
      afterReset: 'UNAUTHENTICATED',
      oldPassword: 'INVALID_CREDENTIALS',
      newPassword: 'signed_in',
      afterDelete: 'UNAUTHENTICATED',
      stored: undefined,
    });
  });

  it('rotates refresh tokens and revokes the session when a rotated one is replayed', async () => {
    expect(await refreshLifecycle(storage(), 'grace@example.com')).toEqual({
      retriedSameToken: true,
      replayed: 'REFRESH_TOKEN_REUSED',
      newest: 'REFRESH_TOKEN_INVALID',
    });
  });

  it('answers conflict inside a transaction without aborting it, and nests as a savepoint', async () => {
    const s = storage();
    const now = Date.now();
    const [a, b] = [makeUser(now), makeUser(now)];
    await s.users.create(a);
    await s.users.create(b);
    await s.transaction(async (tx) => {
      const taken = { emailNormalized: b.emailNormalized, email: b.email, updatedAt: now + 1 };
      expect(await tx.users.update(a.id, taken)).toBe('conflict');
      await expect(
        tx.transaction(async (inner) => {
          await inner.users.update(a.id, { lastName: 'Undone', updatedAt: now + 2 });
          throw new Error('inner');
        }),
      ).rejects.toThrow('inner');
      expect(await tx.users.update(a.id, { firstName: 'Ada', updatedAt: now + 3 })).toBe('updated');
    });
    expect(await s.users.getById(a.id)).toEqual({ ...a, firstName: 'Ada', updatedAt: now + 3 });
  });

  it('purges dead rows with the same batched statements as on a server', async () => {
    const s = storage();
    const now = Date.now();
    const user = makeUser(now);
    await s.users.create(user);
    for (const [n, expiresAt] of [
      [1, now],
      [2, now - 1],
      [3, now + 1],
    ] as const) {
      const token = { purpose: 'p', selector: `${n}-${user.id}`, verifierHash: 'v', attempts: 0 };
      await s.tokens.create({ ...token, userId: user.id, expiresAt });
    }
    expect(await s.purgeExpired({ now, batchSize: 1 })).toMatchObject({ tokens: 2 });
    expect(await s.tokens.get('p', `3-${user.id}`, now)).toBeDefined();
  });
});
