/**
 * The admin API through `createAuth` (`auth.admin.users.*`): permissions, self-lockout rules,
 * pagination, and the audit trail naming the admin.
 */
import { describe, expect, it } from 'vitest';
import type { AuthConfig } from '../../src/index.js';
import { CTX, expectCode, MINUTE, ofType, PASSWORD, setup } from '../account/helpers.js';

async function world(over: Partial<AuthConfig> = {}) {
  const w = await setup({ roles: { support: ['users:read', 'audit:read'] }, ...over });
  const adminId = await w.signUp('admin@example.com');
  await w.auth.storage.users.update(adminId, { roles: ['admin'], updatedAt: w.clock.now() });
  const { sessionId } = await w.signIn('admin@example.com');
  const ada = await w.signUp('ada@example.com', { username: 'ada', firstName: 'Ada' });
  return { ...w, admin: { userId: adminId, sessionId }, ada };
}

describe('permissions', () => {
  it('refuses a caller without the permission (FORBIDDEN), whatever the operation', async () => {
    const w = await world();
    const plain = { userId: w.ada };
    await expectCode(w.auth.admin.users.list(plain), 'FORBIDDEN');
    await expectCode(w.auth.admin.users.get(plain, w.admin.userId), 'FORBIDDEN');
    await expectCode(
      w.auth.admin.users.update(plain, w.ada, { roles: ['admin'] }, CTX),
      'FORBIDDEN',
    );
    await expectCode(w.auth.admin.users.delete(plain, w.admin.userId, CTX), 'FORBIDDEN');
    await expectCode(
      w.auth.admin.users.revokeSessions(plain, { userId: w.admin.userId }, CTX),
      'FORBIDDEN',
    );
    await expectCode(w.auth.admin.users.unlock(plain, w.ada, CTX), 'FORBIDDEN');
    // Nothing changed: Ada is still no admin.
    expect((await w.auth.storage.users.getById(w.ada))?.roles).toBeUndefined();
  });

  it('gives a role exactly its permissions: support reads, but cannot write', async () => {
    const w = await world();
    await w.auth.storage.users.update(w.ada, { roles: ['support'], updatedAt: w.clock.now() });
    const support = { userId: w.ada };
    expect((await w.auth.admin.users.list(support)).users.length).toBeGreaterThan(0);
    await expectCode(
      w.auth.admin.users.update(support, w.admin.userId, { disabled: true }, CTX),
      'FORBIDDEN',
    );
    expect(w.auth.permissionsOf({ roles: ['support'] })).toEqual(['audit:read', 'users:read']);
    expect(w.auth.hasPermission({ roles: ['admin'] }, 'users:impersonate')).toBe(true);
    expect(w.auth.hasPermission({ roles: ['constructor'] }, 'users:read')).toBe(false);
  });

  it('refuses a disabled admin, and a session that is not theirs', async () => {
    const w = await world();
    const other = await w.signIn('ada@example.com');
    await expectCode(
      w.auth.admin.users.list({ userId: w.admin.userId, sessionId: other.sessionId }),
      'UNAUTHENTICATED',
    );
    await w.auth.storage.users.update(w.admin.userId, { disabled: true, updatedAt: w.clock.now() });
    await expectCode(w.auth.admin.users.list(w.admin), 'UNAUTHENTICATED');
  });
});

describe('listing users', () => {
  it('filters by a prefix of the email, username or a name, by role and by disabled', async () => {
    const w = await world();
    await w.signUp('grace@example.com', { username: 'hopper', firstName: 'Grace' });
    const emails = async (query: Parameters<typeof w.auth.admin.users.list>[1]) =>
      (await w.auth.admin.users.list(w.admin, query)).users.map((u) => u.email).sort();
    expect(await emails({ query: 'GRA' })).toEqual(['grace@example.com']);
    expect(await emails({ query: 'hop' })).toEqual(['grace@example.com']);
    expect(await emails({ query: 'ada' })).toEqual(['ada@example.com']);
    expect(await emails({ role: 'admin' })).toEqual(['admin@example.com']);
    await w.auth.admin.users.update(w.admin, w.ada, { disabled: true }, CTX);
    expect(await emails({ disabled: true })).toEqual(['ada@example.com']);
    expect(await emails({ disabled: false })).toEqual(['admin@example.com', 'grace@example.com']);
    await expectCode(w.auth.admin.users.list(w.admin, { limit: 101 }), 'VALIDATION_FAILED');
    await expectCode(
      w.auth.admin.users.list(w.admin, { cursor: 'not-a-cursor' }),
      'VALIDATION_FAILED',
    );
  });

  it('pages with a cursor that neither repeats nor skips a user while others are created', async () => {
    const w = await world();
    for (let i = 0; i < 5; i++) {
      w.clock.advance(1000);
      await w.signUp(`member${i}@example.com`);
    }
    const first = await w.auth.admin.users.list(w.admin, { limit: 3 });
    expect(first.users).toHaveLength(3);
    expect(first.nextCursor).toEqual(expect.any(String));
    // New users arrive between the pages.
    w.clock.advance(1000);
    await w.signUp('late@example.com');
    const seen = first.users.map((u) => u.email);
    let cursor = first.nextCursor;
    while (cursor !== null) {
      const page = await w.auth.admin.users.list(w.admin, { limit: 3, cursor });
      seen.push(...page.users.map((u) => u.email));
      cursor = page.nextCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(
      expect.arrayContaining(['admin@example.com', 'ada@example.com', 'late@example.com']),
    );
    expect(seen).toHaveLength(8);
  });
});

describe('changing users', () => {
  it('changes names, username, roles and verification, audited with the admin named', async () => {
    const w = await world();
    const user = await w.auth.admin.users.update(
      w.admin,
      w.ada,
      { firstName: 'Augusta', username: 'lovelace', roles: ['support'], emailVerified: false },
      CTX,
    );
    expect(user).toMatchObject({
      firstName: 'Augusta',
      username: 'lovelace',
      roles: ['support'],
      emailVerified: false,
    });
    const event = ofType(w.events, 'admin.action').at(-1);
    expect(event).toMatchObject({
      userId: w.ada,
      data: { action: 'user.updated', adminId: w.admin.userId, roles: ['support'] },
    });
    expect((await w.auth.audit.list(w.ada)).some((e) => e.type === 'admin.action')).toBe(true);
  });

  it('refuses an unknown role, a taken username, and bad values naming the field', async () => {
    const w = await world();
    const field = async (patch: unknown, code: 'VALIDATION_FAILED' | 'USERNAME_TAKEN') =>
      (await expectCode(w.auth.admin.users.update(w.admin, w.ada, patch as never, CTX), code))
        .details?.[0]?.path;
    expect(await field({ roles: ['wizard'] }, 'VALIDATION_FAILED')).toBe('roles');
    expect(await field({ disabled: 'yes' }, 'VALIDATION_FAILED')).toBe('disabled');
    await w.auth.admin.users.update(w.admin, w.admin.userId, { username: 'boss' }, CTX);
    await expectCode(
      w.auth.admin.users.update(w.admin, w.ada, { username: 'BOSS' }, CTX),
      'USERNAME_TAKEN',
    );
    await expectCode(w.auth.admin.users.update(w.admin, 'nobody', {}, CTX), 'NOT_FOUND');
  });

  it('disabling ends the user’s sessions at once', async () => {
    const w = await world();
    const ada = await w.signIn('ada@example.com');
    await w.auth.admin.users.update(w.admin, w.ada, { disabled: true }, CTX);
    await expectCode(w.auth.validateSession(ada.sessionToken), 'UNAUTHENTICATED');
    expect(await w.auth.storage.sessions.listByUser(w.ada, w.clock.now())).toEqual([]);
    await expectCode(
      w.auth.login({ identifier: 'ada@example.com', password: PASSWORD }, CTX),
      'ACCOUNT_DISABLED',
    );
    await w.auth.admin.users.update(w.admin, w.ada, { disabled: false }, CTX);
    expect(
      (await w.auth.login({ identifier: 'ada@example.com', password: PASSWORD }, CTX)).status,
    ).toBe('signed_in');
  });

  it('an admin cannot disable or delete themselves, nor take away their own admin role', async () => {
    const w = await world();
    const me = w.admin.userId;
    await expectCode(
      w.auth.admin.users.update(w.admin, me, { disabled: true }, CTX),
      'VALIDATION_FAILED',
    );
    await expectCode(
      w.auth.admin.users.update(w.admin, me, { roles: [] }, CTX),
      'VALIDATION_FAILED',
    );
    await expectCode(w.auth.admin.users.delete(w.admin, me, CTX), 'VALIDATION_FAILED');
    expect((await w.auth.storage.users.getById(me))?.roles).toEqual(['admin']);
    // Another admin may.
    await w.auth.storage.users.update(w.ada, { roles: ['admin'], updatedAt: w.clock.now() });
    await w.auth.admin.users.update({ userId: w.ada }, me, { roles: ['support'] }, CTX);
    // Now support: may read, not write.
    expect((await w.auth.admin.users.list(w.admin)).users.length).toBeGreaterThan(0);
    await expectCode(w.auth.admin.users.update(w.admin, w.ada, { roles: [] }, CTX), 'FORBIDDEN');
  });

  it('deletes a user with everything tied to them, in the admin’s audit trail', async () => {
    const w = await world();
    await w.signIn('ada@example.com');
    await w.auth.admin.users.delete(w.admin, w.ada, CTX);
    expect(await w.auth.storage.users.getById(w.ada)).toBeUndefined();
    expect(await w.auth.storage.sessions.listByUser(w.ada, w.clock.now())).toEqual([]);
    const trail = await w.auth.audit.list(w.admin.userId);
    expect(trail.find((e) => e.type === 'admin.action')?.data).toMatchObject({
      action: 'user.deleted',
      targetId: w.ada,
    });
  });
});

describe('actions', () => {
  it('shows a user with sessions, links, passkeys, 2FA and locks', async () => {
    const w = await world();
    await w.signIn('ada@example.com');
    for (let i = 0; i < 5; i++) {
      await w.auth
        .login({ identifier: 'ada@example.com', password: `wrong guess ${i}!` }, CTX)
        .catch(() => {});
    }
    const detail = await w.auth.admin.users.get(w.admin, w.ada);
    expect(detail.user).toMatchObject({
      email: 'ada@example.com',
      disabled: false,
      hasPassword: true,
    });
    expect(detail.sessions).toHaveLength(1);
    expect(detail.sessions[0]?.current).toBe(false);
    expect(detail.accounts).toEqual([]);
    expect(detail.passkeys).toEqual([]);
    expect(detail.twoFactor).toEqual({ enabled: false, methods: [], recoveryCodesLeft: 0 });
    expect(detail.locks.signIn).toEqual(expect.any(String));
    expect(detail.locks.secondFactor).toBeNull();
    // Unlocked: the right password works again.
    await w.auth.admin.users.unlock(w.admin, w.ada, CTX);
    expect((await w.auth.admin.users.get(w.admin, w.ada)).locks.signIn).toBeNull();
    expect(
      (await w.auth.login({ identifier: 'ada@example.com', password: PASSWORD }, CTX)).status,
    ).toBe('signed_in');
  });

  it('revokes one session or all of them', async () => {
    const w = await world();
    const one = await w.signIn('ada@example.com');
    const two = await w.signIn('ada@example.com');
    await w.auth.admin.users.revokeSessions(
      w.admin,
      { userId: w.ada, sessionId: one.sessionId },
      CTX,
    );
    await expectCode(w.auth.validateSession(one.sessionToken), 'UNAUTHENTICATED');
    expect((await w.auth.validateSession(two.sessionToken)).user.id).toBe(w.ada);
    await expectCode(
      w.auth.admin.users.revokeSessions(
        w.admin,
        { userId: w.ada, sessionId: w.admin.sessionId },
        CTX,
      ),
      'NOT_FOUND',
    );
    w.clock.advance(MINUTE);
    await w.auth.admin.users.revokeSessions(w.admin, { userId: w.ada }, CTX);
    await expectCode(w.auth.validateSession(two.sessionToken), 'UNAUTHENTICATED');
  });
});

describe('the audit across users', () => {
  it('lists every user’s events newest first, by user and by type, in pages; audit:read only', async () => {
    const w = await world();
    await w.auth.admin.users.update(w.admin, w.ada, { firstName: 'A' }, CTX);
    await w.auth.admin.users.unlock(w.admin, w.ada, CTX);
    const all = await w.auth.admin.audit.list(w.admin, { limit: 200 });
    expect(new Set(all.events.map((e) => e.userId))).toEqual(new Set([w.admin.userId, w.ada]));
    const sequences = all.events.map((e) => e.sequence);
    expect([...sequences].sort((a, b) => b - a)).toEqual(sequences);
    const actions = await w.auth.admin.audit.list(w.admin, { userId: w.ada, type: 'admin.action' });
    expect(actions.events.map((e) => e.data.action)).toEqual(['user.unlocked', 'user.updated']);
    // Pages of one: the same events, no repeats.
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof w.auth.admin.audit.list>> =
        await w.auth.admin.audit.list(w.admin, {
          type: 'admin.action',
          limit: 1,
          ...(cursor === null ? {} : { cursor }),
        });
      seen.push(...page.events.map((e) => e.sequence));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(actions.events.map((e) => e.sequence));
    await w.auth.storage.users.update(w.ada, { roles: ['support'], updatedAt: w.clock.now() });
    expect((await w.auth.admin.audit.list({ userId: w.ada })).events.length).toBeGreaterThan(0);
    await w.auth.storage.users.update(w.ada, { roles: [], updatedAt: w.clock.now() });
    await expectCode(w.auth.admin.audit.list({ userId: w.ada }), 'FORBIDDEN');
    await expectCode(w.auth.admin.audit.list(w.admin, { cursor: 'x' }), 'VALIDATION_FAILED');
  });
});
