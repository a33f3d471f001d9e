import type { Auth } from '@portcullis/core';
import { createHttpHandler, type HttpHandler } from '@portcullis/core/http';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import {
  type DjangoImportReport,
  fromPool,
  importDjango,
  migrate,
  postgresStorage,
} from '../../src/index.js';
import { authOver, CTX, linkToken } from '../auth-helpers.js';
import { connectPool, DATABASE_URL, release, testSchema } from '../helpers.js';
import {
  coreVector,
  loadFixture,
  oathtool,
  pythonPbkdf2,
  pythonScrypt,
} from './django-fixtures.js';

const SECRET = 'postgres-tests-secret-0123456789abcdef'; // the one authOver configures
const PASSWORD = 'correct horse battery staple';
const django = testSchema();
const schema = testSchema();
let pool: Pool;
let hasher: Awaited<ReturnType<typeof cheap>>;
let first: DjangoImportReport;

const cheap = () =>
  import('@portcullis/core/password').then((c) =>
    c.createPasswordHasher({ backend: 'inline', params: { memoryKiB: 1024, iterations: 1 } }),
  );

// 20-byte keys (django-otp's default: random_hex(20)); oathtool reads them as hex.
const ALICE_KEY = '3132333435363738393031323334353637383930';
const OLD_KEY = 'aa'.repeat(20);
const GINA_KEY = '0f1e2d3c4b5a69788796a5b4c3d2e1f00112233a';
const SHORT_KEY = 'ab'.repeat(10); // 80 bits: under otplib's 16-byte guardrail

const joined = '2021-03-04 05:06:07.123456+00';

async function seed() {
  const pbkdf2 = pythonPbkdf2(PASSWORD, 'hVx9Q2mLpZ7rTn4KcW1sYb', 10_000);
  const scrypt = pythonScrypt(PASSWORD, 'Qw8eRt5yUi2oPa9sDf6gHj', 1024, 8, 1);
  const argon2 = coreVector('django_argon2id').stored;
  const bcryptSha256 = coreVector('django_bcrypt_sha256').stored;
  const users: [number, string, string, string, boolean, string | null][] = [
    // id, username, email, password, is_active, last_login
    [1, 'alice', ' Alice@Example.COM ', pbkdf2, true, '2024-05-06 07:08:09.5+02'],
    [2, 'bob', 'bob@example.com', scrypt, true, null],
    [3, 'carol', 'carol@example.com', argon2, true, null],
    [4, 'dave', 'dave@example.com', bcryptSha256, true, null],
    [5, 'erin', 'erin@example.com', pbkdf2, false, null],
    [6, 'frank', 'frank@example.com', '!Xo8wJtM3qRz2lT0bYv9kNpL5sFh4dGcEaU1iO7', true, null],
    [7, 'nomail', '', pbkdf2, true, null],
    [8, 'dup1', 'Dup@Example.com', pbkdf2, true, null],
    [9, 'dup2', 'dup@example.COM', pbkdf2, true, null],
    [10, 'shorty', 'shorty@example.com', pbkdf2, true, null],
    [11, 'gina', 'gina@example.com', pbkdf2, true, null],
    [12, 'hank@example.com', 'hank@example.com', pbkdf2, true, null],
  ];
  for (const [id, username, email, password, active, lastLogin] of users) {
    await pool.query(
      `INSERT INTO "${django}".auth_user (id, password, last_login, is_superuser, username,
         first_name, last_name, email, is_staff, is_active, date_joined)
       VALUES ($1, $2, $3, false, $4, $5, 'Django', $6, $7, $8, $9)`,
      [id, password, lastLogin, username, username, email, id === 1, active, joined],
    );
  }
  const totp = async (id: number, user: number, key: string, confirmed: boolean, drift = 0) =>
    pool.query(
      `INSERT INTO "${django}".otp_totp_totpdevice (id, name, confirmed, key, step, t0, digits,
         tolerance, drift, last_t, user_id, throttling_failure_count)
       VALUES ($1, 'phone', $2, $3, 30, 0, 6, 1, $4, -1, $5, 0)`,
      [id, confirmed, key, drift, user],
    );
  await totp(1, 1, OLD_KEY, true); // superseded by device 3
  await totp(2, 1, OLD_KEY, false); // unconfirmed
  await totp(3, 1, ALICE_KEY, true);
  await totp(4, 10, SHORT_KEY, true);
  await totp(5, 11, GINA_KEY, true, 2); // django-otp saw this phone two steps ahead
  await pool.query(
    `INSERT INTO "${django}".otp_static_staticdevice (id, name, confirmed, user_id,
       throttling_failure_count) VALUES (1, 'backup', true, 1, 0), (2, 'backup', true, 2, 0)`,
  );
  // django-otp's tokens: b32encode(urandom(5)).lower(); one added by hand, not Base32.
  await pool.query(
    `INSERT INTO "${django}".otp_static_statictoken (id, token, device_id)
     VALUES (1, 'abcd2345', 1), (2, 'qrst6723', 1), (3, 'hand0189', 1), (4, 'wxyz2345', 2)`,
  );
}

/** Every row of the Portcullis tables the import writes, for before/after comparisons. */
async function dump(): Promise<string> {
  const users = await pool.query(`SELECT * FROM "${schema}".users ORDER BY id`);
  const codes = await pool.query(`SELECT * FROM "${schema}".recovery_codes ORDER BY user_id, id`);
  return JSON.stringify({ users: users.rows, codes: codes.rows });
}

const run = (over: Partial<Parameters<typeof importDjango>[0]> = {}, withSecret = true) =>
  importDjango({
    from: pool,
    to: pool,
    schema,
    fromSchema: django,
    ...(withSecret ? { secret: SECRET } : {}),
    hasher,
    batchSize: 4,
    ...over,
  });

beforeAll(async () => {
  pool = await connectPool({ max: 4 });
  hasher = await cheap();
  await loadFixture(pool, django, 'django-auth.sql');
  await loadFixture(pool, django, 'django-otp.sql');
  await migrate(fromPool(pool), { schema });
  await seed();
}, 60_000);

afterAll(async () => {
  await hasher?.close();
  await release(pool, django, schema);
});

describe('importDjango', () => {
  it('a dry run reports the import and writes nothing', async () => {
    const before = await dump();
    const report = await run({ dryRun: true }, false);
    expect(report).toMatchObject({ dryRun: true, total: 12, imported: 8, unchanged: 0 });
    expect(await dump()).toBe(before);
    expect(before).toBe(JSON.stringify({ users: [], codes: [] }));
  });

  it('imports users, reporting what it could not import and every unmapped column', async () => {
    const progress: unknown[] = [];
    first = await run({ onProgress: (p) => progress.push(p) });
    expect(progress).toEqual([
      { batch: 1, processed: 4, total: 12 },
      { batch: 2, processed: 8, total: 12 },
      { batch: 3, processed: 12, total: 12 },
    ]);
    expect(first).toMatchObject({
      dryRun: false,
      total: 12,
      imported: 8, // alice bob carol dave erin frank gina hank
      unchanged: 0,
      diverged: [],
      skipped: [
        { djangoId: 7, reason: 'no_email' },
        { djangoId: 10, reason: 'totp_unusable' },
      ],
      conflicts: [{ kind: 'email', value: 'dup@example.com', djangoIds: [8, 9] }],
      unmappedColumns: ['is_superuser', 'is_staff'],
      usernamesDropped: [{ djangoId: 12, username: 'hank@example.com' }],
      passwordsUnusable: [{ djangoId: 6, reason: 'unusable' }],
      totpDevicesImported: 2,
      staticTokensImported: 2,
      otpTablesFound: true,
    });
    expect(first.totpDevicesSkipped).toEqual(
      expect.arrayContaining([
        { djangoUserId: 1, deviceId: 1, reason: 'superseded' },
        { djangoUserId: 1, deviceId: 2, reason: 'unconfirmed' },
        { djangoUserId: 10, deviceId: 4, reason: 'key_too_short' },
      ]),
    );
    expect(first.staticTokensSkipped).toEqual([
      { djangoUserId: 1, tokenId: 3, reason: 'not_base32' },
      { djangoUserId: 2, tokenId: 4, reason: 'no_totp' },
    ]);

    const storage = postgresStorage(pool, { schema });
    const alice = await storage.users.getById('django:1');
    expect(alice).toMatchObject({
      email: 'Alice@Example.COM',
      emailNormalized: 'alice@example.com',
      emailVerifiedAt: Date.parse('2021-03-04T05:06:07.123Z'),
      createdAt: Date.parse('2021-03-04T05:06:07.123Z'),
      lastLoginAt: Date.parse('2024-05-06T05:08:09.500Z'),
      username: 'alice',
      usernameNormalized: 'alice',
      firstName: 'alice',
      lastName: 'Django',
      disabled: false,
      passwordHash: expect.stringMatching(/^pbkdf2_sha256\$10000\$/),
      totp: { algorithm: 'sha1', digits: 6, periodSeconds: 30, t0: 0 },
    });
    expect(alice?.totp?.encryptedSecret).toMatch(/^pc1\./);
    expect(await storage.users.getById('django:5')).toMatchObject({ disabled: true });
    expect(await storage.users.getById('django:6')).not.toHaveProperty('passwordHash');
    expect(await storage.users.getById('django:8')).toBeUndefined();
    expect(await storage.users.getById('django:9')).toBeUndefined();
    expect(await storage.users.getById('django:10')).toBeUndefined();
    expect(await storage.users.getById('django:12')).not.toHaveProperty('username');
    // Drift folded into t0: django-otp's step numbers, and so last_t, carry over.
    expect((await storage.users.getById('django:11'))?.totp).toMatchObject({ t0: -60 });
    const codes = await storage.twoFactor.listRecoveryCodes('django:1');
    expect(codes.map((c) => c.hash)).toEqual([
      expect.stringMatching(/^\$argon2id\$/),
      expect.stringMatching(/^\$argon2id\$/),
    ]);
  });

  it('a second run changes nothing and says so', async () => {
    const before = await dump();
    const again = await run();
    expect(again).toMatchObject({ imported: 0, unchanged: 8, diverged: [] });
    expect(await dump()).toBe(before);
  });

  describe('through the HTTP API', () => {
    let auth: Auth;
    let handler: HttpHandler;
    const storage = () => postgresStorage(pool, { schema });
    beforeAll(async () => {
      ({ auth } = await authOver(storage()));
      handler = createHttpHandler(auth);
    });
    /** POSTs JSON to the API as a client on 203.0.113.7 would; the status and the body. */
    // The browser's challenge cookie: a sign-in challenge is bound to the client that got it.
    let challengeCookie: string | undefined;
    const post = async (path: string, body: unknown) => {
      const res = await handler(
        new Request(`https://app.example.com/api/auth${path}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            origin: 'https://app.example.com',
            ...(challengeCookie === undefined ? {} : { cookie: challengeCookie }),
          },
          body: JSON.stringify(body),
        }),
        { remoteAddress: '203.0.113.7' },
      );
      const set = res.headers
        .getSetCookie()
        .find((c) => c.startsWith('__Host-portcullis.challenge='))
        ?.split(';')[0];
      if (set !== undefined) challengeCookie = set;
      const json = (res.status === 204 ? {} : await res.json()) as {
        status?: string;
        challenge?: string;
        methods?: string[];
        error?: { code: string };
      };
      return { status: res.status, ...json };
    };
    const login = (identifier: string) => post('/login', { identifier, password: PASSWORD });

    it.each([
      ['bob@example.com', 'django_scrypt'],
      ['carol@example.com', 'django_argon2id'],
      ['dave@example.com', 'django_bcrypt_sha256'],
      ['hank@example.com', 'django_pbkdf2_sha256'],
    ])('%s signs in with the old password (%s), and the hash becomes argon2id', async (email) => {
      expect(await login(email)).toMatchObject({ status: 'signed_in' });
      const user = await storage().users.getByEmail(email);
      expect(user?.passwordHash).toMatch(/^\$argon2id\$/);
    });

    it('a disabled Django user stays disabled', async () => {
      expect(await login('erin@example.com')).toMatchObject({
        error: { code: 'ACCOUNT_DISABLED' },
      });
    });

    it('a TOTP user is asked for a code, and the one oathtool makes from the hex key passes', async () => {
      const first = await login('alice@example.com');
      expect(first).toMatchObject({ status: 'two_factor_required' });
      expect(first.methods).toEqual(expect.arrayContaining(['totp', 'recovery']));
      const code = oathtool(ALICE_KEY, Date.now());
      const done = await post('/2fa/verify', { challenge: first.challenge, method: 'totp', code });
      expect(done).toMatchObject({ status: 'signed_in' });
      expect((await storage().users.getById('django:1'))?.passwordHash).toMatch(/^\$argon2id\$/);
    });

    it('a device with drift takes the code of the step django-otp expected', async () => {
      const first = await login('gina@example.com');
      expect(first).toMatchObject({ status: 'two_factor_required' });
      // drift 2: the phone runs two steps ahead, beyond the ±1 step core accepts, so only a
      // drift folded into t0 lets this code pass.
      const code = oathtool(GINA_KEY, Date.now() + 60_000);
      const done = await post('/2fa/verify', { challenge: first.challenge, method: 'totp', code });
      expect(done).toMatchObject({ status: 'signed_in' });
    });

    it('static tokens are stored as argon2id of the code core compares (upper case)', async () => {
      const codes = await storage().twoFactor.listRecoveryCodes('django:1');
      const byId = new Map(codes.map((c) => [c.id, c.hash]));
      expect(await hasher.verify('ABCD2345', byId.get('django:static:1') ?? '')).toBe(true);
      expect(await hasher.verify('QRST6723', byId.get('django:static:2') ?? '')).toBe(true);
    });

    // django-otp's tokens have 8 characters (b32encode(urandom(5)).lower()); core accepts
    // recovery codes of 8 to 64.
    it('a static token works once as a recovery code', async () => {
      const attempt = async () => {
        const first = await login('alice@example.com');
        const done = await post('/2fa/verify', {
          challenge: first.challenge,
          method: 'recovery',
          code: 'abcd2345',
        });
        return done.status === 'signed_in' ? 'signed_in' : done.error?.code;
      };
      expect(await attempt()).toBe('signed_in');
      expect(await attempt()).toBe('CODE_INVALID');
    });

    it('a user with an unusable password cannot sign in, and can reset', async () => {
      expect(await login('frank@example.com')).toMatchObject({
        error: { code: 'INVALID_CREDENTIALS' },
      });
      const { auth: withMail, mailer } = await authOver(storage());
      await withMail.passwords.requestReset('frank@example.com', CTX);
      await withMail.passwords.reset(
        {
          token: await linkToken(mailer, 'frank@example.com', 'password-reset'),
          newPassword: 'a brand new passphrase',
        },
        CTX,
      );
      const result = await withMail.login(
        { identifier: 'frank@example.com', password: 'a brand new passphrase' },
        CTX,
      );
      expect(result.status).toBe('signed_in');
    });

    it('users changed since the import are reported and left alone on a rerun', async () => {
      const before = await dump();
      const report = await run();
      expect(report.imported).toBe(0);
      expect(report.diverged.map((d) => d.djangoId).sort()).toEqual([1, 11, 2, 3, 4, 6, 12].sort());
      expect(await dump()).toBe(before);
    });
  });
});

describe('portcullis-postgres import-django', () => {
  it('runs end to end: progress on stderr, the report on stdout', async () => {
    const target = testSchema();
    try {
      const out: string[] = [];
      const err: string[] = [];
      const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
      const env = { DATABASE_URL, AUTH_SECRET: SECRET };
      expect(await runCli(['migrate', '--schema', target], { ...io, env })).toBe(0);
      out.length = 0;
      const args = [
        'import-django',
        '--from',
        DATABASE_URL,
        '--from-schema',
        django,
        '--schema',
        target,
      ];
      expect(await runCli([...args, '--batch-size', '5'], { ...io, env })).toBe(0);
      expect(err).toEqual([
        'import-django: batch 1, 5/12 users read',
        'import-django: batch 2, 10/12 users read',
        'import-django: batch 3, 12/12 users read',
      ]);
      expect(out[0]).toBe(
        'Imported 8 of 12 users; 0 unchanged, 0 changed since an earlier import (left as they are), 2 skipped, 1 conflicts.',
      );
      expect(out).toContain(
        'Unmapped columns (not copied; map them with --column-map or map to "ignore"): is_superuser, is_staff.',
      );
      expect(out).toContain('  conflict: email dup@example.com: django users 8, 9 (not imported)');
      out.length = 0;
      expect(await runCli(args, { ...io, env })).toBe(0);
      expect(out[0]).toMatch(/^Imported 0 of 12 users; 8 unchanged/);
      expect(out).toContain('Nothing changed: every user was already imported.');
    } finally {
      await pool.query(`DROP SCHEMA IF EXISTS "${target}" CASCADE`);
    }
  }, 60_000);

  it('refuses to import TOTP devices without the secret', async () => {
    const err: string[] = [];
    const code = await runCli(
      ['import-django', '--from', DATABASE_URL, '--from-schema', django, '--schema', schema],
      { out: () => undefined, err: (l) => err.push(l), env: { DATABASE_URL } },
    );
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(/need the application secret/);
  });

  it('requires --from', async () => {
    const err: string[] = [];
    const code = await runCli(['import-django', '--url', DATABASE_URL], {
      out: () => undefined,
      err: (l) => err.push(l),
      env: {},
    });
    expect(code).toBe(2);
    expect(err.join('\n')).toMatch(/Missing --from/);
  });
});
