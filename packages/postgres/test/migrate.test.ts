import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAuthError } from '@portcullis/core';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fromPool,
  listMigrations,
  migrate,
  postgresStorage,
  quoteSchemaName,
} from '../src/index.js';
import { connectPool, live, makeUser, release, testSchema } from './helpers.js';

let pool: Pool;
const schemas: string[] = [];
/** A fresh schema name, dropped after the file. */
const fresh = (name = testSchema()) => {
  schemas.push(name);
  return name;
};

beforeAll(async () => {
  pool = await connectPool();
});

afterAll(async () => {
  await release(pool, ...schemas);
});

const recorded = async (schema: string) =>
  (
    await pool.query<{ version: number; name: string; checksum: string }>(
      `SELECT version, name, checksum FROM "${schema}".portcullis_migrations ORDER BY version`,
    )
  ).rows;

describe('migrate', () => {
  it('applies every migration once, records it, and applies nothing the second time', async () => {
    const schema = fresh();
    const all = await listMigrations();
    expect(all.length).toBeGreaterThan(0);
    expect(all[0]).toEqual({ version: 1, name: '0001_initial' });
    const first = await migrate(fromPool(pool), { schema });
    expect(first).toEqual({ schema, applied: all });
    const second = await migrate(fromPool(pool), { schema });
    expect(second).toEqual({ schema, applied: [] });
    const rows = await recorded(schema);
    expect(rows.map((r) => ({ version: r.version, name: r.name }))).toEqual(all);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.checksum))).toBe(true);
  });

  it('is safe when two processes (two pools) migrate one schema at the same time', async () => {
    const schema = fresh();
    const other = await connectPool({ max: 2 });
    try {
      const results = await Promise.all([
        migrate(fromPool(pool), { schema }),
        migrate(fromPool(other), { schema }),
        migrate(fromPool(other), { schema }),
      ]);
      const applied = results.flatMap((r) => r.applied.map((m) => m.version));
      // Each migration applied exactly once, by whichever process took the lock first.
      expect(applied.sort()).toEqual((await listMigrations()).map((m) => m.version));
      expect(await recorded(schema)).toHaveLength((await listMigrations()).length);
    } finally {
      await other.end();
    }
  });

  it('creates its tables in the schema it is given, case kept, and nothing in public', async () => {
    const schema = fresh(`Pc_Test_${Date.now().toString(36)}`);
    await migrate(fromPool(pool), { schema });
    const { rows } = await pool.query<{ table_schema: string; table_name: string }>(
      `SELECT table_schema, table_name FROM information_schema.tables
        WHERE table_name IN ('users', 'sessions', 'portcullis_migrations')
          AND table_schema IN ($1, 'public')`,
      [schema],
    );
    expect(rows.map((r) => r.table_schema)).toEqual([schema, schema, schema]);
    const storage = postgresStorage(fromPool(pool), { schema });
    const user = makeUser(Date.now());
    expect(await storage.users.create(user)).toBe('created');
    expect(await storage.users.getById(user.id)).toEqual(user);
    // Another schema is another set of tables.
    const elsewhere = fresh();
    await migrate(fromPool(pool), { schema: elsewhere });
    expect(
      await postgresStorage(fromPool(pool), { schema: elsewhere }).users.getById(user.id),
    ).toBeUndefined();
  });

  it('upgrades a schema made before 0002 to 0008: generation 0, no secondFactorAt, no named hits, no links, no passkeys, no roles, events listed by type', async () => {
    const schema = fresh();
    // The schema as migrate() left it when 0001 was the only migration, with rows in it.
    const initial = await readFile(
      new URL('../migrations/0001_initial.sql', import.meta.url),
      'utf8',
    );
    const client = await pool.connect();
    try {
      await client.query(`CREATE SCHEMA "${schema}"; SET search_path TO "${schema}"`);
      await client.query(initial);
      await client.query(
        `CREATE TABLE portcullis_migrations (version integer PRIMARY KEY, name text NOT NULL,
           checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
         INSERT INTO portcullis_migrations (version, name, checksum)
           VALUES (1, '0001_initial', '${createHash('sha256').update(initial).digest('hex')}');
         INSERT INTO users (id, email, email_normalized, created_at, updated_at)
           VALUES ('old', 'old@example.test', 'old@example.test', date_trunc('second', now()),
             date_trunc('second', now()));
         INSERT INTO sessions (id, user_id, secret_hash, created_at, last_seen_at,
             idle_expires_at, absolute_expires_at, fresh_until, amr)
           SELECT 'old-s', 'old', 'h', t, t, t + interval '1 hour', t + interval '2 hours', t,
             '{pwd}' FROM date_trunc('second', now()) AS t;
         INSERT INTO trusted_devices (id, user_id, secret_hash, created_at, last_used_at, expires_at)
           SELECT 'old-d', 'old', 'h', t, t, t + interval '1 hour'
             FROM date_trunc('second', now()) AS t;
         INSERT INTO rate_limits (key, count, reset_at)
           SELECT 'old-rl', 2, t + interval '1 hour' FROM date_trunc('second', now()) AS t;
         INSERT INTO audit_events (user_id, type, created_at)
           SELECT 'old', 'login.failed', t FROM date_trunc('second', now()) AS t;`,
      );
    } finally {
      await client.query('RESET search_path');
      client.release();
    }
    const { applied } = await migrate(fromPool(pool), { schema });
    // Every migration after 0001, in order: 0002 to 0008 and any later one.
    expect(applied).toEqual((await listMigrations()).slice(1));
    expect(applied.slice(0, 7)).toEqual([
      { version: 2, name: '0002_credential_generations' },
      { version: 3, name: '0003_rate_limit_hit_ids' },
      { version: 4, name: '0004_accounts' },
      { version: 5, name: '0005_userless_tokens' },
      { version: 6, name: '0006_passkeys' },
      { version: 7, name: '0007_user_roles_and_list' },
      { version: 8, name: '0008_audit_type_index' },
    ]);
    const storage = postgresStorage(fromPool(pool), { schema });
    const now = Date.now();
    const user = await storage.users.getById('old');
    expect(user).toMatchObject({ id: 'old', credentialGeneration: 0 });
    const session = await storage.sessions.get('old-s', now);
    expect(session).toMatchObject({ id: 'old-s', credentialGeneration: 0, amr: ['pwd'] });
    expect(session).not.toHaveProperty('secondFactorAt');
    expect(await storage.sessionWithUser('old-s', now)).toEqual({ session: live(session), user });
    expect(await storage.twoFactor.getTrustedDevice('old-d', now)).toMatchObject({
      credentialGeneration: 0,
    });
    // The window survives with no named hits: nothing to release until a named hit counts.
    const { rateLimits } = storage;
    expect(await rateLimits.peek('old-rl', now)).toMatchObject({ count: 2 });
    expect(await rateLimits.release('old-rl', 'any', now)).toBe(false);
    await rateLimits.hit('old-rl', { limit: 5, windowMs: 60_000, now, id: 'new' });
    expect(await rateLimits.release('old-rl', 'new', now)).toBe(true);
    expect(await rateLimits.peek('old-rl', now)).toMatchObject({ count: 2 });
    // The existing user has no linked accounts, and can be given one.
    expect(await storage.accounts.listByUser('old')).toEqual([]);
    const link = {
      id: 'old-a',
      userId: 'old',
      provider: 'oidc',
      subject: 'old-sub',
      createdAt: now,
      lastUsedAt: now,
    };
    expect(await storage.accounts.create(link)).toBe('created');
    expect(await storage.accounts.getBySubject('oidc', 'old-sub')).toEqual(link);
    // Nor passkeys, and can register one.
    expect(await storage.passkeys.listByUser('old')).toEqual([]);
    const passkey = {
      id: 'old-p',
      userId: 'old',
      credentialId: 'old-cred',
      publicKey: 'pQECAyYgASFYIA',
      counter: 0,
      transports: ['usb'],
      deviceType: 'singleDevice' as const,
      backedUp: false,
      name: 'YubiKey',
      createdAt: now,
    };
    expect(await storage.passkeys.create(passkey)).toBe('created');
    expect(await storage.passkeys.getByCredentialId('old-cred')).toEqual(passkey);
    // Nor roles (no key at all), is listed, and can be given some.
    expect(user).not.toHaveProperty('roles');
    expect(await storage.users.list({ limit: 2 })).toEqual([user]);
    expect(await storage.users.update('old', { roles: ['admin'], updatedAt: now })).toBe('updated');
    expect(await storage.users.list({ role: 'admin', limit: 2 })).toMatchObject([
      { id: 'old', roles: ['admin'] },
    ]);
    // Its events are in everyone's log, and in the log of their type (0008's index).
    const [old] = await storage.audit.listAll({ limit: 2 });
    expect(old).toMatchObject({ userId: 'old', type: 'login.failed' });
    const later = await storage.audit.append({
      userId: 'old',
      type: 'login.failed',
      createdAt: now,
    });
    expect(await storage.audit.listAll({ type: 'login.failed', limit: 3 })).toEqual([
      { userId: 'old', type: 'login.failed', createdAt: now, sequence: later },
      old,
    ]);
    expect(await storage.audit.listAll({ type: 'login.succeeded', limit: 3 })).toEqual([]);
  });

  it('rolls back a migration run that fails, leaving nothing behind', async () => {
    const schema = fresh();
    // A table in the way: the first migration's CREATE TABLE users fails.
    await pool.query(`CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".users (x int)`);
    await expect(migrate(fromPool(pool), { schema })).rejects.toMatchObject({ code: '42P07' });
    const { rows } = await pool.query(
      `SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name <> 'users'`,
      [schema],
    );
    expect(rows).toEqual([]);
  });
});

describe('schema names', () => {
  const refused = [
    '',
    'bad-name',
    'x; DROP TABLE users',
    'a"b',
    '1abc',
    'ü',
    'a'.repeat(64),
    'a b',
  ];

  it.each(refused)('refuses %j with CONFIG_INVALID before any SQL runs', async (schema) => {
    const error = await migrate(fromPool(pool), { schema }).catch((e: unknown) => e);
    expect(isAuthError(error) && error.code).toBe('CONFIG_INVALID');
    expect(() => postgresStorage(fromPool(pool), { schema })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });

  it('accepts plain identifiers up to 63 characters and quotes them', () => {
    expect(quoteSchemaName('portcullis')).toBe('"portcullis"');
    expect(quoteSchemaName('Auth_2')).toBe('"Auth_2"');
    expect(quoteSchemaName(`_${'a'.repeat(62)}`)).toBe(`"_${'a'.repeat(62)}"`);
  });
});
