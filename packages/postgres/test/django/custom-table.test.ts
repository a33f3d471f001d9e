import type { Pool } from 'pg';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromPool, importDjango, migrate, postgresStorage } from '../../src/index.js';
import { connectPool, release, testSchema } from '../helpers.js';
import { loadFixture, pythonPbkdf2 } from './django-fixtures.js';

const django = testSchema();
const schema = testSchema();
const second = testSchema(); // a Portcullis schema for the TOTP-only run
const third = testSchema(); // a Portcullis schema for the user-fields run
let pool: Pool;

beforeAll(async () => {
  pool = await connectPool({ max: 2 });
  await loadFixture(pool, django, 'custom-user.sql');
  await migrate(fromPool(pool), { schema });
  await migrate(fromPool(pool), { schema: second });
  await migrate(fromPool(pool), { schema: third });
  const hash = pythonPbkdf2('correct horse battery staple', 'c2FsdHlzYWx0', 1000);
  await pool.query(
    `INSERT INTO "${django}".accounts_user (id, password, is_superuser, username, first_name,
       last_name, email, is_staff, is_active, date_joined, email_verified, bio, profile_picture)
     VALUES (1, $1, false, 'ver', '', '', 'ver@example.com', false, true, '2022-01-01Z', true,
             'Hello', 'pics/ver.png'),
            (2, $1, false, 'unver', '', '', 'unver@example.com', false, true, '2022-01-01Z', false,
             '', '')`,
    [hash],
  );
}, 60_000);

afterAll(async () => {
  await release(pool, django, schema, second, third);
});

describe('importDjango with a custom user table', () => {
  const options = {
    userTable: 'accounts_user',
    columnMap: { email_verified: 'emailVerified', bio: 'metadata.bio' },
  };

  it('maps the columns it is told to, and lists the others', async () => {
    const report = await importDjango({
      from: pool,
      to: pool,
      schema,
      fromSchema: django,
      ...options,
    });
    expect(report).toMatchObject({
      imported: 2,
      unmappedColumns: ['is_superuser', 'is_staff', 'profile_picture'],
      otpTablesFound: false,
    });
    const storage = postgresStorage(pool, { schema });
    expect(await storage.users.getById('django:1')).toMatchObject({
      emailVerifiedAt: Date.parse('2022-01-01T00:00:00Z'),
      metadata: { bio: 'Hello' },
    });
    const unverified = await storage.users.getById('django:2');
    expect(unverified).toMatchObject({ metadata: { bio: '' } });
    expect(unverified).not.toHaveProperty('emailVerifiedAt');
    // Empty first and last names are not stored.
    expect(unverified).not.toHaveProperty('firstName');
  });

  it('"ignore" silences a column; unknown targets and columns are refused', async () => {
    const base = { from: pool, to: pool, schema, fromSchema: django, userTable: 'accounts_user' };
    const report = await importDjango({
      ...base,
      dryRun: true,
      columnMap: {
        ...options.columnMap,
        profile_picture: 'ignore',
        is_staff: 'ignore',
        is_superuser: 'ignore',
      },
    });
    expect(report).toMatchObject({ unmappedColumns: [], unchanged: 2, imported: 0 });
    await expect(importDjango({ ...base, columnMap: { bio: 'biography' } })).rejects.toThrow(
      /unknown target "biography"/,
    );
    await expect(importDjango({ ...base, columnMap: { nope: 'metadata.x' } })).rejects.toThrow(
      /no column "nope"/,
    );
    await expect(importDjango({ ...base, userTable: 'missing' })).rejects.toThrow(/No table/);
  });
});

describe("importDjango into the app's own user fields", () => {
  const fields = {
    bio: { schema: v.optional(v.pipe(v.string(), v.maxLength(500))), editable: true },
    profilePicture: v.optional(v.pipe(v.string(), v.regex(/^pics\//, 'a picture path'))),
  };
  const base = { fromSchema: django, userTable: 'accounts_user' };

  it('maps columns to fields, checks them by their schemas, and skips a user they refuse', async () => {
    const report = await importDjango({
      ...base,
      from: pool,
      to: pool,
      schema: third,
      columnMap: {
        email_verified: 'emailVerified',
        bio: 'fields.bio',
        profile_picture: 'fields.profilePicture',
      },
      fields,
    });
    // User 2's empty picture path is not one the schema takes: skipped, naming the field.
    expect(report).toMatchObject({
      imported: 1,
      skipped: [{ djangoId: 2, reason: 'field_invalid', field: 'profilePicture' }],
    });
    const user = await postgresStorage(pool, { schema: third }).users.getById('django:1');
    expect(user?.metadata).toEqual({ bio: 'Hello', profilePicture: 'pics/ver.png' });
  });

  it('refuses a field the app did not declare, and a field and its metadata key together', async () => {
    await expect(
      importDjango({
        ...base,
        from: pool,
        to: pool,
        schema: third,
        columnMap: { bio: 'fields.biography' },
        fields,
      }),
    ).rejects.toThrow(/"biography" is not one of the declared user fields/);
    await expect(
      importDjango({
        ...base,
        from: pool,
        to: pool,
        schema: third,
        columnMap: { bio: 'fields.bio', profile_picture: 'metadata.bio' },
      }),
    ).rejects.toThrow(/both map to/);
  });
});

describe('importDjango with django-otp TOTP installed but not otp_static', () => {
  it('still imports the TOTP devices (a second factor is never dropped)', async () => {
    // Only `otp_totp`'s table: many projects install it without `otp_static`.
    await pool.query(`CREATE TABLE "${django}".otp_totp_totpdevice (
      id integer PRIMARY KEY, name varchar(64) NOT NULL, confirmed boolean NOT NULL,
      key varchar(80) NOT NULL, step smallint NOT NULL, t0 bigint NOT NULL,
      digits smallint NOT NULL, tolerance smallint NOT NULL, drift smallint NOT NULL,
      last_t bigint NOT NULL, user_id integer NOT NULL)`);
    await pool.query(
      `INSERT INTO "${django}".otp_totp_totpdevice VALUES
         (1, 'phone', true, '3132333435363738393031323334353637383930', 30, 0, 6, 1, 0, -1, 1)`,
    );
    const report = await importDjango({
      from: pool,
      to: pool,
      schema: second,
      fromSchema: django,
      userTable: 'accounts_user',
      columnMap: { email_verified: 'emailVerified', bio: 'metadata.bio' },
      secret: 'postgres-tests-secret-0123456789abcdef',
    });
    expect(report).toMatchObject({ imported: 2, totpDevicesImported: 1, otpTablesFound: true });
    const user = await postgresStorage(pool, { schema: second }).users.getById('django:1');
    expect(user?.totp).toMatchObject({ digits: 6, periodSeconds: 30, t0: 0 });
  });
});
