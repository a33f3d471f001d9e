/**
 * The admin API's create/invite, email change and end-every-session through `createAuth`
 * (`auth.admin.users.create`, `update` with `email`, `auth.admin.sessions.revokeAll`):
 * permissions, single-use invitation links on the injected clock, conflicts, credential-change
 * effects, and a sign-in racing the sweep, made deterministic with gates in the store.
 */
import { describe, expect, it } from 'vitest';
import { type AuthConfig, memoryStorage } from '../../src/index.js';
import {
  CTX,
  expectCode,
  MINUTE,
  NEW_PASSWORD,
  ofType,
  PASSWORD,
  setup,
} from '../account/helpers.js';

const DAY = 24 * 60 * MINUTE;

async function world(over: Partial<AuthConfig> = {}) {
  const w = await setup({ roles: { support: ['users:read', 'audit:read'] }, ...over });
  const adminId = await w.signUp('admin@example.com');
  await w.auth.storage.users.update(adminId, { roles: ['admin'], updatedAt: w.clock.now() });
  const { sessionId, sessionToken } = await w.signIn('admin@example.com');
  const ada = await w.signUp('ada@example.com', { username: 'ada', firstName: 'Ada' });
  return { ...w, admin: { userId: adminId, sessionId }, adminToken: sessionToken, ada };
}

/** A promise and the function that settles it. */
function gate() {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe('creating a user with a password', () => {
  it('creates a user who signs in at once, audited with the admin named', async () => {
    const w = await world();
    const user = await w.auth.admin.users.create(
      w.admin,
      {
        email: '  Grace@Example.com ',
        password: NEW_PASSWORD,
        username: 'Hopper',
        firstName: 'Grace',
        roles: ['support', 'support'],
        emailVerified: true,
      },
      CTX,
    );
    expect(user).toMatchObject({
      email: 'Grace@Example.com',
      username: 'Hopper',
      firstName: 'Grace',
      roles: ['support'],
      emailVerified: true,
      disabled: false,
      hasPassword: true,
      lastLoginAt: null,
    });
    const login = await w.auth.login(
      { identifier: 'grace@example.com', password: NEW_PASSWORD },
      CTX,
    );
    expect(login.status).toBe('signed_in');
    expect(ofType(w.events, 'admin.action').at(-1)).toMatchObject({
      userId: user.id,
      data: {
        action: 'user.created',
        adminId: w.admin.userId,
        roles: ['support'],
        emailVerified: true,
        hasPassword: true,
      },
    });
    // No invitation, no verification mail: the admin said the address is verified.
    expect(w.mailer.find('Grace@Example.com', 'invitation')).toBeUndefined();
    expect(w.mailer.find('Grace@Example.com', 'verify-email')).toBeUndefined();
    w.assertNoSecrets([user, w.events, w.logs]);
  });

  it('mails a verification link when the address is not said to be verified', async () => {
    const w = await world();
    await w.auth.admin.users.create(
      w.admin,
      { email: 'lin@example.com', password: NEW_PASSWORD },
      CTX,
    );
    await expectCode(
      w.auth.login({ identifier: 'lin@example.com', password: NEW_PASSWORD }, CTX),
      'EMAIL_NOT_VERIFIED',
    );
    await w.auth.verifyEmail(w.tokenFrom('lin@example.com', 'verify-email'), CTX);
    expect(
      (await w.auth.login({ identifier: 'lin@example.com', password: NEW_PASSWORD }, CTX)).status,
    ).toBe('signed_in');
  });

  it('refuses a weak password, an unknown role, a bad address and unknown fields, creating nothing', async () => {
    const w = await world();
    const refused = async (input: unknown, code: 'VALIDATION_FAILED' | 'WEAK_PASSWORD') =>
      (await expectCode(w.auth.admin.users.create(w.admin, input as never, CTX), code)).details?.[0]
        ?.path;
    expect(await refused({ email: 'x@example.com', password: 'short' }, 'WEAK_PASSWORD')).toBe(
      'password',
    );
    // The policy sees the address: a password made of it is refused.
    expect(
      await refused(
        { email: 'longname@example.com', password: 'longname@example.com' },
        'WEAK_PASSWORD',
      ),
    ).toBe('password');
    expect(await refused({ email: 'x@example.com', roles: ['wizard'] }, 'VALIDATION_FAILED')).toBe(
      'roles',
    );
    expect(await refused({ email: 'not an address' }, 'VALIDATION_FAILED')).toBe('email');
    expect(await refused({ email: 'x@example.com', username: 'a' }, 'VALIDATION_FAILED')).toBe(
      'username',
    );
    expect(await refused({ email: 'x@example.com', passwordHash: 'x' }, 'VALIDATION_FAILED')).toBe(
      'passwordHash',
    );
    expect(await refused({ email: 'x@example.com', disabled: true }, 'VALIDATION_FAILED')).toBe(
      'disabled',
    );
    expect(await w.auth.storage.users.getByEmail('x@example.com')).toBeUndefined();
    expect(w.mailer.find('x@example.com', 'invitation')).toBeUndefined();
  });

  it('answers a taken email with CONFLICT and a taken username with USERNAME_TAKEN', async () => {
    const w = await world();
    const conflict = await expectCode(
      w.auth.admin.users.create(w.admin, { email: 'ADA@example.com', password: NEW_PASSWORD }, CTX),
      'CONFLICT',
    );
    expect((conflict as unknown as Error).message).toMatch(/email/i);
    await expectCode(
      w.auth.admin.users.create(w.admin, { email: 'new@example.com', username: 'ADA' }, CTX),
      'USERNAME_TAKEN',
    );
    expect(await w.auth.storage.users.getByEmail('new@example.com')).toBeUndefined();
    expect(w.mailer.find('ada@example.com', 'invitation')).toBeUndefined();
  });

  it('refuses a caller without users:write (FORBIDDEN) before anything is written', async () => {
    const w = await world();
    await expectCode(
      w.auth.admin.users.create({ userId: w.ada }, { email: 'eve@example.com' }, CTX),
      'FORBIDDEN',
    );
    await w.auth.storage.users.update(w.ada, { roles: ['support'], updatedAt: w.clock.now() });
    await expectCode(
      w.auth.admin.users.create({ userId: w.ada }, { email: 'eve@example.com' }, CTX),
      'FORBIDDEN',
    );
    // No such admin.
    await expectCode(
      w.auth.admin.users.create({ userId: 'nobody' }, { email: 'eve@example.com' }, CTX),
      'UNAUTHENTICATED',
    );
    expect(await w.auth.storage.users.getByEmail('eve@example.com')).toBeUndefined();
    expect(w.mailer.find('eve@example.com', 'invitation')).toBeUndefined();
  });
});

describe('creating a user by invitation', () => {
  it('mails an invitation; its link sets the password, verifies the address, and signs in', async () => {
    const w = await world();
    const user = await w.auth.admin.users.create(
      w.admin,
      { email: 'joan@example.com', firstName: 'Joan' },
      CTX,
    );
    expect(user).toMatchObject({ hasPassword: false, emailVerified: false });
    const mail = w.mailer.find('joan@example.com', 'invitation');
    expect(mail?.subject).toContain('Portcullis');
    expect(mail?.text).toContain('7 days');
    expect(mail?.text).toContain('Hello Joan,');
    // Inviter-neutral: nothing of the admin's in it.
    expect(mail?.text).not.toContain('admin@example.com');
    expect(w.mailer.extractLink(mail ?? ({ text: '' } as never))).toMatch(
      /^https:\/\/app\.example\.com\/reset-password\?token=/,
    );
    const token = w.tokenFrom('joan@example.com', 'invitation');
    await w.auth.passwords.reset({ token, newPassword: NEW_PASSWORD }, CTX);
    const stored = await w.auth.storage.users.getById(user.id);
    expect(stored?.emailVerifiedAt).toBe(w.clock.now());
    // Accepting an invitation is no reset to warn about.
    expect(w.mailer.find('joan@example.com', 'password-reset-notice')).toBeUndefined();
    expect(
      (await w.auth.login({ identifier: 'joan@example.com', password: NEW_PASSWORD }, CTX)).status,
    ).toBe('signed_in');
    expect(ofType(w.events, 'admin.action').find((e) => e.userId === user.id)?.data).toMatchObject({
      action: 'user.created',
      adminId: w.admin.userId,
      hasPassword: false,
    });
    w.assertNoSecrets([user, w.events, w.logs]);
  });

  it('works once: a second use is TOKEN_INVALID, and leaves the chosen password', async () => {
    const w = await world();
    await w.auth.admin.users.create(w.admin, { email: 'joan@example.com' }, CTX);
    const token = w.tokenFrom('joan@example.com', 'invitation');
    const [first, second] = await Promise.allSettled([
      w.auth.passwords.reset({ token, newPassword: NEW_PASSWORD }, CTX),
      w.auth.passwords.reset({ token, newPassword: 'someone else entirely' }, CTX),
    ]);
    expect([first.status, second.status].sort()).toEqual(['fulfilled', 'rejected']);
    await expectCode(
      w.auth.passwords.reset({ token, newPassword: 'a third password here' }, CTX),
      'TOKEN_INVALID',
    );
    const won = first.status === 'fulfilled' ? NEW_PASSWORD : 'someone else entirely';
    expect(
      (await w.auth.login({ identifier: 'joan@example.com', password: won }, CTX)).status,
    ).toBe('signed_in');
  });

  it('lives invitation.tokenTtlSeconds (7 days by default): TOKEN_EXPIRED after', async () => {
    const w = await world();
    await w.auth.admin.users.create(w.admin, { email: 'late@example.com' }, CTX);
    await w.auth.admin.users.create(w.admin, { email: 'onTime@example.com' }, CTX);
    const late = w.tokenFrom('late@example.com', 'invitation');
    const onTime = w.tokenFrom('onTime@example.com', 'invitation');
    // A reset link lives 30 minutes; an invitation far longer.
    w.clock.advance(7 * DAY - 1);
    await w.auth.passwords.reset({ token: onTime, newPassword: NEW_PASSWORD }, CTX);
    w.clock.advance(1);
    await expectCode(
      w.auth.passwords.reset({ token: late, newPassword: NEW_PASSWORD }, CTX),
      'TOKEN_EXPIRED',
    );
    expect(
      (await w.auth.storage.users.getByEmail('late@example.com'))?.passwordHash,
    ).toBeUndefined();
  });

  it('takes its lifetime and page from the configuration', async () => {
    const w = await world({
      invitation: { tokenTtlSeconds: 3600, path: '/welcome' },
    });
    await w.auth.admin.users.create(w.admin, { email: 'joan@example.com' }, CTX);
    const mail = w.mailer.find('joan@example.com', 'invitation');
    expect(mail?.text).toContain('1 hour');
    expect(mail?.text).toContain('https://app.example.com/welcome?token=');
    const token = w.tokenFrom('joan@example.com', 'invitation');
    w.clock.advance(60 * MINUTE);
    await expectCode(
      w.auth.passwords.reset({ token, newPassword: NEW_PASSWORD }, CTX),
      'TOKEN_EXPIRED',
    );
  });

  it('is ended by a credential change made before it is used', async () => {
    const w = await world();
    const joan = await w.auth.admin.users.create(w.admin, { email: 'joan@example.com' }, CTX);
    const token = w.tokenFrom('joan@example.com', 'invitation');
    // The admin moves the account to another address: the link in the old mailbox is dead.
    await w.auth.admin.users.update(w.admin, joan.id, { email: 'joan@elsewhere.example' }, CTX);
    await expectCode(
      w.auth.passwords.reset({ token, newPassword: NEW_PASSWORD }, CTX),
      'TOKEN_INVALID',
    );
  });
});

describe('changing a user’s email as an admin', () => {
  it('with emailVerified: sets the address verified, ends their sessions, tells the old address', async () => {
    const w = await world();
    const before = await w.signIn('ada@example.com');
    const user = await w.auth.admin.users.update(
      w.admin,
      w.ada,
      { email: ' Ada@Lovelace.example ', emailVerified: true },
      CTX,
    );
    expect(user).toMatchObject({ email: 'Ada@Lovelace.example', emailVerified: true });
    await expectCode(w.auth.validateSession(before.sessionToken), 'UNAUTHENTICATED');
    expect(w.mailer.find('Ada@Lovelace.example', 'verify-email')).toBeUndefined();
    const notice = w.mailer.find('ada@example.com', 'email-changed');
    expect(notice?.text).toContain('Ada@Lovelace.example');
    expect(notice?.text).toContain('An administrator');
    expect(
      (await w.auth.login({ identifier: 'ada@lovelace.example', password: PASSWORD }, CTX)).status,
    ).toBe('signed_in');
    await expectCode(
      w.auth.login({ identifier: 'ada@example.com', password: PASSWORD }, CTX),
      'INVALID_CREDENTIALS',
    );
    expect(ofType(w.events, 'session.revoked_all').at(-1)).toMatchObject({
      userId: w.ada,
      data: { reason: 'email_changed' },
    });
    expect(ofType(w.events, 'admin.action').at(-1)).toMatchObject({
      userId: w.ada,
      data: { action: 'user.updated', adminId: w.admin.userId, fields: ['email', 'emailVerified'] },
    });
  });

  it('without: stores it unverified and mails a verification link to it', async () => {
    const w = await world();
    await w.signIn('ada@example.com');
    const user = await w.auth.admin.users.update(w.admin, w.ada, { email: 'ada@new.example' }, CTX);
    expect(user).toMatchObject({ email: 'ada@new.example', emailVerified: false });
    expect(w.mailer.find('ada@example.com', 'email-changed')).toBeDefined();
    expect(await w.auth.storage.sessions.listByUser(w.ada, w.clock.now())).toEqual([]);
    // Unverified, with verification required: no sign-in until the link is followed.
    await expectCode(
      w.auth.login({ identifier: 'ada@new.example', password: PASSWORD }, CTX),
      'EMAIL_NOT_VERIFIED',
    );
    await w.auth.verifyEmail(w.tokenFrom('ada@new.example', 'verify-email'), CTX);
    expect(
      (await w.auth.login({ identifier: 'ada@new.example', password: PASSWORD }, CTX)).status,
    ).toBe('signed_in');
  });

  it('ends links mailed to the old address: a pending reset no longer works', async () => {
    const w = await world();
    await w.auth.passwords.requestReset('ada@example.com', CTX);
    const reset = w.tokenFrom('ada@example.com', 'password-reset');
    await w.auth.admin.users.update(
      w.admin,
      w.ada,
      { email: 'ada@new.example', emailVerified: true },
      CTX,
    );
    await expectCode(
      w.auth.passwords.reset({ token: reset, newPassword: NEW_PASSWORD }, CTX),
      'TOKEN_INVALID',
    );
  });

  it('refuses an address of another user (CONFLICT), changing nothing', async () => {
    const w = await world();
    const session = await w.signIn('ada@example.com');
    await expectCode(
      w.auth.admin.users.update(
        w.admin,
        w.ada,
        { email: 'ADMIN@example.com', firstName: 'Changed' },
        CTX,
      ),
      'CONFLICT',
    );
    const stored = await w.auth.storage.users.getById(w.ada);
    expect(stored).toMatchObject({ email: 'ada@example.com', firstName: 'Ada' });
    expect((await w.auth.validateSession(session.sessionToken)).user.id).toBe(w.ada);
    expect(w.mailer.find('ada@example.com', 'email-changed')).toBeUndefined();
    await expectCode(
      w.auth.admin.users.update(w.admin, w.ada, { email: 'nope' }, CTX),
      'VALIDATION_FAILED',
    );
  });

  it('the same address spelled differently is no credential change', async () => {
    const w = await world();
    const session = await w.signIn('ada@example.com');
    const user = await w.auth.admin.users.update(w.admin, w.ada, { email: 'ADA@example.com' }, CTX);
    expect(user).toMatchObject({ email: 'ADA@example.com', emailVerified: true });
    expect((await w.auth.validateSession(session.sessionToken)).user.id).toBe(w.ada);
    expect(w.mailer.find('ada@example.com', 'email-changed')).toBeUndefined();
  });

  it('an admin changing their own address keeps the session they did it from', async () => {
    const w = await world();
    const other = await w.signIn('admin@example.com');
    await w.auth.admin.users.update(
      w.admin,
      w.admin.userId,
      { email: 'root@example.com', emailVerified: true },
      CTX,
    );
    expect((await w.auth.validateSession(w.adminToken)).user.email).toBe('root@example.com');
    await expectCode(w.auth.validateSession(other.sessionToken), 'UNAUTHENTICATED');
  });

  it('needs users:write', async () => {
    const w = await world();
    await w.auth.storage.users.update(w.ada, { roles: ['support'], updatedAt: w.clock.now() });
    await expectCode(
      w.auth.admin.users.update(
        { userId: w.ada },
        w.admin.userId,
        { email: 'mine@example.com', emailVerified: true },
        CTX,
      ),
      'FORBIDDEN',
    );
    expect((await w.auth.storage.users.getById(w.admin.userId))?.email).toBe('admin@example.com');
  });
});

describe('ending every session of every user', () => {
  it('ends everyone’s sessions, the admin’s own too, and says how many', async () => {
    const w = await world();
    const grace = await w.signUp('grace@example.com');
    const a1 = await w.signIn('ada@example.com');
    const a2 = await w.signIn('ada@example.com');
    const g1 = await w.signIn('grace@example.com');
    const result = await w.auth.admin.sessions.revokeAll(w.admin, CTX);
    expect(result).toEqual({ sessionsEnded: 4, users: 3 });
    for (const token of [a1.sessionToken, a2.sessionToken, g1.sessionToken, w.adminToken]) {
      await expectCode(w.auth.validateSession(token), 'UNAUTHENTICATED');
    }
    for (const id of [w.ada, grace, w.admin.userId]) {
      expect(await w.auth.storage.sessions.listByUser(id, w.clock.now())).toEqual([]);
    }
    // Audited: each user's trail, and the admin's own with the totals.
    const adaTrail = await w.auth.audit.list(w.ada);
    expect(adaTrail.find((e) => e.type === 'admin.action')?.data).toMatchObject({
      action: 'sessions.revoked',
      adminId: w.admin.userId,
      all: true,
      everyUser: true,
      count: 2,
    });
    expect(adaTrail.find((e) => e.type === 'session.revoked_all')?.data).toMatchObject({
      reason: 'admin',
    });
    const mine = (await w.auth.audit.list(w.admin.userId)).find(
      (e) => e.type === 'admin.action' && e.data?.action === 'sessions.revoked_all',
    );
    expect(mine?.data).toMatchObject({ adminId: w.admin.userId, sessionsEnded: 4, users: 3 });
    // Signing in again works: nothing but sessions was touched.
    expect(
      (await w.auth.login({ identifier: 'ada@example.com', password: PASSWORD }, CTX)).status,
    ).toBe('signed_in');
    // The admin's session is gone; the typed API still takes them by id. Ada's new one ends.
    expect(await w.auth.admin.sessions.revokeAll({ userId: w.admin.userId }, CTX)).toEqual({
      sessionsEnded: 1,
      users: 1,
    });
  });

  it('sweeps every page of users', async () => {
    const w = await world();
    const ids: string[] = [];
    for (let i = 0; i < 230; i++) {
      const id = `u${String(i).padStart(3, '0')}`;
      w.clock.advance(1);
      ids.push(id);
      await w.auth.storage.users.create({
        id,
        email: `${id}@example.com`,
        emailNormalized: `${id}@example.com`,
        metadata: {},
        disabled: false,
        credentialGeneration: 0,
        createdAt: w.clock.now(),
        updatedAt: w.clock.now(),
      });
    }
    // One live session each (and the admin's), written straight to the store.
    for (const id of ids) {
      await w.auth.storage.sessions.create({
        id: `s-${id}`,
        userId: id,
        secretHash: 'x',
        previousRefreshHashes: [],
        createdAt: w.clock.now(),
        lastSeenAt: w.clock.now(),
        idleExpiresAt: w.clock.now() + DAY,
        absoluteExpiresAt: w.clock.now() + DAY,
        freshUntil: w.clock.now(),
        amr: ['pwd'],
        credentialGeneration: 0,
      });
    }
    const result = await w.auth.admin.sessions.revokeAll(w.admin, CTX);
    expect(result).toEqual({ sessionsEnded: 231, users: 231 });
    for (const id of ids) {
      expect(await w.auth.storage.sessions.get(`s-${id}`, w.clock.now())).toBeUndefined();
    }
  });

  it('needs sessions:revoke; an outsider ends nothing', async () => {
    const w = await world();
    const ada = await w.signIn('ada@example.com');
    await expectCode(w.auth.admin.sessions.revokeAll({ userId: w.ada }, CTX), 'FORBIDDEN');
    await w.auth.storage.users.update(w.ada, { roles: ['support'], updatedAt: w.clock.now() });
    await expectCode(
      w.auth.admin.sessions.revokeAll({ userId: w.ada, sessionId: ada.sessionId }, CTX),
      'FORBIDDEN',
    );
    expect((await w.auth.validateSession(ada.sessionToken)).user.id).toBe(w.ada);
    expect((await w.auth.validateSession(w.adminToken)).user.id).toBe(w.admin.userId);
  });
});

describe('a sign-in racing the end of every session', () => {
  /** A world whose store can hold the sweep's first page read, or a session's write. */
  async function gatedWorld() {
    const storage = memoryStorage();
    type Gate = ReturnType<typeof gate> | undefined;
    const holds: { list?: Gate; create?: Gate } = {};
    const reached = { list: gate(), create: gate() };
    const list = storage.users.list.bind(storage.users);
    const create = storage.sessions.create.bind(storage.sessions);
    storage.users.list = async (query) => {
      const hold = holds.list;
      if (hold !== undefined) {
        holds.list = undefined;
        reached.list.open();
        await hold.opened;
      }
      return list(query);
    };
    storage.sessions.create = async (session) => {
      const hold = holds.create;
      if (hold !== undefined) {
        holds.create = undefined;
        reached.create.open();
        await hold.opened;
      }
      return create(session);
    };
    return { ...(await world({ storage })), holds, reached };
  }

  it('a session written before the sweep reaches its user ends with the others', async () => {
    const w = await gatedWorld();
    w.holds.list = gate();
    const hold = w.holds.list;
    const revoking = w.auth.admin.sessions.revokeAll(w.admin, CTX);
    await w.reached.list.opened;
    // The revocation has started; Ada signs in before it reaches her.
    const ada = await w.signIn('ada@example.com');
    hold.open();
    expect(await revoking).toEqual({ sessionsEnded: 2, users: 2 });
    await expectCode(w.auth.validateSession(ada.sessionToken), 'UNAUTHENTICATED');
  });

  it('a session written after the sweep is a sign-in after the revocation, and stays', async () => {
    const w = await gatedWorld();
    w.holds.create = gate();
    const hold = w.holds.create;
    // Ada's password is checked; her session's write waits.
    const signingIn = w.auth.login({ identifier: 'ada@example.com', password: PASSWORD }, CTX);
    await w.reached.create.opened;
    expect(await w.auth.admin.sessions.revokeAll(w.admin, CTX)).toEqual({
      sessionsEnded: 1,
      users: 1,
    });
    hold.open();
    const login = await signingIn;
    if (login.status !== 'signed_in' || login.tokens.strategy !== 'cookie') {
      throw new Error('expected a cookie session');
    }
    expect((await w.auth.validateSession(login.tokens.sessionToken)).user.id).toBe(w.ada);
    await expectCode(w.auth.validateSession(w.adminToken), 'UNAUTHENTICATED');
  });
});
