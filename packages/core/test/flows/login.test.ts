import { describe, expect, it, vi } from 'vitest';
import { hashPassword } from '../../src/password/index.js';
import { CTX, cheapHasher, PASSWORD, setup } from './helpers.js';

const DAY = 24 * 3600 * 1000;

describe('login', () => {
  it('signs in by email or username and returns the user, the session and a cookie token', async () => {
    const { auth, signUp, events } = await setup();
    const id = await signUp('ada@example.com', { username: 'ada' });
    for (const identifier of ['ada@example.com', ' ADA@Example.com', 'ADA']) {
      const result = await auth.login({ identifier, password: PASSWORD }, CTX);
      if (result.status !== 'signed_in') throw new Error('expected signed_in');
      expect(result.user.id).toBe(id);
      expect(result.session).toMatchObject({
        ip: CTX.ip,
        userAgent: CTX.userAgent,
        current: true,
        amr: ['pwd'],
      });
      expect(result.tokens.strategy).toBe('cookie');
    }
    expect(events.filter((e) => e.type === 'login.succeeded')).toHaveLength(3);
  });

  it('answers unknown user and wrong password identically, after the same work', async () => {
    const { auth, signUp } = await setup();
    await signUp('ada@example.com');
    const hasher = await cheapHasher();
    const verify = vi.spyOn(hasher, 'verify');
    const unknown = await auth
      .login({ identifier: 'nobody@example.com', password: PASSWORD }, CTX)
      .catch((e) => e);
    const callsUnknown = verify.mock.calls.length;
    const wrong = await auth
      .login({ identifier: 'ada@example.com', password: 'wrong but long' }, CTX)
      .catch((e) => e);
    const callsWrong = verify.mock.calls.length - callsUnknown;
    verify.mockRestore();
    expect(unknown).toMatchObject({ code: 'INVALID_CREDENTIALS', status: 401 });
    expect(JSON.stringify(unknown.toJSON())).toBe(JSON.stringify(wrong.toJSON()));
    expect(unknown.message).toBe(wrong.message);
    // One argon2id verification each: no timing difference in work done.
    expect([callsUnknown, callsWrong]).toEqual([1, 1]);
  });

  it('EMAIL_NOT_VERIFIED only after a correct password', async () => {
    const { auth } = await setup();
    await auth.register({ email: 'ada@example.com', password: PASSWORD }, CTX);
    await expect(
      auth.login({ identifier: 'ada@example.com', password: 'wrong but long' }, CTX),
    ).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    await expect(
      auth.login({ identifier: 'ada@example.com', password: PASSWORD }, CTX),
    ).rejects.toMatchObject({
      code: 'EMAIL_NOT_VERIFIED',
      status: 403,
    });
  });

  it('lets unverified users in when verification is not required', async () => {
    const { auth } = await setup({ emailVerification: { required: false } });
    await auth.register({ email: 'ada@example.com', password: PASSWORD }, CTX);
    expect(
      (await auth.login({ identifier: 'ada@example.com', password: PASSWORD }, CTX)).status,
    ).toBe('signed_in');
  });

  it('ACCOUNT_DISABLED only after a correct password, and a disabled user loses sessions', async () => {
    const { auth, signUp, storage, clock } = await setup();
    const id = await signUp('ada@example.com');
    const before = await auth.login({ identifier: 'ada@example.com', password: PASSWORD }, CTX);
    await storage.users.update(id, { disabled: true, updatedAt: clock.now() });
    await expect(
      auth.login({ identifier: 'ada@example.com', password: 'wrong but long' }, CTX),
    ).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    await expect(
      auth.login({ identifier: 'ada@example.com', password: PASSWORD }, CTX),
    ).rejects.toMatchObject({
      code: 'ACCOUNT_DISABLED',
    });
    if (before.status !== 'signed_in' || before.tokens.strategy !== 'cookie')
      throw new Error('setup');
    await expect(auth.validateSession(before.tokens.sessionToken)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
  });

  it('upgrades a legacy hash (Django PBKDF2) on successful sign-in, and not on failure', async () => {
    const { auth, storage, clock } = await setup({ emailVerification: { required: false } });
    // Django pbkdf2_sha256 of "violet tangerine orbit" (salt "seasalt", 1000 iterations), from Python hashlib.
    const legacy = 'pbkdf2_sha256$1000$seasalt$Uu2dV5zQ7DEkqMqb4Ta1UuYNZd5JYnaEb3+WFn45uh4=';
    await storage.users.create({
      id: 'u-legacy',
      email: 'old@example.com',
      emailNormalized: 'old@example.com',
      passwordHash: legacy,
      metadata: {},
      disabled: false,
      credentialGeneration: 0,
      createdAt: clock.now(),
      updatedAt: clock.now(),
    });
    const verified = await auth.verifyPassword(PASSWORD, legacy);
    expect(verified.valid).toBe(true);
    await expect(
      auth.login({ identifier: 'old@example.com', password: 'wrong but long' }, CTX),
    ).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect((await storage.users.getById('u-legacy'))?.passwordHash).toBe(legacy);
    expect(
      (await auth.login({ identifier: 'old@example.com', password: PASSWORD }, CTX)).status,
    ).toBe('signed_in');
    const upgraded = (await storage.users.getById('u-legacy'))?.passwordHash ?? '';
    expect(upgraded).toMatch(/^\$argon2id\$/);
    expect((await auth.verifyPassword(PASSWORD, upgraded)).valid).toBe(true);
  });

  it('upgrades an argon2id hash made with older parameters', async () => {
    const { auth, storage, clock } = await setup({ emailVerification: { required: false } });
    const old = await hashPassword(PASSWORD, {
      hasher: await (await import('../../src/password/index.js')).createPasswordHasher({
        backend: 'inline',
        params: { memoryKiB: 512, iterations: 1 },
      }),
    });
    await storage.users.create({
      id: 'u-old',
      email: 'o@example.com',
      emailNormalized: 'o@example.com',
      passwordHash: old,
      metadata: {},
      disabled: false,
      credentialGeneration: 0,
      createdAt: clock.now(),
      updatedAt: clock.now(),
    });
    await auth.login({ identifier: 'o@example.com', password: PASSWORD }, CTX);
    expect((await storage.users.getById('u-old'))?.passwordHash).toMatch(/m=1024,t=1/);
  });

  it('an account without a password (imported unusable hash) cannot sign in, same answer', async () => {
    const { auth, storage, clock } = await setup({ emailVerification: { required: false } });
    await storage.users.create({
      id: 'u-nopw',
      email: 'n@example.com',
      emailNormalized: 'n@example.com',
      metadata: {},
      disabled: false,
      credentialGeneration: 0,
      createdAt: clock.now(),
      updatedAt: clock.now(),
    });
    await expect(
      auth.login({ identifier: 'n@example.com', password: PASSWORD }, CTX),
    ).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
  });

  it.each([
    [{ identifier: '', password: 'x' }],
    [{ identifier: 'a@example.com' }],
    [{ identifier: 1, password: 'x' }],
    [{ identifier: 'a'.repeat(400), password: 'x' }],
  ])('VALIDATION_FAILED for malformed input %#', async (input) => {
    const { auth } = await setup();
    await expect(auth.login(input as never, CTX)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });
});

describe('cookie sessions', () => {
  const signedIn = async () => {
    const s = await setup();
    await s.signUp('ada@example.com');
    const r = await s.auth.login({ identifier: 'ada@example.com', password: PASSWORD }, CTX);
    if (r.status !== 'signed_in' || r.tokens.strategy !== 'cookie') throw new Error('setup');
    return { ...s, token: r.tokens.sessionToken, sessionId: r.session.id, userId: r.user.id };
  };

  it('stores only SHA-256 of the secret', async () => {
    const { storage, token, sessionId, clock } = await signedIn();
    const record = await storage.sessions.get(sessionId, clock.now());
    const secret = token.split('.')[1] ?? '';
    expect(JSON.stringify(record)).not.toContain(secret);
    expect(record?.secretHash).toHaveLength(43);
    expect(secret).toHaveLength(43); // 256 bits
  });

  it('validates, slides the idle timeout and dies at the absolute lifetime', async () => {
    const { auth, token, clock } = await signedIn();
    expect((await auth.validateSession(token)).user.email).toBe('ada@example.com');
    // Use it every 6 days: the 7-day idle timeout keeps sliding...
    for (let i = 0; i < 4; i++) {
      clock.advance(6 * DAY);
      await auth.validateSession(token);
    }
    // ...until the 30-day absolute lifetime ends it.
    clock.advance(6 * DAY);
    await expect(auth.validateSession(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('ends after 7 idle days, exactly', async () => {
    const { auth, token, clock } = await signedIn();
    clock.advance(7 * DAY - 1);
    await auth.validateSession(token);
    clock.advance(7 * DAY);
    await expect(auth.validateSession(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('writes lastSeenAt at most once a minute (validation is not a write per request)', async () => {
    const { auth, token, storage, clock, sessionId } = await signedIn();
    const stored = async () => (await storage.sessions.get(sessionId, clock.now()))?.lastSeenAt;
    const start = clock.now();
    for (let i = 0; i < 10; i++) {
      clock.advance(5_000);
      await auth.validateSession(token);
    }
    expect(await stored()).toBe(start); // 50 s of requests, no write
    clock.advance(15_000);
    const { session } = await auth.validateSession(token);
    expect(await stored()).toBe(start + 65_000);
    expect(session.lastSeenAt).toBe(new Date(start + 65_000).toISOString());
  });

  it('refuses a wrong secret, garbage and a revoked session with one code', async () => {
    const { auth, token, sessionId } = await signedIn();
    const [id] = token.split('.');
    for (const bad of [`${id}.${'A'.repeat(43)}`, 'garbage', '', `${token}x`]) {
      await expect(auth.validateSession(bad)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    }
    await auth.logout(sessionId, CTX);
    await expect(auth.validateSession(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await auth.logout(sessionId, CTX); // idempotent
  });

  it("lists sessions newest first with the current one marked, and revokes one of one's own", async () => {
    const { auth, userId, sessionId, clock, signUp } = await signedIn();
    clock.advance(1000);
    const second = await auth.login(
      { identifier: 'ada@example.com', password: PASSWORD },
      { ip: '198.51.100.1' },
    );
    if (second.status !== 'signed_in') throw new Error('setup');
    const list = await auth.sessions.list(userId, { currentId: sessionId });
    expect(list.map((s) => [s.id, s.current])).toEqual([
      [second.session.id, false],
      [sessionId, true],
    ]);
    // Someone else's session is NOT_FOUND, like an unknown one.
    const otherId = await signUp('bob@example.com');
    await expect(
      auth.sessions.revoke(otherId, second.session.id, { password: PASSWORD, context: CTX }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const own = { sessionId, context: CTX };
    await expect(auth.sessions.revoke(userId, 'no-such-session', own)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await auth.sessions.revoke(userId, second.session.id, own);
    expect((await auth.sessions.list(userId)).map((s) => s.id)).toEqual([sessionId]);
  });

  it('revokeAll ends every session, or all but the current one', async () => {
    const { auth, userId, sessionId, token } = await signedIn();
    await auth.login({ identifier: 'ada@example.com', password: PASSWORD }, CTX);
    await auth.sessions.revokeAll(userId, { sessionId, exceptId: sessionId, context: CTX });
    expect((await auth.sessions.list(userId)).map((s) => s.id)).toEqual([sessionId]);
    await auth.sessions.revokeAll(userId, { sessionId, context: CTX });
    expect(await auth.sessions.list(userId)).toEqual([]);
    await expect(auth.validateSession(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('records events in the audit log, newest first, with no secret', async () => {
    const { auth, userId, token, sessionId } = await signedIn();
    await auth.logout(sessionId, CTX);
    const audit = await auth.audit.list(userId);
    expect(audit[0]?.type).toBe('session.revoked');
    expect(audit.map((e) => e.type)).toContain('login.succeeded');
    expect(JSON.stringify(audit)).not.toContain(token.split('.')[1]);
  });
});
