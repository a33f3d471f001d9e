import { randomBytes } from 'node:crypto';
import type { UserRecord } from '@portcullis/core/storage';
import type { Pool } from 'pg';
import { type CreatePoolOptions, createPool } from '../src/index.js';

/** The machine's shared PostgreSQL server. Tests never stop it. */
export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A fail-fast pool on the shared server, checked with one round trip: when PostgreSQL cannot
 * be reached this rejects with what to do, so the suite fails loudly instead of skipping.
 */
export async function connectPool(options: CreatePoolOptions = {}, url = DATABASE_URL) {
  const pool = await createPool(url, { connectionTimeoutMillis: 3000, ...options });
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new Error(
      `PostgreSQL is unreachable at ${url} (start it with .ci/run or scripts/test-env.sh): ${String(error)}`,
      { cause: error },
    );
  }
  return pool;
}

/** A schema name of its own for one test file: `pc_test_<random>`. */
export function testSchema(): string {
  return `pc_test_${randomBytes(6).toString('hex')}`;
}

/** Drops a test schema and everything in it. */
export async function dropSchema(pool: Pool, schema: string): Promise<void> {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/**
 * Drops the file's schemas and ends its pool. Does nothing when the pool never connected: the
 * failure that matters was already reported by `connectPool`.
 */
export async function release(pool: Pool | undefined, ...schemas: string[]): Promise<void> {
  if (pool === undefined) return;
  for (const schema of schemas) await dropSchema(pool, schema);
  await pool.end();
}

/**
 * The credential generation of test records: the largest core can draw (2^53 - 1), so a
 * column, cast or parser that loses precision fails the tests.
 */
export const GENERATION = 2 ** 53 - 1;

/** A user whose id, email and username are unique. */
export function makeUser(now: number, overrides: Partial<UserRecord> = {}): UserRecord {
  const id = `user-${randomBytes(8).toString('hex')}`;
  return {
    id,
    email: `${id}@example.test`,
    emailNormalized: `${id}@example.test`,
    username: id,
    usernameNormalized: id,
    passwordHash: 'old-hash',
    metadata: {},
    disabled: false,
    credentialGeneration: GENERATION,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/**
 * A session as `sessionWithUser` answers it: without `previousRefreshHashes`, which the
 * contract lets it leave out (validation never reads them).
 */
export function live<T extends { previousRefreshHashes?: unknown }>(
  session: T | undefined,
): Omit<T, 'previousRefreshHashes'> | undefined {
  if (session === undefined) return undefined;
  const { previousRefreshHashes: _history, ...rest } = session;
  return rest;
}
