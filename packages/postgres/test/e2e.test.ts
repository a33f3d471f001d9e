import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromPool, migrate, type PostgresStorage, postgresStorage } from '../src/index.js';
import { authOver, cookieLifecycle, refreshLifecycle, signUpAndIn } from './auth-helpers.js';
import { connectPool, release, testSchema } from './helpers.js';

const schema = testSchema();
let pool: Pool;
let storage: PostgresStorage;

beforeAll(async () => {
  pool = await connectPool();
  // A pg Pool as it is: postgresStorage and migrate wrap it with fromPool themselves.
  await migrate(pool, { schema });
  storage = postgresStorage(pool, { schema });
});

afterAll(async () => {
  await release(pool, schema);
});

describe('createAuth over postgresStorage on PostgreSQL', () => {
  it('runs the cookie lifecycle: register, verify, login, validate, reset, delete', async () => {
    expect(await cookieLifecycle(storage, 'ada@example.com')).toEqual({
      validatedUser: true,
      sessions: 1,
      afterReset: 'UNAUTHENTICATED',
      oldPassword: 'INVALID_CREDENTIALS',
      newPassword: 'signed_in',
      audited: true,
      afterDelete: 'UNAUTHENTICATED',
      stored: undefined,
    });
    // Account deletion left nothing behind in any table.
    const { rows } = await pool.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM "${schema}".sessions) + (SELECT count(*) FROM "${schema}".tokens)
            + (SELECT count(*) FROM "${schema}".audit_events) AS n`,
    );
    expect(Number(rows[0]?.n)).toBe(0);
  });

  it('rotates refresh tokens and revokes the session when a rotated one is replayed', async () => {
    expect(await refreshLifecycle(storage, 'grace@example.com')).toEqual({
      retriedSameToken: true,
      replayed: 'REFRESH_TOKEN_REUSED',
      newest: 'REFRESH_TOKEN_INVALID',
    });
  });

  it('shares sessions between two Auth instances over one database, as two processes would', async () => {
    const one = await authOver(storage);
    const other = await authOver(postgresStorage(fromPool(pool), { schema }));
    try {
      const { userId, sessionToken } = await signUpAndIn(one.auth, one.mailer, 'linus@example.com');
      const { user, session } = await other.auth.validateSession(sessionToken);
      expect(user.id).toBe(userId);
      // From the user's own session, fresh after the sign-in (ending sessions needs step-up).
      await other.auth.sessions.revokeAll(userId, { sessionId: session.id });
      await expect(one.auth.validateSession(sessionToken)).rejects.toMatchObject({
        code: 'UNAUTHENTICATED',
      });
    } finally {
      await Promise.all([one.auth.close(), other.auth.close()]);
    }
  });
});
