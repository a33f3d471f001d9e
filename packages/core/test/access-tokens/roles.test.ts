/** The `roles` claim of access tokens (`session.accessToken.roles`). */
import { describe, expect, it } from 'vitest';
import { CTX, claimsAt, decode, hsKey, setup, signHs256 } from './helpers.js';

describe('the roles claim', () => {
  it('is absent by default (token size)', async () => {
    const w = await setup();
    const tokens = await w.signIn();
    expect(decode(tokens.accessToken).payload).not.toHaveProperty('roles');
    expect(await w.auth.verifyAccessToken(tokens.accessToken)).not.toHaveProperty('roles');
  });

  it('carries the roles at issue with accessToken.roles, and a change at the next refresh', async () => {
    const w = await setup({ session: { strategy: 'jwt', accessToken: { roles: true } } });
    const tokens = await w.signIn();
    expect(decode(tokens.accessToken).payload.roles).toEqual([]);
    await w.storage.users.update(tokens.userId, { roles: ['admin'], updatedAt: w.clock.now() });
    // The token already issued keeps what it said (it lives `ttlSeconds`).
    expect((await w.auth.verifyAccessToken(tokens.accessToken)).roles).toEqual([]);
    const next = await w.auth.refresh(tokens.refreshToken, CTX);
    const claims = await w.auth.verifyAccessToken(next.accessToken);
    expect(claims.roles).toEqual(['admin']);
    // Claims are enough for a role check without a store read.
    expect(w.auth.hasRole(claims, 'admin')).toBe(true);
    expect(w.auth.hasPermission(claims, 'users:read')).toBe(true);
  });

  it('refuses a token whose roles claim is not a list of strings', async () => {
    const w = await setup();
    const { key, kid } = hsKey();
    const now = Math.floor(w.clock.now() / 1000);
    for (const roles of ['admin', [1], { admin: true }]) {
      const token = signHs256(key, { alg: 'HS256', typ: 'at+jwt', kid }, claimsAt(now, { roles }));
      await expect(w.auth.verifyAccessToken(token)).rejects.toMatchObject({
        code: 'UNAUTHENTICATED',
      });
    }
    const fine = signHs256(
      key,
      { alg: 'HS256', typ: 'at+jwt', kid },
      claimsAt(now, { roles: ['x'] }),
    );
    expect((await w.auth.verifyAccessToken(fine)).roles).toEqual(['x']);
  });
});
