import { CompactSign, exportJWK, exportSPKI, generateKeyPair } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { b64, claimsAt, decode, hsKey, setup, signHs256, T0 } from './helpers.js';

const NOW = T0 / 1000;
const refused = { code: 'UNAUTHENTICATED', status: 401 };
const utf8 = (text: string) => new TextEncoder().encode(text);

/** A compact JWS signed by the attacker's own key with whatever header they like. */
async function signWith(
  key: CryptoKey,
  header: Record<string, unknown> & { alg: string },
  payload: unknown,
) {
  return new CompactSign(utf8(JSON.stringify(payload))).setProtectedHeader(header).sign(key);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('access-token attacks', () => {
  it('alg none: refused in every spelling, with or without a signature', async () => {
    const { auth, signIn } = await setup();
    const real = await signIn();
    const { payload } = decode(real.accessToken);
    const s = real.accessToken.split('.')[2];
    for (const alg of ['none', 'None', 'NONE', 'nOnE', '']) {
      const unsigned = `${b64({ alg, typ: 'at+jwt', kid: hsKey().kid })}.${b64(payload)}`;
      await expect(auth.verifyAccessToken(`${unsigned}.`)).rejects.toMatchObject(refused);
      await expect(auth.verifyAccessToken(`${unsigned}.${s}`)).rejects.toMatchObject(refused);
    }
    // The header is authenticated too: swapping alg on a genuine token breaks it.
    const [, p] = real.accessToken.split('.');
    const swapped = `${b64({ alg: 'none', typ: 'at+jwt', kid: hsKey().kid })}.${p}.${s}`;
    await expect(auth.verifyAccessToken(swapped)).rejects.toMatchObject(refused);
  });

  it('HS/RS substitution: an asymmetric public key used as the HMAC secret forges nothing', async () => {
    const pair = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(pair.privateKey)), kid: 'es-1' };
    const { auth, signIn } = await setup({
      session: { accessToken: { algorithm: 'ES256', privateKeys: [jwk] } },
    });
    await signIn();
    const [published] = (await auth.jwks()).keys;
    const pem = await exportSPKI(pair.publicKey);
    const secrets = [
      utf8(pem),
      utf8(JSON.stringify(published)),
      utf8(published?.x ?? ''),
      new Uint8Array(Buffer.from(published?.x ?? '', 'base64url')),
    ];
    for (const secret of secrets) {
      const forged = signHs256(secret, { alg: 'HS256', typ: 'at+jwt', kid: 'es-1' }, claimsAt(NOW));
      await expect(auth.verifyAccessToken(forged)).rejects.toMatchObject(refused);
    }
  });

  it('HS/RS substitution: RS256, ES256 and EdDSA tokens are refused by an HS256 instance', async () => {
    const { auth } = await setup();
    const { kid } = hsKey();
    for (const alg of ['RS256', 'PS256', 'ES256', 'EdDSA'] as const) {
      const { privateKey } = await generateKeyPair(alg);
      const token = await signWith(privateKey, { alg, typ: 'at+jwt', kid }, claimsAt(NOW));
      await expect(auth.verifyAccessToken(token)).rejects.toMatchObject(refused);
    }
    // HS384/HS512 with the right key are still another algorithm.
    const { key } = hsKey();
    const hs512 = await new CompactSign(utf8(JSON.stringify(claimsAt(NOW))))
      .setProtectedHeader({ alg: 'HS512', typ: 'at+jwt', kid })
      .sign(new Uint8Array([...key, ...key]));
    await expect(auth.verifyAccessToken(hs512)).rejects.toMatchObject(refused);
  });

  it('an embedded jwk is never trusted: a token signed by the key it carries is refused', async () => {
    const { privateKey, publicKey } = await generateKeyPair('EdDSA', { extractable: true });
    const attackerJwk = await exportJWK(publicKey);
    const mine = await generateKeyPair('EdDSA', { extractable: true });
    const configured = { ...(await exportJWK(mine.privateKey)), kid: 'ed-1' };
    const eddsa = await setup({
      session: { accessToken: { algorithm: 'EdDSA', privateKeys: [configured] } },
    });
    for (const kid of ['ed-1', 'attacker', undefined]) {
      const token = await signWith(
        privateKey,
        { alg: 'EdDSA', typ: 'at+jwt', kid, jwk: attackerJwk },
        claimsAt(NOW),
      );
      await expect(eddsa.auth.verifyAccessToken(token)).rejects.toMatchObject(refused);
    }
    // HS256: an "oct" key in the header, with the MAC made by that key.
    const hs = await setup();
    const attackerSecret = new Uint8Array(32).fill(7);
    const octJwk = { kty: 'oct', k: Buffer.from(attackerSecret).toString('base64url') };
    const forged = signHs256(
      attackerSecret,
      { alg: 'HS256', typ: 'at+jwt', kid: hsKey().kid, jwk: octJwk },
      claimsAt(NOW),
    );
    await expect(hs.auth.verifyAccessToken(forged)).rejects.toMatchObject(refused);
  });

  it('jku, x5u and x5c are refused and never fetched, even on a correctly signed token', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const { auth } = await setup();
    const { key, kid } = hsKey();
    const pointers = [
      { jku: 'https://attacker.example/jwks.json' },
      { x5u: 'https://attacker.example/cert.pem' },
      { x5c: ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'] },
      { x5t: 'abc' },
    ];
    for (const pointer of pointers) {
      const token = signHs256(key, { alg: 'HS256', typ: 'at+jwt', kid, ...pointer }, claimsAt(NOW));
      await expect(auth.verifyAccessToken(token)).rejects.toMatchObject(refused);
    }
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('a JWT of another type signed with the same key (an ID token) is not an access token', async () => {
    const { auth } = await setup();
    const { key, kid } = hsKey();
    const idToken = signHs256(
      key,
      { alg: 'HS256', typ: 'JWT', kid },
      { ...claimsAt(NOW), nonce: 'n' },
    );
    await expect(auth.verifyAccessToken(idToken)).rejects.toMatchObject(refused);
    const untyped = signHs256(key, { alg: 'HS256', kid }, claimsAt(NOW));
    await expect(auth.verifyAccessToken(untyped)).rejects.toMatchObject(refused);
  });

  it('a forged token never becomes valid through the cache of verified tokens', async () => {
    const { auth, signIn } = await setup();
    const t = await signIn();
    await auth.verifyAccessToken(t.accessToken);
    const [h, p, s] = t.accessToken.split('.') as [string, string, string];
    const tampered = `${h}.${b64({ ...decode(t.accessToken).payload, sub: 'admin' })}.${s}`;
    for (let i = 0; i < 3; i++) {
      await expect(auth.verifyAccessToken(tampered)).rejects.toMatchObject(refused);
      await expect(auth.verifyAccessToken(`${h}.${p}.${s.slice(0, -2)}AA`)).rejects.toMatchObject(
        refused,
      );
      await expect(auth.verifyAccessToken(t.accessToken)).resolves.toMatchObject({ sub: t.userId });
    }
  });
});
