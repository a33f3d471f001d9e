/** The app's own access-token claims (`session.accessToken.claims`). */
import * as v from 'valibot';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  type AccessTokenClaimsHook,
  type AuthConfig,
  createAuth,
  memoryMailer,
  memoryStorage,
  silentLogger,
} from '../../src/index.js';
import { CTX, decode, setup } from './helpers.js';

const fields = { plan: v.optional(v.picklist(['free', 'pro'])) };

/** A hook reading a user field and the session, and what it saw. */
function recording() {
  const seen: { user: object; session: object }[] = [];
  const claims: AccessTokenClaimsHook = (user, session) => {
    seen.push({ user, session });
    return { tenant: 'acme', plan: user.plan ?? 'free', features: { export: user.plan === 'pro' } };
  };
  return { seen, claims };
}

describe('session.accessToken.claims', () => {
  it('adds the app’s claims to every token; verifyAccessToken returns them; a refresh recomputes them', async () => {
    const { seen, claims } = recording();
    const w = await setup({
      user: { fields },
      session: { strategy: 'jwt', accessToken: { claims } },
    } as Partial<AuthConfig>);
    const tokens = await w.signIn();
    expect(decode(tokens.accessToken).payload).toMatchObject({
      tenant: 'acme',
      plan: 'free',
      features: { export: false },
    });
    const verified = await w.auth.verifyAccessToken(tokens.accessToken);
    expect(verified).toMatchObject({ sub: tokens.userId, tenant: 'acme', plan: 'free' });
    expect(Object.isFrozen((verified as Record<string, unknown>).features)).toBe(true);
    // The hook saw the public user with the app's fields, and the session.
    expect(seen[0]?.user).toMatchObject({ id: tokens.userId, plan: null, roles: [] });
    expect(seen[0]?.user).not.toHaveProperty('passwordHash');
    expect(seen[0]?.session).toMatchObject({ id: tokens.sessionId });
    await w.storage.users.update(tokens.userId, {
      metadata: { plan: 'pro' },
      updatedAt: w.clock.now(),
    });
    const next = await w.auth.refresh(tokens.refreshToken, CTX);
    expect(await w.auth.verifyAccessToken(next.accessToken)).toMatchObject({
      plan: 'pro',
      features: { export: true },
    });
  });

  it.each([
    ['a reserved claim (sub)', () => ({ sub: 'someone-else' })],
    ['a reserved claim (roles)', () => ({ roles: ['admin'] })],
    ['a reserved claim (act)', () => ({ act: { sub: 'admin' } })],
    ['not an object', () => ['tenant'] as unknown as Record<string, never>],
    [
      'a throw',
      () => {
        throw new Error('hook broke');
      },
    ],
  ])('fails the sign-in on %s (INTERNAL, logged) and leaves no session', async (_label, hook) => {
    const w = await setup({
      session: { strategy: 'jwt', accessToken: { claims: hook as AccessTokenClaimsHook } },
    });
    await expect(w.signIn()).rejects.toMatchObject({ code: 'INTERNAL' });
    const user = await w.storage.users.getByEmail('user1@example.com');
    expect(await w.auth.sessions.list(user?.id ?? '')).toEqual([]);
    expect(w.logs.some((l) => l.startsWith('error session.accessToken.claims'))).toBe(true);
  });

  it('a claim the hook did not set is not invented; a foreign claim of a signed token is kept as signed', async () => {
    const w = await setup();
    const tokens = await w.signIn();
    const verified = await w.auth.verifyAccessToken(tokens.accessToken);
    expect(Object.keys(verified).sort()).toEqual(
      ['amr', 'aud', 'exp', 'iat', 'iss', 'jti', 'sid', 'sub'].sort(),
    );
  });

  it('types verifyAccessToken with the hook’s claims', () => {
    const auth = createAuth({
      storage: memoryStorage(),
      mailer: memoryMailer(),
      appUrl: 'http://localhost:3000',
      logger: silentLogger,
      session: { strategy: 'jwt', accessToken: { claims: () => ({ tenant: 'acme', seats: 3 }) } },
    });
    type Claims = Awaited<ReturnType<typeof auth.verifyAccessToken>>;
    expectTypeOf<Claims['tenant']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<Claims['seats']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<Claims['sub']>().toEqualTypeOf<string>();
  });
});
