/**
 * Passwordless sign-in of the main example in a real browser: passkeys with Chromium's virtual
 * authenticator (DevTools protocol, `WebAuthn` domain), as a way to sign in and as the second
 * factor of a password sign-in, and magic links from the dev mailbox.
 * Set up as `browser.test.ts`: the app listens on 127.0.0.1 on an ephemeral port and the
 * browser uses http://localhost:<port>, the app's APP_URL. That host matters twice here:
 * WebAuthn needs a secure context (localhost is one), and the passkeys' RP ID is the host of
 * `appUrl` (`localhost`), which must be the page's. Storage is `openStorage({})`, PGlite in
 * memory, so the passkeys go through the real PostgreSQL store and migrations.
 *
 * Which WebAuthn requests the pages make is recorded by an init script that wraps
 * `navigator.credentials.get`: its mediation (`conditional` for autofill, `modal` for the
 * browser's dialog) and whether its AbortSignal fired.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { silentLogger } from '@portcullis/core';
import { generate } from 'otplib';
import { type Browser, type CDPSession, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApp, type PortcullisExample } from '../src/app.js';
import { type AppStorage, openStorage } from '../src/storage.js';

const CHROMIUM = '/usr/bin/chromium';
const PASSWORD = 'correct horse battery staple';
const SESSION_COOKIE = '__Host-portcullis.session';
const DEVICE_COOKIE = '__Host-portcullis.device';
const CHALLENGE_KEY = 'portcullis.two-factor-challenge';

let server: ServerType;
let example: PortcullisExample;
let storage: AppStorage;
let browser: Browser;
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
  // Listen first, then build the app: APP_URL (and so the RP ID) must name the port the OS picked.
  let fetchApp: PortcullisExample['app']['fetch'] | undefined;
  const port = await new Promise<number>((resolve) => {
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
  base = `http://localhost:${port}`;
  const started = await Promise.allSettled([
    openStorage({}).then((opened) => {
      storage = opened;
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
  ]);
  for (const result of started) if (result.status === 'rejected') throw result.reason;
  example = createApp({
    storage: storage.storage,
    appUrl: base,
    secret: randomBytes(32).toString('base64url'),
    production: false,
    logger: silentLogger,
  });
  fetchApp = example.app.fetch;
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await example?.close();
  await storage?.close();
  if (startedAt !== undefined) {
    console.log(
      `hono-app passkeys browser test: ${Math.round(performance.now() - startedAt)} ms in all`,
    );
  }
});

/** A page in a fresh browser context (its own cookie jar), with script errors recorded. */
async function newPage(name: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: base });
  context.setDefaultTimeout(25_000);
  context.setDefaultNavigationTimeout(25_000);
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`${name}: ${error.message}`));
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) {
      problems.push(`${name}: ${message.text()}`);
    }
  });
  return page;
}

/**
 * Records every `navigator.credentials.get` of the page's scripts, across navigations:
 * `get conditional` (autofill) or `get modal` (the browser's dialog), and `abort <mediation>`
 * when its AbortSignal fires. Returns the live list.
 */
async function recordWebAuthn(page: Page): Promise<string[]> {
  const calls: string[] = [];
  await page.exposeBinding('__recordWebAuthn', (_source, entry: string) => void calls.push(entry));
  await page.addInitScript(() => {
    const record = (window as unknown as { __recordWebAuthn: (entry: string) => void })
      .__recordWebAuthn;
    const credentials = navigator.credentials;
    const get = credentials.get.bind(credentials);
    credentials.get = (options?: CredentialRequestOptions) => {
      const mediation = options?.mediation ?? 'modal';
      record(`get ${mediation}`);
      options?.signal?.addEventListener('abort', () => record(`abort ${mediation}`));
      return get(options);
    };
  });
  return calls;
}

/**
 * A virtual authenticator on the page: a platform one (resident keys, user verification), or a
 * USB security key with neither, whose answers prove presence only. With automatic presence
 * simulation it answers every request at once, as if the person touched the sensor; turned
 * off, requests wait for a touch that never comes. (A UV-capable authenticator set to
 * `isUserVerified: false` does not answer "not verified": Chromium fails the request.)
 */
async function virtualAuthenticator(page: Page, kind: 'platform' | 'security key' = 'platform') {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: kind === 'platform' ? 'internal' : 'usb',
      hasResidentKey: kind === 'platform',
      hasUserVerification: kind === 'platform',
      isUserVerified: kind === 'platform',
      automaticPresenceSimulation: true,
    },
  });
  return {
    credentials: async () =>
      (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
    presence: (enabled: boolean) =>
      cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled }),
  };
}

/** The normalized text of a locator (the pages wrap their lines). */
async function textOf(locator: ReturnType<Page['locator']>): Promise<string> {
  return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/** Signs up, confirms the address from the dev mailbox; ends on the sign-in page. */
async function signUp(page: Page, email: string) {
  await page.goto('/sign-up');
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL('**/check-mail?for=verify');
  await page.goto('/dev/mailbox');
  const mail = page.locator(`article.mail[data-kind="verify-email"][data-to="${email}"]`).first();
  await mail.locator('a[href*="/verify-email?token="]').click();
  await page.getByRole('button', { name: 'Confirm my address', exact: true }).click();
  await page.waitForURL('**/sign-in?notice=verified');
}

async function signOut(page: Page) {
  await page.locator('header').getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL('**/?notice=signed-out');
}

async function hasSession(page: Page): Promise<boolean> {
  return (await page.context().cookies(base)).some((c) => c.name === SESSION_COOKIE);
}

describe('hono-app passwordless sign-in in Chromium', () => {
  test('add a passkey in the profile, sign in with the button and by autofill, rename and delete it', {
    timeout: 60_000,
  }, async () => {
    const scenarioStart = performance.now();
    const email = 'ada.passkey@example.com';
    const page = await newPage('passkeys');
    const calls = await recordWebAuthn(page);
    const authenticator = await virtualAuthenticator(page);
    await signUp(page, email);

    // The sign-in page starts the autofill request as it loads. The authenticator holds no
    // passkey for this site yet, so Chromium ends it at once; the page says nothing about it.
    await expect.poll(() => calls).toContain('get conditional');
    expect(
      await page.getByLabel('Email or username', { exact: true }).getAttribute('autocomplete'),
    ).toBe('username webauthn');
    await page.getByLabel('Email or username', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/profile');

    // Add a passkey (a fresh session: no password asked), named.
    await expect(page.getByTestId('no-passkeys').isVisible()).resolves.toBe(true);
    await page.getByLabel('Name of the new passkey (optional)').fill('Test laptop');
    await page.getByRole('button', { name: 'Add a passkey', exact: true }).click();
    await page.waitForURL('**/profile?notice=passkey-added');
    const row = page.locator('[data-testid="passkeys"] tr[data-passkey]');
    await expect(row.count()).resolves.toBe(1);
    expect(await textOf(row.locator('[data-role="passkey-name"]'))).toBe('Test laptop');
    expect(await textOf(row.locator('[data-role="passkey-last-used"]'))).toBe('Never');
    // The virtual authenticator's keys are not backed up: bound to this device.
    expect(await textOf(row.locator('[data-role="passkey-synced"]'))).toBe('No, this device only');
    const held = await authenticator.credentials();
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });
    await page.screenshot({ path: '/tmp/hono-app-passkeys-profile.png', fullPage: true });

    // Rename it.
    await row.getByLabel('New name for Test laptop').fill('Work laptop');
    await row.getByRole('button', { name: 'Rename', exact: true }).click();
    await page.waitForURL('**/profile?notice=passkey-renamed');
    expect(await textOf(row.locator('[data-role="passkey-name"]'))).toBe('Work laptop');
    await signOut(page);

    // With presence simulation off, the autofill request waits, like a person who has not
    // picked a passkey (yet). Signing in with the password ends it first.
    await authenticator.presence(false);
    calls.length = 0;
    await page.goto('/sign-in');
    await expect.poll(() => calls).toEqual(['get conditional']);
    await page.getByLabel('Email or username', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/profile');
    expect(calls).toEqual(['get conditional', 'abort conditional']);
    await signOut(page);

    // The button: it ends the waiting autofill request, then asks through the browser's
    // dialog, which the authenticator answers (presence back on).
    calls.length = 0;
    await page.goto('/sign-in?next=%2Fsessions');
    await expect.poll(() => calls).toEqual(['get conditional']);
    await page.screenshot({ path: '/tmp/hono-app-passkeys-sign-in.png', fullPage: true });
    await authenticator.presence(true);
    await page.getByRole('button', { name: 'Sign in with a passkey', exact: true }).click();
    await page.waitForURL('**/sessions');
    expect(calls).toEqual(['get conditional', 'abort conditional', 'get modal']);
    expect(await hasSession(page)).toBe(true);
    await page.goto('/profile');
    expect(await textOf(row.locator('[data-role="passkey-last-used"]'))).not.toBe('Never');
    await signOut(page);

    // Autofill. In a desktop browser the person focuses the username field and picks the
    // passkey from its suggestions; headless Chromium draws no suggestion list to click, but
    // its virtual authenticator with presence simulation answers a conditional request itself,
    // as that pick would (checked against Chromium 156). So the request the page starts as it
    // loads signs in alone: no button, no modal request.
    calls.length = 0;
    await page.goto('/sign-in');
    await page.waitForURL('**/profile');
    expect(calls).toEqual(['get conditional']);
    expect(await hasSession(page)).toBe(true);

    // Delete it (a fresh session: no password asked).
    await row.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.waitForURL('**/profile?notice=passkey-removed');
    await expect(page.getByTestId('no-passkeys').isVisible()).resolves.toBe(true);
    await signOut(page);

    // Deleted here, still held by the authenticator: the autofill offers it, the server
    // refuses it (PASSKEY_INVALID), and the page says so, signed out.
    await page.goto('/sign-in');
    const refusal = page.locator('[data-role="passkey-sign-in"] [data-role="error"]');
    await refusal.waitFor();
    expect(await textOf(refusal)).toContain('This passkey could not sign you in.');
    expect(await hasSession(page)).toBe(false);

    expect(problems).toEqual([]);
    console.log(`hono-app passkey scenario: ${Math.round(performance.now() - scenarioStart)} ms`);
  });

  test('with TOTP on, a password sign-in answers its second step with a passkey (a security key without user verification)', {
    timeout: 60_000,
  }, async () => {
    const scenarioStart = performance.now();
    const email = 'hedy.factor@example.com';
    const page = await newPage('passkey second factor');
    const calls = await recordWebAuthn(page);
    const securityKey = await virtualAuthenticator(page, 'security key');
    await signUp(page, email);
    await page.getByLabel('Email or username', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/profile');

    // A passkey first (a fresh session: no password asked), then TOTP, as browser.test.ts
    // turns it on: the password, the key, a code from the app, the recovery codes.
    await page.getByLabel('Name of the new passkey (optional)').fill('Security key');
    await page.getByRole('button', { name: 'Add a passkey', exact: true }).click();
    await page.waitForURL('**/profile?notice=passkey-added');
    // Not discoverable: the key cannot offer it unasked, the server names it (allowCredentials).
    expect(await securityKey.credentials()).toMatchObject([
      { isResidentCredential: false, rpId: 'localhost' },
    ]);
    await page.getByRole('link', { name: 'Enable', exact: true }).click();
    await page.waitForURL('**/two-factor/enable');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Continue', exact: true }).click();
    await page.getByTestId('totp-secret').waitFor();
    const secret = (await textOf(page.getByTestId('totp-secret'))).replaceAll(' ', '');
    const step = Math.floor(Date.now() / 30_000);
    const code = await generate({
      secret,
      algorithm: 'sha1',
      digits: 6,
      period: 30,
      epoch: step * 30,
    });
    await page.getByLabel('Code', { exact: true }).fill(code);
    await page.getByRole('button', { name: 'Turn on', exact: true }).click();
    await page.getByRole('link', { name: 'I have saved them' }).click();
    await page.waitForURL('**/profile?notice=two-factor-on');
    await signOut(page);

    // The password, then the second step, which offers the passkey among the methods.
    await page.goto('/sign-in');
    await page.getByLabel('Email or username', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/sign-in/two-factor?next=%2Fprofile');
    const pending = await page.evaluate(
      (key) => JSON.parse(sessionStorage.getItem(key) ?? 'null'),
      CHALLENGE_KEY,
    );
    expect(pending.methods).toEqual(expect.arrayContaining(['totp', 'recovery', 'passkey']));
    const usePasskeyButton = page.getByRole('button', { name: 'Use a passkey', exact: true });
    await expect(usePasskeyButton.isVisible()).resolves.toBe(true);
    expect(await hasSession(page)).toBe(false);

    // The key answers with a touch, without user verification (it has none): presence is
    // enough for a second factor, the password was the first. Remember the device too, as a
    // code can.
    calls.length = 0;
    await page.getByLabel('Remember this device for 30 days').check();
    await usePasskeyButton.click();
    await page.waitForURL('**/profile');
    expect(calls).toEqual(['get modal']);
    expect(await hasSession(page)).toBe(true);
    expect((await page.context().cookies(base)).some((c) => c.name === DEVICE_COOKIE)).toBe(true);
    await expect(
      page.evaluate((key) => sessionStorage.getItem(key), CHALLENGE_KEY),
    ).resolves.toBeNull();
    const row = page.locator('[data-testid="passkeys"] tr[data-passkey]');
    expect(await textOf(row.locator('[data-role="passkey-last-used"]'))).not.toBe('Never');

    expect(problems).toEqual([]);
    console.log(
      `hono-app passkey second-factor scenario: ${Math.round(performance.now() - scenarioStart)} ms`,
    );
  });

  test('email me a link: the mailed link signs in once; the mailed code signs in on the code page', {
    timeout: 60_000,
  }, async () => {
    const scenarioStart = performance.now();
    const email = 'grace.link@example.com';
    const page = await newPage('magic link');
    await signUp(page, email);

    // Ask for a link on the sign-in page; the code page knows the address from this tab, and
    // the address is in no URL.
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByRole('button', { name: 'Email me a link', exact: true }).click();
    await page.waitForURL('**/sign-in/code?next=%2Fprofile');
    expect(page.url()).not.toContain('grace');
    await expect(page.getByLabel('Email', { exact: true }).inputValue()).resolves.toBe(email);

    // Open the mailed link: its page posts the token on a click, then the app opens.
    await page.goto('/dev/mailbox');
    const mail = page.locator(`article.mail[data-kind="magic-link"][data-to="${email}"]`).first();
    const link = (await mail.locator('a[href*="/magic-link?token="]').getAttribute('href')) ?? '';
    expect(link.startsWith(`${base}/magic-link?token=`)).toBe(true);
    await mail.locator('a[href*="/magic-link?token="]').click();
    await page.getByRole('button', { name: 'Sign me in', exact: true }).click();
    await page.waitForURL('**/profile');
    expect(await hasSession(page)).toBe(true);
    await expect(page.locator('dd').first().textContent()).resolves.toContain(email);
    await signOut(page);

    // The link works once.
    await page.goto(link);
    await page.getByRole('button', { name: 'Sign me in', exact: true }).click();
    await page.getByRole('alert').waitFor();
    expect(await hasSession(page)).toBe(false);

    // The code: ask again, read the code in the mailbox in a second tab, type it here. A wrong
    // code is refused first.
    await page.goto('/sign-in');
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByRole('button', { name: 'Email me a link', exact: true }).click();
    await page.waitForURL('**/sign-in/code?next=%2Fprofile');
    const mailbox = await page.context().newPage();
    await mailbox.goto('/dev/mailbox');
    const text = await mailbox
      .locator(`article.mail[data-kind="magic-link"][data-to="${email}"] pre`)
      .first()
      .textContent();
    const code = /^(\d{6})$/m.exec(text ?? '')?.[1] ?? '';
    expect(code).toMatch(/^\d{6}$/);
    await mailbox.close();
    const wrong = code === '000000' ? '111111' : '000000';
    await page.getByLabel('Code', { exact: true }).fill(wrong);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').waitFor();
    expect(await hasSession(page)).toBe(false);
    await page.getByLabel('Code', { exact: true }).fill(code);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/profile');
    expect(await hasSession(page)).toBe(true);
    // Signed in: the tab forgets the address.
    await expect(
      page.evaluate(() => sessionStorage.getItem('portcullis.magic-link-email')),
    ).resolves.toBeNull();

    expect(problems).toEqual([]);
    console.log(
      `hono-app magic-link scenario: ${Math.round(performance.now() - scenarioStart)} ms`,
    );
  });
});
