import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { createAuth, memoryMailer, memoryStorage } from '../../src/index.js';
import { decode, ORIGIN, setup, T0 } from './helpers.js';

const refused = { code: 'UNAUTHENTICATED', status: 401 };
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];

async function privateJwk(alg: 'EdDSA' | 'ES256', kid: string): Promise<JsonWebKey> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), kid } as JsonWebKey;
}

describe.each(['EdDSA', 'ES256'] as const)('%s access tokens', (alg) => {
  it('round-trips, and other services verify the token with the published JWKS alone', async () => {
    const key = await privateJwk(alg, `${alg}-1`);
    const { auth, signIn, clock } = await setup({
      session: { accessToken: { algorithm: alg, privateKeys: [key] } },
    });
    const t = await signIn();
    expect(decode(t.accessToken).header).toEqual({ alg, typ: 'at+jwt', kid: `${alg}-1` });
    const claims = await auth.verifyAccessToken(t.accessToken);
    expect(claims).toMatchObject({
      sub: t.userId,
      sid: t.sessionId,
      iss: ORIGIN,
      aud: ORIGIN,
      amr: ['pwd'],
    });
    const elsewhere = await jwtVerify(t.accessToken, createLocalJWKSet(await auth.jwks()), {
      algorithms: [alg],
      typ: 'at+jwt',
      issuer: ORIGIN,
      audience: ORIGIN,
      currentDate: new Date(clock.now()),
    });
    expect(elsewhere.payload).toEqual({ ...claims });
    clock.advance(900_000);
    await expect(auth.verifyAccessToken(t.accessToken)).rejects.toMatchObject(refused);
  });

  it('publishes every configured public key with kid, alg and use, and no private member', async () => {
    const keys = [await privateJwk(alg, 'new'), await privateJwk(alg, 'old')];
    const { auth } = await setup({
      session: { accessToken: { algorithm: alg, privateKeys: keys } },
    });
    const jwks = await auth.jwks();
    expect(jwks.keys.map((k) => (k as { kid?: string }).kid)).toEqual(['new', 'old']);
    for (const [i, k] of jwks.keys.entries()) {
      expect(k).toMatchObject({
        alg,
        use: 'sig',
        kty: keys[i]?.kty,
        crv: keys[i]?.crv,
        x: keys[i]?.x,
      });
      for (const member of PRIVATE_MEMBERS) expect(k).not.toHaveProperty(member);
    }
    expect(JSON.stringify(jwks)).not.toContain(keys[0]?.d);
    // Editing the answer does not change what the next caller gets.
    (jwks.keys[0] as Record<string, unknown>).x = 'changed';
    expect((await auth.jwks()).keys[0]?.x).toBe(keys[0]?.x);
  });

  it('rotates: a token signed with the previous key verifies while that key stays configured', async () => {
    const storage = memoryStorage();
    const [oldKey, newKey] = [await privateJwk(alg, 'old'), await privateJwk(alg, 'new')];
    const before = await setup({
      storage,
      session: { accessToken: { algorithm: alg, privateKeys: [oldKey] } },
    });
    const t = await before.signIn('ada@example.com');
    const rotated = await setup({
      storage,
      session: { accessToken: { algorithm: alg, privateKeys: [newKey, oldKey] } },
    });
    await expect(rotated.auth.verifyAccessToken(t.accessToken)).resolves.toMatchObject({
      sub: t.userId,
    });
    const fresh = await rotated.auth.refresh(t.refreshToken);
    expect(decode(fresh.accessToken).header.kid).toBe('new');
    const dropped = await setup({
      storage,
      session: { accessToken: { algorithm: alg, privateKeys: [newKey] } },
    });
    await expect(dropped.auth.verifyAccessToken(t.accessToken)).rejects.toMatchObject(refused);
    await expect(dropped.auth.verifyAccessToken(fresh.accessToken)).resolves.toBeDefined();
  });

  it('refuses a tampered signature, a kid of no configured key and an HS256 token', async () => {
    const key = await privateJwk(alg, 'k1');
    const { auth, signIn } = await setup({
      session: { accessToken: { algorithm: alg, privateKeys: [key] } },
    });
    const { accessToken } = await signIn();
    const [h, p, s] = accessToken.split('.') as [string, string, string];
    await expect(
      auth.verifyAccessToken(`${h}.${p}.${s.slice(0, 5)}${s[5] === 'A' ? 'B' : 'A'}${s.slice(6)}`),
    ).rejects.toMatchObject(refused);
    const other = await setup({
      session: { accessToken: { algorithm: alg, privateKeys: [await privateJwk(alg, 'k2')] } },
    });
    await expect(auth.verifyAccessToken((await other.signIn()).accessToken)).rejects.toMatchObject(
      refused,
    );
    const hs = await setup();
    await expect(auth.verifyAccessToken((await hs.signIn()).accessToken)).rejects.toMatchObject(
      refused,
    );
  });

  it('without keys outside production: one ephemeral key per instance, with a warning', async () => {
    const { auth, signIn, logs } = await setup({ session: { accessToken: { algorithm: alg } } });
    const t = await signIn();
    await expect(auth.verifyAccessToken(t.accessToken)).resolves.toBeDefined();
    const jwks = await auth.jwks();
    expect(jwks.keys).toHaveLength(1);
    expect(decode(t.accessToken).header.kid).toBe((jwks.keys[0] as { kid?: string }).kid);
    for (const member of PRIVATE_MEMBERS) expect(jwks.keys[0]).not.toHaveProperty(member);
    expect(logs.filter((l) => l.startsWith('warn') && l.includes('ephemeral'))).toHaveLength(1);
  });

  it('refuses unusable keys as configuration errors', async () => {
    const wrongCurve = await privateJwk(alg === 'EdDSA' ? 'ES256' : 'EdDSA', 'k');
    const a = await setup({
      session: { accessToken: { algorithm: alg, privateKeys: [wrongCurve] } },
    });
    await expect(a.auth.jwks()).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    const [k1, k2] = [await privateJwk(alg, 'same'), await privateJwk(alg, 'same')];
    const b = await setup({ session: { accessToken: { algorithm: alg, privateKeys: [k1, k2] } } });
    await expect(b.auth.jwks()).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    // A private part that does not belong to its public part would sign unverifiable tokens.
    const mismatched = { ...k1, d: k2.d } as JsonWebKey;
    const c = await setup({
      session: { accessToken: { algorithm: alg, privateKeys: [mismatched] } },
    });
    await expect(c.auth.jwks()).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});

describe('jwks', () => {
  it('is NOT_FOUND with HS256: a shared secret is never published', async () => {
    const { auth } = await setup();
    await expect(auth.jwks()).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });

  it('production refuses an asymmetric algorithm without keys', () => {
    const config = {
      storage: memoryStorage(),
      mailer: memoryMailer(),
      appUrl: ORIGIN,
      secret: 'production-secret-0123456789abcdef-xyz',
      production: true,
      clock: { now: () => T0 },
      session: { strategy: 'jwt', accessToken: { algorithm: 'EdDSA' } },
    } as const;
    expect(() => createAuth(config)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});
