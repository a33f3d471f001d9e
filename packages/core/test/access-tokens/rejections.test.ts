import { describe, expect, it } from 'vitest';
import type { AuthError } from '../../src/index.js';
import { b64, claimsAt, decode, hsKey, insider, ORIGIN, setup, signHs256, T0 } from './helpers.js';

const NOW = T0 / 1000;
const refused = { code: 'UNAUTHENTICATED', status: 401 };

describe('verifyAccessToken (HS256) refuses', () => {
  it('refuses a wrong or missing typ: a plain JWT, or a refresh token, is not an access token', async () => {
    const { auth, signIn } = await setup();
    const t = await signIn();
    for (const typ of ['JWT', 'jwt', 'at+JWT', 'application/jwt', '', undefined]) {
      await expect(auth.verifyAccessToken(insider({ typ }))).rejects.toMatchObject(refused);
    }
    await expect(auth.verifyAccessToken(t.refreshToken)).rejects.toMatchObject(refused);
  });

  it('refuses a wrong issuer or audience', async () => {
    const { auth } = await setup();
    const cases = [
      { iss: 'https://evil.example' },
      { aud: 'https://other-service.example.com' },
      { aud: [ORIGIN, 'https://other.example'] },
      { iss: `${ORIGIN}/` },
    ];
    for (const claims of cases) {
      await expect(auth.verifyAccessToken(insider({}, claims))).rejects.toMatchObject(refused);
    }
    const custom = await setup({
      session: { accessToken: { issuer: 'https://id.example', audience: 'api' } },
    });
    await expect(custom.auth.verifyAccessToken(insider())).rejects.toMatchObject(refused);
    const mine = insider({}, { iss: 'https://id.example', aud: 'api' });
    await expect(custom.auth.verifyAccessToken(mine)).resolves.toMatchObject({ aud: 'api' });
  });

  it('refuses a token missing any required claim, or with claims of the wrong type', async () => {
    const { auth } = await setup();
    const { key, kid } = hsKey();
    const header = { alg: 'HS256', typ: 'at+jwt', kid };
    for (const name of ['sub', 'sid', 'iat', 'exp', 'jti', 'iss', 'aud', 'amr']) {
      const { [name]: _, ...rest } = claimsAt(NOW) as Record<string, unknown>;
      await expect(auth.verifyAccessToken(signHs256(key, header, rest))).rejects.toMatchObject(
        refused,
      );
    }
    const wrongTypes = [
      { sub: 1 },
      { sid: '' },
      { exp: `${NOW + 900}` },
      { iat: 1.5 },
      { amr: 'pwd' },
      { amr: [1] },
      { nbf: 'soon' },
    ];
    for (const claims of wrongTypes) {
      await expect(auth.verifyAccessToken(insider({}, claims))).rejects.toMatchObject(refused);
    }
    for (const payload of [[claimsAt(NOW)], 'claims', 42, null, true]) {
      await expect(auth.verifyAccessToken(signHs256(key, header, payload))).rejects.toMatchObject(
        refused,
      );
    }
  });

  it('refuses a tampered payload and a tampered signature', async () => {
    const { auth, signIn } = await setup();
    const { accessToken } = await signIn();
    const other = (await signIn()).accessToken;
    const [h, p, s] = accessToken.split('.') as [string, string, string];
    const forged = b64({ ...decode(accessToken).payload, sub: 'admin' });
    await expect(auth.verifyAccessToken(`${h}.${forged}.${s}`)).rejects.toMatchObject(refused);
    const flipped = `${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`;
    await expect(auth.verifyAccessToken(`${h}.${p}.${flipped}`)).rejects.toMatchObject(refused);
    // Another valid token's signature does not transfer, nor does an empty one.
    await expect(auth.verifyAccessToken(`${h}.${p}.${other.split('.')[2]}`)).rejects.toMatchObject(
      refused,
    );
    await expect(auth.verifyAccessToken(`${h}.${p}.`)).rejects.toMatchObject(refused);
    // A non-canonical spelling of the right signature (last character's spare bits set).
    const last = s.at(-1) as string;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1] as string;
    await expect(
      auth.verifyAccessToken(`${h}.${p}.${s.slice(0, -1)}${sibling}`),
    ).rejects.toMatchObject(refused);
    await expect(auth.verifyAccessToken(accessToken)).resolves.toBeDefined();
  });

  it('accepts only the configured algorithm, even when the MAC itself is right', async () => {
    const { auth } = await setup();
    // HMAC-SHA256 under the real key, but the header names another algorithm: a verifier that
    // trusted the MAC and ignored `alg` would accept these.
    for (const alg of ['none', 'HS384', 'HS512', 'RS256', 'ES256', 'EdDSA', 'hs256', undefined]) {
      await expect(auth.verifyAccessToken(insider({ alg }))).rejects.toMatchObject(refused);
    }
    await expect(auth.verifyAccessToken(insider())).resolves.toBeDefined();
  });

  it('refuses a kid of no configured key, a missing kid, and header members it does not write', async () => {
    const { auth } = await setup();
    await expect(auth.verifyAccessToken(insider({ kid: 'unknown' }))).rejects.toMatchObject(
      refused,
    );
    await expect(auth.verifyAccessToken(insider({ kid: undefined }))).rejects.toMatchObject(
      refused,
    );
    for (const extra of [{ crit: ['exp'] }, { b64: false }, { cty: 'JWT' }, { zip: 'DEF' }]) {
      await expect(auth.verifyAccessToken(insider(extra))).rejects.toMatchObject(refused);
    }
    // Another spelling of a correct header (keys reordered) passes the same checks.
    const { key, kid } = hsKey();
    const reordered = signHs256(key, { kid, typ: 'at+jwt', alg: 'HS256' }, claimsAt(NOW));
    await expect(auth.verifyAccessToken(reordered)).resolves.toMatchObject({ sub: 'user-1' });
  });

  it('refuses garbage of every shape with the same answer', async () => {
    const { auth, signIn } = await setup();
    const good = (await signIn()).accessToken;
    const [h, p, s] = good.split('.') as [string, string, string];
    const garbage: unknown[] = [
      '',
      ' ',
      '.',
      '..',
      '...',
      'a',
      'a.b',
      'a.b.c',
      'a..c',
      `${good}.`,
      `.${good}`,
      `${h}..${p}.${s}`,
      `${h}.${p}.${s}.${s}`,
      `${h}.${p}.${s}.${s}.${s}`,
      ` ${good}`,
      `${good}\n`,
      `Bearer ${good}`,
      `${h}=.${p}.${s}`,
      `${h}.${p}.${s}==`,
      `${h}.${p}+.${s}`,
      `${h}/.${p}.${s}`,
      `${h}.${p}.${s}%3D`,
      `${b64('not json')}.${p}.${s}`,
      `${b64('[]')}.${p}.${s}`,
      `${b64('null')}.${p}.${s}`,
      `${b64('"HS256"')}.${p}.${s}`,
      `${Buffer.from([0xff, 0xfe, 0x7b]).toString('base64url')}.${p}.${s}`,
      `${h}.${p}.${'A'.repeat(10_000)}`,
      'x'.repeat(1_000_000),
      `${'a'.repeat(500_000)}.${'b'.repeat(500_000)}.c`,
      '\u0000.\u0000.\u0000',
      'ä.ö.ü',
      null,
      undefined,
      42,
      {},
      [good],
      new String(good),
    ];
    const errors: AuthError[] = [];
    for (const input of garbage) {
      errors.push(
        await auth.verifyAccessToken(input as string).then(
          () => fail(input),
          (e: AuthError) => e,
        ),
      );
    }
    for (const error of errors) {
      expect(error).toMatchObject(refused);
      // One answer for every failure; the reason stays in `cause`, never in the message or body.
      expect(JSON.stringify(error.toJSON())).toBe(JSON.stringify(errors[0]?.toJSON()));
      expect(error.cause).toBeInstanceOf(Error);
    }
  });
});

function fail(input: unknown): never {
  throw new Error(`accepted ${String(input).slice(0, 40)}`);
}
