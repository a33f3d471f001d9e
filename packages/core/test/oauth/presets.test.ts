// The GitHub, Google and Microsoft presets over real HTTP, against local servers that speak
// exactly those providers' documented endpoints and answers (support/shapes.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { github, google, microsoft } from '../../src/index.js';
import { type AppWorld, appWorld } from './support/app.js';
import {
  type GitHubShape,
  type GoogleShape,
  type MicrosoftShape,
  MSA_TENANT_ID,
  startGitHub,
  startGoogle,
  startMicrosoft,
} from './support/shapes.js';

/** The claims of the ID token in a token endpoint answer (to re-sign them changed). */
const idTokenClaims = (body: Record<string, unknown>) =>
  JSON.parse(
    Buffer.from(String(body.id_token).split('.')[1] as string, 'base64url').toString(),
  ) as Record<string, unknown>;

let gh: GitHubShape;
let gg: GoogleShape;
let ms: MicrosoftShape;

beforeAll(async () => {
  [gh, gg, ms] = await Promise.all([startGitHub(), startGoogle(), startMicrosoft()]);
});
afterAll(() => Promise.all([gh?.close(), gg?.close(), ms?.close()]));

const loopback = { allowInsecureLoopback: true } as const;

function world(
  options: { msTenant?: string; verificationRequired?: boolean } = {},
): Promise<AppWorld> {
  return appWorld({
    // GitHub's accounts stay unverified here (not trusted for email): sign-in allowed anyway.
    verificationRequired: options.verificationRequired ?? false,
    providers: [
      github({
        clientId: gh.clientId,
        clientSecret: gh.clientSecret,
        endpoints: { authorization: gh.authorizeUrl, token: gh.tokenUrl, api: gh.apiUrl },
        overrides: loopback,
      }),
      google({
        clientId: gg.clientId,
        clientSecret: gg.clientSecret,
        issuer: gg.issuer,
        overrides: loopback,
      }),
      microsoft({
        clientId: ms.clientId,
        clientSecret: ms.clientSecret,
        authority: ms.baseUrl,
        tenant: options.msTenant ?? 'common',
        overrides: loopback,
      }),
    ],
  });
}

describe('GitHub (OAuth 2, profile and verified primary email from its API)', () => {
  it('signs up a new user from /user and /user/emails, with PKCE', async () => {
    gh.setUser();
    const w = await world();
    const { location, jar } = await w.signInWith('', { provider: 'github' });
    expect(location).toBe('/');
    const me = await w.session(jar);
    expect(me?.user).toMatchObject({ email: 'octocat@example.com', firstName: 'Mona' });
    const auth = gh.lastAuthorization();
    expect(auth).toMatchObject({ code_challenge_method: 'S256', scope: 'read:user user:email' });
    expect(auth?.nonce).toBeUndefined();
    const user = await w.storage.users.getByEmail('octocat@example.com');
    expect(await w.storage.accounts.listByUser(user?.id as string)).toMatchObject([
      { provider: 'github', subject: '12345' },
    ]);
    // GitHub is not trusted for email: the address stays unverified in Portcullis.
    expect(user?.emailVerifiedAt).toBeUndefined();
    // client_secret_post, as GitHub expects.
    expect(gh.lastTokenRequest()?.params.client_secret).toBe(gh.clientSecret);
  });

  it('does not join an existing account (not trusted for email)', async () => {
    gh.setUser();
    const w = await world();
    await w.registered('octocat@example.com', true);
    const { location } = await w.signInWith('', { provider: 'github' });
    expect(location).toBe('/login?error=ACCOUNT_LINK_REQUIRED');
  });

  it('refuses to make an account from an unverified primary email', async () => {
    gh.setUser({
      emails: [{ email: 'new@example.com', primary: true, verified: false, visibility: null }],
    });
    const w = await world();
    const { location } = await w.signInWith('', { provider: 'github' });
    expect(location).toBe('/login?error=OAUTH_FAILED&reason=email_unverified');
    gh.setUser();
  });

  it("turns GitHub's 200-with-error token answer into a clear refusal", async () => {
    gh.setUser();
    const w = await world();
    gh.onTokenResponse = () => ({
      error: 'bad_verification_code',
      error_description: 'The code passed is incorrect or expired.',
    });
    try {
      const { location } = await w.signInWith('', { provider: 'github' });
      expect(location).toBe('/login?error=OAUTH_FAILED&reason=code');
    } finally {
      gh.onTokenResponse = undefined;
    }
  });

  it("shows GitHub's access_denied as a provider error", async () => {
    const w = await world();
    gh.failNext({
      error: 'access_denied',
      error_description: 'The user has denied your application access.',
    });
    const { location } = await w.signInWith('', { provider: 'github' });
    expect(location).toBe('/login?error=OAUTH_FAILED&reason=provider_error');
  });
});

describe('Google (OpenID Connect, trusted for email)', () => {
  it('signs up from the ID token; sends nonce and PKCE; the iss response parameter is checked', async () => {
    gg.setUser();
    const w = await world();
    const { location, jar, callbackUrl } = await w.signInWith('', { provider: 'google' });
    expect(location).toBe('/');
    expect(new URL(callbackUrl).searchParams.get('iss')).toBe(gg.issuer);
    expect((await w.session(jar))?.user.email).toBe('alice.example@gmail.com');
    expect(gg.lastAuthorization()).toMatchObject({
      code_challenge_method: 'S256',
      scope: 'openid email profile',
    });
    expect(gg.lastAuthorization()?.nonce).toMatch(/^[\w-]{43}$/);
    const user = await w.storage.users.getByEmail('alice.example@gmail.com');
    expect(user?.emailVerifiedAt).toBeDefined();
    expect(user?.firstName).toBe('Alice');
  });

  it('joins an existing verified account with the same verified address', async () => {
    gg.setUser();
    const w = await world();
    const existing = await w.registered('alice.example@gmail.com', true);
    const { jar } = await w.signInWith('', { provider: 'google' });
    expect((await w.session(jar))?.user.id).toBe(existing.id);
  });

  it('does not join on an unverified Google address', async () => {
    gg.setUser({ email: 'bob@example.com', email_verified: false, sub: '2222' });
    const w = await world();
    await w.registered('bob@example.com', true);
    const { location } = await w.signInWith('', { provider: 'google' });
    expect(location).toBe('/login?error=ACCOUNT_LINK_REQUIRED');
    gg.setUser();
  });

  it('refuses an ID token whose signature is not from the JWKS', async () => {
    gg.setUser();
    const w = await world();
    gg.onTokenResponse = async (body) => {
      const claims = idTokenClaims(body);
      const { generateKeyPair, SignJWT } = await import('jose');
      const { privateKey } = await generateKeyPair('RS256');
      const forged = await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: gg.publicKey.kid as string })
        .sign(privateKey);
      return { ...body, id_token: forged };
    };
    try {
      const { location } = await w.signInWith('', { provider: 'google' });
      expect(location).toBe('/login?error=OAUTH_FAILED&reason=id_token');
    } finally {
      gg.onTokenResponse = undefined;
    }
  });
});

describe('Microsoft Entra ID (multi-tenant issuer rules, nOAuth-safe email)', () => {
  it("a work account signs up with its tenant's issuer; its admin-set email is not trusted", async () => {
    ms.setUser({ email: 'alice@contoso.example', xms_edov: undefined });
    const w = await world();
    const { location } = await w.signInWith('', { provider: 'microsoft' });
    // The email is not verified (no xms_edov): it cannot make an account.
    expect(location).toBe('/login?error=OAUTH_FAILED&reason=email_unverified');
  });

  it('with xms_edov the email counts as verified: sign-up, and joining a verified account', async () => {
    ms.setUser({ email: 'alice@contoso.example', xms_edov: true });
    const w = await world();
    const existing = await w.registered('alice@contoso.example', true);
    const { location, jar } = await w.signInWith('', { provider: 'microsoft' });
    expect(location).toBe('/');
    expect((await w.session(jar))?.user.id).toBe(existing.id);
  });

  it('a personal account (consumer tenant) is verified', async () => {
    ms.setUser({
      tid: MSA_TENANT_ID,
      email: 'carol@outlook.example',
      preferred_username: 'carol@outlook.example',
      sub: 'consumer-sub-1',
      xms_edov: undefined,
    });
    const w = await world({ msTenant: 'consumers' });
    const { location, jar } = await w.signInWith('', { provider: 'microsoft' });
    expect(location).toBe('/');
    expect((await w.session(jar))?.user.email).toBe('carol@outlook.example');
    ms.setUser();
  });

  it("refuses an ID token whose iss is another tenant's than its tid", async () => {
    ms.setUser({ email: 'alice@contoso.example', xms_edov: true });
    const w = await world();
    ms.onTokenResponse = async (body) => {
      const claims = idTokenClaims(body);
      const id_token = await ms.signIdToken({
        ...claims,
        iss: ms.issuerFor('11111111-2222-3333-4444-555555555555'),
      });
      return { ...body, id_token };
    };
    try {
      const { location } = await w.signInWith('', { provider: 'microsoft' });
      expect(location).toBe('/login?error=OAUTH_FAILED&reason=id_token');
    } finally {
      ms.onTokenResponse = undefined;
      ms.setUser();
    }
  });

  it('a single-tenant app refuses a token from another tenant', async () => {
    ms.setUser({ email: 'alice@contoso.example', xms_edov: true });
    const w = await world({ msTenant: '11111111-2222-3333-4444-555555555555' });
    ms.onTokenResponse = async (body) => {
      const claims = idTokenClaims(body);
      // A token of the user's real tenant (contoso), correctly signed, at this tenant's app.
      const tid = '3f9c8a1e-2b4d-4e6f-8a0b-1c2d3e4f5a6b';
      const id_token = await ms.signIdToken({ ...claims, tid, iss: ms.issuerFor(tid) });
      return { ...body, id_token };
    };
    try {
      const { location } = await w.signInWith('', { provider: 'microsoft' });
      expect(location).toBe('/login?error=OAUTH_FAILED&reason=id_token');
    } finally {
      ms.onTokenResponse = undefined;
      ms.setUser();
    }
  });
});
