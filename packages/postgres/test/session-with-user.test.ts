import type { SessionRecord } from '@portcullis/core/storage';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromPool, migrate, type PostgresStorage, postgresStorage } from '../src/index.js';
import { connectPool, makeUser, release, testSchema } from './helpers.js';

const schema = testSchema();
let pool: Pool | undefined;
let pg: PostgresStorage;

beforeAll(async () => {
  pool = await connectPool();
  await migrate(fromPool(pool), { schema });
  pg = postgresStorage(fromPool(pool), { schema });
});
afterAll(() => release(pool, schema));

const t = Date.UTC(2026, 10, 23, 12, 0, 0, 123);
const session = (userId: string, id: string, over: Partial<SessionRecord> = {}): SessionRecord => ({
  id,
  userId,
  secretHash: 'h'.repeat(43),
  previousRefreshHashes: [],
  createdAt: t,
  lastSeenAt: t,
  idleExpiresAt: t + 3_600_000,
  absoluteExpiresAt: t + 7_200_000,
  freshUntil: t,
  ip: '203.0.113.9',
  userAgent: 'vitest',
  amr: ['pwd', 'otp'],
  credentialGeneration: 2 ** 52 + 3,
  secondFactorAt: t - 1,
  ...over,
});

/** A session as `sessionWithUser` answers it: without the replaced refresh hashes. */
const live = (record: SessionRecord | undefined) => {
  if (record === undefined) return undefined;
  const { previousRefreshHashes: _history, ...rest } = record;
  return rest;
};

describe('postgresStorage.sessionWithUser (one statement, rows as JSON)', () => {
  it('answers exactly what sessions.get and users.getById answer, in any session time zone', async () => {
    const user = makeUser(t, { metadata: { plan: 'pro', nested: { n: 1 } }, firstName: 'Zoë' });
    await pg.users.create(user);
    await pg.sessions.create(session(user.id, 'swu-tz'));
    // JSON renders timestamptz in the session's time zone, with its offset.
    if (pool === undefined) throw new Error('no pool');
    const client = await pool.connect();
    try {
      await client.query(`SET TIME ZONE 'Asia/Kathmandu'`); // +05:45, this connection only
      const own = postgresStorage(
        { query: (text: string, values?: unknown[]) => client.query(text, values) } as never,
        { schema, prepare: false },
      );
      expect(await own.sessionWithUser('swu-tz', t)).toEqual({
        session: live(await pg.sessions.get('swu-tz', t)),
        user: await pg.users.getById(user.id),
      });
    } finally {
      await client.query('RESET TIME ZONE');
      client.release();
    }
  });

  it('falls back to the two reads for a time that is not a whole millisecond', async () => {
    const user = makeUser(t);
    await pg.users.create(user);
    await pg.sessions.create(session(user.id, 'swu-micro'));
    // Written behind core's back with a sub-millisecond part: .123600 s. The plain read rounds it
    // to .124; Date.parse of the JSON text would truncate it to .123, so only the fallback agrees.
    await pool?.query(
      `UPDATE "${schema}".sessions SET last_seen_at = last_seen_at + interval '600 microseconds' WHERE id = $1`,
      ['swu-micro'],
    );
    const found = await pg.sessionWithUser('swu-micro', t);
    expect(found?.session.lastSeenAt).toBe(t + 1);
    expect(found).toEqual({
      session: await pg.sessions.get('swu-micro', t),
      user: await pg.users.getById(user.id),
    });
  });

  it('reads a jwt session without its replaced refresh hashes (validation never needs them)', async () => {
    const user = makeUser(t);
    await pg.users.create(user);
    await pg.sessions.create(
      session(user.id, 'swu-jwt', { refreshHash: 'r3', previousRefreshHashes: ['r1', 'r2'] }),
    );
    const found = await pg.sessionWithUser('swu-jwt', t);
    expect(found?.session).not.toHaveProperty('previousRefreshHashes');
    const stored = await pg.sessions.get('swu-jwt', t);
    expect(stored?.previousRefreshHashes).toEqual(['r1', 'r2']);
    expect(found?.session).toEqual(live(stored));
  });

  it('carries the credential generations and secondFactorAt exactly, and no key for an absent one', async () => {
    const user = makeUser(t, { credentialGeneration: 2 ** 53 - 1 });
    await pg.users.create(user);
    const proven = session(user.id, 'swu-gen', { credentialGeneration: 2 ** 53 - 2 });
    await pg.sessions.create(proven);
    expect(await pg.sessionWithUser('swu-gen', t)).toEqual({ session: live(proven), user });
    const { secondFactorAt: _, ...plain } = session(user.id, 'swu-pwd', {
      credentialGeneration: 0,
    });
    await pg.sessions.create(plain);
    const found = await pg.sessionWithUser('swu-pwd', t);
    expect(found).toEqual({ session: live(plain), user });
    expect(found?.session).not.toHaveProperty('secondFactorAt');
  });

  it('falls back to the two reads for a secondFactorAt that is not a whole millisecond', async () => {
    const user = makeUser(t);
    await pg.users.create(user);
    await pg.sessions.create(session(user.id, 'swu-micro-2fa'));
    await pool?.query(
      `UPDATE "${schema}".sessions SET second_factor_at = second_factor_at + interval '600 microseconds' WHERE id = $1`,
      ['swu-micro-2fa'],
    );
    const found = await pg.sessionWithUser('swu-micro-2fa', t);
    expect(found?.session.secondFactorAt).toBe(t);
    expect(found).toEqual({
      session: await pg.sessions.get('swu-micro-2fa', t),
      user: await pg.users.getById(user.id),
    });
  });
});
