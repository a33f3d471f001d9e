import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportPKCS8, generateKeyPair, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { Keyring } from '../../src/crypto/keyring.js';
import {
  apple,
  createAuth,
  discord,
  github,
  gitlab,
  memoryStorage,
  oidcProvider,
} from '../../src/index.js';
import { startContractProvider } from '../../src/testing/http-contract/oauth-provider.js';
import { appWorld } from './support/app.js';

describe('presets', () => {
  it('apple makes its client secret as a short ES256 JWT signed with the developer key', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const provider = apple({
      clientId: 'com.example.web',
      teamId: 'TEAM123456',
      keyId: 'KEY1234567',
      privateKey: await exportPKCS8(privateKey),
    });
    expect(provider).toMatchObject({ responseMode: 'form_post', trustEmail: true, kind: 'oidc' });
    const secret = await (provider.clientSecret as () => Promise<string>)();
    const { payload, protectedHeader } = await jwtVerify(secret, publicKey, {
      issuer: 'TEAM123456',
      audience: 'https://appleid.apple.com',
      subject: 'com.example.web',
    });
    expect(protectedHeader).toMatchObject({ alg: 'ES256', kid: 'KEY1234567' });
    expect((payload.exp as number) - (payload.iat as number)).toBeLessThanOrEqual(300);
  });

  it('apple reads its ID token claims (email_verified as a boolean or the string "true")', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const provider = apple({
      clientId: 'com.example.web',
      teamId: 'TEAM123456',
      keyId: 'KEY1234567',
      privateKey: await exportPKCS8(privateKey),
    });
    const claims = (extra: Record<string, unknown>) =>
      ({
        iss: 'https://appleid.apple.com',
        aud: 'com.example.web',
        sub: '001234.abcd',
        iat: 0,
        exp: 1,
        ...extra,
      }) as never;
    for (const flag of [true, 'true']) {
      expect(
        await provider.profile({
          claims: claims({ email: 'x1y2@privaterelay.appleid.com', email_verified: flag }),
          accessToken: 't',
          fetch,
        }),
      ).toEqual({
        subject: '001234.abcd',
        email: 'x1y2@privaterelay.appleid.com',
        emailVerified: true,
      });
    }
    expect(
      await provider.profile({
        claims: claims({ email: 'a@b.cd', email_verified: 'false' }),
        accessToken: 't',
        fetch,
      }),
    ).toMatchObject({ emailVerified: false });
  });

  it('gitlab is OpenID Connect at gitlab.com (or an instance), not trusted for email', () => {
    expect(gitlab({ clientId: 'c', clientSecret: 's' })).toMatchObject({
      id: 'gitlab',
      kind: 'oidc',
      issuer: 'https://gitlab.com',
      trustEmail: false,
      scopes: ['openid', 'email', 'profile'],
    });
    expect(gitlab({ clientId: 'c', clientSecret: 's', issuer: 'https://git.example' }).issuer).toBe(
      'https://git.example',
    );
  });

  it('discord maps /users/@me over HTTP; its verified flag covers the email', async () => {
    let user: Record<string, unknown> = {
      id: '80351110224678912',
      email: 'nelly@example.com',
      verified: true,
    };
    const server = createServer((req, res) => {
      if (req.url === '/api/users/@me' && req.headers.authorization === 'Bearer t0k') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(user));
      } else
        res
          .writeHead(401, { 'content-type': 'application/json' })
          .end('{"message":"401: Unauthorized"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const provider = discord({
        clientId: 'c',
        clientSecret: 's',
        endpoints: {
          authorization: `${base}/oauth2/authorize`,
          token: `${base}/api/oauth2/token`,
          api: `${base}/api`,
        },
      });
      expect(await provider.profile({ accessToken: 't0k', fetch })).toEqual({
        subject: '80351110224678912',
        email: 'nelly@example.com',
        emailVerified: true,
      });
      user = { ...user, verified: false };
      expect(await provider.profile({ accessToken: 't0k', fetch })).toMatchObject({
        emailVerified: false,
      });
      await expect(provider.profile({ accessToken: 'wrong', fetch })).rejects.toMatchObject({
        code: 'OAUTH_FAILED',
        details: [{ path: 'reason', message: 'profile' }],
      });
    } finally {
      server.close();
    }
  });
});

describe('configuration', () => {
  const base = {
    storage: memoryStorage(),
    mailer: { send: async () => {} },
    appUrl: 'https://app.test',
    secret: 's'.repeat(32),
  };
  const insecure = oidcProvider({
    id: 'local',
    name: 'Local',
    issuer: 'http://127.0.0.1:9999',
    clientId: 'c',
    allowInsecureLoopback: true,
  });

  it('accepts an http issuer on loopback outside production only, and never elsewhere', () => {
    expect(() => createAuth({ ...base, oauth: { providers: [insecure] } })).not.toThrow();
    expect(() =>
      createAuth({ ...base, production: true, oauth: { providers: [insecure] } }),
    ).toThrow(/must be https/);
    const remote = { ...insecure, issuer: 'http://sso.example' };
    expect(() => createAuth({ ...base, oauth: { providers: [remote] } })).toThrow(/must be https/);
    const notFlagged = { ...insecure, allowInsecureLoopback: false };
    expect(() => createAuth({ ...base, oauth: { providers: [notFlagged] } })).toThrow(
      /must be https/,
    );
  });

  it('refuses malformed or duplicate provider ids', () => {
    const gh = github({ clientId: 'c', clientSecret: 's' });
    expect(() => createAuth({ ...base, oauth: { providers: [gh, gh] } })).toThrow(/twice/);
    expect(() => createAuth({ ...base, oauth: { providers: [{ ...gh, id: 'Git Hub' }] } })).toThrow(
      /must be 1 to 32/,
    );
    expect(() => createAuth({ ...base, oauth: { providers: [{ id: 'x' } as never] } })).toThrow(
      /must be a provider/,
    );
  });
});

describe("the provider's tokens", () => {
  it('are dropped by default, and kept only encrypted with keepTokens', async () => {
    const contract = await startContractProvider();
    try {
      for (const keepTokens of [false, true]) {
        contract.next = {
          id: `keep-${keepTokens}`,
          email: `keep-${keepTokens}@example.com`,
          verified: true,
        };
        const w = await appWorld({ providers: [{ ...contract.provider, keepTokens }] });
        const { location, callbackUrl } = await w.signInWith('', { provider: 'contract' });
        expect(location).toBe('/');
        const user = await w.storage.users.getByEmail(`keep-${keepTokens}@example.com`);
        const [link] = await w.storage.accounts.listByUser(user?.id as string);
        if (!keepTokens) {
          expect(link?.encryptedTokens).toBeUndefined();
          continue;
        }
        const stored = link?.encryptedTokens as string;
        expect(stored).toMatch(/^pc1\./);
        const tokens = JSON.parse(
          await new Keyring(['s'.repeat(32)]).decrypt('oauth-tokens', stored),
        ) as { accessToken: string; expiresAt: number };
        expect(tokens.accessToken).toMatch(/^[0-9a-f]{32}$/);
        expect(stored).not.toContain(tokens.accessToken);
        expect(tokens.expiresAt).toBe(w.clock.now() + 600_000);
        expect(new URL(callbackUrl).searchParams.get('code')).not.toBe(tokens.accessToken);
      }
    } finally {
      await contract.close();
    }
  });
});

describe('what a provider says reaches the stores only checked', () => {
  it('a subject with a NUL byte or too long is refused; a broken email or name is dropped', async () => {
    const contract = await startContractProvider();
    try {
      const w = await appWorld({ providers: [contract.provider] });
      for (const id of ['a\u0000b', 'x'.repeat(256)]) {
        contract.next = { id, email: 'nul@example.com', verified: true };
        const { location } = await w.signInWith('', { provider: 'contract' });
        expect(location).toBe('/login?error=OAUTH_FAILED&reason=profile');
      }
      contract.next = { id: 'ok', email: 'bad\u0000@example.com', verified: true };
      expect((await w.signInWith('', { provider: 'contract' })).location).toBe(
        '/login?error=OAUTH_FAILED&reason=email_required',
      );
      expect(await w.storage.users.getByEmail('nul@example.com')).toBeUndefined();
    } finally {
      await contract.close();
    }
  });
});

describe('refusals of known accounts', () => {
  it('a disabled unverified account is not claimed (its password stays), and is refused', async () => {
    const contract = await startContractProvider();
    try {
      const w = await appWorld({ providers: [contract.provider] });
      const user = await w.registered('gus@example.com', false);
      await w.storage.users.update(user.id, { disabled: true, updatedAt: w.clock.now() });
      contract.next = { id: 'gus', email: 'gus@example.com', verified: true };
      const { location } = await w.signInWith('', { provider: 'contract' });
      expect(location).toBe('/login?error=ACCOUNT_DISABLED');
      const stored = await w.storage.users.getById(user.id);
      expect(stored?.passwordHash).toBe(user.passwordHash);
      expect(stored?.emailVerifiedAt).toBeUndefined();
      expect(await w.storage.accounts.listByUser(user.id)).toEqual([]);
    } finally {
      await contract.close();
    }
  });

  it('an unverified account refused at sign-in gets verification mails within the resend limit (3 an hour)', async () => {
    const contract = await startContractProvider();
    try {
      const untrusted = { ...contract.provider, trustEmail: false };
      const w = await appWorld({ providers: [untrusted] });
      contract.next = { id: 'hal', email: 'hal@example.com', verified: true };
      for (let i = 0; i < 5; i++) {
        const { location } = await w.signInWith('', { provider: 'contract' });
        expect(location).toBe('/login?error=EMAIL_NOT_VERIFIED');
      }
      await w.mailer.waitFor('hal@example.com', 'verify-email');
      expect(w.mailer.messages.filter((m) => m.to === 'hal@example.com')).toHaveLength(3);
    } finally {
      await contract.close();
    }
  });
});
