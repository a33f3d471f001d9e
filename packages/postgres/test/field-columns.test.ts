import { type Auth, type AuthErrorCode, isAuthError } from '@portcullis/core';
import type { SessionRecord } from '@portcullis/core/storage';
import { describeStorageConformance } from '@portcullis/core/testing';
import type { Pool } from 'pg';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fromPool,
  migrate,
  type PostgresStorage,
  type PostgresStorageOptions,
  postgresStorage,
  type SqlClient,
} from '../src/index.js';
import { resolveFieldColumns } from '../src/storage/field-columns.js';
import {
  toUser,
  USER_COLUMN_NAMES,
  type UserRow,
  unprefixUser,
  userColumns,
} from '../src/storage/users-row.js';
import { authOver, CTX, PASSWORD } from './auth-helpers.js';
import { connectPool, makeUser, release, testSchema } from './helpers.js';

// The app's own user fields in columns of their own (issue 19): `bio` and `profilePicture` in
// text columns, `address` in a jsonb one; every other metadata key stays in `metadata`.
const schema = testSchema();
const kitSchema = testSchema();
let pool: Pool | undefined;
let pg: PostgresStorage;

const MAPPING = {
  bio: 'bio',
  profilePicture: 'profile_picture',
  address: { column: 'address', type: 'jsonb' },
} as const;

beforeAll(async () => {
  pool = await connectPool({ max: 10 });
  await migrate(fromPool(pool), { schema });
  // The integrator's own migration.
  await pool.query(
    `ALTER TABLE "${schema}".users ADD COLUMN bio text, ADD COLUMN profile_picture text,
       ADD COLUMN address jsonb`,
  );
  pg = postgresStorage(fromPool(pool), { schema, fieldColumns: MAPPING });
});
afterAll(() => release(pool, schema, kitSchema));

const t = Date.UTC(2026, 10, 23, 12, 0, 0, 123);

function db(): Pool {
  if (pool === undefined) throw new Error('no pool');
  return pool;
}

/** The row as PostgreSQL holds it: the mapped columns, and the metadata jsonb. */
async function raw(id: string) {
  const { rows } = await db().query<{
    bio: string | null;
    profile_picture: string | null;
    address: unknown;
    metadata: Record<string, unknown>;
  }>(`SELECT bio, profile_picture, address, metadata FROM "${schema}".users WHERE id = $1`, [id]);
  return rows[0];
}

const session = (userId: string, id: string): SessionRecord => ({
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
  amr: ['pwd'],
  credentialGeneration: 1,
});

/** The error `promise` rejects with; fails when it resolves or rejects with another code. */
async function rejection(promise: Promise<unknown>, code: AuthErrorCode) {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isAuthError(error)) throw new Error(`expected ${code}, got ${String(error)}`);
  expect(error.code).toBe(code);
  return error;
}

/** Every way of reading a user back: each lookup, list and the session join. */
async function everyRead(storage: PostgresStorage, id: string) {
  const user = await storage.users.getById(id);
  if (user === undefined) throw new Error('no user');
  await storage.sessions.create(session(id, `s-${id}`));
  const listed = await storage.users.list({ limit: 1000 });
  return {
    byId: user,
    byEmail: await storage.users.getByEmail(user.emailNormalized),
    byUsername: await storage.users.getByUsername(user.usernameNormalized ?? ''),
    listed: listed.find((u) => u.id === id),
    joined: (await storage.sessionWithUser(`s-${id}`, t))?.user,
  };
}

describe('fieldColumns: mapped metadata keys live in their own columns', () => {
  it('create puts each mapped key in its column, the rest in metadata; every read puts them back', async () => {
    const metadata = {
      bio: 'Analyst',
      profilePicture: 'https://img.example/ada.png',
      address: { city: 'London', lines: ['12 St James Sq'] },
      plan: 'pro',
    };
    const user = makeUser(t, { metadata });
    expect(await pg.users.create(user)).toBe('created');
    expect(await raw(user.id)).toEqual({
      bio: 'Analyst',
      profile_picture: 'https://img.example/ada.png',
      address: { city: 'London', lines: ['12 St James Sq'] },
      metadata: { plan: 'pro' },
    });
    const reads = await everyRead(pg, user.id);
    for (const read of Object.values(reads)) expect(read).toEqual(user);
  });

  it('a user without the mapped keys has NULL columns and no keys', async () => {
    const user = makeUser(t, { metadata: { plan: 'free' } });
    await pg.users.create(user);
    expect(await raw(user.id)).toEqual({
      bio: null,
      profile_picture: null,
      address: null,
      metadata: { plan: 'free' },
    });
    for (const read of Object.values(await everyRead(pg, user.id))) {
      expect(read?.metadata).toEqual({ plan: 'free' });
    }
  });

  it('a metadata update replaces the whole metadata: a dropped mapped key empties its column', async () => {
    const user = makeUser(t, { metadata: { bio: 'Analyst', profilePicture: 'https://a/b.png' } });
    await pg.users.create(user);
    await pg.users.update(user.id, {
      metadata: { bio: 'Engineer', address: 'just a string', plan: 'pro' },
      updatedAt: t + 1,
    });
    expect(await raw(user.id)).toEqual({
      bio: 'Engineer',
      profile_picture: null,
      address: 'just a string',
      metadata: { plan: 'pro' },
    });
    const expected = { bio: 'Engineer', address: 'just a string', plan: 'pro' };
    // A jsonb column holding a JSON string stays a string on the JSON join path too.
    for (const read of Object.values(await everyRead(pg, user.id))) {
      expect(read?.metadata).toEqual(expected);
    }
    // An update without metadata leaves the columns alone.
    await pg.users.update(user.id, { firstName: 'Ada', updatedAt: t + 2 });
    expect((await raw(user.id))?.bio).toBe('Engineer');
    // Clearing: the keys go, and so do the values in the columns.
    await pg.users.update(user.id, { metadata: { bio: null, plan: 'pro' }, updatedAt: t + 3 });
    expect(await raw(user.id)).toEqual({
      bio: null,
      profile_picture: null,
      address: null,
      metadata: { plan: 'pro' },
    });
    expect((await pg.users.getById(user.id))?.metadata).toEqual({ plan: 'pro' });
  });

  it('jsonb columns keep numbers, booleans, arrays and nested objects exactly', async () => {
    for (const address of [0, -1.5, true, false, [], ['a', { b: null }], { n: { m: [1, 'ü'] } }]) {
      const user = makeUser(t, { metadata: { address } });
      await pg.users.create(user);
      expect((await raw(user.id))?.address).toEqual(address);
      for (const read of Object.values(await everyRead(pg, user.id))) {
        expect(read?.metadata).toEqual({ address });
      }
    }
  });

  it('a value that its text column cannot take is VALIDATION_FAILED naming the key, and nothing is written', async () => {
    for (const bio of [42, true, ['a'], { text: 'x' }, 'nul \u0000 inside']) {
      const user = makeUser(t, { metadata: { bio } as never });
      const error = await rejection(pg.users.create(user), 'VALIDATION_FAILED');
      expect(error.details?.map((d) => d.path)).toEqual(['bio']);
      expect(await raw(user.id)).toBeUndefined();
    }
    const user = makeUser(t, { metadata: { bio: 'kept' } });
    await pg.users.create(user);
    const error = await rejection(
      pg.users.update(user.id, {
        metadata: { bio: 7, profilePicture: { url: 'x' } } as never,
        updatedAt: t + 1,
      }),
      'VALIDATION_FAILED',
    );
    expect(error.details?.map((d) => d.path)).toEqual(['bio', 'profilePicture']);
    expect(await raw(user.id)).toMatchObject({ bio: 'kept', metadata: {} });
  });

  it('inside a transaction: writes and reads map the same way, and a rollback takes them back', async () => {
    const user = makeUser(t, { metadata: { bio: 'in tx', plan: 'pro' } });
    await pg.transaction(async (tx) => {
      expect(await tx.users.create(user)).toBe('created');
      await tx.users.update(user.id, { metadata: { bio: 'changed', plan: 'pro' }, updatedAt: t });
      await tx.sessions.create(session(user.id, `s-tx-${user.id}`));
      expect((await tx.sessionWithUser(`s-tx-${user.id}`, t))?.user?.metadata).toEqual({
        bio: 'changed',
        plan: 'pro',
      });
    });
    expect(await raw(user.id)).toMatchObject({ bio: 'changed', metadata: { plan: 'pro' } });
    const doomed = makeUser(t, { metadata: { bio: 'never' } });
    await expect(
      pg.transaction(async (tx) => {
        await tx.users.create(doomed);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await raw(doomed.id)).toBeUndefined();
  });

  it('a value left in metadata from before the mapping reads as before, and moves to the column at the next write', async () => {
    const user = makeUser(t, { metadata: { plan: 'pro' } });
    await pg.users.create(user);
    await db().query(
      `UPDATE "${schema}".users SET metadata = '{"plan":"pro","bio":"old"}' WHERE id = $1`,
      [user.id],
    );
    expect((await pg.users.getById(user.id))?.metadata).toEqual({ plan: 'pro', bio: 'old' });
    const read = await pg.users.getById(user.id);
    await pg.users.update(user.id, { metadata: { ...read?.metadata }, updatedAt: t + 1 });
    expect(await raw(user.id)).toMatchObject({ bio: 'old', metadata: { plan: 'pro' } });
  });

  it('userColumns with an alias and a prefix selects the mapped columns too, for unprefixUser', async () => {
    const fields = resolveFieldColumns(MAPPING, USER_COLUMN_NAMES);
    const user = makeUser(t, { metadata: { bio: 'joined', address: [1], plan: 'pro' } });
    await pg.users.create(user);
    const { rows } = await db().query(
      `SELECT ${userColumns('u.', 'u_', fields)}, s.id AS id FROM "${schema}".users u
         JOIN (SELECT 'not-the-user' AS id) s ON true WHERE u.id = $1`,
      [user.id],
    );
    const row = rows[0] as Record<string, unknown>;
    expect(toUser(unprefixUser(row, 'u_', fields), fields)).toEqual(user);
    expect(toUser(unprefixUser(row, 'u_') as UserRow).metadata).toEqual({ plan: 'pro' });
  });

  it('the prepared statements of storages with other column sets have other names, on one connection', async () => {
    const one = await connectPool({ max: 1 });
    try {
      const names: string[] = [];
      const recorder = (): SqlClient => {
        const inner = fromPool(one);
        return {
          query: (text, params, options) => {
            if (options?.name !== undefined) names.push(options.name);
            return inner.query(text, params, options);
          },
          exec: (script) => inner.exec(script),
          transaction: (fn) => inner.transaction(fn),
        };
      };
      const plain = postgresStorage(recorder(), { schema });
      const mapped = postgresStorage(recorder(), { schema, fieldColumns: MAPPING });
      const fewer = postgresStorage(recorder(), { schema, fieldColumns: { bio: 'bio' } });
      const user = makeUser(t, { metadata: { bio: 'b', plan: 'p' } });
      await mapped.users.create(user);
      // Alternating on the one connection: node-postgres refuses a known name with another text.
      for (let i = 0; i < 2; i += 1) {
        expect((await plain.users.getById(user.id))?.metadata).toEqual({ plan: 'p' });
        expect((await mapped.users.getById(user.id))?.metadata).toEqual({ bio: 'b', plan: 'p' });
        expect((await fewer.users.getById(user.id))?.metadata).toEqual({ bio: 'b', plan: 'p' });
      }
      const byId = new Set(names.filter((n) => n.includes('users_get_by_id')));
      expect(byId.size).toBe(3);
    } finally {
      await one.end();
    }
  });
});

describe('fieldColumns: configuration and the check of the columns', () => {
  const refused: [string, NonNullable<PostgresStorageOptions['fieldColumns']>, RegExp][] = [
    ['a column that would need quoting (injection)', { bio: 'bio"; DROP TABLE x; --' }, /ASCII/],
    ['an empty column', { bio: '' }, /ASCII/],
    ['a column of Portcullis', { bio: 'email' }, /own/],
    ['the metadata column itself', { bio: 'metadata' }, /own/],
    ['a column mapped twice', { bio: 'about', about: 'about' }, /twice/],
    ['a type other than text or jsonb', { bio: { column: 'bio', type: 'int' as never } }, /type/],
    ['a prototype key', JSON.parse('{"__proto__": "bio"}'), /metadata key/],
  ];
  it.each(refused)(
    'refuses %s with CONFIG_INVALID at creation',
    (_label, fieldColumns, message) => {
      let error: unknown;
      try {
        postgresStorage(fromPool(db()), { schema, fieldColumns });
      } catch (e) {
        error = e;
      }
      expect(isAuthError(error) && error.code).toBe('CONFIG_INVALID');
      expect(String((error as Error).message)).toMatch(message);
    },
  );

  it('a missing column fails every users call with CONFIG_INVALID naming it, until the migration adds it', async () => {
    const storage = postgresStorage(fromPool(db()), {
      schema,
      fieldColumns: { bio: 'bio', nickname: 'nickname' },
    });
    const user = makeUser(t, { metadata: { nickname: 'ada' } });
    const calls = [
      () => storage.checkFieldColumns(),
      () => storage.users.create(user),
      () => storage.users.getById(user.id),
      () => storage.users.getByEmail(user.emailNormalized),
      () => storage.users.update(user.id, { metadata: {}, updatedAt: t }),
      () => storage.users.list({ limit: 1 }),
      () => storage.sessionWithUser('nope', t),
      () => storage.transaction((tx) => tx.users.getById(user.id)),
    ];
    for (const call of calls) {
      const error = await rejection(call(), 'CONFIG_INVALID');
      expect(error.message).toContain('"nickname"');
      expect(error.message).toContain(`ALTER TABLE "${schema}".users ADD COLUMN "nickname" text`);
      expect(error.details?.map((d) => d.path)).toEqual(['fieldColumns.nickname']);
    }
    expect(await raw(user.id)).toBeUndefined();
    await db().query(`ALTER TABLE "${schema}".users ADD COLUMN nickname text`);
    expect(await storage.users.create(user)).toBe('created');
    expect((await storage.users.getById(user.id))?.metadata).toEqual({ nickname: 'ada' });
  });

  it('refuses a column of another type, or NOT NULL, naming each', async () => {
    await db().query(
      `ALTER TABLE "${schema}".users ADD COLUMN age integer, ADD COLUMN title varchar(20),
         ADD COLUMN motto text NOT NULL DEFAULT ''`,
    );
    const storage = postgresStorage(fromPool(db()), {
      schema,
      fieldColumns: { age: { column: 'age', type: 'jsonb' }, title: 'title', motto: 'motto' },
    });
    const error = await rejection(storage.checkFieldColumns(), 'CONFIG_INVALID');
    expect(error.details).toEqual([
      { path: 'fieldColumns.age', message: expect.stringMatching(/"age" is integer, not jsonb/) },
      {
        path: 'fieldColumns.title',
        message: expect.stringMatching(/"title" is character varying, not text/),
      },
      { path: 'fieldColumns.motto', message: expect.stringMatching(/"motto" is NOT NULL/) },
    ]);
  });

  it('a missing column through createAuth is CONFIG_INVALID, not STORAGE_UNAVAILABLE', async () => {
    const storage = postgresStorage(fromPool(db()), {
      schema,
      fieldColumns: { company: 'company' },
    });
    const { auth } = await authOver(storage, { emailVerification: { required: false } });
    try {
      await rejection(
        auth.register({ email: 'nocol@example.test', password: PASSWORD }, CTX),
        'CONFIG_INVALID',
      );
    } finally {
      await auth.close();
    }
  });
});

describe('fieldColumns through createAuth with user.fields', () => {
  const FIELDS = {
    bio: { schema: v.optional(v.string()), input: true, editable: true },
    profilePicture: { schema: v.optional(v.pipe(v.string(), v.url())), editable: true },
    plan: v.optional(v.picklist(['free', 'pro'])),
    // An integrator's mistake: a number field mapped to a text column.
    luckyNumber: { schema: v.optional(v.number()), input: true, editable: true },
  } as const;

  async function fieldAuth(over: Record<string, unknown> = {}) {
    await db().query(`ALTER TABLE "${schema}".users ADD COLUMN IF NOT EXISTS lucky_number text`);
    const storage = postgresStorage(fromPool(db()), {
      schema,
      fieldColumns: { ...MAPPING, luckyNumber: 'lucky_number' },
    });
    const { auth } = await authOver(storage, {
      emailVerification: { required: false },
      user: { fields: FIELDS },
      ...over,
    } as never);
    return auth as unknown as Auth<typeof FIELDS>;
  }

  it('register, get, update, clear and validateSession go through the columns', async () => {
    const auth = await fieldAuth();
    try {
      const email = 'ada.fields@example.test';
      await auth.register({ email, password: PASSWORD, bio: 'Analyst' }, CTX);
      const stored = await auth.storage.users.getByEmail(email);
      const id = stored?.id ?? '';
      expect(await raw(id)).toMatchObject({ bio: 'Analyst', profile_picture: null, metadata: {} });
      expect(await auth.users.get(id)).toMatchObject({
        bio: 'Analyst',
        profilePicture: null,
        plan: null,
      });

      const login = await auth.login({ identifier: email, password: PASSWORD }, CTX);
      if (login.status !== 'signed_in' || login.tokens.strategy !== 'cookie') {
        throw new Error('expected a cookie sign-in');
      }
      const { sessionToken } = login.tokens;
      expect((await auth.validateSession(sessionToken)).user).toMatchObject({ bio: 'Analyst' });

      await auth.users.update(
        id,
        { bio: 'Engineer', profilePicture: 'https://img.example/ada.png' },
        CTX,
      );
      // `plan` is not mapped: admins' and the app's writes of it stay in the jsonb.
      const current = await auth.storage.users.getById(id);
      await auth.storage.users.update(id, {
        metadata: { ...current?.metadata, plan: 'pro' },
        updatedAt: Date.now(),
      });
      expect(await raw(id)).toMatchObject({
        bio: 'Engineer',
        profile_picture: 'https://img.example/ada.png',
        metadata: { plan: 'pro' },
      });
      expect((await auth.validateSession(sessionToken)).user).toMatchObject({
        bio: 'Engineer',
        profilePicture: 'https://img.example/ada.png',
        plan: 'pro',
      });

      const cleared = await auth.users.update(id, { bio: null }, CTX);
      expect(cleared).toMatchObject({ bio: null, profilePicture: 'https://img.example/ada.png' });
      expect(await raw(id)).toMatchObject({ bio: null, metadata: { plan: 'pro' } });
      expect(await auth.users.get(id)).toMatchObject({ bio: null, plan: 'pro' });
      expect((await auth.validateSession(sessionToken)).user).toMatchObject({ bio: null });
    } finally {
      await auth.close();
    }
  });

  it('a non-string value for a text-mapped field is VALIDATION_FAILED naming it; nothing is written', async () => {
    // Registration that signs in stores the account before answering, so the error reaches
    // the caller (the default registration stores it in the background and logs it).
    const auth = await fieldAuth({ registration: { signIn: true } });
    try {
      const email = 'lucky@example.test';
      const error = await rejection(
        auth.register({ email, password: PASSWORD, luckyNumber: 7 }, CTX),
        'VALIDATION_FAILED',
      );
      expect(error.details?.map((d) => d.path)).toEqual(['luckyNumber']);
      expect(await auth.storage.users.getByEmail(email)).toBeUndefined();

      await auth.register({ email, password: PASSWORD, bio: 'Gambler' }, CTX);
      const id = (await auth.storage.users.getByEmail(email))?.id ?? '';
      const update = await rejection(
        auth.users.update(id, { bio: 'Changed', luckyNumber: 8 }, CTX),
        'VALIDATION_FAILED',
      );
      expect(update.details?.map((d) => d.path)).toEqual(['luckyNumber']);
      expect(await raw(id)).toMatchObject({ bio: 'Gambler', metadata: {} });
    } finally {
      await auth.close();
    }
  });
});

// The storage contract, with the kit's own metadata keys in columns: `plan` (a string) in a
// text column, `tags` and `nested` (an array and an object) in jsonb ones.
describeStorageConformance('postgresStorage with fieldColumns', async () => {
  const client = fromPool(db());
  await migrate(client, { schema: kitSchema });
  await db().query(
    `ALTER TABLE "${kitSchema}".users ADD COLUMN plan text, ADD COLUMN tags jsonb,
       ADD COLUMN nested jsonb`,
  );
  const storage = postgresStorage(client, {
    schema: kitSchema,
    fieldColumns: {
      plan: 'plan',
      tags: { column: 'tags', type: 'jsonb' },
      nested: { column: 'nested', type: 'jsonb' },
    },
  });
  await storage.checkFieldColumns();
  return storage;
});
