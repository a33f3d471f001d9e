/**
 * The app's own user fields (issue 19: `bio` and `profilePicture`, `src/user-fields.ts`) in
 * Debian's Chromium, driven by playwright-core as in `browser.test.ts`: sign up with a bio, see
 * it on the profile (escaped, trimmed), set a picture and see it load (its origin allowed by
 * the profile's CSP alone, no Referer sent), have `javascript:` and `data:` URLs refused naming
 * the field with nothing stored, see both fields on the admin's user page as text, and clear
 * them. Without the browser: the schemas' refusals through the typed API, and the served
 * OpenAPI document. Storage is the app's own `openStorage` on PGlite in memory (the fields
 * live in the users' JSON metadata); the picture comes from a small image server of this file
 * on another port, so it is a cross-origin image as a real one would be.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { ADMIN_ROLE, isAuthError, silentLogger } from '@portcullis/core';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { createApp, type PortcullisExample } from '../src/app.js';
import { type AppStorage, openStorage } from '../src/storage.js';

const CHROMIUM = '/usr/bin/chromium';
const PASSWORD = 'correct horse battery staple';
const EMAIL = 'grace@example.com';
/** Typed with a tag, runs of spaces and spaces around it: stored trimmed, shown as text. */
const BIO_TYPED = '  I <b>build</b> compilers &   debuggers.  ';
const BIO = 'I <b>build</b> compilers &   debuggers.';
/** A 1×1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=',
  'base64',
);

let server: ServerType;
let images: Server;
let example: PortcullisExample;
let storage: AppStorage;
let browser: Browser;
let base: string;
let pictureUrl: string;
/** The headers of every request the image server got. */
const imageRequests: IncomingHttpHeaders[] = [];
/** Script errors, CSP refusals and dialogs (a `javascript:` URL that ran would open one). */
const problems: string[] = [];

beforeAll(async () => {
  // Never skip: a machine without Chromium must fail this suite, not silently pass it.
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  }
  images = createServer((request, response) => {
    imageRequests.push(request.headers);
    response.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG.length });
    response.end(PNG);
  });
  const imagePort = await new Promise<number>((resolve) =>
    images.listen(0, '127.0.0.1', () => resolve((images.address() as AddressInfo).port)),
  );
  pictureUrl = `http://localhost:${imagePort}/grace.png`;
  // Listen first, then build the app: APP_URL must name the port the OS picked.
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
  await new Promise<void>((resolve) => (images ? images.close(() => resolve()) : resolve()));
  await example?.close();
  await storage?.close();
});

/** A page in a fresh browser context, with script errors, CSP refusals and dialogs recorded. */
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
  page.on('dialog', (dialog) => {
    problems.push(`${name}: a dialog opened: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return page;
}

/** The text of a locator as the page has it (whitespace kept: the bio keeps its spaces). */
async function rawText(locator: ReturnType<Page['locator']>): Promise<string> {
  return (await locator.textContent()) ?? '';
}

/** The `img-src` directive of a page's Content-Security-Policy. */
async function imgSrcOf(page: Page, path: string): Promise<string | undefined> {
  const response = await page.request.get(path);
  const policy = response.headers()['content-security-policy'] ?? '';
  return policy
    .split(';')
    .find((d) => d.trim().startsWith('img-src'))
    ?.trim();
}

/** The id of the signed-in user of `page` (`GET /api/me`, which returns the public user). */
async function signedInUser(page: Page): Promise<Record<string, unknown>> {
  const response = await page.request.get('/api/me');
  expect(response.status()).toBe(200);
  return ((await response.json()) as { user: Record<string, unknown> }).user;
}

describe('the profile fields in the browser', () => {
  let page: Page;
  let userId: string;
  const profileForm = () => page.locator('form[data-api="PATCH /user"]');
  const save = async () => {
    await profileForm().getByRole('button', { name: 'Save profile', exact: true }).click();
  };

  beforeAll(async () => {
    page = await newPage('grace');
  });

  test('sign up with a bio, confirm, sign in: the profile shows it trimmed, as text', async () => {
    await page.goto('/sign-up');
    await page.getByLabel('Email', { exact: true }).fill(EMAIL);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('About you (optional)', { exact: true }).fill(BIO_TYPED);
    await page.getByRole('button', { name: 'Create account', exact: true }).click();
    await page.waitForURL('**/check-mail?for=verify');
    await page.goto('/dev/mailbox');
    await page
      .locator(`article.mail[data-kind="verify-email"][data-to="${EMAIL}"]`)
      .first()
      .locator('a[href*="/verify-email?token="]')
      .click();
    await page.getByRole('button', { name: 'Confirm my address', exact: true }).click();
    await page.waitForURL('**/sign-in?notice=verified');
    await page.getByLabel('Email or username', { exact: true }).fill(EMAIL);
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL('**/profile');

    const bio = page.getByTestId('profile-bio');
    // Trimmed at both ends, the inner run of spaces kept, and shown by CSS as typed.
    expect(await rawText(bio)).toBe(BIO);
    expect(await bio.evaluate((el) => getComputedStyle(el).whiteSpace)).toBe('pre-wrap');
    // The tag is text: no element was made of it.
    expect(await bio.locator('b').count()).toBe(0);
    expect(await page.getByLabel('About you', { exact: true }).inputValue()).toBe(BIO);
    // No picture yet: no image, and the CSP keeps its default.
    expect(await page.getByTestId('profile-picture').count()).toBe(0);
    expect(await imgSrcOf(page, '/profile')).toBe("img-src 'self' data:");
    const user = await signedInUser(page);
    userId = user.id as string;
    expect(user).toMatchObject({ bio: BIO, profilePicture: null });
  });

  test('a picture URL shows as an image that loads, with no Referer; only the profile allows its origin', async () => {
    await page.getByLabel('Picture URL', { exact: true }).fill(pictureUrl);
    await save();
    await page.waitForURL('**/profile?notice=profile-saved');
    const img = page.getByTestId('profile-picture');
    expect(await img.getAttribute('src')).toBe(pictureUrl);
    expect(await img.getAttribute('referrerpolicy')).toBe('no-referrer');
    expect(await img.getAttribute('alt')).toBe('Your profile picture');
    expect(await img.getAttribute('width')).toBe('96');
    await page.waitForFunction(() => {
      const el = document.querySelector<HTMLImageElement>('img[data-testid="profile-picture"]');
      return el?.complete === true && el.naturalWidth > 0;
    });
    expect(imageRequests.length).toBeGreaterThan(0);
    for (const headers of imageRequests) expect(headers.referer).toBeUndefined();
    const origin = new URL(pictureUrl).origin;
    expect(await imgSrcOf(page, '/profile')).toBe(`img-src 'self' data: ${origin}`);
    // Every other page keeps `'self' data:`, the admin's user page included (further below).
    expect(await imgSrcOf(page, '/sessions')).toBe("img-src 'self' data:");
    expect(await imgSrcOf(page, '/')).toBe("img-src 'self' data:");
    expect(await page.getByLabel('Picture URL', { exact: true }).inputValue()).toBe(pictureUrl);
    expect(problems).toEqual([]);
  });

  for (const hostile of [
    'javascript:alert(1)',
    'data:image/svg+xml,<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
  ]) {
    test(`${hostile.slice(0, 16)}… is refused on the form, naming the field; nothing is stored`, async () => {
      await page.goto('/profile');
      await page.getByLabel('Picture URL', { exact: true }).fill(hostile);
      // Changed in the same request: refused with it, not saved half.
      await page.getByLabel('About you', { exact: true }).fill('Not saved');
      await save();
      const error = profileForm().locator('[data-role="error"]');
      await error.waitFor();
      const message = await rawText(error);
      expect(message).toContain('profilePicture');
      expect(message).toContain('https://');
      expect(
        await page.getByLabel('Picture URL', { exact: true }).getAttribute('aria-invalid'),
      ).toBe('true');
      expect(await page.getByLabel('About you', { exact: true }).getAttribute('aria-invalid')).toBe(
        null,
      );
      // Still on the form: no error page, no navigation.
      expect(new URL(page.url()).pathname).toBe('/profile');
      expect(await example.auth.users.get(userId)).toMatchObject({
        bio: BIO,
        profilePicture: pictureUrl,
      });
      await page.reload();
      expect(await page.getByTestId('profile-picture').getAttribute('src')).toBe(pictureUrl);
      expect(await rawText(page.getByTestId('profile-bio'))).toBe(BIO);
      expect(problems).toEqual([]);
    });
  }

  test("the admin's user page shows the bio and the picture's address as text, never the image", async () => {
    // The role straight in the store (as the admin CLI would): read again at the next request.
    const updated = await storage.storage.users.update(userId, {
      roles: [ADMIN_ROLE],
      updatedAt: Date.now(),
    });
    expect(updated).toBe('updated');
    const loads = imageRequests.length;
    await page.goto(`/admin/users/${userId}`);
    expect(await rawText(page.getByTestId('admin-user-bio'))).toBe(BIO);
    const link = page.getByTestId('admin-user-picture').getByRole('link');
    expect(await link.getAttribute('href')).toBe(pictureUrl);
    expect(await link.textContent()).toBe(pictureUrl);
    expect(await link.getAttribute('rel')).toContain('noreferrer');
    expect(await page.locator('img').count()).toBe(0);
    expect(await imgSrcOf(page, `/admin/users/${userId}`)).toBe("img-src 'self' data:");
    expect(imageRequests.length).toBe(loads);
    await storage.storage.users.update(userId, { roles: [], updatedAt: Date.now() });
  });

  test('an empty bio box clears the bio, an empty URL the picture (null)', async () => {
    await page.goto('/profile');
    await page.getByLabel('About you', { exact: true }).fill('');
    await save();
    await page.waitForURL('**/profile?notice=profile-saved');
    expect(await rawText(page.getByTestId('profile-bio'))).toBe('—');
    expect(await page.getByTestId('profile-picture').getAttribute('src')).toBe(pictureUrl);
    expect(await example.auth.users.get(userId)).toMatchObject({
      bio: null,
      profilePicture: pictureUrl,
    });

    // From /profile again, so that the next page load is a navigation to wait for.
    await page.goto('/profile');
    await page.getByLabel('Picture URL', { exact: true }).fill('');
    await save();
    await page.waitForURL('**/profile?notice=profile-saved');
    expect(await page.getByTestId('profile-picture').count()).toBe(0);
    expect(await imgSrcOf(page, '/profile')).toBe("img-src 'self' data:");
    expect(await signedInUser(page)).toMatchObject({ bio: null, profilePicture: null });
    expect(problems).toEqual([]);
  });
});

describe('the schemas, through the typed API', () => {
  let userId: string;

  beforeAll(async () => {
    const result = await example.auth.register({
      email: 'linus@example.com',
      password: PASSWORD,
      bio: 'Kernel person.',
    });
    expect(result).toMatchObject({ status: 'verification_sent' });
    // Registration stores the account after its answer (docs/register.md): wait for the row.
    const user = await vi.waitFor(
      async () => {
        const found = await storage.storage.users.getByEmail('linus@example.com');
        if (found === undefined) throw new Error('not stored yet');
        return found;
      },
      { timeout: 10_000, interval: 10 },
    );
    userId = user.id;
  });

  /** The `VALIDATION_FAILED` details' paths of a refused call. */
  async function refusedPaths(call: Promise<unknown>): Promise<string[]> {
    const error = await call.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!isAuthError(error)) throw new Error(`expected a refusal, got ${String(error)}`);
    expect(error.code).toBe('VALIDATION_FAILED');
    return (error.details ?? []).map((d) => d.path);
  }

  test('registration stored the bio; the picture cannot be set at registration', async () => {
    expect(await example.auth.users.get(userId)).toMatchObject({
      bio: 'Kernel person.',
      profilePicture: null,
    });
    const input = {
      email: 'ken@example.com',
      password: PASSWORD,
      profilePicture: 'https://images.example.com/ken.png',
    } as Parameters<PortcullisExample['auth']['register']>[0];
    expect(await refusedPaths(example.auth.register(input))).toEqual(['profilePicture']);
  });

  test.each([
    ['javascript:', 'javascript:alert(1)'],
    ['JavaScript: in capitals', 'JavaScript:alert(1)'],
    ['a leading space', ' javascript:alert(1)'],
    ['data:', 'data:image/png;base64,iVBORw0KGgo='],
    ['vbscript:', 'vbscript:msgbox(1)'],
    ['file:', 'file:///etc/passwd'],
    ['a relative URL', '//images.example.com/a.png'],
    ['credentials in the URL', 'https://user:secret@images.example.com/a.png'],
    ['an IP address', 'https://192.0.2.1/a.png'],
    ['a space', 'https://images.example.com/a b.png'],
    ['a port above 65535', 'https://images.example.com:65536/a.png'],
    ['2049 characters', `https://images.example.com/${'a'.repeat(2049 - 27)}`],
    ['a number', 42],
  ])('profilePicture: %s is refused naming the field, nothing stored', async (_, value) => {
    const patch = { profilePicture: value } as { profilePicture: string };
    expect(await refusedPaths(example.auth.users.update(userId, patch))).toEqual([
      'profilePicture',
    ]);
    expect((await example.auth.users.get(userId)).profilePicture).toBeNull();
  });

  test.each([
    ['501 characters', 'a'.repeat(501)],
    ['a line break', 'one\ntwo'],
    ['a tab', 'one\ttwo'],
    ['a NUL', 'one\u0000two'],
    ['a C1 control', 'one\u0085two'],
    ['a lone surrogate', 'one\uD800two'],
    ['a number', 42],
  ])('bio: %s is refused naming the field, nothing stored', async (_, value) => {
    const patch = { bio: value } as { bio: string };
    expect(await refusedPaths(example.auth.users.update(userId, patch))).toEqual(['bio']);
    expect((await example.auth.users.get(userId)).bio).toBe('Kernel person.');
  });

  test('accepted: an https URL with a query, an http one with a port, 500 characters of bio, spaces only (cleared)', async () => {
    const github = 'https://avatars.githubusercontent.com/u/1024025?v=4';
    expect(await example.auth.users.update(userId, { profilePicture: github })).toMatchObject({
      profilePicture: github,
    });
    const local = 'http://localhost:8080/me.png';
    expect(await example.auth.users.update(userId, { profilePicture: local })).toMatchObject({
      profilePicture: local,
    });
    const long = `${'é'.repeat(499)}!`;
    expect((await example.auth.users.update(userId, { bio: long })).bio).toBe(long);
    expect((await example.auth.users.update(userId, { bio: '   ' })).bio).toBeNull();
  });

  test('the served OpenAPI document describes both fields where each may be sent', async () => {
    const response = await example.app.request(`${base}/api/auth/openapi.json`);
    expect(response.status).toBe(200);
    const { components } = (await response.json()) as {
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    const { schemas } = components;
    expect(Object.keys(schemas.RegisterRequest?.properties ?? {})).toContain('bio');
    expect(Object.keys(schemas.RegisterRequest?.properties ?? {})).not.toContain('profilePicture');
    expect(schemas.UpdateProfileRequest?.properties).toMatchObject({
      bio: { anyOf: [{ type: 'string', maxLength: 500 }, { type: 'null' }] },
      profilePicture: {
        anyOf: [{ type: 'string', maxLength: 2048, pattern: expect.any(String) }, { type: 'null' }],
      },
    });
    expect(Object.keys(schemas.User?.properties ?? {})).toEqual(
      expect.arrayContaining(['bio', 'profilePicture']),
    );
  });
});
