import { isAuthError } from '@portcullis/core';
import { freePort, startPgProxy } from '@portcullis-tests/support';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, fromPool, migrate, postgresStorage } from '../src/index.js';
import { authOver, signUpAndIn } from './auth-helpers.js';
import { connectPool, DATABASE_URL, release, testSchema } from './helpers.js';

// Failures are faked with a TCP proxy of this file's own in front of the shared server (or a
// port nobody listens on); the shared server itself is never stopped.
const schema = testSchema();
/** Short limits, so the checks below wait well under a second each. */
const FAST = { connectionTimeoutMillis: 400, queryTimeoutMillis: 600, statementTimeoutMillis: 500 };
let admin: Pool;

beforeAll(async () => {
  admin = await connectPool({ max: 1 });
  await migrate(fromPool(admin), { schema });
});

afterAll(async () => {
  await release(admin, schema);
});

const code = (error: unknown) => (isAuthError(error) ? error.code : error);

describe('a server that stops answering', () => {
  it('fails each call with STORAGE_UNAVAILABLE within the timeouts, then works again once back', async () => {
    const proxy = await startPgProxy({ databaseUrl: DATABASE_URL });
    const pool = await createPool(proxy.url, { ...FAST, max: 3 });
    try {
      const { auth, mailer } = await authOver(postgresStorage(fromPool(pool), { schema }));
      const { sessionToken } = await signUpAndIn(auth, mailer, 'faults@example.com');
      await expect(auth.validateSession(sessionToken)).resolves.toBeDefined();

      proxy.blackhole();
      // Pooled connections: the query timeout ends the wait. New connections (a second pool):
      // the connection timeout does.
      const errors = await Promise.all([
        auth.validateSession(sessionToken).catch(code),
        auth.login({ identifier: 'faults@example.com', password: 'x'.repeat(12) }).catch(code),
        auth.sessions.list('nobody').catch(code),
      ]);
      expect(errors).toEqual(['STORAGE_UNAVAILABLE', 'STORAGE_UNAVAILABLE', 'STORAGE_UNAVAILABLE']);
      const fresh = await createPool(proxy.url, { ...FAST, max: 1 });
      await expect(postgresStorage(fromPool(fresh), { schema }).users.getById('x')).rejects.toThrow(
        /timeout/i,
      );
      await fresh.end();

      proxy.restore();
      await expect(auth.validateSession(sessionToken)).resolves.toBeDefined();
      await auth.close();
    } finally {
      await pool.end();
      await proxy.close();
    }
  });

  it('fails a transaction too, without leaving it open', async () => {
    const proxy = await startPgProxy({ databaseUrl: DATABASE_URL });
    const pool = await createPool(proxy.url, { ...FAST, max: 1 });
    try {
      const storage = postgresStorage(fromPool(pool), { schema });
      await storage.users.getById('warm-up');
      const run = storage.transaction(async (tx) => {
        await tx.sessions.deleteByUser('someone');
        proxy.blackhole();
        await tx.sessions.deleteByUser('someone');
      });
      await expect(run).rejects.toThrow(/timeout/i);
      proxy.restore();
      // The broken connection was destroyed, not returned: the only pooled slot works again.
      await expect(storage.users.getById('after')).resolves.toBeUndefined();
    } finally {
      await pool.end();
      await proxy.close();
    }
  });
});

describe('a server that is gone', () => {
  it('fails calls when every connection is reset and nothing listens any more', async () => {
    const proxy = await startPgProxy({ databaseUrl: DATABASE_URL });
    const pool = await createPool(proxy.url, { ...FAST, max: 2 });
    const { auth, mailer } = await authOver(postgresStorage(fromPool(pool), { schema }));
    try {
      const { sessionToken } = await signUpAndIn(auth, mailer, 'gone@example.com');
      // Idle pooled connections are reset too: the pool's error listener keeps that quiet.
      await proxy.close();
      await expect(auth.validateSession(sessionToken).catch(code)).resolves.toBe(
        'STORAGE_UNAVAILABLE',
      );
      await expect(auth.validateSession(sessionToken).catch(code)).resolves.toBe(
        'STORAGE_UNAVAILABLE',
      );
    } finally {
      await auth.close();
      await pool.end();
    }
  });

  it('rejects on a port nobody listens on', async () => {
    const url = `postgres://postgres@127.0.0.1:${await freePort()}/test`;
    const pool = await createPool(url, FAST);
    try {
      await expect(
        postgresStorage(fromPool(pool), { schema }).users.getById('x'),
      ).rejects.toMatchObject({
        code: 'ECONNREFUSED',
      });
      await expect(migrate(fromPool(pool), { schema })).rejects.toMatchObject({
        code: 'ECONNREFUSED',
      });
    } finally {
      await pool.end();
    }
  });
});
