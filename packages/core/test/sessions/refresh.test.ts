import { describe, expect, it } from 'vitest';
import { type AuthError, createAuth, memoryMailer } from '../../src/index.js';
import {
  CTX,
  cheapHasher,
  decode,
  ORIGIN,
  PASSWORD,
  SECRET,
  setup,
} from '../access-tokens/helpers.js';

const DAY = 24 * 3600 * 1000;
const invalid = { code: 'REFRESH_TOKEN_INVALID', status: 401 };
const reused = { code: 'REFRESH_TOKEN_REUSED', status: 401 };

describe('refresh', () => {
  it('rotates: a new access token and a new refresh token for the same session', async () => {
    const { auth, signIn, events, clock } = await setup();
    const t = await signIn();
    clock.advance(60_000);
    const next = await auth.refresh(t.refreshToken, CTX);
    expect(next.expiresIn).toBe(900);
    expect(next.refreshToken).not.toBe(t.refreshToken);
    expect(next.refreshToken.startsWith(`${t.sessionId}.`)).toBe(true);
    const claims = await auth.verifyAccessToken(next.accessToken, { checkSession: true });
    expect(claims).toMatchObject({
      sub: t.userId,
      sid: t.sessionId,
      iat: clock.now() / 1000,
      amr: ['pwd'],
    });
    expect(claims.jti).not.toBe(decode(t.accessToken).payload.jti);
    expect(events.at(-1)).toMatchObject({
      type: 'refresh.succeeded',
      userId: t.userId,
      sessionId: t.sessionId,
      ip: CTX.ip,
    });
    // A chain of rotations keeps working.
    let token = next.refreshToken;
    for (let i = 0; i < 3; i++) token = (await auth.refresh(token, CTX)).refreshToken;
    expect(await auth.sessions.list(t.userId)).toHaveLength(1);
  });

  it('a rotated token presented again after the retry window is reuse: the session is revoked and the event emitted', async () => {
    const { auth, signIn, events, clock } = await setup();
    const t = await signIn();
    const next = await auth.refresh(t.refreshToken, CTX);
    clock.advance(31_000);
    await expect(auth.refresh(t.refreshToken, CTX)).rejects.toMatchObject(reused);
    expect(events.at(-1)).toMatchObject({
      type: 'refresh.reuse_detected',
      userId: t.userId,
      sessionId: t.sessionId,
    });
    // Both holders lose the session: the legitimate new token is dead too.
    await expect(auth.refresh(next.refreshToken, CTX)).rejects.toMatchObject(invalid);
    await expect(
      auth.verifyAccessToken(next.accessToken, { checkSession: true }),
    ).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    expect(await auth.sessions.list(t.userId)).toEqual([]);
  });

  it('a retry within the window (the answer was lost) gets the same new refresh token, rotates nothing and signs no one out', async () => {
    const { auth, signIn, events, clock } = await setup();
    const t = await signIn();
    clock.advance(2_000);
    const next = await auth.refresh(t.refreshToken, CTX);
    for (const wait of [1_000, 28_000]) {
      clock.advance(wait); // 1 s, then 29 s after the rotation
      const again = await auth.refresh(t.refreshToken, CTX);
      expect(again.refreshToken).toBe(next.refreshToken);
      expect(again.accessToken).not.toBe(next.accessToken);
      await expect(
        auth.verifyAccessToken(again.accessToken, { checkSession: true }),
      ).resolves.toMatchObject({ sid: t.sessionId });
      expect(events.at(-1)).toMatchObject({ type: 'refresh.succeeded', data: { retried: true } });
    }
    expect(events.some((e) => e.type === 'refresh.reuse_detected')).toBe(false);
    // The re-delivered token is the live one: it rotates on, and the chain goes on as usual.
    const third = await auth.refresh(next.refreshToken, CTX);
    expect(third.refreshToken).not.toBe(next.refreshToken);
    expect(await auth.sessions.list(t.userId)).toHaveLength(1);
  });

  it('a retry after the successor was used is reuse, even within the window', async () => {
    const { auth, signIn, clock } = await setup();
    const t = await signIn();
    const next = await auth.refresh(t.refreshToken, CTX);
    clock.advance(1_000);
    const third = await auth.refresh(next.refreshToken, CTX);
    clock.advance(1_000);
    // t's successor is no longer the current token: one of two holders is not the client.
    await expect(auth.refresh(t.refreshToken, CTX)).rejects.toMatchObject(reused);
    await expect(auth.refresh(third.refreshToken, CTX)).rejects.toMatchObject(invalid);
    expect(await auth.sessions.list(t.userId)).toEqual([]);
  });

  it('a retry with the refresh token of another session, or a forged successor, is still reuse', async () => {
    const { auth, signIn } = await setup();
    const a = await signIn();
    const b = await signIn();
    await auth.refresh(a.refreshToken, CTX);
    await auth.refresh(b.refreshToken, CTX);
    // a's session id with b's old secret: not a predecessor of a's current token.
    const [aId] = a.refreshToken.split('.') as [string];
    const [, bSecret] = b.refreshToken.split('.') as [string, string];
    await expect(auth.refresh(`${aId}.${bSecret}`, CTX)).rejects.toMatchObject(invalid);
    // b's own old token is still a retry; a's too.
    await expect(auth.refresh(b.refreshToken, CTX)).resolves.toMatchObject({});
    await expect(auth.refresh(a.refreshToken, CTX)).resolves.toMatchObject({});
  });

  it('with refreshRetrySeconds 0 any second presentation is reuse', async () => {
    const { auth, signIn } = await setup({ session: { refreshRetrySeconds: 0 } });
    const t = await signIn();
    await auth.refresh(t.refreshToken, CTX);
    await expect(auth.refresh(t.refreshToken, CTX)).rejects.toMatchObject(reused);
    expect(await auth.sessions.list(t.userId)).toEqual([]);
  });

  it('a retry across a secret rotation still gets its token (the successor key of every accepted secret is tried)', async () => {
    const storage = (await import('../../src/index.js')).memoryStorage();
    const first = await setup({ storage });
    const t = await first.signIn();
    const next = await first.auth.refresh(t.refreshToken, CTX);
    const rotated = await setup({ storage, secret: ['b'.repeat(32) + SECRET, SECRET] });
    rotated.clock.set(first.clock.now() + 1_000);
    const again = await rotated.auth.refresh(t.refreshToken, CTX);
    expect(again.refreshToken).toBe(next.refreshToken);
  });

  it('detects reuse of a token rotated several generations ago', async () => {
    const { auth, signIn } = await setup();
    const t = await signIn();
    let token = t.refreshToken;
    for (let i = 0; i < 4; i++) token = (await auth.refresh(token)).refreshToken;
    await expect(auth.refresh(t.refreshToken)).rejects.toMatchObject(reused);
    await expect(auth.refresh(token)).rejects.toMatchObject(invalid);
  });

  it.each([0, 61_000])(
    'of 10 concurrent refreshes with one token one rotates and all get the same new token (clock +%i ms)',
    async (advance) => {
      const { auth, signIn, clock, events } = await setup();
      const t = await signIn();
      clock.advance(advance);
      const results = await Promise.all(
        Array.from({ length: 10 }, () => auth.refresh(t.refreshToken, CTX)),
      );
      const tokens = new Set(results.map((r) => r.refreshToken));
      expect(tokens.size).toBe(1);
      expect(events.filter((e) => e.type === 'refresh.reuse_detected')).toEqual([]);
      expect(events.filter((e) => e.type === 'refresh.succeeded' && !e.data)).toHaveLength(1);
      // One family: the shared token rotates on, and then the old one is reuse.
      const [shared] = [...tokens] as [string];
      const on = await auth.refresh(shared, CTX);
      await expect(auth.refresh(t.refreshToken, CTX)).rejects.toMatchObject(reused);
      await expect(auth.refresh(on.refreshToken)).rejects.toMatchObject(invalid);
    },
  );

  it('with refreshRetrySeconds 0, of 10 concurrent refreshes exactly one succeeds and the session ends', async () => {
    const { auth, signIn, events } = await setup({ session: { refreshRetrySeconds: 0 } });
    const t = await signIn();
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => auth.refresh(t.refreshToken, CTX)),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as AuthError] : []));
    expect(won).toHaveLength(1);
    expect(lost.map((e) => e.code)).toEqual(Array(9).fill('REFRESH_TOKEN_REUSED'));
    expect(await auth.sessions.list(t.userId)).toEqual([]);
    const winner = won[0] as PromiseFulfilledResult<{ refreshToken: string }>;
    await expect(auth.refresh(winner.value.refreshToken)).rejects.toMatchObject(invalid);
    expect(events.filter((e) => e.type === 'refresh.reuse_detected').length).toBeGreaterThan(0);
  });

  it('each refresh counts as activity; the absolute lifetime still ends the session', async () => {
    const { auth, signIn, clock } = await setup({
      session: { idleTimeoutSeconds: 7 * 86400, absoluteTimeoutSeconds: 20 * 86400 },
    });
    const t = await signIn();
    let token = t.refreshToken;
    // Days 6, 12 and 18: each refresh lands inside the idle window the previous one opened
    // (without sliding, the session would have died on day 7).
    for (let i = 0; i < 3; i++) {
      clock.advance(6 * DAY);
      token = (await auth.refresh(token)).refreshToken;
    }
    // Day 20: the idle window would run to day 25, but the absolute lifetime ends now.
    clock.advance(2 * DAY);
    await expect(auth.refresh(token)).rejects.toMatchObject(invalid);
  });

  it('refuses a refresh after the session expired (idle)', async () => {
    const { auth, signIn, clock } = await setup();
    const t = await signIn();
    clock.advance(7 * DAY);
    await expect(auth.refresh(t.refreshToken)).rejects.toMatchObject(invalid);
  });

  it('refuses tokens that are not refresh tokens of a live jwt session', async () => {
    const { auth, signIn, storage, clock } = await setup();
    const t = await signIn();
    const cookieAuth = createAuth({
      storage,
      mailer: memoryMailer(),
      appUrl: ORIGIN,
      secret: SECRET,
      clock,
      password: { hasher: await cheapHasher() },
      emailVerification: { required: false },
    });
    await cookieAuth.register({ email: 'cookie@example.com', password: PASSWORD });
    const cookie = await cookieAuth.login({ identifier: 'cookie@example.com', password: PASSWORD });
    if (cookie.status !== 'signed_in' || cookie.tokens.strategy !== 'cookie') {
      throw new Error('expected a cookie session');
    }
    const [id, secret] = t.refreshToken.split('.') as [string, string];
    const wrongSecret = `${id}.${secret.slice(0, -2)}${secret.endsWith('AA') ? 'BA' : 'AA'}`;
    const inputs = [
      cookie.tokens.sessionToken,
      t.accessToken,
      wrongSecret,
      '',
      'a.b',
      `${id}.`,
      `.${secret}`,
      `${t.refreshToken}.x`,
      'x'.repeat(100_000),
      null,
      7,
    ];
    for (const input of inputs) {
      await expect(auth.refresh(input as string)).rejects.toMatchObject(invalid);
    }
    // A wrong secret is not reuse: the session survives and its real token still works.
    await expect(auth.refresh(t.refreshToken)).resolves.toBeDefined();
    await expect(cookieAuth.validateSession(cookie.tokens.sessionToken)).resolves.toBeDefined();
  });

  it('refuses after logout, and for a disabled or deleted user (whose session is revoked)', async () => {
    const { auth, signIn, storage, clock, events } = await setup();
    const a = await signIn();
    await auth.logout(a.sessionId);
    await expect(auth.refresh(a.refreshToken)).rejects.toMatchObject(invalid);
    const b = await signIn();
    await storage.users.update(b.userId, { disabled: true, updatedAt: clock.now() });
    await expect(auth.refresh(b.refreshToken)).rejects.toMatchObject(invalid);
    expect(events.at(-1)).toMatchObject({
      type: 'session.revoked',
      sessionId: b.sessionId,
      data: { reason: 'user_disabled' },
    });
    await storage.users.update(b.userId, { disabled: false, updatedAt: clock.now() });
    expect(await auth.sessions.list(b.userId)).toEqual([]);
  });

  it('never leaks a refresh secret into events, logs, audit, errors or other results', async () => {
    const { auth, signIn, events, logs, clock } = await setup();
    const t = await signIn();
    const issued = [t.refreshToken];
    const results: unknown[] = [];
    const r1 = await auth.refresh(t.refreshToken, CTX);
    issued.push(r1.refreshToken);
    results.push(
      r1,
      await auth.verifyAccessToken(r1.accessToken),
      await auth.sessions.list(t.userId),
    );
    clock.advance(31_000); // past the retry window: the replay below is reuse
    results.push(
      await auth
        .refresh(t.refreshToken, CTX)
        .catch((e: AuthError) => [e, e.toJSON(), String(e.cause)]),
    );
    results.push(await auth.refresh(r1.refreshToken, CTX).catch((e: AuthError) => [e, e.toJSON()]));
    results.push(await auth.audit.list(t.userId));
    const secrets = issued.map((token) => token.split('.')[1] as string);
    const everything = JSON.stringify({ events, logs, results: results.slice(1) });
    for (const secret of secrets) expect(everything).not.toContain(secret);
    // Where a secret is returned, it is only the new one.
    const first = JSON.stringify(r1);
    expect(first).toContain(secrets[1]);
    expect(first).not.toContain(secrets[0]);
    for (const access of [t.accessToken, r1.accessToken]) {
      for (const secret of secrets) expect(JSON.stringify(decode(access))).not.toContain(secret);
    }
  });
});
