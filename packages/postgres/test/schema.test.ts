import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromPool, migrate, postgresStorage } from '../src/index.js';
import { connectPool, makeUser, release, testSchema } from './helpers.js';

const schema = testSchema();
let pool: Pool;

beforeAll(async () => {
  pool = await connectPool();
  await migrate(fromPool(pool), { schema });
});

afterAll(async () => {
  await release(pool, schema);
});

const storage = () => postgresStorage(fromPool(pool), { schema });
const count = async (table: string, where = 'true', params: unknown[] = []) =>
  Number(
    (await pool.query(`SELECT count(*) AS n FROM "${schema}".${table} WHERE ${where}`, params))
      .rows[0].n,
  );

describe('the schema', () => {
  it('has a foreign key with ON DELETE CASCADE from every user-owned table', async () => {
    const { rows } = await pool.query<{ child: string; parent: string; action: string }>(
      `SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent,
              c.confdeltype AS action
         FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
        WHERE c.contype = 'f' AND n.nspname = $1 ORDER BY 1`,
      [schema],
    );
    const q = (table: string) => `${schema}.${table}`;
    expect(rows).toEqual(
      [
        { child: q('audit_events'), parent: q('users') },
        { child: q('recovery_codes'), parent: q('users') },
        { child: q('session_refresh_hashes'), parent: q('sessions') },
        { child: q('sessions'), parent: q('users') },
        { child: q('tokens'), parent: q('users') },
        { child: q('trusted_devices'), parent: q('users') },
      ].map((r) => ({ ...r, action: 'c' })),
    );
  });

  it('stores every time as timestamptz', async () => {
    const { rows } = await pool.query<{ column: string; type: string }>(
      `SELECT table_name || '.' || column_name AS column, data_type AS type
         FROM information_schema.columns
        WHERE table_schema = $1 AND (column_name LIKE '%\\_at' OR column_name LIKE '%\\_until')
          AND table_name <> 'portcullis_migrations'`,
      [schema],
    );
    expect(rows.length).toBe(18);
    expect(new Set(rows.map((r) => r.type))).toEqual(new Set(['timestamp with time zone']));
  });

  it('has a unique index on normalized email and username, and an index for every lookup', async () => {
    const { rows } = await pool.query<{ name: string; def: string }>(
      'SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE schemaname = $1',
      [schema],
    );
    const defs = rows.map((r) =>
      r.def.replace(/^CREATE (UNIQUE )?INDEX \S+ ON \S+ USING btree /, '$1'),
    );
    expect(defs.sort()).toEqual(
      [
        'UNIQUE (email_normalized)',
        'UNIQUE (username_normalized)',
        'UNIQUE (id)', // users
        'UNIQUE (id)', // sessions
        '(user_id, created_at DESC)', // sessions by user
        '(LEAST(idle_expires_at, absolute_expires_at))', // purge
        'UNIQUE (session_id, hash)', // reuse check
        'UNIQUE (purpose, selector)', // tokens
        '(user_id, purpose)',
        '(expires_at)',
        'UNIQUE (user_id, id)', // recovery codes
        'UNIQUE (id)', // trusted devices
        '(user_id, created_at DESC)',
        '(expires_at)',
        'UNIQUE (key)', // rate limits
        '(GREATEST(reset_at, locked_until))',
        'UNIQUE (sequence)', // audit
        '(user_id, sequence DESC)',
        'UNIQUE (version)', // migrations
      ].sort(),
    );
  });
});

describe('records owned by a user', () => {
  it('go with the user: deleting the user row cascades to every store', async () => {
    const s = storage();
    const now = Date.now();
    const user = makeUser(now);
    await s.users.create(user);
    const session = {
      id: `sess-${user.id}`,
      userId: user.id,
      refreshHash: 'h0',
      previousRefreshHashes: [],
      createdAt: now,
      lastSeenAt: now,
      idleExpiresAt: now + 60_000,
      absoluteExpiresAt: now + 120_000,
      freshUntil: now,
      amr: ['pwd'],
    };
    await s.sessions.create(session);
    expect(
      await s.sessions.rotateRefresh(session.id, { expectedHash: 'h0', newHash: 'h1', now }),
    ).toBe('rotated');
    await s.tokens.create({
      purpose: 'p',
      selector: `sel-${user.id}`,
      verifierHash: 'v',
      userId: user.id,
      expiresAt: now + 1,
      attempts: 0,
    });
    await s.twoFactor.replaceRecoveryCodes(user.id, [{ id: 'rc1', hash: 'h' }]);
    await s.twoFactor.createTrustedDevice({
      id: `dev-${user.id}`,
      userId: user.id,
      secretHash: 'h',
      createdAt: now,
      lastUsedAt: now,
      expiresAt: now + 1,
    });
    await s.audit.append({ userId: user.id, type: 'login.succeeded', createdAt: now });
    const owned = ['sessions', 'tokens', 'recovery_codes', 'trusted_devices', 'audit_events'];
    for (const table of owned) expect(await count(table, 'user_id = $1', [user.id])).toBe(1);
    expect(await count('session_refresh_hashes', 'session_id = $1', [session.id])).toBe(1);
    await s.users.delete(user.id);
    for (const table of owned) expect(await count(table, 'user_id = $1', [user.id])).toBe(0);
    expect(await count('session_refresh_hashes', 'session_id = $1', [session.id])).toBe(0);
  });

  it('cannot exist without their user: the driver error reaches the caller (core: STORAGE_UNAVAILABLE)', async () => {
    const now = Date.now();
    const orphan = { userId: 'no-such-user', type: 'login.succeeded', createdAt: now };
    await expect(storage().audit.append(orphan)).rejects.toMatchObject({ code: '23503' });
  });
});

describe('times', () => {
  it('round-trip exactly through timestamptz, whatever the session time zone', async () => {
    const far = await connectPool({ pool: { options: '-c TimeZone=Pacific/Chatham' } });
    try {
      for (const createdAt of [
        0, -1, 1, 951_782_400_123, 1_700_000_000_999, 8_640_000_000_000_000,
      ]) {
        const user = makeUser(createdAt, { lastLoginAt: createdAt + 1, updatedAt: createdAt });
        await storage().users.create(user);
        expect(await postgresStorage(fromPool(far), { schema }).users.getById(user.id)).toEqual(
          user,
        );
      }
    } finally {
      await far.end();
    }
  });
});
