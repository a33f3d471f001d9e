/**
 * Session tokens change when trust changes (OWASP ASVS 7.2.4), and the optional cap on live
 * sessions per account (ASVS 7.1.2).
 */
import { describe, expect, it } from 'vitest';
import { createHttpHandler } from '../../src/http/index.js';
import { setup } from '../flows/helpers.js';

const ADA = 'ada@example.com';
const PASSWORD = 'violet tangerine orbit';
const ORIGIN = 'https://app.example.com';

const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { code?: string }) => e.code ?? String(e),
  );

describe('a sign-in from a browser that still holds a session ends that session', () => {
  it('typed API: context.replacesSession names the held token; only a token that checks out counts', async () => {
    const { auth, signUp, events } = await setup();
    const userId = await signUp(ADA);
    const first = await auth.login({ identifier: ADA, password: PASSWORD });
    if (first.status !== 'signed_in' || first.tokens.strategy !== 'cookie')
      throw new Error('setup');
    const held = first.tokens.sessionToken;
    // A forged secret for the same id ends nothing.
    const forged = `${held.split('.')[0]}.${'A'.repeat(43)}`;
    await auth.login({ identifier: ADA, password: PASSWORD }, { replacesSession: forged });
    expect(await outcome(auth.validateSession(held))).toBe('ok');
    const second = await auth.login(
      { identifier: ADA, password: PASSWORD },
      { replacesSession: held },
    );
    if (second.status !== 'signed_in') throw new Error('setup');
    expect(await outcome(auth.validateSession(held))).toBe('UNAUTHENTICATED');
    expect(events.filter((e) => e.type === 'session.revoked').at(-1)).toMatchObject({
      userId,
      sessionId: first.session.id,
      data: { reason: 'replaced', replacedBy: second.session.id },
    });
  });

  it('HTTP: POST /login with the session cookie replaces that session', async () => {
    const { auth, signUp } = await setup({ appUrl: ORIGIN });
    await signUp(ADA);
    const handler = createHttpHandler(auth);
    const login = (cookie?: string) =>
      handler(
        new Request(`${ORIGIN}/api/auth/login`, {
          method: 'POST',
          headers: {
            origin: ORIGIN,
            'content-type': 'application/json',
            ...(cookie === undefined ? {} : { cookie }),
          },
          body: JSON.stringify({ identifier: ADA, password: PASSWORD }),
        }),
      );
    const sessionCookie = (res: Response) =>
      res.headers
        .getSetCookie()
        .find((c) => c.startsWith('__Host-portcullis.session='))
        ?.split(';')[0] ?? '';
    const first = sessionCookie(await login());
    const second = sessionCookie(await login(first));
    expect(second).not.toBe(first);
    const token = (c: string) => c.slice(c.indexOf('=') + 1);
    expect(await outcome(auth.validateSession(token(first)))).toBe('UNAUTHENTICATED');
    expect(await outcome(auth.validateSession(token(second)))).toBe('ok');
  });
});

describe('re-authentication issues a new session token', () => {
  it('keeps the sign-in time and absolute expiry; the old token, cookie or refresh, is dead', async () => {
    for (const strategy of ['cookie', 'jwt'] as const) {
      const { auth, signUp, clock } = await setup({ session: { strategy } });
      const userId = await signUp(ADA);
      const first = await auth.login({ identifier: ADA, password: PASSWORD });
      if (first.status !== 'signed_in') throw new Error('setup');
      clock.advance(3_600_000);
      const next = await auth.reauthenticate({
        userId,
        sessionId: first.session.id,
        password: PASSWORD,
      });
      expect(next.session.id).not.toBe(first.session.id);
      expect(next.session.createdAt).toBe(first.session.createdAt);
      const stored = await auth.storage.sessions.get(next.session.id, clock.now());
      expect(stored?.absoluteExpiresAt).toBe(Date.parse(first.session.createdAt) + 30 * 86_400_000);
      if (first.tokens.strategy === 'cookie' && next.tokens.strategy === 'cookie') {
        expect(await outcome(auth.validateSession(first.tokens.sessionToken))).toBe(
          'UNAUTHENTICATED',
        );
        expect(await outcome(auth.validateSession(next.tokens.sessionToken))).toBe('ok');
      } else if (first.tokens.strategy === 'jwt' && next.tokens.strategy === 'jwt') {
        expect(await outcome(auth.refresh(first.tokens.refreshToken))).toBe(
          'REFRESH_TOKEN_INVALID',
        );
        expect(await outcome(auth.validateAccessToken(first.tokens.accessToken))).toBe(
          'UNAUTHENTICATED',
        );
        expect(await outcome(auth.refresh(next.tokens.refreshToken))).toBe('ok');
      } else {
        throw new Error(`strategy changed: ${strategy}`);
      }
    }
  });
});

describe('session.maxPerUser', () => {
  it('off by default: ten sign-ins, ten sessions', async () => {
    const { auth, signUp } = await setup();
    const userId = await signUp(ADA);
    for (let i = 0; i < 10; i++) await auth.login({ identifier: ADA, password: PASSWORD });
    expect(await auth.sessions.list(userId)).toHaveLength(10);
  });

  it('with 3, a fourth sign-in ends the oldest; the newest three stay', async () => {
    const { auth, signUp, clock, events } = await setup({ session: { maxPerUser: 3 } });
    const userId = await signUp(ADA);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await auth.login({ identifier: ADA, password: PASSWORD });
      if (r.status !== 'signed_in') throw new Error('setup');
      ids.push(r.session.id);
      clock.advance(1000);
    }
    expect((await auth.sessions.list(userId)).map((s) => s.id)).toEqual(ids.slice(2).reverse());
    expect(
      events.filter((e) => e.type === 'session.revoked').map((e) => [e.sessionId, e.data]),
    ).toEqual([
      [ids[0], { reason: 'session_limit' }],
      [ids[1], { reason: 'session_limit' }],
    ]);
  });

  it('a sign-in that replaces the held session ends only that one, even at the limit', async () => {
    const { auth, signUp, clock } = await setup({ session: { maxPerUser: 2 } });
    const userId = await signUp(ADA);
    const a = await auth.login({ identifier: ADA, password: PASSWORD });
    clock.advance(1000);
    const b = await auth.login({ identifier: ADA, password: PASSWORD });
    clock.advance(1000);
    if (a.status !== 'signed_in' || b.status !== 'signed_in' || b.tokens.strategy !== 'cookie') {
      throw new Error('setup');
    }
    // The browser of the newer session signs in again: that one ends, the older one stays.
    const again = await auth.login(
      { identifier: ADA, password: PASSWORD },
      { replacesSession: b.tokens.sessionToken },
    );
    if (again.status !== 'signed_in') throw new Error('setup');
    expect((await auth.sessions.list(userId)).map((s) => s.id)).toEqual([
      again.session.id,
      a.session.id,
    ]);
  });

  it('refuses a limit that is not a whole number from 1 (CONFIG_INVALID)', async () => {
    await expect(setup({ session: { maxPerUser: 0 } })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });
});
