// Social sign-in over HTTP against a real OpenID Provider (oidc-provider, in-process on a
// loopback port): the browser is a cookie jar for the app and one for the provider; the app is
// core's HTTP handler, called in-process with the URLs the provider redirects to.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oidcProvider } from '../../src/index.js';
import type { Storage } from '../../src/storage/index.js';
import { DEFAULT_TOTP_PARAMS, totpCode } from '../../src/two-factor/index.js';
import { APP, AppJar, type AppWorld, appWorld, CALLBACK, PASSWORD } from './support/app.js';
import { loginAtProvider } from './support/browser.js';
import { type StartedOidcProvider, startOidcProvider } from './support/op.js';

let op: StartedOidcProvider;
let opClock = 0;

beforeAll(async () => {
  op = await startOidcProvider({
    clients: [
      {
        client_id: 'app',
        client_secret: 'app-secret-0123456789',
        redirect_uris: [
          CALLBACK('oidc'),
          CALLBACK('trusted'),
          CALLBACK('formpost'),
          CALLBACK('mfa'),
        ],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    accounts: {
      alice: { email: 'alice@example.com', email_verified: true, given_name: 'Alice' },
    },
  });
  opClock = Date.now();
});
afterAll(() => op?.close());

async function world(
  options: {
    storage?: Storage;
    verificationRequired?: boolean;
    rateLimits?: { oauthPerIp: { limit: number; windowSeconds: number } };
  } = {},
) {
  const provider = (id: string, trustEmail: boolean) =>
    oidcProvider({
      id,
      name: id,
      issuer: op.issuer,
      clientId: 'app',
      clientSecret: 'app-secret-0123456789',
      trustEmail,
      allowInsecureLoopback: true,
    });
  const formPost = { ...provider('formpost', false), responseMode: 'form_post' as const };
  const mfa = { ...provider('mfa', false), trustSecondFactor: true };
  return appWorld({
    // Most checks sign up through the untrusted provider, whose accounts stay unverified: sign-in
    // without a verified address allowed, except where a check says otherwise.
    verificationRequired: false,
    ...options,
    now: opClock,
    providers: [provider('oidc', false), provider('trusted', true), formPost, mfa],
  });
}

const accountOf = (w: AppWorld, userId: string) => w.storage.accounts.listByUser(userId);

describe('social sign-in with a real OpenID Provider', () => {
  it('redirects to the provider with PKCE S256, state and nonce, and a binding cookie', async () => {
    const w = await world();
    const jar = new AppJar();
    const res = await w.call(jar, 'GET', '/oauth/oidc/authorize?redirectTo=/notes');
    expect(res.status).toBe(302);
    const url = new URL(res.headers.get('location') as string);
    expect(url.origin).toBe(op.issuer);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get('state')).toMatch(/^[\w-]{22}\.[\w-]{43}$/);
    expect(url.searchParams.get('nonce')).toMatch(/^[\w-]{43}$/);
    expect(url.searchParams.get('redirect_uri')).toBe(CALLBACK('oidc'));
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('__Host-portcullis.oauth='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Max-Age=600/);
  });

  it('a first sign-in creates the user (email verified by the provider) and a session, then goes to redirectTo', async () => {
    const w = await world();
    const { back, location, jar } = await w.signInWith('alice', { redirectTo: '/notes?x=1' });
    expect(back.status).toBe(302);
    expect(location).toBe('/notes?x=1');
    const me = await w.session(jar);
    expect(me?.user.email).toBe('alice@example.com');
    const user = await w.storage.users.getByEmail('alice@example.com');
    expect(user?.passwordHash).toBeUndefined();
    expect(user?.firstName).toBe('Alice');
    // An untrusted provider's word does not mark the address verified.
    expect(user?.emailVerifiedAt).toBeUndefined();
    const links = await accountOf(w, user?.id as string);
    expect(links).toMatchObject([
      { provider: 'oidc', subject: 'alice', email: 'alice@example.com' },
    ]);
    expect(w.events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['user.registered', 'account.linked', 'login.succeeded']),
    );
    const sessions = await w.storage.sessions.listByUser(user?.id as string, w.clock.now());
    expect(sessions[0]?.amr).toEqual(['fed']);
  });

  it('a returning identity signs in to the same user', async () => {
    const w = await world();
    await w.signInWith('alice');
    const again = await w.signInWith('alice');
    expect(again.location).toBe('/');
    const me = await w.session(again.jar);
    const user = await w.storage.users.getByEmail('alice@example.com');
    expect(me?.user.id).toBe(user?.id);
    expect(await accountOf(w, user?.id as string)).toHaveLength(1);
  });

  describe('linking rules', () => {
    const registered = (w: AppWorld, email: string, verify: boolean) => w.registered(email, verify);

    it('an untrusted provider never joins an existing account: ACCOUNT_LINK_REQUIRED', async () => {
      const w = await world();
      const user = await registered(w, 'alice@example.com', true);
      const { location, jar } = await w.signInWith('alice');
      expect(location).toBe('/login?error=ACCOUNT_LINK_REQUIRED');
      expect(await w.session(jar)).toBeUndefined();
      expect(await accountOf(w, user.id)).toEqual([]);
    });

    it('a trusted provider with a verified email joins a verified account', async () => {
      const w = await world();
      const user = await registered(w, 'alice@example.com', true);
      const { location, jar } = await w.signInWith('alice', { provider: 'trusted' });
      expect(location).toBe('/');
      expect((await w.session(jar))?.user.id).toBe(user.id);
      // The password still works: it was the verified owner's.
      await expect(
        w.auth.login({ identifier: 'alice@example.com', password: PASSWORD }),
      ).resolves.toMatchObject({ status: 'signed_in' });
    });

    it('pre-hijacking: an unverified account with the address loses its password, sessions and links before the trusted identity joins', async () => {
      // Sign-in without a verified address allowed, so that the attacker holds a session.
      const w = await world({ verificationRequired: false });
      // The attacker registered the victim's address first, with a password of theirs.
      const attacker = await registered(w, 'alice@example.com', false);
      const held = await w.auth.login({ identifier: 'alice@example.com', password: PASSWORD });
      expect(held.status).toBe('signed_in');
      // ...and a second factor of theirs, with recovery codes.
      await w.storage.users.update(attacker.id, {
        totp: { encryptedSecret: 'x', algorithm: 'sha1', digits: 6, periodSeconds: 30, t0: 0 },
        phone: '+15555550100',
        phoneVerifiedAt: w.clock.now(),
        updatedAt: w.clock.now(),
      });
      await w.storage.twoFactor.replaceRecoveryCodes(attacker.id, [{ id: 'rc1', hash: 'h' }]);
      const { location, jar } = await w.signInWith('alice', { provider: 'trusted' });
      expect(location).toBe('/');
      const owner = await w.storage.users.getByEmail('alice@example.com');
      expect(owner?.id).toBe(attacker.id);
      expect(owner?.passwordHash).toBeUndefined();
      expect(owner?.emailVerifiedAt).toBeDefined();
      // The registrant's second factor went with their password.
      expect(owner?.totp).toBeUndefined();
      expect(owner?.phone).toBeUndefined();
      expect(await w.storage.twoFactor.listRecoveryCodes(attacker.id)).toEqual([]);
      // The attacker's password and session are gone; the owner is signed in.
      await expect(
        w.auth.login({ identifier: 'alice@example.com', password: PASSWORD }),
      ).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
      const live = await w.storage.sessions.listByUser(attacker.id, w.clock.now());
      expect(live).toHaveLength(1);
      expect((await w.session(jar))?.user.id).toBe(attacker.id);
      expect(w.events).toContainEqual(
        expect.objectContaining({
          type: 'session.revoked_all',
          data: expect.objectContaining({ reason: 'email_claimed' }),
        }),
      );
    });

    it('pre-hijacking through an untrusted provider: its link on an unverified account is dropped when a trusted one claims the address', async () => {
      const w = await world({ verificationRequired: false });
      // The attacker's identity at the untrusted provider vouches for the victim's address.
      op.setAccount('squatter', { email: 'carol@example.com', email_verified: true });
      await w.signInWith('squatter');
      const squatted = await w.storage.users.getByEmail('carol@example.com');
      expect(squatted?.emailVerifiedAt).toBeUndefined();
      expect(await accountOf(w, squatted?.id as string)).toHaveLength(1);
      op.setAccount('carol', { email: 'carol@example.com', email_verified: true });
      const { jar } = await w.signInWith('carol', { provider: 'trusted' });
      expect((await w.session(jar))?.user.id).toBe(squatted?.id);
      expect(await accountOf(w, squatted?.id as string)).toMatchObject([
        { provider: 'trusted', subject: 'carol' },
      ]);
      // The squatter's identity no longer signs in to it.
      const again = await w.signInWith('squatter');
      expect(again.location).toBe('/login?error=ACCOUNT_LINK_REQUIRED');
    });

    it('with verification required, an account made by an untrusted provider signs in only once its address is verified', async () => {
      const w = await world({ verificationRequired: true });
      op.setAccount('dora', { email: 'dora@example.com', email_verified: true });
      const first = await w.signInWith('dora');
      expect(first.location).toBe('/login?error=EMAIL_NOT_VERIFIED');
      expect(await w.session(first.jar)).toBeUndefined();
      // The owner gets the verification mail; once verified, the identity signs in.
      const mail = await w.mailer.waitFor('dora@example.com', 'verify-email');
      await w.auth.verifyEmail(w.mailer.extractToken(mail) ?? expect.fail('no token'));
      const again = await w.signInWith('dora');
      expect(again.location).toBe('/');
      // A trusted provider's verified address needs no mail.
      op.setAccount('erin', { email: 'erin@example.com', email_verified: true });
      expect((await w.signInWith('erin', { provider: 'trusted' })).location).toBe('/');
    });

    it('nothing is linked to an unverified account, and a reset that proves its address drops what its registrant set up', async () => {
      const w = await world();
      const squatted = await registered(w, 'fay@example.com', false);
      const jar = new AppJar();
      const login = await w.call(jar, 'POST', '/login', {
        body: { identifier: 'fay@example.com', password: PASSWORD },
      });
      expect(login.status).toBe(200);
      const linking = await w.call(jar, 'POST', '/oauth/oidc/link', { body: {} });
      expect(linking.status).toBe(403);
      expect(((await linking.json()) as { error: { code: string } }).error.code).toBe(
        'EMAIL_NOT_VERIFIED',
      );
      // Whatever the registrant linked or enrolled some other way goes with the reset.
      const now = w.clock.now();
      await w.storage.accounts.create({
        id: 'squatter-link',
        userId: squatted.id,
        provider: 'oidc',
        subject: 'squatter',
        createdAt: now,
        lastUsedAt: now,
      });
      await w.auth.passwords.requestReset('fay@example.com');
      const mail = await w.mailer.waitFor('fay@example.com', 'password-reset');
      await w.auth.passwords.reset({
        token: w.mailer.extractToken(mail) ?? expect.fail('no token'),
        newPassword: 'saffron lighthouse quartz',
      });
      expect(await w.storage.accounts.listByUser(squatted.id)).toEqual([]);
      expect((await w.storage.users.getById(squatted.id))?.emailVerifiedAt).toBeDefined();
    });

    it('a provider that does not vouch for the email cannot create an account', async () => {
      const w = await world();
      op.setAccount('mallory', { email: 'victim@example.com', email_verified: false });
      const { location } = await w.signInWith('mallory');
      expect(location).toBe('/login?error=OAUTH_FAILED&reason=email_unverified');
      expect(await w.storage.users.getByEmail('victim@example.com')).toBeUndefined();
    });

    it('an identity without an email cannot create an account', async () => {
      const w = await world();
      op.setAccount('noemail', {});
      const { location } = await w.signInWith('noemail');
      expect(location).toBe('/login?error=OAUTH_FAILED&reason=email_required');
    });
  });

  describe('attacks on the callback', () => {
    it('refuses a replayed callback (state used once)', async () => {
      const w = await world();
      const first = await w.signInWith('alice');
      expect(first.location).toBe('/');
      const replay = await w.call(first.jar, 'GET', first.callbackUrl, { crossSite: true });
      expect(replay.status).toBe(302);
      expect(replay.headers.get('location')).toBe('/login?error=OAUTH_FAILED&reason=state');
    });

    it('refuses a callback in another browser (no binding cookie): login CSRF', async () => {
      const w = await world();
      const victim = new AppJar();
      const attacker = new AppJar();
      const start = await w.call(attacker, 'GET', '/oauth/oidc/authorize');
      const at = await loginAtProvider(start.headers.get('location') as string, { sub: 'alice' });
      if (!('callbackUrl' in at)) throw new Error('query expected');
      const res = await w.call(victim, 'GET', at.callbackUrl, { crossSite: true });
      expect(res.headers.get('location')).toBe('/login?error=OAUTH_FAILED&reason=state');
      expect(await w.session(victim)).toBeUndefined();
      // And the state is used up: the attacker cannot finish it either.
      const after = await w.call(attacker, 'GET', at.callbackUrl, { crossSite: true });
      expect(after.headers.get('location')).toBe('/login?error=OAUTH_FAILED&reason=state');
    });

    it("refuses another provider's state (mix-up)", async () => {
      const w = await world();
      const jar = new AppJar();
      const start = await w.call(jar, 'GET', '/oauth/oidc/authorize');
      const at = await loginAtProvider(start.headers.get('location') as string, { sub: 'alice' });
      if (!('callbackUrl' in at)) throw new Error('query expected');
      const elsewhere = at.callbackUrl.replace('/oauth/oidc/', '/oauth/trusted/');
      const res = await w.call(jar, 'GET', elsewhere, { crossSite: true });
      expect(res.headers.get('location')).toBe('/login?error=OAUTH_FAILED&reason=state');
    });

    it('refuses a code replayed into another authorization (PKCE)', async () => {
      const w = await world();
      const first = await w.signInWith('alice');
      const code = new URL(first.callbackUrl).searchParams.get('code') as string;
      const jar = new AppJar();
      const start = await w.call(jar, 'GET', '/oauth/oidc/authorize');
      const state = new URL(start.headers.get('location') as string).searchParams.get('state');
      const forged = `${CALLBACK('oidc')}?code=${code}&state=${state}&iss=${encodeURIComponent(op.issuer)}`;
      const res = await w.call(jar, 'GET', forged, { crossSite: true });
      expect(res.headers.get('location')).toBe('/login?error=OAUTH_FAILED&reason=code');
      expect(await w.session(jar)).toBeUndefined();
    });

    it('refuses a wrong issuer in the response (mix-up, RFC 9207)', async () => {
      const w = await world();
      const jar = new AppJar();
      const start = await w.call(jar, 'GET', '/oauth/oidc/authorize');
      const at = await loginAtProvider(start.headers.get('location') as string, { sub: 'alice' });
      if (!('callbackUrl' in at)) throw new Error('query expected');
      const url = new URL(at.callbackUrl);
      url.searchParams.set('iss', 'https://evil.example');
      const res = await w.call(jar, 'GET', url.href, { crossSite: true });
      expect(res.headers.get('location')).toBe('/login?error=OAUTH_FAILED&reason=issuer');
    });

    for (const [name, tamper] of [
      ['signed with a key not in the JWKS', { key: 'foreign' as const }],
      ['with another nonce', { claims: { nonce: 'not-the-nonce' } }],
      ['from another issuer', { claims: { iss: 'https://evil.example' } }],
      ['for another audience', { claims: { aud: 'someone-else' } }],
      ['expired', { claims: { exp: Math.floor(Date.now() / 1000) - 3600 } }],
      ['unsigned (alg none)', { alg: 'none' as const }],
    ] as const) {
      it(`refuses an ID token ${name}`, async () => {
        const w = await world();
        op.onTokenResponse = async (body) => {
          const real = JSON.parse(
            Buffer.from(String(body.id_token).split('.')[1] as string, 'base64url').toString(),
          ) as Record<string, unknown>;
          const claims = { ...real, ...('claims' in tamper ? tamper.claims : {}) };
          const id_token = await op.signIdToken(claims, {
            ...('key' in tamper ? { key: tamper.key } : {}),
            ...('alg' in tamper ? { alg: tamper.alg } : {}),
          });
          return { ...body, id_token };
        };
        try {
          const { location, jar } = await w.signInWith('alice');
          expect(location).toBe('/login?error=OAUTH_FAILED&reason=id_token');
          expect(await w.session(jar)).toBeUndefined();
          expect(await w.storage.users.getByEmail('alice@example.com')).toBeUndefined();
        } finally {
          op.onTokenResponse = undefined;
        }
      });
    }

    it("shows the provider's error as a clear refusal, never a 500", async () => {
      const w = await world();
      const { back, location } = await w.signInWith({ deny: true });
      expect(back.status).toBe(302);
      expect(location).toBe('/login?error=OAUTH_FAILED&reason=provider_error');
      // Operators can count refused callbacks: a budgeted event, with the provider's code only.
      expect(w.events.filter((e) => e.type === 'oauth.failed')).toEqual([
        expect.objectContaining({
          data: { provider: 'oidc', reason: 'provider_error', providerError: 'access_denied' },
          ip: '203.0.113.9',
        }),
      ]);
    });

    it('answers garbage callbacks with a refusal page, never a 500', async () => {
      const w = await world();
      for (const query of ['', '?state=x', '?code=a&state=b.c', `?error=${'x'.repeat(5000)}`]) {
        const res = await w.call(new AppJar(), 'GET', `${CALLBACK('oidc')}${query}`, {
          crossSite: true,
        });
        expect(res.status).toBe(302);
        expect(res.headers.get('location')).toMatch(/^\/login\?error=OAUTH_FAILED/);
      }
    });

    it('accepts only same-origin paths as redirectTo', async () => {
      const w = await world();
      for (const bad of [
        '//evil.example',
        '/.//evil.example/login',
        '/%2e%2e//evil.example',
        '/.%2E//evil.example',
        '/a/..//evil.example',
        'https://evil.example/',
        '/\\evil.example',
        'javascript:alert(1)',
        '/ok\n',
        'evil',
        `/${'a'.repeat(2000)}`,
      ]) {
        const res = await w.call(
          new AppJar(),
          'GET',
          `/oauth/oidc/authorize?redirectTo=${encodeURIComponent(bad)}`,
        );
        expect(res.status, bad).toBe(400);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
          'VALIDATION_FAILED',
        );
      }
    });

    it('answers 404 for an unknown provider', async () => {
      const w = await world();
      expect((await w.call(new AppJar(), 'GET', '/oauth/nope/authorize')).status).toBe(404);
      expect(
        (await w.call(new AppJar(), 'GET', '/oauth/nope/callback?code=a', { crossSite: true }))
          .status,
      ).toBe(404);
    });
  });

  it('a user with 2FA still passes the second factor after a social sign-in', async () => {
    const w = await world();
    await w.signInWith('alice');
    const userId = (await w.storage.users.getByEmail('alice@example.com'))?.id as string;
    // TOTP on, written as enrollment would (the same secret, so the same keyring).
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const { Keyring } = await import('../../src/crypto/keyring.js');
    await w.storage.users.update(userId, {
      totp: {
        encryptedSecret: await new Keyring(['s'.repeat(32)]).encrypt('totp-secret', secret),
        algorithm: 'sha1',
        digits: 6,
        periodSeconds: 30,
        t0: 0,
      },
      updatedAt: w.clock.now(),
    });
    const { location, jar, back } = await w.signInWith('alice');
    expect(location).toMatch(/^\/login\?challenge=[\w.-]+&methods=totp%2Cemail&redirectTo=%2F$/);
    expect(
      back.headers.getSetCookie().some((c) => c.startsWith('__Host-portcullis.challenge=')),
    ).toBe(true);
    expect(await w.session(jar)).toBeUndefined();
    const challenge = new URL(location as string, APP).searchParams.get('challenge') as string;
    w.clock.advance(30_000);
    const code = await totpCode(secret, DEFAULT_TOTP_PARAMS, w.clock.now());
    const verified = await w.call(jar, 'POST', '/2fa/verify', {
      body: { challenge, method: 'totp', code },
    });
    expect(verified.status).toBe(200);
    expect((await w.session(jar))?.user.id).toBe(userId);
  });

  it("the provider's amr counts as the second factor only where trusted (trustSecondFactor), and only with mfa in it", async () => {
    const w = await world();
    await w.signInWith('alice', { provider: 'mfa' });
    const userId = (await w.storage.users.getByEmail('alice@example.com'))?.id as string;
    const { Keyring } = await import('../../src/crypto/keyring.js');
    await w.storage.users.update(userId, {
      totp: {
        encryptedSecret: await new Keyring(['s'.repeat(32)]).encrypt(
          'totp-secret',
          'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
        ),
        algorithm: 'sha1',
        digits: 6,
        periodSeconds: 30,
        t0: 0,
      },
      updatedAt: w.clock.now(),
    });
    // Trusted provider, amr with mfa: signed in, the second factor proven by the provider.
    // The provider's ID token with `amr` as the provider states it (re-signed with its own key).
    const withAmr = (amr: string[]) => {
      op.onTokenResponse = async (body) => {
        const claims = JSON.parse(
          Buffer.from(String(body.id_token).split('.')[1] as string, 'base64url').toString(),
        ) as Record<string, unknown>;
        return { ...body, id_token: await op.signIdToken({ ...claims, amr }) };
      };
    };
    withAmr(['pwd', 'mfa']);
    const strong = await w.signInWith('alice', { provider: 'mfa' });
    expect(strong.location).toBe('/');
    // The provider's amr is recorded with the sign-in, beside Portcullis's own.
    expect(w.events.filter((e) => e.type === 'login.succeeded').at(-1)?.data).toEqual({
      provider: 'mfa',
      providerAmr: ['pwd', 'mfa'],
      amr: ['fed'],
    });
    const sessions = await w.storage.sessions.listByUser(userId, w.clock.now());
    expect(sessions.some((s) => s.secondFactorAt !== undefined)).toBe(true);
    // The same provider without mfa in amr, and an untrusted one with it: challenged.
    withAmr(['pwd']);
    const weak = await w.signInWith('alice', { provider: 'mfa' });
    expect(weak.location).toMatch(/^\/login\?challenge=/);
    await w.storage.accounts.deleteByUser(userId);
    await w.storage.users.update(userId, {
      emailVerifiedAt: w.clock.now(),
      updatedAt: w.clock.now(),
    });
    withAmr(['mfa']);
    const untrusted = await w.signInWith('alice', { provider: 'trusted' });
    op.onTokenResponse = undefined;
    expect(untrusted.location).toMatch(/^\/login\?challenge=/);
  });

  describe('linked accounts', () => {
    async function signedInWithPassword(w: AppWorld) {
      await w.auth.register({ email: 'bob@example.com', password: PASSWORD });
      const token = w.mailer.extractToken(w.mailer.last() ?? expect.fail('no mail'));
      await w.auth.verifyEmail(token ?? expect.fail('no token'));
      const jar = new AppJar();
      const res = await w.call(jar, 'POST', '/login', {
        body: { identifier: 'bob@example.com', password: PASSWORD },
      });
      expect(res.status).toBe(200);
      return jar;
    }

    it('links a provider from a fresh session, lists it, and unlinks it (a password remains)', async () => {
      const w = await world();
      op.setAccount('bob-at-op', { email: 'bob.other@example.com', email_verified: true });
      const jar = await signedInWithPassword(w);
      const started = await w.call(jar, 'POST', '/oauth/oidc/link', {
        body: { redirectTo: '/settings' },
      });
      expect(started.status).toBe(200);
      const { url } = (await started.json()) as { url: string };
      const at = await loginAtProvider(url, { sub: 'bob-at-op' });
      if (!('callbackUrl' in at)) throw new Error('query expected');
      const back = await w.call(jar, 'GET', at.callbackUrl, { crossSite: true });
      expect(back.headers.get('location')).toBe('/settings?linked=oidc');
      const listed = await w.call(jar, 'GET', '/oauth/accounts');
      const { accounts } = (await listed.json()) as {
        accounts: { id: string; provider: string; email: string }[];
      };
      expect(accounts).toMatchObject([{ provider: 'oidc', email: 'bob.other@example.com' }]);
      expect(Object.keys(accounts[0] as object).sort()).toEqual([
        'createdAt',
        'email',
        'id',
        'lastUsedAt',
        'provider',
      ]);
      // The identity now signs bob in.
      const viaProvider = await w.signInWith('bob-at-op');
      expect((await w.session(viaProvider.jar))?.user.email).toBe('bob@example.com');
      const unlinked = await w.call(jar, 'DELETE', `/oauth/accounts/${accounts[0]?.id}`);
      expect(unlinked.status).toBe(204);
      expect(w.events.some((e) => e.type === 'account.unlinked')).toBe(true);
      expect(
        ((await (await w.call(jar, 'GET', '/oauth/accounts')).json()) as { accounts: [] }).accounts,
      ).toEqual([]);
    });

    it('linking needs a fresh session', async () => {
      const w = await world();
      const jar = await signedInWithPassword(w);
      w.clock.advance(11 * 60_000);
      const res = await w.call(jar, 'POST', '/oauth/oidc/link', { body: {} });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
        'REAUTH_REQUIRED',
      );
    });

    it("refuses to unlink a social-only user's last way to sign in, and to unlink someone else's account", async () => {
      const w = await world();
      const { jar } = await w.signInWith('alice');
      const { accounts } = (await (await w.call(jar, 'GET', '/oauth/accounts')).json()) as {
        accounts: { id: string }[];
      };
      const res = await w.call(jar, 'DELETE', `/oauth/accounts/${accounts[0]?.id}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
        'VALIDATION_FAILED',
      );
      const bob = await signedInWithPassword(w);
      const foreign = await w.call(bob, 'DELETE', `/oauth/accounts/${accounts[0]?.id}`);
      expect(foreign.status).toBe(404);
      expect(await w.storage.accounts.get(accounts[0]?.id as string)).toBeDefined();
    });
  });

  it("a provider's form_post answer (a cross-site POST, as Apple's) signs in; the binding cookie is SameSite=None", async () => {
    const w = await world();
    const jar = new AppJar();
    const start = await w.call(jar, 'GET', '/oauth/formpost/authorize?redirectTo=/home');
    const cookie = start.headers
      .getSetCookie()
      .find((c) => c.startsWith('__Host-portcullis.oauth='));
    expect(cookie).toMatch(/SameSite=None/);
    const location = new URL(start.headers.get('location') as string);
    expect(location.searchParams.get('response_mode')).toBe('form_post');
    const at = await loginAtProvider(location.href, { sub: 'alice' });
    if (!('formPost' in at)) throw new Error('expected a form_post answer');
    expect(at.formPost.action).toBe(CALLBACK('formpost'));
    const back = await w.call(jar, 'POST', at.formPost.action, {
      form: new URLSearchParams(at.formPost.fields),
      crossSite: true,
    });
    expect(back.status).toBe(302);
    expect(back.headers.get('location')).toBe('/home');
    expect((await w.session(jar))?.user.email).toBe('alice@example.com');
  });

  it('a cross-site POST is refused everywhere but the callback', async () => {
    const w = await world();
    const res = await w.call(new AppJar(), 'POST', '/login', {
      body: { identifier: 'a@b.cd', password: 'x' },
      crossSite: true,
    });
    expect(res.status).toBe(403);
  });

  it('of two callbacks racing with one state, one signs in and the other is refused', async () => {
    const w = await world();
    const jar = new AppJar();
    const start = await w.call(jar, 'GET', '/oauth/oidc/authorize');
    const at = await loginAtProvider(start.headers.get('location') as string, { sub: 'alice' });
    if (!('callbackUrl' in at)) throw new Error('query expected');
    const [a, b] = await Promise.all([
      w.call(jar, 'GET', at.callbackUrl, { crossSite: true }),
      w.call(jar, 'GET', at.callbackUrl, { crossSite: true }),
    ]);
    const locations = [a, b].map((r) => r.headers.get('location')).sort();
    expect(locations).toEqual(['/', '/login?error=OAUTH_FAILED&reason=state']);
    const user = await w.storage.users.getByEmail('alice@example.com');
    expect(await w.storage.sessions.listByUser(user?.id as string, w.clock.now())).toHaveLength(1);
  });

  it('throttles authorize and callback per client IP (oauthPerIp)', async () => {
    const w = await world({ rateLimits: { oauthPerIp: { limit: 3, windowSeconds: 60 } } });
    const jar = new AppJar();
    for (let i = 0; i < 3; i++) {
      expect((await w.call(jar, 'GET', '/oauth/oidc/authorize')).status).toBe(302);
    }
    const over = await w.call(jar, 'GET', '/oauth/oidc/authorize');
    expect(over.status).toBe(429);
    const callback = await w.call(jar, 'GET', `${CALLBACK('oidc')}?state=a&code=b`, {
      crossSite: true,
    });
    expect(callback.headers.get('location')).toBe('/login?error=RATE_LIMITED');
  });

  it('a provider that cannot be reached is a refusal page, never a 500, and stores no state', async () => {
    const down = oidcProvider({
      id: 'down',
      name: 'Down',
      issuer: 'http://127.0.0.1:9',
      clientId: 'app',
      allowInsecureLoopback: true,
    });
    const w = await appWorld({ providers: [down], now: opClock });
    const res = await w.call(new AppJar(), 'GET', '/oauth/down/authorize');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(
      '/login?error=OAUTH_FAILED&reason=provider_unavailable',
    );
    expect(res.headers.getSetCookie().some((c) => c.includes('portcullis.oauth'))).toBe(false);
  });

  it('puts no code, state, token or secret in events, logs or the answer bodies', async () => {
    const w = await world();
    const { callbackUrl, back, start } = await w.signInWith('alice');
    const params = new URL(callbackUrl).searchParams;
    const secrets = [params.get('code'), params.get('state')?.split('.')[1]].filter(
      (s): s is string => typeof s === 'string',
    );
    const everything = JSON.stringify({ events: w.events, logs: w.logs }) + (await back.text());
    for (const secret of secrets) expect(everything).not.toContain(secret);
    const binding = start.headers.getSetCookie()[0]?.split(';')[0]?.split('=')[1] as string;
    expect(everything).not.toContain(binding);
  });
});
