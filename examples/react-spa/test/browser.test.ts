/**
 * The React app in a real browser: Vite builds it once, and ONE Node http server serves the
 * built files and the notes API (examples/express-api, memory storage) on a loopback port, so
 * page, auth routes and notes share an origin exactly as behind the dev server's proxy. The
 * browser is Debian's Chromium driven by playwright-core and uses http://localhost:<port>, the
 * API's APP_URL (localhost is a secure context: the `__Secure-` refresh cookie works).
 *
 * Expiry without sleeping: the API runs on a clock this file moves forward. The browser's
 * clock stays put, so the client still believes its token is good and learns otherwise from a
 * 401, which is the path that must refresh once for many requests and across tabs.
 *
 * Passkeys use Chromium's virtual authenticator (DevTools protocol, `WebAuthn` domain). Which
 * WebAuthn requests the page makes is recorded by an init script that wraps
 * `navigator.credentials.get`: its mediation (`conditional` for autofill, `modal` for the
 * browser's dialog) and whether its AbortSignal fired.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AuthEventType, silentLogger } from '@portcullis/core';
import { DEFAULT_TOTP_PARAMS, totpCode } from '@portcullis/core/two-factor';
import express from 'express';
import { type Browser, type CDPSession, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApp, type NotesApi } from '../../express-api/src/app.js';

const CHROMIUM = '/usr/bin/chromium';
const SPA_ROOT = fileURLToPath(new URL('..', import.meta.url));
const PASSWORD = 'correct horse battery staple';
const EMAIL = 'ada@example.com';
const REFRESH_COOKIE = '__Secure-portcullis.refresh';
const ACCESS_TOKEN_TTL_SECONDS = 60;
// Chromium reports every 4xx answer to fetch on the console. A 401 is part of the protocol
// (no refresh cookie on a first visit, an access token past its expiry), so those are recorded
// apart and checked to come from the API; any other console error fails the test.
const EXPECTED_401 = 'Failed to load resource: the server responded with a status of 401';
const FAILED_4XX = /^Failed to load resource: the server responded with a status of (4\d\d)/;
/** What the sign-in page says when the API refuses a passkey (`PASSKEY_INVALID`). */
const PASSKEY_REFUSED =
  'That passkey could not be verified (deleted from your account?). Try again.';

let browser: Browser | undefined;
let server: Server | undefined;
let api: NotesApi | undefined;
let outDir: string | undefined;
let base: string;
let startedAt: number;
/** How far the API's clock is ahead of the real one, ms. */
let clockAheadMs = 0;
const events: AuthEventType[] = [];
/** Every answer of the API: `METHOD /path status`, 304 counted as 200. */
const answers: string[] = [];
const problems: string[] = [];
const unauthorized: string[] = [];

beforeAll(async () => {
  startedAt = performance.now();
  // Never skip: a machine without Chromium must fail this suite, not silently pass it.
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium).`,
    );
  }
  outDir = await mkdtemp(join(tmpdir(), 'react-spa-dist-'));
  const dist = outDir;
  const started = await Promise.allSettled([
    buildSpa(dist),
    chromium
      .launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
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

  // Listen first, then build the app: APP_URL must name the port the OS picked.
  const site = express();
  server = createServer(site);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  base = `http://localhost:${(server.address() as AddressInfo).port}`;
  const notesApi = createApp({
    appUrl: base,
    secret: randomBytes(32).toString('base64url'),
    production: false,
    logger: silentLogger,
    devMailLog: () => {},
    accessTokenTtlSeconds: ACCESS_TOKEN_TTL_SECONDS,
    clock: { now: () => Date.now() + clockAheadMs },
    onEvent: (event) => void events.push(event.type),
  });
  api = notesApi;
  site.use('/api', (req, res, next) => {
    // A 304 (the browser revalidating a list by its ETag) is a success like a 200.
    res.on('finish', () => {
      const status = res.statusCode === 304 ? 200 : res.statusCode;
      answers.push(`${req.method} ${req.originalUrl} ${status}`);
    });
    next();
  });
  // The API answers every path it is given (404 for unknown ones): hand it /api only.
  site.use((req, res, next) =>
    req.path.startsWith('/api/') ? notesApi.app(req, res, next) : next(),
  );
  site.use(express.static(dist));
  // Client-side routes (/notes, /verify-email?token=…) load the app's one page.
  site.use((_req, res) => res.sendFile(join(dist, 'index.html')));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await api?.close();
  if (outDir !== undefined) await rm(outDir, { recursive: true, force: true });
  if (startedAt !== undefined) {
    console.log(`react-spa browser test: ${Math.round(performance.now() - startedAt)} ms in all`);
  }
});

/** A production build into `dir`, with Vite's JS API and the app's own vite.config.ts. */
async function buildSpa(dir: string) {
  const buildStart = performance.now();
  // Vitest sets NODE_ENV=test, which Vite would bake into the bundle (React's development
  // build). Nothing else in this file reads NODE_ENV until the build is done.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ root: SPA_ROOT, logLevel: 'warn', build: { outDir: dir, emptyOutDir: true } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  console.log(`react-spa browser test: built in ${Math.round(performance.now() - buildStart)} ms`);
}

/**
 * A tab with its console and script errors recorded. Refusals (4xx other than 401) that a
 * scenario provokes on purpose go to `refusals` as `<status> <url>` when it is given; without
 * it, they fail the test like any other console error.
 */
async function openTab(
  context: Awaited<ReturnType<Browser['newContext']>>,
  name: string,
  refusals?: string[],
) {
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`${name}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const status = FAILED_4XX.exec(message.text())?.[1];
    if (message.text().startsWith(EXPECTED_401)) unauthorized.push(message.location().url);
    else if (status !== undefined && refusals) refusals.push(`${status} ${message.location().url}`);
    else problems.push(`${name}: ${message.text()}`);
  });
  return page;
}

/** A fresh browser (its own cookie jar) with one tab. */
async function newBrowser(name: string, refusals?: string[]): Promise<Page> {
  if (browser === undefined) throw new Error('Chromium did not start (see beforeAll)');
  const context = await browser.newContext({ baseURL: base });
  context.setDefaultTimeout(15_000);
  return openTab(context, name, refusals);
}

/**
 * Records every `navigator.credentials.get` of the page: `get conditional` (autofill) or
 * `get modal` (the browser's dialog), and `abort <mediation>` when its AbortSignal fires while
 * it waits. Returns the live list.
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
      let waiting = true;
      // The library aborts its last controller when the next ceremony starts, even when that
      // request has long been answered: only an abort of a waiting request counts.
      options?.signal?.addEventListener('abort', () => {
        if (waiting) record(`abort ${mediation}`);
      });
      const answer = get(options);
      answer.then(
        () => (waiting = false),
        () => (waiting = false),
      );
      return answer;
    };
  });
  return calls;
}

/**
 * Chromium's virtual platform authenticator on the page: resident keys, user verification,
 * and a simulated touch that answers every request at once; with `presence(false)`, requests
 * wait for a touch that never comes, like a person who has not picked a passkey (yet). The
 * passkeys' RP ID is the host of the API's APP_URL, localhost, the page's host.
 */
async function virtualAuthenticator(page: Page) {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
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

async function signIn(page: Page, email = EMAIL) {
  await page.getByLabel('Email or username').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL('**/notes');
  await page.getByTestId('whoami').waitFor();
}

async function signOut(page: Page) {
  await page.locator('header').getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL('**/sign-in');
}

/** The texts of the notes on the page, once it has shown them. */
async function noteTexts(page: Page): Promise<string[]> {
  await page.getByTestId('notes').waitFor();
  return page.getByTestId('notes').locator('li > span').allTextContents();
}

/** Moves the API's clock past the lifetime of every access token issued so far. */
function expireAccessTokens() {
  clockAheadMs += (ACCESS_TOKEN_TTL_SECONDS + 1) * 1000;
}

const count = (answer: string) => answers.filter((a) => a === answer).length;

/** A POST to the auth API, as another client of it would send it; asserts a 2xx. */
async function apiPost(path: string, body: unknown, token?: string) {
  const res = await fetch(`${base}/api/auth${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  expect(res.ok, `${path}: ${res.status}`).toBe(true);
  return res.status === 204 ? undefined : ((await res.json()) as Record<string, string>);
}

/** An account with its address confirmed through the mailed link, made through the API. */
async function registerVerified(email: string) {
  await apiPost('/register', { email, password: PASSWORD });
  const link = api?.devMailer?.messages.findLast((m) => m.to === email)?.text ?? '';
  await apiPost('/email/verify', {
    token: decodeURIComponent(/[?&]token=([^&\s]+)/.exec(link)?.[1] ?? ''),
  });
}

describe('react-spa in Chromium', () => {
  test('sign up, verify, sign in, notes, sign out other devices; one refresh for 5 requests and across tabs; sign-out reaches the other tab', {
    timeout: 45_000,
  }, async () => {
    const scenarioStart = performance.now();
    const a = await newBrowser('browser A');

    // Sign up; the page says to check the mail and links the API's dev mailbox.
    await a.goto('/sign-up');
    await a.getByLabel('Email').fill(EMAIL);
    await a.getByLabel('Password').fill(PASSWORD);
    await a.getByRole('button', { name: 'Create account' }).click();
    await a.waitForURL('**/check-mail');
    await a.getByRole('link', { name: 'dev mailbox' }).click();
    await a.waitForURL('**/dev/mailbox');

    // Follow the mailed link; its page takes the token out of the address bar and waits for
    // a click before it posts it.
    const mail = a.locator(`article.mail[data-kind="verify-email"][data-to="${EMAIL}"]`);
    await mail.locator('a[href*="/verify-email?token="]').click();
    await a.getByRole('button', { name: 'Confirm my address' }).waitFor();
    expect(a.url()).toBe(`${base}/verify-email`);
    await a.getByRole('button', { name: 'Confirm my address' }).click();
    await a.waitForURL('**/sign-in?notice=verified');
    await expect(a.getByRole('status').textContent()).resolves.toContain('address is confirmed');

    // Sign in: the refresh token is an HttpOnly cookie for the refresh path only, and the
    // access token is nowhere a script could find it later.
    await signIn(a);
    const refresh = (await a.context().cookies()).find((c) => c.name === REFRESH_COOKIE);
    expect(refresh).toMatchObject({
      httpOnly: true,
      secure: true,
      sameSite: 'Strict',
      path: '/api/auth/token/refresh',
    });
    const stored = await a.evaluate(() =>
      JSON.stringify([{ ...localStorage }, { ...sessionStorage }, document.cookie]),
    );
    expect(stored).not.toMatch(/eyJ/); // no JWT in web storage or readable cookies

    // Notes through the protected API.
    await a.getByTestId('no-notes').waitFor();
    for (const text of ['buy milk', 'call Bob']) {
      await a.getByLabel('New note').fill(text);
      await a.getByRole('button', { name: 'Add', exact: true }).click();
      await a.getByText(text).waitFor();
    }
    expect(await noteTexts(a)).toEqual(['call Bob', 'buy milk']);
    await a.getByRole('button', { name: 'Delete “buy milk”' }).click();
    await a.getByText('buy milk').waitFor({ state: 'detached' });

    // A reload forgets the access token; the refresh cookie brings the session back.
    await a.reload();
    expect(await noteTexts(a)).toEqual(['call Bob']);
    await expect(a.getByTestId('whoami').textContent()).resolves.toBe(EMAIL);

    // Another device signs in; A sees two sessions and signs the other one out.
    const b = await newBrowser('browser B');
    await b.goto('/sign-in');
    await signIn(b);
    await a.getByRole('link', { name: 'Sessions' }).click();
    await expect.poll(() => a.locator('tr[data-session]').count()).toBe(2);
    await a.getByRole('button', { name: 'Sign out of other devices' }).click();
    await a.getByText('Your other devices are signed out.').waitFor();
    await expect.poll(() => a.locator('tr[data-session]').count()).toBe(1);
    await expect(a.locator('tr[data-session="current"]').count()).resolves.toBe(1);
    // B's access token has not expired, but its session is gone: its next request fails,
    // the refresh fails, and B shows the sign-in page.
    await b.getByRole('button', { name: 'Reload notes' }).click();
    await b.waitForURL('**/sign-in');
    await b.context().close();

    // Five requests at once with an expired token: five 401s, ONE refresh, five retries.
    await a.getByRole('link', { name: 'Notes' }).click();
    expect(await noteTexts(a)).toEqual(['call Bob']);
    expireAccessTokens();
    const before = answers.length;
    await a.getByRole('button', { name: 'Send 5 requests at once' }).click();
    await a.getByTestId('burst').getByText('5 of 5 requests succeeded.').waitFor();
    const burst = answers.slice(before);
    expect(burst.filter((x) => x === 'POST /api/auth/token/refresh 200')).toHaveLength(1);
    expect(burst.filter((x) => x.startsWith('POST /api/auth/token/refresh'))).toHaveLength(1);
    expect(burst.filter((x) => x === 'GET /api/notes 401')).toHaveLength(5);
    expect(burst.filter((x) => x === 'GET /api/notes 200')).toHaveLength(5);

    // Two tabs of one browser, both past expiry, send five requests each at once: refreshes
    // queue behind one Web Lock (and a new token reaches the other tab by BroadcastChannel),
    // so no refresh token is presented twice and neither tab is signed out.
    const a2 = await openTab(a.context(), 'browser A, tab 2');
    await a2.goto('/notes');
    expect(await noteTexts(a2)).toEqual(['call Bob']);
    expireAccessTokens();
    const refreshesBefore = count('POST /api/auth/token/refresh 200');
    const twoTabsStart = answers.length;
    await Promise.all(
      [a, a2].map((tab) => tab.getByRole('button', { name: 'Send 5 requests at once' }).click()),
    );
    // Tab A still shows its first burst's result: wait for the server to have answered all ten.
    const succeeded = () => answers.slice(twoTabsStart).filter((x) => x === 'GET /api/notes 200');
    await expect.poll(() => succeeded().length).toBe(10);
    for (const tab of [a, a2]) {
      await tab.getByTestId('burst').getByText('5 of 5 requests succeeded.').waitFor();
    }
    const twoTabs = answers.slice(twoTabsStart);
    console.log(`react-spa browser test: two tabs past expiry: ${twoTabs.join(', ')}`);
    expect(twoTabs.filter((x) => x.startsWith('POST /api/auth/token/refresh 401'))).toEqual([]);
    expect(count('POST /api/auth/token/refresh 200')).toBeGreaterThan(refreshesBefore);
    expect(events).not.toContain('refresh.reuse_detected');
    for (const tab of [a, a2]) {
      expect(await noteTexts(tab)).toEqual(['call Bob']);
      await expect(tab.getByTestId('whoami').textContent()).resolves.toBe(EMAIL);
      await expect(tab.getByRole('alert').count()).resolves.toBe(0);
    }

    // Sign out in one tab: the other is signed out too, at the latest on its next request.
    await a.getByRole('button', { name: 'Sign out' }).click();
    await a.waitForURL('**/sign-in');
    const reload = a2.getByRole('button', { name: 'Reload notes' });
    if (await reload.isVisible()) await reload.click();
    await a2.waitForURL('**/sign-in');
    await a2.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect((await a.context().cookies()).some((c) => c.name === REFRESH_COOKIE)).toBe(false);

    expect(problems).toEqual([]);
    for (const url of unauthorized) {
      expect(url).toMatch(new RegExp(`^${base}/api/(auth/token/refresh|notes)$`));
    }
    expect(events).not.toContain('refresh.reuse_detected');
    console.log(
      `react-spa browser scenario: ${Math.round(performance.now() - scenarioStart)} ms, ` +
        `${count('POST /api/auth/token/refresh 200')} refreshes, ${unauthorized.length} expected 401s`,
    );
  });

  test('an account with two-factor authentication signs in with a code from the authenticator app', async () => {
    const email = 'grace@example.com';
    const serverNow = () => Date.now() + clockAheadMs;
    // The account and its TOTP through the API, as another client of it would do.
    await registerVerified(email);
    const { accessToken } =
      (await apiPost('/login', { identifier: email, password: PASSWORD })) ?? {};
    const { secret } =
      (await apiPost('/2fa/totp/enroll', { password: PASSWORD }, accessToken)) ?? {};
    const codeAt = (ms: number) => totpCode(secret ?? '', DEFAULT_TOTP_PARAMS, ms);
    await apiPost('/2fa/totp/confirm', { code: await codeAt(serverNow()) }, accessToken);

    // In the browser: the password, then the second step; the next 30-s step's code, since
    // the one just used may not be used again.
    const page = await newBrowser('browser C');
    await page.goto('/sign-in');
    await page.getByLabel('Email or username').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Second step' }).waitFor();
    expect(page.url()).toBe(`${base}/sign-in`); // the challenge is in no URL
    await expect(page.getByLabel('Authenticator app').isChecked()).resolves.toBe(true);
    await page.getByLabel('Code', { exact: true }).fill(await codeAt(serverNow() + 30_000));
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await page.waitForURL('**/notes');
    await expect(page.getByTestId('whoami').textContent()).resolves.toBe(email);
    await page.getByTestId('no-notes').waitFor();
    expect(problems).toEqual([]);
  });

  test('passkeys: add one, sign in with the button and by autofill (which leaving, the button and a password end), answer the second step with it, delete it: then it is refused', {
    timeout: 45_000,
  }, async () => {
    const scenarioStart = performance.now();
    const email = 'hedy@example.com';
    await registerVerified(email);
    const refusals: string[] = [];
    const page = await newBrowser('browser D', refusals);
    const calls = await recordWebAuthn(page);
    const authenticator = await virtualAuthenticator(page);

    // The sign-in page starts an autofill request as it loads, for the username field. The
    // authenticator holds no passkey for this site yet, so Chromium ends it; the page says
    // nothing, and the password signs in.
    await page.goto('/sign-in');
    await expect.poll(() => calls).toContain('get conditional');
    await expect(page.getByLabel('Email or username').getAttribute('autocomplete')).resolves.toBe(
      'username webauthn',
    );
    await signIn(page, email);

    // Add one, named, from the sessions page (a fresh session: no password asked).
    await page.getByRole('link', { name: 'Sessions' }).click();
    await page.getByTestId('no-passkeys').waitFor();
    await page.getByLabel('Passkey name (optional)').fill('Test laptop');
    await page.getByRole('button', { name: 'Add a passkey', exact: true }).click();
    await page.getByText('Passkey “Test laptop” added').waitFor();
    const row = page.getByTestId('passkeys').locator('tr[data-passkey]');
    await expect(row.count()).resolves.toBe(1);
    await expect(row.locator('td').first().textContent()).resolves.toBe('Test laptop');
    const held = await authenticator.credentials();
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });

    // Sign out with presence off: the autofill request waits. Leaving the page ends it; so does
    // the button, whose dialog the authenticator answers (presence back on): signed in with the
    // same tokens as a password sign-in.
    await authenticator.presence(false);
    calls.length = 0;
    await signOut(page);
    expect((await page.context().cookies()).some((c) => c.name === REFRESH_COOKIE)).toBe(false);
    await expect.poll(() => calls).toEqual(['get conditional']);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL('**/sign-up');
    await expect.poll(() => calls).toEqual(['get conditional', 'abort conditional']);
    await page.locator('header').getByRole('link', { name: 'Sign in' }).click();
    await expect.poll(() => calls).toHaveLength(3);
    await authenticator.presence(true);
    await page.getByRole('button', { name: 'Sign in with a passkey', exact: true }).click();
    await page.waitForURL('**/notes');
    await expect(page.getByTestId('whoami').textContent()).resolves.toBe(email);
    expect(calls).toEqual([
      'get conditional',
      'abort conditional',
      'get conditional',
      'abort conditional',
      'get modal',
    ]);
    expect(count('POST /api/auth/passkeys/login/verify 200')).toBe(1);
    expect((await page.context().cookies()).some((c) => c.name === REFRESH_COOKIE)).toBe(true);
    await page.getByTestId('no-notes').waitFor();
    // The list shows it used.
    await page.getByRole('link', { name: 'Sessions' }).click();
    await expect(row.locator('td').nth(2).textContent()).resolves.not.toBe('never');

    // Autofill. In a desktop browser the person focuses the username field and picks the
    // passkey from its suggestions; headless Chromium draws none to click, but its virtual
    // authenticator with presence simulation answers a conditional request itself, as that
    // pick would. So the request the sign-in page starts after a sign-out signs in alone: no
    // button, no dialog.
    calls.length = 0;
    await page.locator('header').getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/notes');
    await expect(page.getByTestId('whoami').textContent()).resolves.toBe(email);
    expect(calls).toEqual(['get conditional']);
    expect(count('POST /api/auth/passkeys/login/verify 200')).toBe(2);

    // Turn TOTP on (through the API), sign out (presence off) and sign in with the password.
    // A password ends the waiting autofill request before it leaves (the route only looks at
    // what the page had done by then), and a refused one starts it again. The second step
    // offers the passkey too, and it answers without a code.
    const serverNow = () => Date.now() + clockAheadMs;
    const { accessToken } =
      (await apiPost('/login', { identifier: email, password: PASSWORD })) ?? {};
    const { secret } =
      (await apiPost('/2fa/totp/enroll', { password: PASSWORD }, accessToken)) ?? {};
    const code = await totpCode(secret ?? '', DEFAULT_TOTP_PARAMS, serverNow());
    await apiPost('/2fa/totp/confirm', { code }, accessToken);
    await authenticator.presence(false);
    calls.length = 0;
    await signOut(page);
    await expect.poll(() => calls).toEqual(['get conditional']);
    const atLogin: string[][] = [];
    await page.route('**/api/auth/login', (route) => {
      atLogin.push([...calls]);
      return route.continue();
    });
    await page.getByLabel('Email or username').fill(email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText('Email or password is incorrect.').waitFor();
    await expect
      .poll(() => calls)
      .toEqual(['get conditional', 'abort conditional', 'get conditional']);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Second step' }).waitFor();
    await page.unroute('**/api/auth/login');
    expect(atLogin).toEqual([
      ['get conditional', 'abort conditional'],
      ['get conditional', 'abort conditional', 'get conditional', 'abort conditional'],
    ]);
    calls.length = 0;
    await authenticator.presence(true);
    await page.getByLabel('A passkey').check();
    await expect(page.getByLabel('Code', { exact: true }).count()).resolves.toBe(0);
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await page.waitForURL('**/notes');
    await expect(page.getByTestId('whoami').textContent()).resolves.toBe(email);
    expect(calls).toEqual(['get modal']);

    // Delete it (a session this fresh needs no password). The authenticator still holds it:
    // after a sign-out the button offers it and the API refuses it; the failed sign-in starts
    // the autofill request again, which the authenticator answers at once, refused alike.
    await page.getByRole('link', { name: 'Sessions' }).click();
    await page.getByRole('button', { name: 'Delete “Test laptop”', exact: true }).click();
    await page.getByText('Passkey “Test laptop” deleted').waitFor();
    await page.getByTestId('no-passkeys').waitFor();
    await authenticator.presence(false);
    calls.length = 0;
    await signOut(page);
    await expect.poll(() => calls).toEqual(['get conditional']);
    await authenticator.presence(true);
    await page.getByRole('button', { name: 'Sign in with a passkey', exact: true }).click();
    await expect.poll(() => count('POST /api/auth/passkeys/login/verify 400')).toBe(2);
    await expect(page.getByRole('alert').textContent()).resolves.toBe(PASSKEY_REFUSED);
    expect(calls).toEqual(['get conditional', 'abort conditional', 'get modal', 'get conditional']);
    expect(page.url()).toBe(`${base}/sign-in`);
    expect((await page.context().cookies()).some((c) => c.name === REFRESH_COOKIE)).toBe(false);
    const verifyUrl = `${base}/api/auth/passkeys/login/verify`;
    expect(refusals).toEqual([`400 ${verifyUrl}`, `400 ${verifyUrl}`]);
    expect(problems).toEqual([]);
    console.log(`react-spa passkey scenario: ${Math.round(performance.now() - scenarioStart)} ms`);
  });

  test('deleting a passkey on a session older than 10 minutes asks for the password first', async () => {
    const email = 'lise@example.com';
    await registerVerified(email);
    const refusals: string[] = [];
    const page = await newBrowser('browser E', refusals);
    const authenticator = await virtualAuthenticator(page);
    await page.goto('/sign-in');
    await signIn(page, email);
    await page.getByRole('link', { name: 'Sessions' }).click();
    await page.getByLabel('Passkey name (optional)').fill('Old phone');
    await page.getByRole('button', { name: 'Add a passkey', exact: true }).click();
    await page.getByText('Passkey “Old phone” added').waitFor();

    // Eleven minutes later on the API's clock: REAUTH_REQUIRED, so the page asks for the
    // password; a wrong one is refused, the right one deletes the passkey.
    clockAheadMs += 11 * 60_000;
    await page.getByRole('button', { name: 'Delete “Old phone”', exact: true }).click();
    const confirm = page.getByRole('form', { name: 'Delete “Old phone”' });
    await confirm.getByLabel('Password').fill('not the password');
    await confirm.getByRole('button', { name: 'Confirm and delete', exact: true }).click();
    await page.getByText('That password is not right.').waitFor();
    await confirm.getByLabel('Password').fill(PASSWORD);
    await confirm.getByRole('button', { name: 'Confirm and delete', exact: true }).click();
    await page.getByText('Passkey “Old phone” deleted').waitFor();
    await page.getByTestId('no-passkeys').waitFor();
    await expect(confirm.count()).resolves.toBe(0);
    // Gone from the account, not from the device (the browser's to forget).
    expect(await authenticator.credentials()).toHaveLength(1);
    const passkeyUrl = /^403 http:\/\/localhost:\d+\/api\/auth\/passkeys\/[^/]+$/;
    expect(refusals).toEqual([
      expect.stringMatching(passkeyUrl),
      expect.stringMatching(passkeyUrl),
    ]);
    expect(problems).toEqual([]);
  });
});
