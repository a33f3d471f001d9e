/**
 * Impersonation through `createAuth` (`auth.admin.users.impersonate`,
 * `auth.admin.impersonation.stop`): the marked session and its hour, who may start one and from
 * where, what it can never do (reach the admin API, step up), its end, racing ends, and the
 * audit trails of both users.
 */
import { describe, expect, it } from 'vitest';
import { assertAllowed } from '../../src/http/index.js';
import { type AuthConfig, IMPERSONATION_SECONDS, memoryStorage } from '../../src/index.js';
import {
  CTX,
  expectCode,
  fail,
  MINUTE,
  NEW_PASSWORD,
  ofType,
  PASSWORD,
  setup,
} from '../account/helpers.js';

const HOUR = 60 * MINUTE;

async function world(over: Partial<AuthConfig> = {}) {
  const w = await setup({
    roles: { support: ['users:read', 'audit:read'], helpdesk: ['users:impersonate'] },
    ...over,
  });
  const adminId = await w.signUp('admin@example.com');
  await w.auth.storage.users.update(adminId, { roles: ['admin'], updatedAt: w.clock.now() });
  const { sessionId } = await w.signIn('admin@example.com');
  const ada = await w.signUp('ada@example.com', { username: 'ada', firstName: 'Ada' });
  const admin = { userId: adminId, sessionId };

  /** Starts impersonating `userId` as the admin; resolves to the session id and cookie token. */
  const impersonate = async (userId = ada) => {
    const result = await w.auth.admin.users.impersonate(admin, userId, CTX);
    if (result.tokens.strategy !== 'cookie') return fail('expected a cookie session');
    w.secrets.add(result.tokens.sessionToken);
    return { sessionId: result.session.id, token: result.tokens.sessionToken, result };
  };
  return { ...w, admin, ada, impersonate };
}

/** The `admin.action` events of a user's audit trail, newest first, as their data. */
async function actions(w: Awaited<ReturnType<typeof world>>, userId: string) {
  return (await w.auth.audit.list(userId))
    .filter((e) => e.type === 'admin.action')
    .map((e) => ({ ...e.data, sessionId: e.sessionId }) as Record<string, unknown>);
}

describe('starting', () => {
  it('opens a session of the user, marked with the admin, plain amr, never fresh', async () => {
    const w = await world();
    const { sessionId, token, result } = await w.impersonate();
    expect(result).toMatchObject({
      status: 'signed_in',
      user: { id: w.ada, email: 'ada@example.com' },
      session: { id: sessionId, impersonatedBy: w.admin.userId, current: true },
    });
    const stored = await w.auth.storage.sessions.get(sessionId, w.clock.now());
    expect(stored).toMatchObject({
      userId: w.ada,
      impersonatedBy: w.admin.userId,
      amr: ['pwd'],
      freshUntil: w.clock.now(),
      absoluteExpiresAt: w.clock.now() + IMPERSONATION_SECONDS * 1000,
    });
    expect(stored).not.toHaveProperty('secondFactorAt');
    const seen = await w.auth.validateSession(token);
    expect(seen.user.id).toBe(w.ada);
    expect(seen.session.impersonatedBy).toBe(w.admin.userId);
    // The user's own sessions say who else is signed in as them; the admin's are unmarked.
    expect((await w.auth.sessions.list(w.ada)).map((s) => s.impersonatedBy)).toEqual([
      w.admin.userId,
    ]);
    expect((await w.auth.sessions.list(w.admin.userId)).map((s) => s.impersonatedBy)).toEqual([
      null,
    ]);
    expect(ofType(w.events, 'session.created').at(-1)).toMatchObject({
      userId: w.ada,
      data: { impersonatedBy: w.admin.userId },
    });
  });

  it('keeps the user’s own sessions under session.maxPerUser', async () => {
    const w = await world({ session: { maxPerUser: 1 } });
    const own = await w.signIn('ada@example.com');
    const { token } = await w.impersonate();
    expect((await w.auth.validateSession(own.sessionToken)).user.id).toBe(w.ada);
    expect((await w.auth.validateSession(token)).user.id).toBe(w.ada);
  });

  it('refuses oneself, a disabled user, an unknown user, and anyone who may impersonate', async () => {
    const w = await world();
    const field = async (userId: string) =>
      (await expectCode(w.auth.admin.users.impersonate(w.admin, userId, CTX), 'VALIDATION_FAILED'))
        .details?.[0]?.path;
    expect(await field(w.admin.userId)).toBe('id');
    const grace = await w.signUp('grace@example.com');
    await w.auth.storage.users.update(grace, { disabled: true, updatedAt: w.clock.now() });
    expect(await field(grace)).toBe('id');
    await expectCode(w.auth.admin.users.impersonate(w.admin, 'nobody', CTX), 'NOT_FOUND');
    // Admins cannot impersonate admins, nor anyone whose role grants impersonation.
    for (const roles of [['admin'], ['helpdesk'], ['support', 'helpdesk']]) {
      await w.auth.storage.users.update(w.ada, { roles, updatedAt: w.clock.now() });
      await expectCode(w.auth.admin.users.impersonate(w.admin, w.ada, CTX), 'FORBIDDEN');
    }
    expect(await w.auth.storage.sessions.listByUser(w.ada, w.clock.now())).toEqual([]);
    expect(await actions(w, w.ada)).toEqual([]);
  });

  it('refuses a caller without users:impersonate, and one whose session is not theirs', async () => {
    const w = await world();
    const grace = await w.signUp('grace@example.com');
    await w.auth.storage.users.update(grace, { roles: ['support'], updatedAt: w.clock.now() });
    await expectCode(w.auth.admin.users.impersonate({ userId: grace }, w.ada, CTX), 'FORBIDDEN');
    const adas = await w.signIn('ada@example.com');
    await expectCode(
      w.auth.admin.users.impersonate(
        { userId: w.admin.userId, sessionId: adas.sessionId },
        grace,
        CTX,
      ),
      'UNAUTHENTICATED',
    );
  });

  it('refuses to start from an impersonation session, even one of a user who may impersonate', async () => {
    const w = await world();
    const { sessionId } = await w.impersonate();
    const grace = await w.signUp('grace@example.com');
    // Ada is given the permission after the impersonation began: her session still cannot use it.
    await w.auth.storage.users.update(w.ada, { roles: ['helpdesk'], updatedAt: w.clock.now() });
    await expectCode(
      w.auth.admin.users.impersonate({ userId: w.ada, sessionId }, grace, CTX),
      'FORBIDDEN',
    );
    // The admin's own session, handed an impersonation's id, is someone else's session.
    await expectCode(
      w.auth.admin.users.impersonate({ userId: w.admin.userId, sessionId }, grace, CTX),
      'UNAUTHENTICATED',
    );
    expect(await w.auth.storage.sessions.listByUser(grace, w.clock.now())).toEqual([]);
  });

  it('leaves no session behind when the marker cannot be written (issue 16)', async () => {
    const storage = memoryStorage();
    const create = storage.tokens.create.bind(storage.tokens);
    storage.tokens.create = async (token) => {
      if (token.purpose === 'impersonation') throw new Error('tokens store down');
      return create(token);
    };
    const w = await world({ storage });
    await expectCode(w.auth.admin.users.impersonate(w.admin, w.ada, CTX), 'STORAGE_UNAVAILABLE');
    expect(await w.auth.storage.sessions.listByUser(w.ada, w.clock.now())).toEqual([]);
    expect(await actions(w, w.ada)).toEqual([]);
  });
});

describe('its hour', () => {
  it('ends one hour after it began, however active (cookie strategy)', async () => {
    const w = await world();
    const { token, result } = await w.impersonate();
    const end = w.clock.now() + HOUR;
    expect(result.session.expiresAt).toBe(new Date(end).toISOString());
    for (let i = 0; i < 5; i++) {
      w.clock.advance(11 * MINUTE);
      const { session } = await w.auth.validateSession(token);
      expect(session.expiresAt).toBe(new Date(end).toISOString());
    }
    w.clock.advance(end - 1 - w.clock.now());
    await w.auth.validateSession(token);
    w.clock.advance(1);
    await expectCode(w.auth.validateSession(token), 'UNAUTHENTICATED');
    // The admin's own session goes on.
    expect((await w.auth.sessions.list(w.admin.userId)).length).toBe(1);
  });

  it('ends one hour after it began, however often refreshed; its access tokens carry act (jwt)', async () => {
    const w = await setup({ session: { strategy: 'jwt' } });
    const adminId = await w.signUp('admin@example.com');
    await w.auth.storage.users.update(adminId, { roles: ['admin'], updatedAt: w.clock.now() });
    const ada = await w.signUp('ada@example.com');
    const login = await w.auth.login({ identifier: 'admin@example.com', password: PASSWORD }, CTX);
    if (login.status !== 'signed_in' || login.tokens.strategy !== 'jwt') return fail('no jwt');
    const mine = await w.auth.verifyAccessToken(login.tokens.accessToken);
    expect(mine).not.toHaveProperty('act');
    const started = await w.auth.admin.users.impersonate(
      { userId: adminId, sessionId: login.session.id },
      ada,
      CTX,
    );
    if (started.tokens.strategy !== 'jwt') return fail('no jwt');
    const end = w.clock.now() + HOUR;
    const claims = await w.auth.verifyAccessToken(started.tokens.accessToken, {
      checkSession: true,
    });
    expect(claims).toMatchObject({ sub: ada, act: { sub: adminId }, amr: ['pwd'] });
    expect(Object.isFrozen(claims.act)).toBe(true);
    let refreshToken = started.tokens.refreshToken;
    for (let i = 0; i < 4; i++) {
      w.clock.advance(14 * MINUTE);
      const next = await w.auth.refresh(refreshToken, CTX);
      expect(next.sessionExpiresAt).toBe(end);
      expect(await w.auth.verifyAccessToken(next.accessToken)).toMatchObject({
        act: { sub: adminId },
      });
      refreshToken = next.refreshToken;
    }
    w.clock.advance(end - w.clock.now());
    await expectCode(w.auth.refresh(refreshToken, CTX), 'REFRESH_TOKEN_INVALID');
  });
});

describe('its admin', () => {
  it.each([
    ['disabled', { disabled: true }],
    ['demoted', { roles: [] as string[] }],
  ])(
    'an admin %s mid-impersonation loses it at the next request (cookie and refresh)',
    async (_label, change) => {
      const w = await world();
      const { token } = await w.impersonate();
      expect((await w.auth.validateSession(token)).user.id).toBe(w.ada);
      await w.auth.storage.users.update(w.admin.userId, { ...change, updatedAt: w.clock.now() });
      await expectCode(w.auth.validateSession(token), 'UNAUTHENTICATED');
    },
  );

  it('ends when its user gains users:impersonate (admins are not impersonated)', async () => {
    const w = await world();
    const { token } = await w.impersonate();
    await w.auth.storage.users.update(w.ada, { roles: ['admin'], updatedAt: w.clock.now() });
    await expectCode(w.auth.validateSession(token), 'UNAUTHENTICATED');
  });

  it('a deleted admin’s impersonation ends too; the user’s own sessions are untouched', async () => {
    const w = await world();
    const { token } = await w.impersonate();
    const own = await w.signIn('ada@example.com');
    await w.auth.storage.users.delete(w.admin.userId);
    await expectCode(w.auth.validateSession(token), 'UNAUTHENTICATED');
    expect((await w.auth.validateSession(own.sessionToken)).user.id).toBe(w.ada);
  });

  it('jwt: a demoted admin’s impersonation is refused by Bearer checks and cannot refresh', async () => {
    const w = await setup({ session: { strategy: 'jwt' } });
    const adminId = await w.signUp('admin@example.com');
    await w.auth.storage.users.update(adminId, { roles: ['admin'], updatedAt: w.clock.now() });
    const ada = await w.signUp('ada@example.com');
    const login = await w.auth.login({ identifier: 'admin@example.com', password: PASSWORD }, CTX);
    if (login.status !== 'signed_in') return fail('no sign-in');
    const started = await w.auth.admin.users.impersonate(
      { userId: adminId, sessionId: login.session.id },
      ada,
      CTX,
    );
    if (started.tokens.strategy !== 'jwt') return fail('no jwt');
    await w.auth.storage.users.update(adminId, { roles: [], updatedAt: w.clock.now() });
    await expectCode(w.auth.validateAccessToken(started.tokens.accessToken), 'UNAUTHENTICATED');
    await expectCode(w.auth.refresh(started.tokens.refreshToken, CTX), 'REFRESH_TOKEN_INVALID');
  });
});

describe('what it can never do', () => {
  it('reaches no admin operation, even for a user whose role grants some', async () => {
    const w = await world();
    await w.auth.storage.users.update(w.ada, { roles: ['support'], updatedAt: w.clock.now() });
    const own = await w.signIn('ada@example.com');
    // With her own session, support may read.
    expect(
      (await w.auth.admin.users.list({ userId: w.ada, sessionId: own.sessionId })).users,
    ).not.toHaveLength(0);
    const { sessionId } = await w.impersonate();
    const as = { userId: w.ada, sessionId };
    await expectCode(w.auth.admin.users.list(as), 'FORBIDDEN');
    await expectCode(w.auth.admin.users.get(as, w.admin.userId), 'FORBIDDEN');
    await expectCode(w.auth.admin.audit.list(as), 'FORBIDDEN');
    await expectCode(w.auth.admin.users.unlock(as, w.admin.userId, CTX), 'FORBIDDEN');
    await expectCode(
      w.auth.admin.users.revokeSessions(as, { userId: w.admin.userId }, CTX),
      'FORBIDDEN',
    );
    await expectCode(w.auth.admin.users.delete(as, w.admin.userId, CTX), 'FORBIDDEN');
    expect(await w.auth.storage.users.getById(w.admin.userId)).toBeDefined();
  });

  it('passes no admin rule of requireAuth (assertAllowed with the session); the app’s own rules apply', async () => {
    const w = await world({
      roles: { support: ['users:read', 'notes:write'], helpdesk: ['users:impersonate'] },
    });
    await w.auth.storage.users.update(w.ada, { roles: ['support'], updatedAt: w.clock.now() });
    const own = await w.signIn('ada@example.com');
    const { token } = await w.impersonate();
    const mine = await w.auth.validateSession(own.sessionToken);
    const as = await w.auth.validateSession(token);
    for (const rule of [
      { permission: 'users:read' },
      { role: 'support', permission: 'users:read' },
    ]) {
      assertAllowed(w.auth, mine.user, rule, mine.session);
      // Without the session (an adapter that does not pass it), only the roles decide.
      assertAllowed(w.auth, as.user, rule);
      expect(() => assertAllowed(w.auth, as.user, rule, as.session)).toThrow(
        expect.objectContaining({ code: 'FORBIDDEN' }),
      );
    }
    expect(() => assertAllowed(w.auth, as.user, { role: 'admin' }, as.session)).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    );
    assertAllowed(w.auth, as.user, { permission: 'notes:write' }, as.session);
    assertAllowed(w.auth, as.user, { role: 'support' }, as.session);
  });

  it('cannot step up: no re-authentication, password, email, passkey, sessions or deletion, right password or not', async () => {
    const w = await world();
    const { sessionId, token } = await w.impersonate();
    const as = { userId: w.ada, sessionId };
    const before = await w.auth.storage.users.getById(w.ada);
    // Even the right password (an admin who knows it) is refused before it is checked.
    await expectCode(w.auth.reauthenticate({ ...as, password: PASSWORD }, CTX), 'FORBIDDEN');
    await expectCode(
      w.auth.passwords.change({ ...as, currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, CTX),
      'FORBIDDEN',
    );
    await expectCode(
      w.auth.users.requestEmailChange(
        { ...as, newEmail: 'taken-over@example.com', password: PASSWORD },
        CTX,
      ),
      'FORBIDDEN',
    );
    await expectCode(w.auth.users.delete({ ...as, password: PASSWORD }, CTX), 'FORBIDDEN');
    await expectCode(
      w.auth.passkeys.registrationOptions({ ...as, password: PASSWORD }, CTX),
      'FORBIDDEN',
    );
    await expectCode(w.auth.sessions.revokeAll(w.ada, { ...as, password: PASSWORD }), 'FORBIDDEN');
    // Nothing changed, nothing was counted against the user, no mail went out.
    expect(await w.auth.storage.users.getById(w.ada)).toEqual(before);
    expect(w.mailer.find('taken-over@example.com', 'email-change-confirm')).toBeUndefined();
    expect(ofType(w.events, 'login.failed')).toEqual([]);
    expect((await w.auth.validateSession(token)).session.id).toBe(sessionId);
    expect(
      (await w.auth.login({ identifier: 'ada@example.com', password: PASSWORD }, CTX)).status,
    ).toBe('signed_in');
  });
});

describe('stopping', () => {
  it('revokes the session and resolves to the admin and the user', async () => {
    const w = await world();
    const { sessionId, token } = await w.impersonate();
    const ended = await w.auth.admin.impersonation.stop({ userId: w.ada, sessionId }, CTX);
    expect(ended).toEqual({ adminId: w.admin.userId, userId: w.ada });
    await expectCode(w.auth.validateSession(token), 'UNAUTHENTICATED');
    expect(ofType(w.events, 'session.revoked').at(-1)).toMatchObject({
      userId: w.ada,
      sessionId,
      data: { reason: 'impersonation_stopped' },
    });
    // Once ended, there is nothing to stop.
    await expectCode(
      w.auth.admin.impersonation.stop({ userId: w.ada, sessionId }, CTX),
      'UNAUTHENTICATED',
    );
    // The admin is still signed in as themselves.
    expect((await w.auth.sessions.list(w.admin.userId)).length).toBe(1);
  });

  it('refuses a session that is no impersonation, and a session of someone else', async () => {
    const w = await world();
    const own = await w.signIn('ada@example.com');
    const refused = await expectCode(
      w.auth.admin.impersonation.stop({ userId: w.ada, sessionId: own.sessionId }, CTX),
      'VALIDATION_FAILED',
    );
    expect(refused.details?.[0]?.path).toBe('session');
    const { sessionId } = await w.impersonate();
    await expectCode(
      w.auth.admin.impersonation.stop({ userId: w.admin.userId, sessionId }, CTX),
      'UNAUTHENTICATED',
    );
    await expectCode(
      w.auth.admin.impersonation.stop({ userId: w.ada, sessionId: 42 as never }, CTX),
      'VALIDATION_FAILED',
    );
    // Still running.
    expect((await w.auth.storage.sessions.get(sessionId, w.clock.now()))?.impersonatedBy).toBe(
      w.admin.userId,
    );
  });

  it('of two stops racing, each resolves or finds it gone, and the stop is audited once', async () => {
    const w = await world();
    const { sessionId, token } = await w.impersonate();
    const caller = { userId: w.ada, sessionId };
    const outcomes = await Promise.allSettled([
      w.auth.admin.impersonation.stop(caller, CTX),
      w.auth.admin.impersonation.stop(caller, CTX),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled').length).toBeGreaterThan(0);
    for (const o of outcomes) {
      if (o.status === 'rejected') expect(o.reason).toMatchObject({ code: 'UNAUTHENTICATED' });
    }
    await expectCode(w.auth.validateSession(token), 'UNAUTHENTICATED');
    for (const userId of [w.ada, w.admin.userId]) {
      const stops = (await actions(w, userId)).filter((a) => a.action === 'impersonation.stop');
      expect(stops).toHaveLength(1);
    }
    expect(
      ofType(w.events, 'session.revoked').filter((e) => e.sessionId === sessionId),
    ).toHaveLength(1);
  });
});

describe('the audit trails', () => {
  it('hold the start and the stop in both users’ trails, naming the admin, and no secret', async () => {
    const w = await world();
    const { sessionId } = await w.impersonate();
    const startedAt = w.clock.now();
    w.clock.advance(5 * MINUTE);
    await w.auth.admin.impersonation.stop({ userId: w.ada, sessionId }, CTX);
    expect(await actions(w, w.ada)).toEqual([
      { action: 'impersonation.stop', adminId: w.admin.userId, sessionId },
      {
        action: 'impersonation.start',
        adminId: w.admin.userId,
        expiresAt: new Date(startedAt + HOUR).toISOString(),
        sessionId,
      },
    ]);
    expect(await actions(w, w.admin.userId)).toEqual([
      {
        action: 'impersonation.stop',
        adminId: w.admin.userId,
        targetId: w.ada,
        targetSessionId: sessionId,
        sessionId: w.admin.sessionId,
      },
      {
        action: 'impersonation.start',
        adminId: w.admin.userId,
        targetId: w.ada,
        targetSessionId: sessionId,
        expiresAt: new Date(startedAt + HOUR).toISOString(),
        sessionId: w.admin.sessionId,
      },
    ]);
    w.assertNoSecrets([w.events, w.logs, await w.auth.audit.list(w.ada)]);
  });
});
