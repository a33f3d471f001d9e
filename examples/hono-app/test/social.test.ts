/**
 * Social sign-in of the example without a browser: the app (`createApp`, in-process through
 * `app.request`) with a real OpenID Provider (core's test provider, `oidc-provider` on
 * 127.0.0.1) configured the way `server.ts` does it, from environment variables
 * (`socialProviders`). Checks the buttons (only when configured), a sign-in and the linked
 * account on the profile, linking and unlinking, the messages of refusals, a second factor's
 * hand-over, and that production refuses an http:// issuer.
 */
import { randomBytes } from 'node:crypto';
import { isAuthError, memoryStorage, silentLogger } from '@portcullis/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Core's test provider, by relative path: Node resolves its own imports (oidc-provider, jose,
// devDependencies of packages/core) from its location, not from this package.
import { loginAtProvider } from '../../../packages/core/test/oauth/support/browser.js';
import {
  type StartedOidcProvider,
  startOidcProvider,
} from '../../../packages/core/test/oauth/support/op.js';
import { createApp, type PortcullisExample } from '../src/app.js';
import { SocialConfigError, socialProviders } from '../src/social.js';

const APP = 'http://localhost:3000';
const CALLBACK = `${APP}/api/auth/oauth/oidc/callback`;
const CLIENT = { client_id: 'hono-app', client_secret: 'hono-app-client-secret' };
const PASSWORD = 'correct horse battery staple';
const secret = () => randomBytes(32).toString('base64url');

let op: StartedOidcProvider;
let social: PortcullisExample;
let plain: PortcullisExample;
let untrusted: PortcullisExample;

beforeAll(async () => {
  op = await startOidcProvider({
    clients: [{ ...CLIENT, redirect_uris: [CALLBACK] }],
    accounts: {
      alice: { email: 'alice@example.com', email_verified: true, given_name: 'Alice' },
      bob: { email: 'bob.elsewhere@example.com', email_verified: true },
      carol: { email: 'carol@example.com', email_verified: true },
    },
  });
  const oauth = socialProviders(
    {
      OIDC_ISSUER: op.issuer,
      OIDC_CLIENT_ID: CLIENT.client_id,
      OIDC_CLIENT_SECRET: CLIENT.client_secret,
      OIDC_NAME: 'Test ID',
      // The app's own test provider: trusted for email, so its accounts are verified.
      OIDC_TRUST_EMAIL: 'true',
    },
    false,
  );
  const common = { appUrl: APP, production: false, logger: silentLogger } as const;
  social = createApp({ ...common, storage: memoryStorage(), secret: secret(), oauth });
  const untrustedOauth = socialProviders(
    {
      OIDC_ISSUER: op.issuer,
      OIDC_CLIENT_ID: CLIENT.client_id,
      OIDC_CLIENT_SECRET: CLIENT.client_secret,
      OIDC_NAME: 'Test ID',
    },
    false,
  );
  untrusted = createApp({
    ...common,
    storage: memoryStorage(),
    secret: secret(),
    oauth: untrustedOauth,
  });
  plain = createApp({ ...common, storage: memoryStorage(), secret: secret() });
});

afterAll(async () => {
  await social?.close();
  await plain?.close();
  await untrusted?.close();
  await op?.close();
});

/** A browser's cookies for the app, by name. */
class Jar {
  readonly cookies = new Map<string, string>();
  store(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      if (value === '' || /max-age=0\b/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** A request of `jar`'s browser to the app; writes carry the Origin and the CSRF header. */
async function call(
  example: PortcullisExample,
  jar: Jar,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  const headers: Record<string, string> = { cookie: jar.header() };
  if (method !== 'GET') {
    headers.origin = APP;
    headers['x-csrf-token'] = jar.cookies.get('__Host-portcullis.csrf') ?? '';
  }
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await example.app.request(new URL(path, APP).href, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  jar.store(res);
  return res;
}

/** The page's text, tags and whitespace folded (enough for "does it say …"). */
async function pageText(res: Response): Promise<string> {
  return (await res.text())
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * A click on "Sign in with Test ID": authorize, the provider's login page as `sub`, then the
 * callback in the same browser. Returns the callback's answer (always a 302).
 */
async function socialSignIn(
  jar: Jar,
  sub: string,
  redirectTo = '/profile',
  app: PortcullisExample = social,
): Promise<Response> {
  const start = await call(
    app,
    jar,
    'GET',
    `/api/auth/oauth/oidc/authorize?redirectTo=${encodeURIComponent(redirectTo)}`,
  );
  expect(start.status).toBe(302);
  return finishAtProvider(jar, start.headers.get('location') as string, sub, app);
}

async function finishAtProvider(
  jar: Jar,
  url: string,
  sub: string,
  app: PortcullisExample = social,
): Promise<Response> {
  expect(url.startsWith(`${op.issuer}/`)).toBe(true);
  const back = await loginAtProvider(url, { sub });
  if (!('callbackUrl' in back)) throw new Error('expected a redirect back to the app');
  expect(back.callbackUrl.startsWith(`${CALLBACK}?`)).toBe(true);
  const res = await call(app, jar, 'GET', back.callbackUrl);
  expect(res.status).toBe(302);
  return res;
}

/** The token of the newest mail of `kind` to `to` in the dev mailbox (mail may lag a little). */
async function mailedToken(to: string, kind: string): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const mail = social.mailbox?.list().find((m) => m.to === to && m.kind === kind);
    const token = mail === undefined ? undefined : /[?&]token=([^\s&"<]+)/.exec(mail.text)?.[1];
    if (token !== undefined) return decodeURIComponent(token);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no ${kind} mail to ${to}`);
}

describe('configuration from the environment', () => {
  it('offers only the providers configured, none by default', () => {
    expect(socialProviders({}, false)).toEqual([]);
    expect(socialProviders({}, true)).toEqual([]);
    const all = socialProviders(
      {
        OIDC_ISSUER: 'https://sso.example',
        OIDC_CLIENT_ID: 'a',
        GITHUB_CLIENT_ID: 'b',
        GITHUB_CLIENT_SECRET: 'c',
        GOOGLE_CLIENT_ID: 'd',
        GOOGLE_CLIENT_SECRET: 'e',
      },
      true,
    );
    expect(all.map((p) => [p.id, p.name])).toEqual([
      ['oidc', 'OpenID Connect'],
      ['github', 'GitHub'],
      ['google', 'Google'],
    ]);
    // An https issuer needs no exception, in production or not.
    expect(all[0]?.allowInsecureLoopback).toBeUndefined();
  });

  it('accepts an http:// issuer on a loopback address in development only', () => {
    const env = { OIDC_ISSUER: 'http://127.0.0.1:9/', OIDC_CLIENT_ID: 'a' };
    expect(socialProviders(env, false)[0]?.allowInsecureLoopback).toBe(true);
    expect(socialProviders(env, true)[0]?.allowInsecureLoopback).toBeUndefined();
    const remote = { OIDC_ISSUER: 'http://sso.example', OIDC_CLIENT_ID: 'a' };
    expect(socialProviders(remote, false)[0]?.allowInsecureLoopback).toBeUndefined();
  });

  it('refuses a provider configured in part', () => {
    expect(() => socialProviders({ OIDC_ISSUER: 'https://sso.example' }, false)).toThrow(
      SocialConfigError,
    );
    expect(() => socialProviders({ GITHUB_CLIENT_ID: 'b' }, false)).toThrow(/GITHUB_CLIENT_SECRET/);
    expect(() => socialProviders({ GOOGLE_CLIENT_SECRET: 'e' }, false)).toThrow(/GOOGLE_CLIENT_ID/);
  });

  it('production refuses an http:// issuer at startup (CONFIG_INVALID)', () => {
    const oauth = socialProviders(
      { OIDC_ISSUER: op.issuer, OIDC_CLIENT_ID: 'a', OIDC_CLIENT_SECRET: 'b' },
      true,
    );
    let thrown: unknown;
    try {
      const app = createApp({
        storage: memoryStorage(),
        appUrl: 'https://app.example',
        secret: secret(),
        smtpUrl: 'smtp://127.0.0.1:2525',
        production: true,
        logger: silentLogger,
        oauth,
      });
      void app.close();
    } catch (error) {
      thrown = error;
    }
    expect(isAuthError(thrown) && thrown.code).toBe('CONFIG_INVALID');
    expect(String((thrown as Error).message)).toMatch(/oidc.*must be https/);
  });
});

describe('the sign-in and sign-up pages', () => {
  it('show no social button without a provider', async () => {
    for (const path of ['/sign-in', '/sign-up']) {
      const html = await (await plain.app.request(`${APP}${path}`)).text();
      expect(html).not.toContain('/oauth/');
      // "Sign in with a passkey" is no social button.
      expect(html).not.toMatch(/(Sign in|Sign up) with (?!a passkey)/);
    }
    // Nor do the callback's parameters mean anything there.
    const text = await pageText(await plain.app.request(`${APP}/sign-in?error=RATE_LIMITED`));
    expect(text).not.toContain('Too many');
  });

  it('show "Sign in with …" linking to the authorize route, back to the page asked for', async () => {
    const signIn = await (await social.app.request(`${APP}/sign-in?next=%2Fsessions`)).text();
    expect(signIn).toMatch(
      /<a class="button" data-provider="oidc" href="\/api\/auth\/oauth\/oidc\/authorize\?redirectTo=%2Fsessions"\s*>Sign in with Test ID<\/a/,
    );
    const signUp = await (await social.app.request(`${APP}/sign-up`)).text();
    expect(signUp).toContain('href="/api/auth/oauth/oidc/authorize?redirectTo=%2Fprofile"');
    expect(signUp).toContain('Sign up with Test ID');
  });

  it('say what went wrong, in words of the app, never the provider text', async () => {
    const say = async (query: string) =>
      pageText(await social.app.request(`${APP}/sign-in?${query}`));
    expect(await say('error=ACCOUNT_LINK_REQUIRED&provider=oidc')).toContain(
      'sign in with your password, then link Test ID in your settings',
    );
    expect(await say('error=OAUTH_FAILED&reason=email_unverified&provider=oidc')).toContain(
      'Test ID has not verified your email address',
    );
    expect(await say('error=OAUTH_FAILED&reason=state')).toContain('began in another browser');
    expect(await say('error=ACCOUNT_DISABLED')).toContain('This account is disabled');
    expect(await say('error=RATE_LIMITED')).toContain('Too many sign-in attempts');
    // Unknown codes, reasons and providers: a generic message, nothing of the query echoed.
    const odd = await say(
      'error=OAUTH_FAILED&reason=%3Cb%3Eyour+bank+says+call+555%3C%2Fb%3E&provider=evil',
    );
    expect(odd).toContain('Signing in with the provider did not work.');
    expect(odd).not.toContain('555');
  });

  it('hand a social sign-in waiting for its second factor to the script (challenge)', async () => {
    const html = await (
      await social.app.request(
        `${APP}/sign-in?challenge=abc.def&methods=totp,email&redirectTo=/sessions`,
      )
    ).text();
    expect(html).toContain('data-role="oauth-challenge" data-next="/sessions"');
    // The page itself does not repeat the challenge (the script reads it from the URL).
    expect(html).not.toContain('abc.def');
    const offsite = await (
      await social.app.request(
        `${APP}/sign-in?challenge=abc&methods=totp&redirectTo=//evil.example`,
      )
    ).text();
    expect(offsite).toContain('data-next="/profile"');
  });
});

describe('signing in, linking and unlinking with the provider', () => {
  it('signs a new user in and lists the linked account on the profile', async () => {
    const jar = new Jar();
    const back = await socialSignIn(jar, 'alice');
    expect(back.headers.get('location')).toBe('/profile');
    expect(jar.cookies.has('__Host-portcullis.session')).toBe(true);

    const profile = await call(social, jar, 'GET', '/profile');
    expect(profile.status).toBe(200);
    const html = await profile.text();
    const text = html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    expect(text).toContain('alice@example.com');
    expect(text).toMatch(/Linked accounts .* Test ID alice@example\.com \d{4}-\d{2}-\d{2} /);
    expect(html).toMatch(/data-api="DELETE \/oauth\/accounts\/[A-Za-z0-9_-]+"/);
    // Linked already: no "Link Test ID" button.
    expect(text).not.toContain('Link Test ID');

    // Its only link, but not its only way to sign in: the provider confirmed the address, and
    // with magic links on a mailed link signs it in. Unlinking is allowed. (The refusal of
    // core, "the only way to sign in", cannot happen in this app any more: every account that
    // can sign in has a confirmed address.)
    const { accounts } = (await (
      await call(social, jar, 'GET', '/api/auth/oauth/accounts')
    ).json()) as {
      accounts: { id: string; provider: string }[];
    };
    expect(accounts.map((a) => a.provider)).toEqual(['oidc']);
    const unlinked = await call(
      social,
      jar,
      'DELETE',
      `/api/auth/oauth/accounts/${accounts[0]?.id}`,
    );
    expect(unlinked.status).toBe(204);
  });

  it('refuses to join an account with the same email (provider not trusted for email), naming the provider', async () => {
    await untrusted.auth.register({ email: 'carol@example.com', password: PASSWORD });
    const jar = new Jar();
    const back = await socialSignIn(jar, 'carol', '/profile', untrusted);
    expect(back.headers.get('location')).toBe('/sign-in?error=ACCOUNT_LINK_REQUIRED&provider=oidc');
    expect(jar.cookies.has('__Host-portcullis.session')).toBe(false);
    const text = await pageText(
      await call(untrusted, jar, 'GET', back.headers.get('location') as string),
    );
    expect(text).toContain('then link Test ID in your settings');
  });

  it('links the provider to a password account from the profile, then unlinks it', async () => {
    const email = 'dora@example.com';
    await social.auth.register({ email, password: PASSWORD });
    await social.auth.verifyEmail(await mailedToken(email, 'verify-email'));
    const jar = new Jar();
    const login = await call(social, jar, 'POST', '/api/auth/login', {
      identifier: email,
      password: PASSWORD,
    });
    expect(login.status).toBe(200);

    const before = await (await call(social, jar, 'GET', '/profile')).text();
    expect(before).toContain('data-api="POST /oauth/oidc/link"');
    expect(before).toContain('No account is linked.');

    const link = await call(social, jar, 'POST', '/api/auth/oauth/oidc/link', {
      redirectTo: '/profile',
    });
    expect(link.status).toBe(200);
    const { url } = (await link.json()) as { url: string };
    // Another name at the provider than the account's email: linking from settings takes any.
    const back = await finishAtProvider(jar, url, 'bob');
    expect(back.headers.get('location')).toBe('/profile?linked=oidc');

    const after = await call(social, jar, 'GET', '/profile?linked=oidc');
    const text = await pageText(after);
    expect(text).toContain('Linked: you can now sign in with Test ID.');
    expect(text).toContain('bob.elsewhere@example.com');
    expect(text).not.toContain('Link Test ID');

    // It has a password: unlinking is allowed, and the Link button is back.
    const { accounts } = (await (
      await call(social, jar, 'GET', '/api/auth/oauth/accounts')
    ).json()) as {
      accounts: { id: string }[];
    };
    const unlink = await call(social, jar, 'DELETE', `/api/auth/oauth/accounts/${accounts[0]?.id}`);
    expect(unlink.status).toBe(204);
    const again = await (await call(social, jar, 'GET', '/profile')).text();
    expect(again).toContain('data-api="POST /oauth/oidc/link"');
  });

  it('names the provider on a refusal from the provider itself (denied)', async () => {
    const jar = new Jar();
    const start = await call(social, jar, 'GET', '/api/auth/oauth/oidc/authorize');
    const back = await loginAtProvider(start.headers.get('location') as string, { deny: true });
    if (!('callbackUrl' in back)) throw new Error('expected a redirect back to the app');
    const res = await call(social, jar, 'GET', back.callbackUrl);
    expect(res.headers.get('location')).toBe(
      '/sign-in?error=OAUTH_FAILED&reason=provider_error&provider=oidc',
    );
    const text = await pageText(
      await call(social, jar, 'GET', res.headers.get('location') as string),
    );
    expect(text).toContain('Test ID did not sign you in');
    expect(text).not.toContain('End-User denied');
  });
});
