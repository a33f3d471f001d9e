/**
 * The main example in a real browser: Debian's Chromium driven by playwright-core, through
 * every page a new user meets. One browser for the file; the app listens on 127.0.0.1 on an
 * ephemeral port and the browser uses http://localhost:<port>, the app's APP_URL, so the
 * `__Host-` cookies (localhost is a secure context) and the CSRF origin check line up. Storage
 * is the app's own `openStorage` on PGlite in memory. Social sign-in goes to a real OpenID
 * Provider on 127.0.0.1 (core's test provider, `oidc-provider`), configured as `server.ts`
 * does it from `OIDC_*` variables (`socialProviders`): an http:// issuer on a loopback address,
 * accepted outside production.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { silentLogger } from '@portcullis/core';
import { generate } from 'otplib';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
// Core's test provider, by relative path: its imports (oidc-provider, jose) resolve from there.
import {
  type StartedOidcProvider,
  startOidcProvider,
} from '../../../packages/core/test/oauth/support/op.js';
import { createApp, type PortcullisExample } from '../src/app.js';
import { socialProviders } from '../src/social.js';
import { type AppStorage, openStorage } from '../src/storage.js';

const CHROMIUM = '/usr/bin/chromium';
const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new passphrase 2026';
const EMAIL = 'ada@example.com';
/** The OpenID Provider's button name (`OIDC_NAME`). */
const OP_NAME = 'Local ID';
const OP_CLIENT = { client_id: 'hono-app', client_secret: 'hono-app-client-secret' };

let server: ServerType;
let example: PortcullisExample;
let storage: AppStorage;
let browser: Browser;
let op: StartedOidcProvider;
let base: string;
let startedAt: number;
const problems: string[] = [];

beforeAll(async () => {
  startedAt = performance.now();
  // Never skip: a machine without Chromium must fail this suite, not silently pass it.
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run the browser test.`,
    );
  }
  // Listen first, then build the app: APP_URL must name the port the OS picked.
  let fetchApp: PortcullisExample['app']['fetch'] | undefined;
  const listening = new Promise<number>((resolve) => {
    server = serve(
      {
        fetch: (request, env) =>
          fetchApp === undefined
            ? new Response('starting', { status: 503 })
            : fetchApp(request, env),
        hostname: '127.0.0.1',
        port: 0,
      },
      (info: AddressInfo) => resolve(info.port),
    );
  });
  const port = await listening;
  base = `http://localhost:${port}`;
  // Chromium and the storage start side by side. The storage is the app's own `openStorage` on
  // PGlite in memory: real PostgreSQL and the real migrations, nothing on disk (2 to 3 s).
  const storageStart = performance.now();
  const started = await Promise.allSettled([
    openStorage({}).then((opened) => {
      storage = opened;
      console.log(
        `hono-app browser test: PGlite in memory ready in ${Math.round(performance.now() - storageStart)} ms`,
      );
    }),
    chromium
      .launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-quic',
          '--no-first-run',
          '--disable-component-update',
          '--disable-sync',
        ],
      })
      .then((launched) => {
        browser = launched;
      }),
    // The provider knows the app's callback URL exactly, on the port just picked.
    startOidcProvider({
      clients: [{ ...OP_CLIENT, redirect_uris: [`${base}/api/auth/oauth/oidc/callback`] }],
      accounts: {
        eve: { email: 'eve@example.com', email_verified: true, given_name: 'Eve' },
        'frank-at-op': { email: 'frank.elsewhere@example.com', email_verified: true },
      },
    }).then((started) => {
      op = started;
    }),
  ]);
  // Both settled, so afterAll closes whichever did start.
  for (const result of started) if (result.status === 'rejected') throw result.reason;
  example = createApp({
    storage: storage.storage,
    appUrl: base,
    secret: randomBytes(32).toString('base64url'),
    production: false,
    logger: silentLogger,
    oauth: socialProviders(
      {
        OIDC_ISSUER: op.issuer,
        OIDC_CLIENT_ID: OP_CLIENT.client_id,
        OIDC_CLIENT_SECRET: OP_CLIENT.client_secret,
        OIDC_NAME: OP_NAME,
        OIDC_TRUST_EMAIL: 'true',
      },
      false,
    ),
  });
  fetchApp = example.app.fetch;
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await example?.close();
  await storage?.close();
  await op?.close();
  if (startedAt !== undefined) {
    console.log(`hono-app browser test: ${Math.round(performance.now() - startedAt)} ms in all`);
  }
});

/** A page in a fresh browser context (its own cookie jar), with script errors recorded. */
async function newPage(name: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: base });
  // Generous: CI runs this beside every other suite on 2 cores.
  context.setDefaultTimeout(25_000);
  context.setDefaultNavigationTimeout(25_000);
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`${name}: ${error.message}`));
  page.on('console', (message) => {
    // A blocked script or style would break the pages without failing any click.
    if (message.text().includes('Content Security Policy')) {
      problems.push(`${name}: ${message.text()}`);
    }
  });
  return page;
}

/** Opens the dev mailbox and follows the link of the newest mail of `kind` to `to`. */
async function followMailedLink(page: Page, kind: string, to: string, path: string) {
  await page.goto('/dev/mailbox');
  const mail = page.locator(`article.mail[data-kind="${kind}"][data-to="${to}"]`).first();
  await mail.locator(`a[href*="${path}?token="]`).click();
  // Opening a link changes nothing by itself (mail scanners open links): the user confirms.
  const confirm = {
    'verify-email': 'Confirm my address',
    'email-change-confirm': 'Confirm the new address',
  }[kind];
  if (confirm !== undefined) await page.getByRole('button', { name: confirm, exact: true }).click();
}

/**
 * An authenticator app for `secret` that never repeats a time step: the server accepts the
 * current 30-s step ±1 and refuses a step at or below the last one it accepted (replay). Each
 * code is for the current step, or for the next one when the current one was used already, so
 * two codes in the same 30 s both pass without waiting. Real time: the server's clock is too.
 */
function authenticatorApp(secret: string) {
  let lastStep = -1;
  const codeAt = (step: number) =>
    generate({ secret, algorithm: 'sha1', digits: 6, period: 30, epoch: step * 30 });
  return {
    async nextCode(): Promise<string> {
      const step = Math.max(Math.floor(Date.now() / 30_000), lastStep + 1);
      lastStep = step;
      return codeAt(step);
    },
    /** A 6-digit code that no step the server could accept now produces. */
    async wrongCode(): Promise<string> {
      const now = Math.floor(Date.now() / 30_000);
      const near = await Promise.all([-2, -1, 0, 1, 2, 3].map((d) => codeAt(now + d)));
      return ['000000', '111111'].find((code) => !near.includes(code)) as string;
    },
  };
}

const CHALLENGE_KEY = 'portcullis.two-factor-challenge';

/** The normalized text of a locator (the pages wrap their lines). */
async function textOf(locator: ReturnType<Page['locator']>): Promise<string> {
  return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

async function signIn(page: Page, password: string, email = EMAIL) {
  await page.goto('/sign-in');
  await page.getByLabel('Email or username', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/**
 * The provider's login page (core's `op.ts`: a form with a `sub` field): who to sign in as,
 * then its "Sign in" button. It sends the browser on to the app's callback.
 */
async function signInAtProvider(page: Page, sub: string) {
  await page.waitForURL(`${op.issuer}/interaction/**`);
  await page.locator('form#login input[name="sub"]').fill(sub);
  await page.locator('form#login').getByRole('button', { name: 'Sign in', exact: true }).click();
}

/**
 * The second factor, continuing the first scenario: `a` is signed in on its profile, `b` is
 * signed out. Turn TOTP on, sign in with a TOTP code, with a mailed code, with a recovery
 * code and "remember this device", then without a code on that device; revoke the device;
 * turn 2FA off.
 */
async function twoFactorScenario(a: Page, b: Page) {
  // Turn it on: the password, then the key as a QR code and in text, then a code from the app.
  await a.getByRole('link', { name: 'Enable', exact: true }).click();
  await a.waitForURL('**/two-factor/enable');
  await a.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
  await a.getByRole('button', { name: 'Continue', exact: true }).click();
  await a.getByTestId('totp-secret').waitFor(); // visible once the API answered
  const secret = (await textOf(a.getByTestId('totp-secret'))).replaceAll(' ', '');
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  // The QR code is drawn (the CSP lets its data: URL through); the otpauth:// link has the key.
  await a.waitForFunction(() => {
    const img = document.querySelector<HTMLImageElement>('img[data-role="totp-qr"]');
    return img !== null && !img.hidden && img.complete && img.naturalWidth > 0;
  });
  expect(await a.locator('img[data-role="totp-qr"]').getAttribute('src')).toMatch(
    /^data:image\/svg\+xml,/,
  );
  expect(
    await a.getByRole('link', { name: /Open in an authenticator app/ }).getAttribute('href'),
  ).toContain(`secret=${secret}`);
  const app = authenticatorApp(secret);
  await a.getByLabel('Code', { exact: true }).fill(await app.nextCode());
  await a.getByRole('button', { name: 'Turn on', exact: true }).click();
  // The ten recovery codes, this once.
  await a.getByTestId('recovery-codes').locator('li').first().waitFor();
  const recoveryCodes = await a.getByTestId('recovery-codes').locator('li').allTextContents();
  expect(recoveryCodes).toHaveLength(10);
  expect(new Set(recoveryCodes).size).toBe(10);
  expect(await textOf(a.locator('section[data-step="codes"] .warning'))).toContain(
    'Save these recovery codes now',
  );
  await a.getByRole('link', { name: 'I have saved them' }).click();
  await a.waitForURL('**/profile?notice=two-factor-on');
  expect(await textOf(a.getByTestId('two-factor-status'))).toContain('On.');
  expect(await textOf(a.getByTestId('two-factor-status'))).toContain('10 of 10 recovery codes');

  // Sign out and in again: the password is not enough any more.
  const signOutAndIn = async () => {
    await a.locator('header').getByRole('button', { name: 'Sign out' }).click();
    await a.waitForURL('**/?notice=signed-out');
    await signIn(a, NEW_PASSWORD);
  };
  await signOutAndIn();
  await a.waitForURL('**/sign-in/two-factor?next=%2Fprofile');
  // The challenge waits in this tab's sessionStorage: in no cookie and not in the URL.
  const pending = await a.evaluate(
    (key) => JSON.parse(sessionStorage.getItem(key) ?? 'null'),
    CHALLENGE_KEY,
  );
  expect(pending.methods).toEqual(expect.arrayContaining(['totp', 'email', 'recovery']));
  // No passkey on this account: the page does not offer one.
  expect(pending.methods).not.toContain('passkey');
  await expect(a.getByRole('button', { name: 'Use a passkey' }).isVisible()).resolves.toBe(false);
  expect(a.url()).not.toContain(pending.challenge);
  const jar = await a.context().cookies();
  expect(jar.some((c) => c.value.includes(pending.challenge))).toBe(false);
  expect(jar.some((c) => c.name === '__Host-portcullis.session')).toBe(false);

  // A wrong code is refused on the page; the right one from the app signs in.
  const verifyError = a.locator('form[data-api="POST /2fa/verify"] [data-role="error"]');
  await a.getByLabel('Code', { exact: true }).fill(await app.wrongCode());
  await a.getByRole('button', { name: 'Verify', exact: true }).click();
  await verifyError.waitFor();
  expect(await textOf(verifyError)).not.toBe('');
  await a.getByLabel('Code', { exact: true }).fill(await app.nextCode());
  await a.getByRole('button', { name: 'Verify', exact: true }).click();
  await a.waitForURL('**/profile');
  expect(await a.evaluate((key) => sessionStorage.getItem(key), CHALLENGE_KEY)).toBeNull();

  // Another browser: "email me a code", read from the dev mailbox.
  await signIn(b, NEW_PASSWORD);
  await b.waitForURL('**/sign-in/two-factor?next=%2Fprofile');
  await b.getByRole('button', { name: 'Email me a code', exact: true }).click();
  await b.getByText('We emailed you a code.').waitFor();
  expect(await b.getByLabel('An email from us').isChecked()).toBe(true);
  const mailbox = await b.context().newPage();
  await mailbox.goto('/dev/mailbox');
  const mail = await textOf(
    mailbox.locator(`article.mail[data-kind="email-otp"][data-to="${EMAIL}"]`).first(),
  );
  await mailbox.close();
  const mailed = /\b(\d{6})\b/.exec(mail)?.[1];
  expect(mailed).toBeDefined();
  await b.getByLabel('Code', { exact: true }).fill(mailed as string);
  await b.getByRole('button', { name: 'Verify', exact: true }).click();
  await b.waitForURL('**/profile');

  // A recovery code, and "remember this device": the device cookie comes with the session.
  await signOutAndIn();
  await a.waitForURL('**/sign-in/two-factor?next=%2Fprofile');
  await a.getByLabel('Your recovery codes').check();
  await a.getByLabel('Code', { exact: true }).fill(recoveryCodes[0] as string);
  await a.getByLabel('Remember this device for 30 days').check();
  await a.getByRole('button', { name: 'Verify', exact: true }).click();
  await a.waitForURL('**/profile');
  const device = (await a.context().cookies()).find((c) => c.name === '__Host-portcullis.device');
  expect(device).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
  expect(await textOf(a.getByTestId('two-factor-status'))).toContain('9 of 10 recovery codes');

  // This device now signs in with the password alone, and the profile lists it as trusted.
  await signOutAndIn();
  await a.waitForURL('**/profile');
  await expect(a.locator('tr[data-device="current"]').count()).resolves.toBe(1);

  // Revoke it: the next sign-in on it asks for a code again.
  await a
    .locator('tr[data-device="current"]')
    .getByRole('button', { name: 'Revoke', exact: true })
    .click();
  await a.waitForURL('**/profile?notice=device-revoked');
  await expect(a.locator('tr[data-device]').count()).resolves.toBe(0);

  // Turn it off with the password and a recovery code (a third TOTP code in the same 30 s
  // would be two steps ahead, outside the window).
  await a.getByRole('link', { name: 'Turn two-factor authentication off' }).click();
  await a.waitForURL('**/two-factor/disable');
  await a.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
  await a.getByLabel('Code', { exact: true }).fill(recoveryCodes[1] as string);
  await a.getByRole('button', { name: 'Turn off', exact: true }).click();
  await a.waitForURL('**/profile?notice=two-factor-off');
  expect(await textOf(a.getByTestId('two-factor-status'))).toMatch(/^Off\./);
}

describe('hono-app in Chromium', () => {
  test('sign up, verify, sign in, edit the profile, revoke another session, sign out, reset the password, sign in with a second factor', {
    timeout: 60_000,
  }, async () => {
    const scenarioStart = performance.now();
    const a = await newPage('browser A');

    // Sign up: the API answers 202 and the page says to check the mail.
    await a.goto('/sign-up');
    await a.getByLabel('Email', { exact: true }).fill(EMAIL);
    await a.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await a.getByRole('button', { name: 'Create account' }).click();
    await a.waitForURL('**/check-mail?for=verify');
    await expect(a.getByRole('heading', { name: 'Check your mail' }).isVisible()).resolves.toBe(
      true,
    );

    // Open the mail in the dev mailbox and follow the link; its page posts the token.
    await a.locator('main').getByRole('link', { name: 'dev mailbox' }).click();
    await a.waitForURL('**/dev/mailbox');
    await followMailedLink(a, 'verify-email', EMAIL, '/verify-email');
    await a.waitForURL('**/sign-in?notice=verified');
    expect(await a.getByRole('status').textContent()).toContain('address is confirmed');

    // Sign in; the session cookie is HttpOnly and __Host- prefixed.
    await a.getByLabel('Email or username', { exact: true }).fill(EMAIL);
    await a.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await a.getByRole('button', { name: 'Sign in', exact: true }).click();
    await a.waitForURL('**/profile');
    const cookies = await a.context().cookies();
    const session = cookies.find((c) => c.name === '__Host-portcullis.session');
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
    expect(cookies.find((c) => c.name === '__Host-portcullis.csrf')?.httpOnly).toBe(false);

    // Edit the profile (PATCH /user with the CSRF header).
    await a.getByLabel('Username', { exact: true }).fill('ada');
    await a.getByLabel('First name', { exact: true }).fill('Ada');
    await a.getByLabel('Last name', { exact: true }).fill('Lovelace');
    await a.getByRole('button', { name: 'Save profile' }).click();
    await a.waitForURL('**/profile?notice=profile-saved');
    expect(await a.getByTestId('profile-name').textContent()).toBe('Ada Lovelace');
    await a.screenshot({ path: '/tmp/hono-app-profile.png', fullPage: true });

    // A second browser signs in to the same account.
    const b = await newPage('browser B');
    await signIn(b, PASSWORD);
    await b.waitForURL('**/profile');

    // The first browser sees two sessions and signs the other one out.
    await a.goto('/sessions');
    await expect(a.locator('tr[data-session]').count()).resolves.toBe(2);
    await a
      .locator('tr[data-session="other"]')
      .getByRole('button', { name: 'Sign out', exact: true })
      .click();
    await a.waitForURL('**/sessions?notice=session-revoked');
    await expect(a.locator('tr[data-session]').count()).resolves.toBe(1);

    // The second browser's next page load shows it signed out.
    await b.goto('/profile');
    await b.waitForURL('**/sign-in?next=%2Fprofile');
    await expect(b.getByRole('heading', { name: 'Sign in' }).isVisible()).resolves.toBe(true);

    // Sign out from the navigation; the profile is closed again.
    await a.locator('header').getByRole('button', { name: 'Sign out' }).click();
    await a.waitForURL('**/?notice=signed-out');
    await a.goto('/profile');
    await a.waitForURL('**/sign-in?next=%2Fprofile');

    // Forgot password: request the link, follow it from the mailbox, choose a new password.
    await a.goto('/forgot-password');
    await a.getByLabel('Email', { exact: true }).fill(EMAIL);
    await a.getByRole('button', { name: 'Send the link' }).click();
    await a.waitForURL('**/check-mail?for=reset');
    await followMailedLink(a, 'password-reset', EMAIL, '/reset-password');
    // The page strips the token from the address bar as it loads: wait for the form instead.
    await a.waitForURL('**/reset-password**');
    await a.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await a.getByRole('button', { name: 'Set the new password' }).click();
    await a.waitForURL('**/sign-in?notice=password-reset');

    // The old password no longer opens the account; the new one does.
    await signIn(a, PASSWORD);
    await expect(a.getByRole('alert').textContent()).resolves.toContain('incorrect');
    await signIn(a, NEW_PASSWORD);
    await a.waitForURL('**/profile');
    expect(await a.getByTestId('profile-name').textContent()).toBe('Ada Lovelace');

    await twoFactorScenario(a, b);

    expect(problems).toEqual([]);
    console.log(`hono-app browser scenario: ${Math.round(performance.now() - scenarioStart)} ms`);
  });

  test('change the email and the password, refuse a write without the CSRF header, delete the account', {
    timeout: 60_000,
  }, async () => {
    const scenarioStart = performance.now();
    const email = 'grace@example.com';
    const newEmail = 'grace.hopper@example.com';
    const page = await newPage('browser C');
    await page.goto('/sign-up');
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL('**/check-mail?for=verify');
    await followMailedLink(page, 'verify-email', email, '/verify-email');
    await page.waitForURL('**/sign-in?notice=verified');
    await signIn(page, PASSWORD, email);
    await page.waitForURL('**/profile');

    // The pages' writes pass only with the CSRF header: the same request without it fails.
    const forged = await page.evaluate(async () => {
      const res = await fetch('/api/auth/user', {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ firstName: 'Mallory' }),
      });
      return { status: res.status, body: await res.json() };
    });
    expect(forged).toMatchObject({ status: 403, body: { error: { code: 'CSRF_FAILED' } } });

    // Change the email: a link goes to the new address; following it switches.
    await page.goto('/email');
    await page.getByLabel('New email', { exact: true }).fill(newEmail);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Send the confirmation link' }).click();
    await page.waitForURL('**/profile?notice=email-sent');
    await followMailedLink(page, 'email-change-confirm', newEmail, '/confirm-email');
    await page.waitForURL('**/profile?notice=email-changed');
    await expect(page.locator('dd').first().textContent()).resolves.toContain(newEmail);

    // Change the password.
    await page.goto('/password');
    await page.getByLabel('Current password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.waitForURL('**/profile?notice=password-changed');

    // Delete the account; the address can no longer sign in.
    await page.goto('/delete-account');
    await page.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Delete my account' }).click();
    await page.waitForURL('**/?notice=account-deleted');
    await signIn(page, NEW_PASSWORD, newEmail);
    await expect(page.getByRole('alert').textContent()).resolves.toContain('incorrect');

    expect(problems).toEqual([]);
    console.log(`hono-app account scenario: ${Math.round(performance.now() - scenarioStart)} ms`);
  });

  test('sign in with the OpenID Provider, unlink it (a mailed link still signs in); a password account links it, signs in with it (and its second factor), unlinks it', {
    timeout: 60_000,
  }, async () => {
    const scenarioStart = performance.now();

    // Someone new: "Sign in with Local ID", the provider's page, back on the profile signed in.
    const d = await newPage('browser D');
    await d.goto('/sign-in');
    await d.screenshot({ path: '/tmp/hono-app-social-sign-in.png', fullPage: true });
    await d.getByRole('link', { name: `Sign in with ${OP_NAME}`, exact: true }).click();
    await signInAtProvider(d, 'eve');
    await d.waitForURL(`${base}/profile`);
    const jar = await d.context().cookies(base);
    expect(jar.find((c) => c.name === '__Host-portcullis.session')).toMatchObject({
      httpOnly: true,
      secure: true,
      sameSite: 'Lax',
    });
    // The browser-binding cookie of the authorization is used up.
    expect(jar.some((c) => c.name === '__Host-portcullis.oauth')).toBe(false);
    await expect(d.locator('dd').first().textContent()).resolves.toContain('eve@example.com');
    const eveRow = d.locator('[data-testid="linked-accounts"] tr[data-provider="oidc"]');
    expect(await textOf(eveRow)).toMatch(new RegExp(`^${OP_NAME} eve@example\\.com \\d{4}-`));
    await expect(d.getByRole('button', { name: `Link ${OP_NAME}` }).count()).resolves.toBe(0);

    // Eve has no password, but the provider confirmed her address, and with magic links on a
    // mailed link signs her in: her only link may go.
    await d.screenshot({ path: '/tmp/hono-app-social-profile.png', fullPage: true });
    await eveRow.getByRole('button', { name: 'Unlink', exact: true }).click();
    await d.waitForURL('**/profile?notice=account-unlinked');
    await expect(eveRow.count()).resolves.toBe(0);
    await expect(
      d.getByRole('button', { name: `Link ${OP_NAME}`, exact: true }).isVisible(),
    ).resolves.toBe(true);

    // Someone with a password links the provider from the profile (a fresh session: no
    // password asked), under another address at the provider.
    const email = 'frank@example.com';
    const f = await newPage('browser F');
    await f.goto('/sign-up');
    await f.getByLabel('Email', { exact: true }).fill(email);
    await f.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await f.getByRole('button', { name: 'Create account' }).click();
    await f.waitForURL('**/check-mail?for=verify');
    await followMailedLink(f, 'verify-email', email, '/verify-email');
    await f.waitForURL('**/sign-in?notice=verified');
    await signIn(f, PASSWORD, email);
    await f.waitForURL('**/profile');
    await expect(f.getByTestId('no-linked-accounts').isVisible()).resolves.toBe(true);
    await f.getByRole('button', { name: `Link ${OP_NAME}`, exact: true }).click();
    await signInAtProvider(f, 'frank-at-op');
    await f.waitForURL('**/profile?linked=oidc');
    expect(await textOf(f.getByTestId('linked-notice'))).toBe(
      `Linked: you can now sign in with ${OP_NAME}.`,
    );
    const frankRow = f.locator('[data-testid="linked-accounts"] tr[data-provider="oidc"]');
    expect(await textOf(frankRow)).toContain('frank.elsewhere@example.com');
    await expect(f.getByRole('button', { name: `Link ${OP_NAME}` }).count()).resolves.toBe(0);

    // Turn 2FA on: a sign-in through the provider then asks for a code too.
    await f.getByRole('link', { name: 'Enable', exact: true }).click();
    await f.waitForURL('**/two-factor/enable');
    await f.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await f.getByRole('button', { name: 'Continue', exact: true }).click();
    await f.getByTestId('totp-secret').waitFor();
    const app = authenticatorApp((await textOf(f.getByTestId('totp-secret'))).replaceAll(' ', ''));
    await f.getByLabel('Code', { exact: true }).fill(await app.nextCode());
    await f.getByRole('button', { name: 'Turn on', exact: true }).click();
    await f.getByTestId('recovery-codes').locator('li').first().waitFor();
    await f.getByRole('link', { name: 'I have saved them' }).click();
    await f.waitForURL('**/profile?notice=two-factor-on');
    await f.locator('header').getByRole('button', { name: 'Sign out' }).click();
    await f.waitForURL('**/?notice=signed-out');

    await f.goto('/sign-in?next=%2Fsessions');
    await f.getByRole('link', { name: `Sign in with ${OP_NAME}`, exact: true }).click();
    // The provider may remember Frank (its own session) and come straight back.
    await f.waitForURL(
      (url) => url.pathname === '/sign-in/two-factor' || url.pathname.startsWith('/interaction/'),
    );
    if (new URL(f.url()).pathname.startsWith('/interaction/')) {
      await signInAtProvider(f, 'frank-at-op');
    }
    // The callback's challenge went from the URL to this tab's sessionStorage, as after
    // POST /login; the address bar and the history no longer hold it.
    await f.waitForURL('**/sign-in/two-factor?next=%2Fsessions');
    const pending = await f.evaluate(
      (key) => JSON.parse(sessionStorage.getItem(key) ?? 'null'),
      CHALLENGE_KEY,
    );
    expect(pending.methods).toContain('totp');
    expect(f.url()).not.toContain(pending.challenge);
    expect(
      (await f.context().cookies(base)).some((c) => c.name === '__Host-portcullis.session'),
    ).toBe(false);
    await f.getByLabel('Code', { exact: true }).fill(await app.nextCode());
    await f.getByRole('button', { name: 'Verify', exact: true }).click();
    await f.waitForURL('**/sessions');
    await f.goBack();
    expect(f.url()).not.toContain(pending.challenge);

    // With a password, the link can go.
    await f.goto('/profile');
    await frankRow.getByRole('button', { name: 'Unlink', exact: true }).click();
    await f.waitForURL('**/profile?notice=account-unlinked');
    await expect(frankRow.count()).resolves.toBe(0);
    await expect(
      f.getByRole('button', { name: `Link ${OP_NAME}`, exact: true }).isVisible(),
    ).resolves.toBe(true);

    expect(problems).toEqual([]);
    console.log(`hono-app social scenario: ${Math.round(performance.now() - scenarioStart)} ms`);
  });
});
