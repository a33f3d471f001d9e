import type { SessionRecord } from '@portcullis/core/storage';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fromPool,
  migrate,
  type PostgresStorage,
  postgresStorage,
  type SqlClient,
} from '../src/index.js';
import { connectPool, makeUser, release, testSchema } from './helpers.js';

const schema = testSchema();
let pool: Pool;
/** Statements seen by the counting client, to check that purging goes in batches. */
const statements: string[] = [];
let storage: PostgresStorage;

beforeAll(async () => {
  pool = await connectPool();
  const client = fromPool(pool);
  await migrate(client, { schema });
  // The real client, noting each statement it runs.
  const counting: SqlClient = {
    ...client,
    query: (text, params) => {
      statements.push(text);
      return client.query(text, params);
    },
  };
  storage = postgresStorage(counting, { schema });
});

afterAll(async () => {
  await release(pool, schema);
});

const T = Date.UTC(2030, 0, 1);
const MIN = 60_000;

const session = (userId: string, n: number, idle: number, absolute: number): SessionRecord => ({
  id: `s-${n}-${userId}`,
  userId,
  refreshHash: `r-${n}`,
  previousRefreshHashes: [`old-${n}`],
  createdAt: T - 10 * MIN,
  lastSeenAt: T - 10 * MIN,
  idleExpiresAt: idle,
  absoluteExpiresAt: absolute,
  freshUntil: T,
  amr: ['pwd'],
  credentialGeneration: 0,
});

describe('purgeExpired', () => {
  it('deletes only dead rows, in batches, and says how many of each', async () => {
    const user = makeUser(T);
    await storage.users.create(user);
    const u = user.id;
    // 25 dead sessions (idle past, absolute past, or both at exactly now) and 3 live ones.
    for (let n = 0; n < 25; n += 1) {
      const [idle, absolute] = n % 3 === 0 ? [T - 1, T + MIN] : n % 3 === 1 ? [T + MIN, T] : [T, T];
      await storage.sessions.create(session(u, n, idle, absolute));
    }
    for (let n = 100; n < 103; n += 1) await storage.sessions.create(session(u, n, T + 1, T + MIN));
    const token = (selector: string, expiresAt: number) =>
      storage.tokens.create({
        purpose: '2fa_challenge',
        selector,
        verifierHash: 'v',
        userId: u,
        expiresAt,
        attempts: 0,
      });
    await token(`dead-${u}`, T);
    await token(`live-${u}`, T + 1);
    const device = (id: string, expiresAt: number) =>
      storage.twoFactor.createTrustedDevice({
        id: `${id}-${u}`,
        userId: u,
        secretHash: 'h',
        createdAt: T - MIN,
        lastUsedAt: T - MIN,
        expiresAt,
        credentialGeneration: 0,
      });
    await device('dead', T - 1);
    await device('live', T + MIN);
    const rl = storage.rateLimits;
    await rl.hit(`window-dead-${u}`, { limit: 5, windowMs: MIN, now: T - MIN });
    await rl.hit(`window-live-${u}`, { limit: 5, windowMs: MIN, now: T - 1 });
    await rl.hit(`locked-${u}`, { limit: 5, windowMs: MIN, now: T - MIN });
    await rl.lock(`locked-${u}`, { untilMs: T + MIN });
    await rl.lock(`lock-dead-${u}`, { untilMs: T });

    statements.length = 0;
    const counts = await storage.purgeExpired({ now: T, batchSize: 10 });
    expect(counts).toEqual({ sessions: 25, tokens: 1, trustedDevices: 1, rateLimits: 2 });
    // 25 sessions in batches of 10: three DELETEs (10, 10, 5), one for each other table.
    const deletes = statements.filter((s) => s.includes('DELETE FROM'));
    expect(deletes.filter((s) => s.includes('.sessions'))).toHaveLength(3);
    expect(deletes).toHaveLength(6);

    expect((await storage.sessions.listByUser(u, T)).map((s) => s.id).sort()).toEqual(
      ['s-100', 's-101', 's-102'].map((id) => `${id}-${u}`),
    );
    const left = await pool.query(
      `SELECT count(*)::int AS n FROM "${schema}".session_refresh_hashes`,
    );
    expect(left.rows[0].n).toBe(3); // the dead sessions' replaced hashes went with them
    expect(await storage.tokens.get('2fa_challenge', `live-${u}`, T)).toBeDefined();
    expect(await storage.twoFactor.listTrustedDevices(u, T)).toHaveLength(1);
    expect(await rl.peek(`window-live-${u}`, T)).toEqual({ count: 1, resetAt: T - 1 + MIN });
    expect(await rl.lockedUntil(`locked-${u}`, T)).toBe(T + MIN);
    expect(await storage.users.getById(u)).toEqual(user);

    // Nothing dead is left: a second run deletes nothing.
    expect(await storage.purgeExpired({ now: T, batchSize: 10 })).toEqual({
      sessions: 0,
      tokens: 0,
      trustedDevices: 0,
      rateLimits: 0,
    });
  });

  it('uses the real time by default, and refuses a batch size that is not a positive integer', async () => {
    await expect(storage.purgeExpired()).resolves.toMatchObject({ sessions: expect.any(Number) });
    for (const batchSize of [0, -1, 1.5, Number.NaN]) {
      await expect(storage.purgeExpired({ batchSize })).rejects.toThrow(RangeError);
    }
  });
});
