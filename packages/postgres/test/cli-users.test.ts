import { randomBytes } from 'node:crypto';
import { isAuthError } from '@portcullis/core';
import type { AuditEventRecord } from '@portcullis/core/storage';
import { DEFAULT_TOTP_PARAMS, totpCode } from '@portcullis/core/two-factor';
import { freePort } from '@portcullis-tests/support';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/run.js';
import { fromPool, migrate, type PostgresStorage, postgresStorage } from '../src/index.js';
import { authOver, CTX, PASSWORD } from './auth-helpers.js';
import { connectPool, DATABASE_URL, makeUser, release, testSchema } from './helpers.js';

const schema = testSchema();
let admin: Pool;
let storage: PostgresStorage;

beforeAll(async () => {
  admin = await connectPool({ max: 2 });
  await migrate(fromPool(admin), { schema });
  storage = postgresStorage(admin, { schema });
});

afterAll(async () => {
  await release(admin, schema);
});

/** Runs the CLI with `stdin` as its standard input, and captures what it prints. */
async function cli(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const { stdin } = options;
  const code = await runCli(args, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env: options.env ?? {},
    ...(stdin === undefined ? {} : { stdin: async () => stdin }),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const AT = ['--url', DATABASE_URL, '--schema', schema];

/** `portcullis-postgres users …` against the test schema. */
const users = (args: string[], options: { stdin?: string } = {}) =>
  cli(['users', ...args, ...AT], options);

/** `users … --json`, which must succeed: its one JSON document. */
async function usersJson(args: string[], options: { stdin?: string } = {}) {
  const result = await users([...args, '--json'], options);
  expect(result).toMatchObject({ code: 0, err: '' });
  return JSON.parse(result.out) as Record<string, unknown>;
}

/** Creates a verified user with `PASSWORD` through the CLI; resolves to its id. */
async function created(email: string, ...roles: string[]): Promise<string> {
  const document = await usersJson(
    ['create', email, '--password-stdin', '--verified', ...roles.flatMap((r) => ['--role', r])],
    { stdin: `${PASSWORD}\n` },
  );
  return (document.user as { id: string }).id;
}

/** A signed-in session's token for `email` (cookie strategy). */
async function signIn(auth: Awaited<ReturnType<typeof authOver>>['auth'], email: string) {
  const result = await auth.login({ identifier: email, password: PASSWORD }, CTX);
  if (result.status !== 'signed_in' || result.tokens.strategy !== 'cookie') {
    throw new Error(`expected a sign-in, got ${result.status}`);
  }
  return result.tokens.sessionToken;
}

/** The error code a promise rejects with, or `ok`. */
const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (isAuthError(e) ? e.code : `thrown: ${String(e)}`),
  );

/** The `(type, data)` of the user's audit events, oldest first. */
async function trail(userId: string) {
  const events: AuditEventRecord[] = await storage.audit.list(userId, { limit: 50 });
  return events.reverse().map((e) => ({ type: e.type, data: e.data }));
}

const count = async (sql: string) =>
  Number((await admin.query<{ n: string }>(sql)).rows[0]?.n ?? Number.NaN);

describe('portcullis-postgres users create', () => {
  it('creates the first admin, who then lists users through the admin API', async () => {
    const result = await users(
      ['create', 'Root@Example.test', '--password-stdin', '--role', 'admin', '--verified'],
      { stdin: `${PASSWORD}\n` },
    );
    const stored = await storage.users.getByEmail('root@example.test');
    expect(result).toEqual({
      code: 0,
      out: `Created Root@Example.test (${stored?.id}).\nRoles: admin. Email verified. Password set.`,
      err: '',
    });
    expect(stored).toMatchObject({ email: 'Root@Example.test', roles: ['admin'], disabled: false });
    expect(stored?.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // Argon2id at core's defaults; the trailing newline of stdin is not part of the password.
    expect(stored?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const { auth } = await authOver(storage);
    try {
      await signIn(auth, 'root@example.test');
      const { users: listed } = await auth.admin.users.list({ userId: stored?.id ?? '' });
      expect(listed.map((u) => u.email)).toContain('Root@Example.test');
    } finally {
      await auth.close();
    }
    expect(await trail(stored?.id ?? '')).toContainEqual({
      type: 'admin.action',
      data: {
        action: 'user.created',
        via: 'cli',
        roles: ['admin'],
        emailVerified: true,
        hasPassword: true,
      },
    });
  });

  it('without --password-stdin makes a user with no password, unverified; --json prints it', async () => {
    const document = await usersJson(['create', 'nopass@example.test', '--role', 'support']);
    expect(document).toEqual({
      user: {
        id: expect.any(String),
        email: 'nopass@example.test',
        emailVerified: false,
        username: null,
        firstName: null,
        lastName: null,
        twoFactorEnabled: false,
        roles: ['support'],
        createdAt: expect.any(String),
        disabled: false,
        hasPassword: false,
        lastLoginAt: null,
      },
    });
    const stored = await storage.users.getByEmail('nopass@example.test');
    expect(stored?.passwordHash).toBeUndefined();
    expect(stored?.emailVerifiedAt).toBeUndefined();
    expect((await users(['create', 'nopass2@example.test'])).out).toContain(
      'No password: they sign in with a password reset link or a magic link.',
    );
  });

  it('hashes under NODE_ENV=production too (no secret of the app is needed)', async () => {
    const before = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      const result = await users(['create', 'prod@example.test', '--password-stdin'], {
        stdin: PASSWORD,
      });
      expect(result).toMatchObject({ code: 0, err: '' });
    } finally {
      process.env.NODE_ENV = before;
    }
    expect((await storage.users.getByEmail('prod@example.test'))?.passwordHash).toMatch(
      /^\$argon2id\$/,
    );
  });

  it('refuses a taken email with exit code 1, normalized as core does, writing nothing', async () => {
    const before = await count(`SELECT count(*) AS n FROM "${schema}".users`);
    const result = await users(['create', '  NOPASS@example.TEST '], { stdin: 'x' });
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^A user with email NOPASS@example.TEST exists: /);
    expect(await count(`SELECT count(*) AS n FROM "${schema}".users`)).toBe(before);
  });

  it.each([
    ['a weak password', ['--password-stdin'], 'short\n', /The password is refused: Use at least 8/],
    ['an empty stdin', ['--password-stdin'], '', /stdin is empty/],
    ['several lines', ['--password-stdin'], `${PASSWORD}\nmore\n`, /more than one line/],
    ['a bad role name', ['--role', '1admin'], '', /Not a role name: 1admin/],
    ['a role name over 64 characters', ['--role', `r${'x'.repeat(64)}`], '', /Not a role name/],
  ])('refuses %s with exit code 2, writing nothing', async (_, extra, stdin, message) => {
    const before = await count(`SELECT count(*) AS n FROM "${schema}".users`);
    const result = await users(['create', 'refused@example.test', ...extra], { stdin });
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
    expect(result.out).toBe('');
    expect(await count(`SELECT count(*) AS n FROM "${schema}".users`)).toBe(before);
  });

  it('never takes a password from an argument, and never echoes one', async () => {
    for (const args of [
      ['create', 'p@example.test', '--password', 'hunter2-secret'],
      ['create', 'p@example.test', '--password=hunter2-secret'],
      ['create', 'p@example.test', 'hunter2-secret'],
    ]) {
      const result = await users(args);
      expect(result.code).toBe(2);
      expect(result.err).toMatch(/--password-stdin/);
      expect(result.err).not.toContain('hunter2');
    }
    expect(await storage.users.getByEmail('p@example.test')).toBeUndefined();
  });
});

describe('portcullis-postgres users list and show', () => {
  it('lists users oldest first, with filters, a limit, and --json', async () => {
    await created('list-a@example.test', 'editor');
    await created('list-b@example.test');
    await users(['disable', 'list-b@example.test']);
    const human = await users(['list', '--query', 'LIST-']);
    expect(human.code).toBe(0);
    const lines = human.out.split('\n');
    expect(lines[0]).toMatch(/^ID +EMAIL +ROLES +STATUS +CREATED$/);
    expect(lines[1]).toMatch(/ list-a@example\.test +editor +active +\d{4}-/);
    expect(lines[2]).toMatch(/ list-b@example\.test +- +disabled +\d{4}-/);
    expect(lines[3]).toBe('2 users.');

    const all = await usersJson(['list', '--query', 'list-']);
    expect((all.users as { email: string }[]).map((u) => u.email)).toEqual([
      'list-a@example.test',
      'list-b@example.test',
    ]);
    expect(all.more).toBe(false);
    const emails = async (args: string[]) =>
      ((await usersJson(['list', ...args])).users as { email: string }[]).map((u) => u.email);
    expect(await emails(['--role', 'editor'])).toEqual(['list-a@example.test']);
    expect(await emails(['--query', 'list-', '--disabled', 'true'])).toEqual([
      'list-b@example.test',
    ]);
    expect(await emails(['--query', 'list-', '--disabled', 'false'])).toEqual([
      'list-a@example.test',
    ]);
    const first = await usersJson(['list', '--query', 'list-', '--limit', '1']);
    expect(first).toMatchObject({ users: [{ email: 'list-a@example.test' }], more: true });
    expect((await users(['list', '--query', 'list-', '--limit', '1'])).out).toMatch(
      /1 user shown; more match \(raise --limit/,
    );
    expect(await users(['list', '--query', 'nobody-'])).toEqual({
      code: 0,
      out: 'No users match.',
      err: '',
    });
  });

  it('shows one user by email or id, with sessions and locks; --json', async () => {
    const id = await created('show@example.test', 'support');
    const { auth } = await authOver(storage);
    try {
      await signIn(auth, 'show@example.test');
    } finally {
      await auth.close();
    }
    const human = await users(['show', 'SHOW@example.test']);
    expect(human.code).toBe(0);
    expect(human.out).toContain(`id:              ${id}`);
    expect(human.out).toContain('email:           show@example.test (verified)');
    expect(human.out).toContain('roles:           support');
    expect(human.out).toContain('password:        set');
    expect(human.out).toContain('sign-in lock:    none');
    expect(human.out).toContain('sessions:        1');
    expect(human.out).toContain(CTX.ip);
    const document = await usersJson(['show', id]);
    expect(document).toMatchObject({
      user: { id, email: 'show@example.test', roles: ['support'], hasPassword: true },
      sessions: [{ ip: CTX.ip, userAgent: CTX.userAgent }],
      accounts: [],
      passkeys: [],
      twoFactor: { enabled: false, recoveryCodesLeft: 0 },
      locks: { signIn: null, secondFactor: null },
    });
    expect(Object.keys(document)).toEqual([
      'user',
      'sessions',
      'accounts',
      'passkeys',
      'twoFactor',
      'locks',
    ]);
    // Nothing secret in what it prints.
    const stored = await storage.users.getById(id);
    expect(human.out + JSON.stringify(document)).not.toContain(stored?.passwordHash ?? '-');
  });
});

describe('portcullis-postgres users: roles, disable, enable', () => {
  it('grants and revokes a role, once each, audited', async () => {
    const id = await created('roles@example.test');
    expect(await users(['grant-role', 'roles@example.test', 'billing'])).toEqual({
      code: 0,
      out: `Granted the role billing to roles@example.test (${id}). Roles: billing.`,
      err: '',
    });
    expect(await usersJson(['grant-role', id, 'billing'])).toMatchObject({
      user: { roles: ['billing'] },
      changed: false,
    });
    expect((await users(['grant-role', id, 'billing'])).out).toBe(
      `roles@example.test (${id}) already has the role billing.`,
    );
    expect(await usersJson(['revoke-role', id, 'billing'])).toMatchObject({
      user: { roles: [] },
      changed: true,
    });
    expect((await users(['revoke-role', id, 'billing'])).out).toBe(
      `roles@example.test (${id}) does not have the role billing.`,
    );
    expect((await storage.users.getById(id))?.roles).toBeUndefined();
    expect((await trail(id)).filter((e) => e.type === 'admin.action').slice(1)).toEqual([
      {
        type: 'admin.action',
        data: {
          action: 'user.updated',
          via: 'cli',
          fields: ['roles'],
          roles: ['billing'],
          granted: 'billing',
        },
      },
      {
        type: 'admin.action',
        data: {
          action: 'user.updated',
          via: 'cli',
          fields: ['roles'],
          roles: [],
          revoked: 'billing',
        },
      },
    ]);
  });

  it('loses no role to concurrent grants (the row is locked for the read and the write)', async () => {
    const id = await created('concurrent@example.test');
    const roles = ['r1', 'r2', 'r3', 'r4', 'r5'];
    const results = await Promise.all(roles.map((r) => users(['grant-role', id, r])));
    expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0, 0]);
    expect([...((await storage.users.getById(id))?.roles ?? [])].sort()).toEqual(roles);
  });

  it('warns when the last enabled admin loses the role', async () => {
    const id = await created('lone-admin@example.test', 'admin');
    // The first test's admin is still there: no warning.
    expect((await users(['revoke-role', id, 'admin'])).err).toBe('');
    const root = await storage.users.getByEmail('root@example.test');
    const last = await users(['revoke-role', root?.id ?? '', 'admin']);
    expect(last.code).toBe(0);
    expect(last.err).toMatch(/no enabled user has the admin role now/);
    await users(['grant-role', root?.id ?? '', 'admin']);
  });

  it('disable ends the user’s sessions and refuses sign-in; enable lets them in again', async () => {
    const id = await created('disable@example.test');
    const { auth } = await authOver(storage);
    try {
      const token = await signIn(auth, 'disable@example.test');
      expect(await outcome(auth.validateSession(token))).toBe('ok');
      expect(await users(['disable', 'disable@example.test'])).toEqual({
        code: 0,
        out: `Disabled disable@example.test (${id}); ended 1 session.`,
        err: '',
      });
      expect(await outcome(auth.validateSession(token))).toBe('UNAUTHENTICATED');
      expect(
        await count(`SELECT count(*) AS n FROM "${schema}".sessions WHERE user_id = '${id}'`),
      ).toBe(0);
      expect(await outcome(signIn(auth, 'disable@example.test'))).toBe('ACCOUNT_DISABLED');
      expect(await usersJson(['disable', id])).toMatchObject({
        user: { disabled: true },
        changed: false,
        sessionsEnded: 0,
      });
      expect(await usersJson(['enable', id])).toMatchObject({
        user: { disabled: false },
        changed: true,
      });
      expect((await users(['enable', id])).out).toBe(
        `Already enabled: disable@example.test (${id}).`,
      );
      expect(await outcome(signIn(auth, 'disable@example.test'))).toBe('ok');
    } finally {
      await auth.close();
    }
    expect(
      (await trail(id)).filter((e) => e.data?.via === 'cli' || e.type.startsWith('session.r')),
    ).toEqual([
      {
        type: 'admin.action',
        data: {
          action: 'user.created',
          via: 'cli',
          roles: [],
          emailVerified: true,
          hasPassword: true,
        },
      },
      { type: 'session.revoked_all', data: { reason: 'disabled', keptCurrent: false } },
      {
        type: 'admin.action',
        data: { action: 'user.updated', via: 'cli', fields: ['disabled'], disabled: true },
      },
      {
        type: 'admin.action',
        data: { action: 'user.updated', via: 'cli', fields: ['disabled'], disabled: false },
      },
    ]);
  });
});

describe('portcullis-postgres users: sessions and locks', () => {
  it('revoke-sessions ends every session of the user, audited', async () => {
    const id = await created('sessions@example.test');
    const { auth } = await authOver(storage);
    try {
      const tokens = [await signIn(auth, 'sessions@example.test')];
      tokens.push(await signIn(auth, 'sessions@example.test'));
      expect(await users(['revoke-sessions', 'sessions@example.test'])).toEqual({
        code: 0,
        out: `Ended 2 sessions of sessions@example.test (${id}).`,
        err: '',
      });
      for (const token of tokens) {
        expect(await outcome(auth.validateSession(token))).toBe('UNAUTHENTICATED');
      }
      expect(await usersJson(['revoke-sessions', id])).toEqual({ userId: id, sessionsEnded: 0 });
    } finally {
      await auth.close();
    }
    expect((await trail(id)).slice(-2)).toEqual([
      { type: 'session.revoked_all', data: { reason: 'admin', keptCurrent: false } },
      {
        type: 'admin.action',
        data: { action: 'sessions.revoked', via: 'cli', all: true, count: 2 },
      },
    ]);
  });

  it('unlock lifts a real sign-in lock (5 wrong passwords)', async () => {
    const id = await created('locked@example.test');
    const { auth } = await authOver(storage);
    try {
      for (let i = 0; i < 5; i += 1) {
        const wrong = auth.login({ identifier: 'locked@example.test', password: 'wrong!' }, CTX);
        expect(await outcome(wrong)).toBe('INVALID_CREDENTIALS');
      }
      expect(await outcome(signIn(auth, 'locked@example.test'))).toBe('RATE_LIMITED');
      const shown = await usersJson(['show', id]);
      expect((shown.locks as { signIn: string | null }).signIn).toMatch(/^\d{4}-/);
      expect((await users(['show', id])).out).toMatch(/sign-in lock: {4}\d{4}-/);
      expect(await users(['unlock', 'locked@example.test'])).toEqual({
        code: 0,
        out: `Unlocked locked@example.test (${id}): lifted the sign-in lock.`,
        err: '',
      });
      expect(await outcome(signIn(auth, 'locked@example.test'))).toBe('ok');
      expect(await usersJson(['unlock', id])).toEqual({
        userId: id,
        signInLocksLifted: 0,
        secondFactorLockLifted: false,
        countersCleared: 0,
      });
      expect((await users(['unlock', id])).out).toBe(`locked@example.test (${id}) was not locked.`);
    } finally {
      await auth.close();
    }
    expect((await trail(id)).filter((e) => e.data?.via === 'cli').at(-1)).toEqual({
      type: 'admin.action',
      data: { action: 'user.unlocked', via: 'cli', signInLocks: 1, secondFactorLocked: false },
    });
  });

  it('unlock lifts the locks of every client address under loginPerAccount.key identifier+ip', async () => {
    const id = await created('per-ip@example.test');
    const { auth } = await authOver(storage, {
      rateLimits: {
        loginPerAccount: { limit: 5, windowSeconds: 900, lockSeconds: 900, key: 'identifier+ip' },
      },
    });
    const other = { ...CTX, ip: '2001:db8:1:2::7' };
    try {
      for (const context of [CTX, other]) {
        for (let i = 0; i < 5; i += 1) {
          await outcome(auth.login({ identifier: 'per-ip@example.test', password: 'x!' }, context));
        }
      }
      expect(await outcome(signIn(auth, 'per-ip@example.test'))).toBe('RATE_LIMITED');
      expect(await usersJson(['unlock', 'per-ip@example.test'])).toEqual({
        userId: id,
        signInLocksLifted: 2,
        secondFactorLockLifted: false,
        countersCleared: 2,
      });
      expect(await outcome(signIn(auth, 'per-ip@example.test'))).toBe('ok');
      const fromOther = auth.login(
        { identifier: 'per-ip@example.test', password: PASSWORD },
        other,
      );
      expect(await outcome(fromOther)).toBe('ok');
    } finally {
      await auth.close();
    }
  });

  it('unlock lifts a real second-factor lock (10 wrong TOTP codes)', async () => {
    const id = await created('totp@example.test');
    const { auth } = await authOver(storage);
    const code = (offsetMs: number) => totpCode(secret, DEFAULT_TOTP_PARAMS, Date.now() + offsetMs);
    let secret = '';
    try {
      const signedIn = await auth.login(
        { identifier: 'totp@example.test', password: PASSWORD },
        CTX,
      );
      if (signedIn.status !== 'signed_in') throw new Error('expected a sign-in');
      ({ secret } = await auth.twoFactor.totp.enroll({ userId: id, password: PASSWORD }, CTX));
      await auth.twoFactor.totp.confirm(
        { userId: id, code: await code(0), sessionId: signedIn.session.id },
        CTX,
      );
      const window = new Set(await Promise.all([-30_000, 0, 30_000, 60_000].map(code)));
      const wrong = ['000000', '111111', '222222', '333333', '444444'].find((c) => !window.has(c));
      const challenge = async () => {
        const result = await auth.login(
          { identifier: 'totp@example.test', password: PASSWORD },
          CTX,
        );
        if (result.status !== 'two_factor_required') throw new Error(result.status);
        return result.challenge;
      };
      for (let round = 0; round < 2; round += 1) {
        const token = await challenge();
        for (let i = 0; i < 5; i += 1) {
          const attempt = auth.verifySecondFactor(
            { challenge: token, method: 'totp', code: wrong ?? '' },
            CTX,
          );
          expect(await outcome(attempt)).toBe('CODE_INVALID');
        }
      }
      const locked = auth.verifySecondFactor(
        { challenge: await challenge(), method: 'totp', code: await code(30_000) },
        CTX,
      );
      expect(await outcome(locked)).toBe('RATE_LIMITED');
      expect((await usersJson(['show', id])).locks).toMatchObject({
        signIn: null,
        secondFactor: expect.stringMatching(/^\d{4}-/),
      });
      expect(await usersJson(['unlock', id])).toMatchObject({
        signInLocksLifted: 0,
        secondFactorLockLifted: true,
      });
      const after = auth.verifySecondFactor(
        { challenge: await challenge(), method: 'totp', code: await code(30_000) },
        CTX,
      );
      expect(await outcome(after)).toBe('ok');
    } finally {
      await auth.close();
    }
  });
});

describe('portcullis-postgres sessions revoke-all', () => {
  it('ends every session of every user in one statement, audited per user', async () => {
    const ids = [await created('all-1@example.test'), await created('all-2@example.test')];
    const { auth } = await authOver(storage);
    try {
      const tokens = [
        await signIn(auth, 'all-1@example.test'),
        await signIn(auth, 'all-1@example.test'),
        await signIn(auth, 'all-2@example.test'),
      ];
      const sessions = await count(`SELECT count(*) AS n FROM "${schema}".sessions`);
      const owners = await count(`SELECT count(DISTINCT user_id) AS n FROM "${schema}".sessions`);
      expect(sessions).toBeGreaterThanOrEqual(3);
      expect(await cli(['sessions', 'revoke-all', ...AT])).toEqual({
        code: 0,
        out: `Ended ${sessions} sessions of ${owners} users.`,
        err: '',
      });
      for (const token of tokens) {
        expect(await outcome(auth.validateSession(token))).toBe('UNAUTHENTICATED');
      }
      expect(await count(`SELECT count(*) AS n FROM "${schema}".sessions`)).toBe(0);
      expect(await count(`SELECT count(*) AS n FROM "${schema}".session_refresh_hashes`)).toBe(0);
      const again = await cli(['sessions', 'revoke-all', '--json', ...AT]);
      expect(again).toMatchObject({ code: 0, err: '' });
      expect(JSON.parse(again.out)).toEqual({ sessionsEnded: 0, users: 0 });
    } finally {
      await auth.close();
    }
    expect((await trail(ids[0] ?? '')).slice(-2)).toEqual([
      { type: 'session.revoked_all', data: { reason: 'admin', keptCurrent: false } },
      {
        type: 'admin.action',
        data: { action: 'sessions.revoked', via: 'cli', all: true, everyUser: true, count: 2 },
      },
    ]);
    expect((await trail(ids[1] ?? '')).at(-1)?.data).toMatchObject({ count: 1 });
  });
});

describe('portcullis-postgres users: refusals', () => {
  it.each([
    ['show', 'nobody@example.test'],
    ['show', 'no-such-id'],
    ['grant-role', 'nobody@example.test', 'admin'],
    ['revoke-role', 'no-such-id', 'admin'],
    ['disable', 'nobody@example.test'],
    ['enable', 'no-such-id'],
    ['revoke-sessions', 'nobody@example.test'],
    ['unlock', 'no-such-id'],
  ])('exits 1 for a user that does not exist: users %s %s', async (...args) => {
    const result = await users(args);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^No user with (email nobody@example\.test|id no-such-id)\.$/);
    expect(result.out).toBe('');
    expect(await usersJson(['list', '--query', 'nobody'])).toEqual({ users: [], more: false });
  });

  it.each([
    [['users'], /Missing the users command/],
    [['users', 'frobnicate'], /Unknown command: users frobnicate/],
    [['users', 'revoke-all'], /Unknown command: users revoke-all/],
    [['sessions'], /Missing the sessions command/],
    [['sessions', 'revoke-one'], /Unknown command: sessions revoke-one/],
    [['sessions', 'revoke-all', 'now'], /sessions revoke-all takes no arguments/],
    [['users', 'show'], /users show takes <email-or-id>/],
    [['users', 'show', 'a', 'b'], /users show takes <email-or-id>/],
    [['users', 'grant-role', 'a@example.test'], /takes <email-or-id> <role>/],
    [['users', 'grant-role', 'a@example.test', 'no spaces'], /Not a role name/],
    [['users', 'show', 'not an@email'], /Not a valid email address/],
    [['users', 'list', '--disabled', 'yes'], /--disabled must be true or false/],
    [['users', 'list', '--limit', '0'], /--limit must be a positive integer/],
    [['users', 'list', '--limit', '1.5'], /--limit must be a positive integer/],
    [['users', 'list', '--role', 'a', '--role', 'b'], /users list takes one --role/],
    [['users', 'list', '--verified'], /users list does not take --verified/],
    [['users', 'show', 'a@example.test', '--batch-size', '5'], /does not take --batch-size/],
    [['users', 'create', 'a@example.test', '--limit', '5'], /does not take --limit/],
    [['migrate', '--query', 'x'], /migrate does not take --query/],
  ])('refuses bad usage %j with exit code 2', async (args, message) => {
    const result = await cli([...args, ...AT]);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
    expect(result.out).toBe('');
  });

  it('names a user whose id begins with - (one core id in 64), as is or after --', async () => {
    for (const prefix of ['-', '--']) {
      const id = `${prefix}${randomBytes(16).toString('base64url').slice(prefix.length)}`;
      await storage.users.create(makeUser(Date.now(), { id, email: `${id}@example.test` }));
      expect(await usersJson(['show', id])).toMatchObject({ user: { id } });
      expect(await usersJson(['grant-role', id, 'dash'])).toMatchObject({ user: { id } });
      expect(await cli(['users', 'revoke-role', ...AT, '--', id, 'dash'])).toMatchObject({
        code: 0,
        out: expect.stringContaining(`Revoked the role dash from ${id}@example.test (${id})`),
      });
    }
  });

  it('needs --url or DATABASE_URL', async () => {
    const result = await cli(['users', 'list']);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/Missing --url/);
    expect(
      await cli(['users', 'list', '--schema', schema], { env: { DATABASE_URL } }),
    ).toMatchObject({ code: 0 });
  });

  it('exits 1 with the reason when the database cannot be reached', async () => {
    const down = `postgres://postgres@127.0.0.1:${await freePort()}/test`;
    const result = await cli(['users', 'list', '--url', down, '--timeout-ms', '1000']);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/users list failed: .*ECONNREFUSED/);
  });

  it('documents the commands in --help', async () => {
    const { code, out } = await cli(['--help']);
    expect(code).toBe(0);
    for (const command of ['users list', 'users create', 'users unlock', 'sessions revoke-all']) {
      expect(out).toContain(`portcullis-postgres ${command}`);
    }
    expect(out).toContain('--password-stdin');
  });
});
