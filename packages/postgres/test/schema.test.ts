import type { SessionRecord, TrustedDeviceRecord } from '@portcullis/core/storage';
import { type Pool, types } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromPool, migrate, type PostgresStorage, postgresStorage } from '../src/index.js';
import { connectPool, GENERATION, live, makeUser, release, testSchema } from './helpers.js';

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
        { child: q('accounts'), parent: q('users') },
        { child: q('audit_events'), parent: q('users') },
        { child: q('passkeys'), parent: q('users') },
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
    expect(rows.length).toBe(23);
    expect(new Set(rows.map((r) => r.type))).toEqual(new Set(['timestamp with time zone']));
  });

  it('keeps credential generations in bigint NOT NULL DEFAULT 0, and second_factor_at nullable', async () => {
    const { rows } = await pool.query<{
      column: string;
      type: string;
      nullable: string;
      def: string | null;
    }>(
      `SELECT table_name || '.' || column_name AS column, data_type AS type,
              is_nullable AS nullable, column_default AS def
         FROM information_schema.columns
        WHERE table_schema = $1 AND column_name IN ('credential_generation', 'second_factor_at')
        ORDER BY 1`,
      [schema],
    );
    expect(rows).toEqual([
      { column: 'sessions.credential_generation', type: 'bigint', nullable: 'NO', def: '0' },
      {
        column: 'sessions.second_factor_at',
        type: 'timestamp with time zone',
        nullable: 'YES',
        def: null,
      },
      { column: 'trusted_devices.credential_generation', type: 'bigint', nullable: 'NO', def: '0' },
      { column: 'users.credential_generation', type: 'bigint', nullable: 'NO', def: '0' },
    ]);
  });

  it("keeps users' roles in text[] NOT NULL DEFAULT '{}'", async () => {
    const { rows } = await pool.query(
      `SELECT data_type AS type, udt_name AS udt, is_nullable AS nullable, column_default AS def
         FROM information_schema.columns
        WHERE table_schema = $1 AND table_name = 'users' AND column_name = 'roles'`,
      [schema],
    );
    expect(rows).toEqual([{ type: 'ARRAY', udt: '_text', nullable: 'NO', def: "'{}'::text[]" }]);
  });

  it('has a unique index on normalized email and username, and an index for every lookup', async () => {
    const { rows } = await pool.query<{ name: string; def: string }>(
      'SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE schemaname = $1',
      [schema],
    );
    const defs = rows.map((r) =>
      r.def.replace(/^CREATE (UNIQUE )?INDEX \S+ ON \S+ USING (?:btree )?/, '$1'),
    );
    expect(defs.sort()).toEqual(
      [
        'UNIQUE (email_normalized)',
        'UNIQUE (username_normalized)',
        'UNIQUE (id)', // users
        '(created_at, id COLLATE "C")', // users.list: pages, and the prefix of each field
        '(email_normalized text_pattern_ops)',
        '(username_normalized text_pattern_ops)',
        '(lower(first_name) text_pattern_ops)',
        '(lower(last_name) text_pattern_ops)',
        'gin (roles)', // and the role
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
        'UNIQUE (id)', // accounts
        'UNIQUE (provider, subject)',
        '(user_id, created_at, id COLLATE "C")',
        'UNIQUE (id)', // passkeys
        'UNIQUE (credential_id)',
        '(user_id, created_at, id COLLATE "C")',
        'UNIQUE (sequence)', // audit
        '(user_id, sequence DESC)',
        '(type, sequence)', // audit.listAll of one type
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
      credentialGeneration: GENERATION,
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
      credentialGeneration: GENERATION,
    });
    await s.audit.append({ userId: user.id, type: 'login.succeeded', createdAt: now });
    await s.accounts.create({
      id: `acct-${user.id}`,
      userId: user.id,
      provider: 'oidc',
      subject: `sub-${user.id}`,
      createdAt: now,
      lastUsedAt: now,
    });
    await s.passkeys.create({
      id: `pk-${user.id}`,
      userId: user.id,
      credentialId: `cred-${user.id}`,
      publicKey: 'pQECAyYgASFYIA',
      counter: 0,
      transports: ['internal'],
      deviceType: 'multiDevice',
      backedUp: true,
      name: 'MacBook',
      createdAt: now,
    });
    const owned = [
      'accounts',
      'passkeys',
      'sessions',
      'tokens',
      'recovery_codes',
      'trusted_devices',
      'audit_events',
    ];
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

describe('credential generations', () => {
  // Safe integers that a float8 with 15 significant digits, an int4 or a string would change.
  const generations = [0, 1, 2 ** 31, 2 ** 52 + 3, 2 ** 53 - 2, GENERATION];

  /** Writes a user, session and trusted device of `generation` and reads them through `s`. */
  async function roundTrip(read: PostgresStorage, generation: number) {
    const s = storage();
    const now = Date.now();
    const user = makeUser(now, { credentialGeneration: generation });
    await s.users.create(user);
    const session: SessionRecord = {
      id: `sess-${user.id}`,
      userId: user.id,
      secretHash: 'h',
      previousRefreshHashes: [],
      createdAt: now,
      lastSeenAt: now,
      idleExpiresAt: now + 60_000,
      absoluteExpiresAt: now + 120_000,
      freshUntil: now,
      amr: ['pwd', 'otp'],
      credentialGeneration: generation,
      secondFactorAt: now - 1,
    };
    await s.sessions.create(session);
    const device: TrustedDeviceRecord = {
      id: `dev-${user.id}`,
      userId: user.id,
      secretHash: 'h',
      createdAt: now,
      lastUsedAt: now,
      expiresAt: now + 60_000,
      credentialGeneration: generation,
    };
    await s.twoFactor.createTrustedDevice(device);
    expect(await read.users.getById(user.id)).toEqual(user);
    expect(await read.users.getByEmail(user.emailNormalized)).toEqual(user);
    expect(await read.sessions.get(session.id, now)).toEqual(session);
    expect(await read.sessions.listByUser(user.id, now)).toEqual([session]);
    expect(await read.sessionWithUser(session.id, now)).toEqual({ session: live(session), user });
    expect(await read.twoFactor.getTrustedDevice(device.id, now)).toEqual(device);
    expect(await read.twoFactor.listTrustedDevices(user.id, now)).toEqual([device]);
  }

  it('round-trip exactly through every read, the joined one included', async () => {
    for (const generation of generations) await roundTrip(storage(), generation);
  });

  it('round-trip exactly whatever extra_float_digits and the pool’s int8 parser say', async () => {
    // extra_float_digits = 0 (the default before PostgreSQL 12) prints a float8 with 15
    // significant digits; a global or per-pool int8 parser may turn bigint into BigInt.
    const odd = await connectPool({
      pool: {
        options: '-c extra_float_digits=0',
        types: {
          getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
            oid === 20
              ? (text: string) => BigInt(text)
              : types.getTypeParser(oid, format)) as never,
        },
      },
    });
    try {
      for (const generation of generations) {
        await roundTrip(postgresStorage(fromPool(odd), { schema }), generation);
      }
    } finally {
      await odd.end();
    }
  });

  it('users.update and sessions.markFresh write them exactly', async () => {
    const s = storage();
    const now = Date.now();
    const user = makeUser(now, { credentialGeneration: 0 });
    await s.users.create(user);
    expect(
      await s.users.update(user.id, { credentialGeneration: 2 ** 52 + 3, updatedAt: now + 1 }),
    ).toBe('updated');
    expect(await s.users.getById(user.id)).toEqual({
      ...user,
      credentialGeneration: 2 ** 52 + 3,
      updatedAt: now + 1,
    });
    const session: SessionRecord = {
      id: `sess-${user.id}`,
      userId: user.id,
      secretHash: 'h',
      previousRefreshHashes: [],
      createdAt: now,
      lastSeenAt: now,
      idleExpiresAt: now + 60_000,
      absoluteExpiresAt: now + 120_000,
      freshUntil: now,
      amr: ['pwd'],
      credentialGeneration: 0,
    };
    await s.sessions.create(session);
    // Nothing given: both stay as they are (absent stays absent).
    expect(await s.sessions.markFresh(session.id, { freshUntil: now + 5, now })).toBe('updated');
    expect(await s.sessions.get(session.id, now)).toEqual({ ...session, freshUntil: now + 5 });
    const changed = {
      freshUntil: now + 9,
      amr: ['pwd', 'otp'],
      secondFactorAt: now + 1,
      credentialGeneration: GENERATION - 1,
    };
    expect(await s.sessions.markFresh(session.id, { ...changed, now })).toBe('updated');
    expect(await s.sessions.get(session.id, now)).toEqual({ ...session, ...changed });
    expect(await s.sessionWithUser(session.id, now)).toEqual({
      session: live({ ...session, ...changed }),
      user: { ...user, credentialGeneration: 2 ** 52 + 3, updatedAt: now + 1 },
    });
    // A dead session is not written, and a deleted one is not brought back.
    const dead = {
      freshUntil: now,
      secondFactorAt: now,
      credentialGeneration: 7,
      now: now + 120_000,
    };
    expect(await s.sessions.markFresh(session.id, dead)).toBe('not_found');
    expect(await s.sessions.get(session.id, now)).toEqual({ ...session, ...changed });
    await s.sessions.delete(session.id);
    expect(await s.sessions.markFresh(session.id, { ...dead, now })).toBe('not_found');
    expect(await count('sessions', 'id = $1', [session.id])).toBe(0);
  });
});
