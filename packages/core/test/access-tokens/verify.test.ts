import { describe, expect, it } from 'vitest';
import { memoryStorage } from '../../src/index.js';
import { b64, decode, hsKey, insider, ORIGIN, OTHER_SECRET, SECRET, setup, T0 } from './helpers.js';

const NOW = T0 / 1000;
const refused = { code: 'UNAUTHENTICATED', status: 401 };

describe('verifyAccessToken (HS256)', () => {
  it('verifies a token from sign-in and resolves to its claims', async () => {
    const { auth, signIn } = await setup();
    const t = await signIn();
    expect(t.expiresIn).toBe(900);
    const { header, payload } = decode(t.accessToken);
    expect(header).toEqual({ alg: 'HS256', typ: 'at+jwt', kid: hsKey().kid });
    const claims = await auth.verifyAccessToken(t.accessToken);
    expect(claims).toEqual(payload);
    expect(claims).toEqual({
      sub: t.userId,
      sid: t.sessionId,
      iat: NOW,
      exp: NOW + 900,
      jti: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      iss: ORIGIN,
      aud: ORIGIN,
      amr: ['pwd'],
    });
    // Claims may be served to many callers from the cache: nobody can change them.
    expect(Object.isFrozen(claims) && Object.isFrozen(claims.amr)).toBe(true);
    expect(await auth.verifyAccessToken(t.accessToken)).toEqual(claims);
  });

  it('gives every token its own jti', async () => {
    const { signIn } = await setup();
    const jtis = new Set<unknown>();
    for (let i = 0; i < 5; i++) jtis.add(decode((await signIn()).accessToken).payload.jti);
    expect(jtis.size).toBe(5);
  });

  it('refuses an expired token, also when it was verified (cached) before', async () => {
    const { auth, clock, signIn } = await setup();
    const { accessToken } = await signIn();
    clock.advance(899_999);
    await expect(auth.verifyAccessToken(accessToken)).resolves.toBeDefined();
    clock.advance(1);
    await expect(auth.verifyAccessToken(accessToken)).rejects.toMatchObject(refused);
  });

  it('honours leewaySeconds on exp, and no further', async () => {
    const { auth, clock, signIn } = await setup({
      session: { accessToken: { leewaySeconds: 30 } },
    });
    const { accessToken } = await signIn();
    clock.advance(929_000);
    await expect(auth.verifyAccessToken(accessToken)).resolves.toBeDefined();
    clock.advance(1_000);
    await expect(auth.verifyAccessToken(accessToken)).rejects.toMatchObject(refused);
  });

  it('refuses nbf in the future, and accepts the same token once it is due (failures are not cached)', async () => {
    const { auth, clock } = await setup();
    const token = insider({}, { nbf: NOW + 60 });
    await expect(auth.verifyAccessToken(token)).rejects.toMatchObject(refused);
    clock.advance(60_000);
    await expect(auth.verifyAccessToken(token)).resolves.toMatchObject({ sub: 'user-1' });
  });

  it('refuses iat in the future beyond the leeway', async () => {
    const strict = await setup();
    await expect(
      strict.auth.verifyAccessToken(insider({}, { iat: NOW + 5 })),
    ).rejects.toMatchObject(refused);
    const lenient = await setup({ session: { accessToken: { leewaySeconds: 10 } } });
    await expect(
      lenient.auth.verifyAccessToken(insider({}, { iat: NOW + 5 })),
    ).resolves.toBeDefined();
    await expect(
      lenient.auth.verifyAccessToken(insider({}, { iat: NOW + 11 })),
    ).rejects.toMatchObject(refused);
  });

  it('keeps verifying tokens of a previous secret while it stays configured (rotation)', async () => {
    const storage = memoryStorage();
    const before = await setup({ storage, secret: SECRET });
    const old = await before.signIn('ada@example.com');
    const rotated = await setup({ storage, secret: [OTHER_SECRET, SECRET] });
    await expect(rotated.auth.verifyAccessToken(old.accessToken)).resolves.toMatchObject({
      sub: old.userId,
    });
    const fresh = (await rotated.auth.refresh(old.refreshToken)).accessToken;
    expect(decode(fresh).header.kid).toBe(hsKey(OTHER_SECRET).kid);
    const dropped = await setup({ storage, secret: OTHER_SECRET });
    await expect(dropped.auth.verifyAccessToken(old.accessToken)).rejects.toMatchObject(refused);
    await expect(dropped.auth.verifyAccessToken(fresh)).resolves.toMatchObject({ sub: old.userId });
    // The old secret's kid named with the new key's signature is still a forgery.
    const [, p, s] = fresh.split('.');
    const relabelled = `${b64({ alg: 'HS256', typ: 'at+jwt', kid: hsKey(SECRET).kid })}.${p}.${s}`;
    await expect(rotated.auth.verifyAccessToken(relabelled)).rejects.toMatchObject(refused);
  });

  it('checkSession refuses a revoked session at once; without it the token lives until exp', async () => {
    const { auth, signIn } = await setup();
    const t = await signIn();
    await expect(
      auth.verifyAccessToken(t.accessToken, { checkSession: true }),
    ).resolves.toBeDefined();
    await auth.logout(t.sessionId);
    await expect(
      auth.verifyAccessToken(t.accessToken, { checkSession: true }),
    ).rejects.toMatchObject(refused);
    await expect(auth.verifyAccessToken(t.accessToken)).resolves.toBeDefined();
  });

  it('checkSession from the config applies unless the call says otherwise', async () => {
    const { auth, signIn } = await setup({ session: { accessToken: { checkSession: true } } });
    const t = await signIn();
    await expect(auth.verifyAccessToken(t.accessToken)).resolves.toBeDefined();
    await auth.logout(t.sessionId);
    await expect(auth.verifyAccessToken(t.accessToken)).rejects.toMatchObject(refused);
    await expect(
      auth.verifyAccessToken(t.accessToken, { checkSession: false }),
    ).resolves.toBeDefined();
  });

  it('checkSession refuses a session that belongs to another user than sub', async () => {
    const { auth, signIn } = await setup();
    const a = await signIn();
    const b = await signIn();
    const mixed = insider({}, { sub: b.userId, sid: a.sessionId });
    await expect(auth.verifyAccessToken(mixed)).resolves.toBeDefined();
    await expect(auth.verifyAccessToken(mixed, { checkSession: true })).rejects.toMatchObject(
      refused,
    );
  });
});
