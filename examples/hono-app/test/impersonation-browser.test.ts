/**
 * Impersonation in the admin area of the main example, in a real browser (Debian's Chromium
 * through playwright-core), as `admin-browser.test.ts` runs the admin area: the app on
 * 127.0.0.1 on an ephemeral port, browsed at http://localhost:<port> (its APP_URL), storage
 * the app's own `openStorage` on PGlite in memory, one Chromium for the file.
 *
 * An admin signs in as a user from the user's admin page (core's
 * `POST /api/auth/admin/users/:id/impersonate`, which swaps the session cookie), sees the
 * user's profile under a banner on every page, finds the admin area and the sensitive actions
 * closed, stops (core's `POST /api/auth/admin/impersonation/stop`, which puts the admin's own
 * cookie back), and reads both events in the user's audit. The button is not offered where
 * core would refuse (oneself, another admin, a disabled user); a refusal that comes anyway
 * shows as a message.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { type ServerType, serve } from '@hono/node-server';
import { silentLogger } from '@portcullis/core';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApp, type PortcullisExample } from '../src/app.js';
import { when } from '../src/layout.js';
import { type AppStorage, openStorage } from '../src/storage.js';

const CHROMIUM = '/usr/bin/chromium';
const PASSWORD = 'correct horse battery staple';
const ADMIN = 'ada@example.com';
const OTHER_ADMIN = 'grace@example.com';
const USER = 'bob@example.com';
const DISABLED = 'dan@example.com';
const LATE = 'carol@example.com';
/** The session cookie that keeps the admin's own token during an impersonation. */
const ADMIN_COOKIE = '__Host-portcullis.session_admin';

let server: ServerType;
let example: PortcullisExample;
let storage: AppStorage;
let browser: Browser;
let base: string;
const ids = new Map<string, string>();
const problems: string[] = [];

/** A verified account with a password, with `roles`, as the admin script makes them. */
async function account(email: string, options: { roles?: string[]; disabled?: boolean } = {}) {
  await example.auth.register({ email, password: PASSWORD });
  const user = await storage.storage.users.getByEmail(email);
  if (user === undefined) throw new Error(`${email} was not registered`);
  await storage.storage.users.update(user.id, {
    emailVerifiedAt: Date.now(),
    roles: options.roles ?? [],
    disabled: options.disabled ?? false,
    updatedAt: Date.now(),
  });
  ids.set(email, user.id);
}

function idOf(email: string): string {
  const id = ids.get(email);
  if (id === undefined) throw new Error(`no account ${email}`);
  return id;
}

beforeAll(async () => {
  // Never skip: a machine without Chromium must fail this suite, not silently pass it.
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  }
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
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'],
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
  await account(ADMIN, { roles: ['admin'] });
  await account(OTHER_ADMIN, { roles: ['admin'] });
  await account(USER);
  await account(DISABLED, { disabled: true });
  await account(LATE);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await example?.close();
  await storage?.close();
});

/** A page in a fresh browser context (its own cookie jar), with script errors recorded. */
async function newPage(name: string): Promise<{ page: Page; context: BrowserContext }> {
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
  return { page, context };
}

/** The admin, signed in, in a browser of her own. */
async function signedInAdmin(): Promise<{ page: Page; context: BrowserContext }> {
  const opened = await newPage('admin');
  const { page } = opened;
  await page.goto('/sign-in');
  await page.getByLabel('Email or username', { exact: true }).fill(ADMIN);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL('**/profile');
  return opened;
}

/** The normalized text of a locator. */
async function textOf(locator: ReturnType<Page['locator']>): Promise<string> {
  return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/** A POST from the page's own origin with the CSRF header, as the app's scripts send it. */
function post(page: Page, path: string) {
  return page.evaluate(async (path) => {
    const token = /(?:^|; )__Host-portcullis\.csrf=([^;]*)/.exec(document.cookie)?.[1] ?? '';
    const res = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': token },
      body: '{}',
    });
    return { status: res.status, body: await res.json() };
  }, path);
}

/** The admin's page of a user, as the user list links it. */
async function openUser(page: Page, email: string) {
  await page.goto(`/admin/users/${encodeURIComponent(idOf(email))}`);
  await page.getByTestId('admin-user').waitFor();
}

const impersonateButton = (page: Page) =>
  page.getByRole('button', { name: 'Sign in as this user', exact: true });

describe('impersonation in the admin area of hono-app in Chromium', () => {
  test('the button is offered only for users core lets an admin impersonate', {
    timeout: 60_000,
  }, async () => {
    const { page } = await signedInAdmin();
    // Herself, another admin (who holds users:impersonate), a disabled user: no button.
    for (const email of [ADMIN, OTHER_ADMIN, DISABLED]) {
      await openUser(page, email);
      await expect(impersonateButton(page).count(), email).resolves.toBe(0);
    }
    await openUser(page, USER);
    await expect(impersonateButton(page).count()).resolves.toBe(1);
    // No banner for an admin's own session.
    await expect(page.getByTestId('impersonation').count()).resolves.toBe(0);
    expect(problems).toEqual([]);
  });

  test('sign in as a user: their profile under the banner, admin area and sensitive actions closed; stop; both events audited', {
    timeout: 120_000,
  }, async () => {
    const { page, context } = await signedInAdmin();
    const userId = idOf(USER);
    const adminId = idOf(ADMIN);
    await openUser(page, USER);
    await impersonateButton(page).click();
    await page.waitForURL('**/profile');

    // The user's profile, and the banner naming both and the end of the hour.
    await expect(page.locator('main dd').first().textContent()).resolves.toContain(USER);
    const [held] = (await example.auth.sessions.list(userId)).filter(
      (s) => s.impersonatedBy === adminId,
    );
    expect(held).toBeDefined();
    const hour = Date.parse(held?.expiresAt ?? '') - Date.parse(held?.createdAt ?? '');
    expect(hour).toBe(3600 * 1000);
    const banner = page.getByTestId('impersonation');
    expect(await textOf(banner.locator('p').first())).toBe(
      `You are signed in as ${USER} by ${ADMIN} (impersonation, ends at ${when(held?.expiresAt ?? '')}).`,
    );
    // The admin's own token waits in the `_admin` cookie (HttpOnly: no script reads it).
    const jar = await context.cookies();
    expect(jar.find((c) => c.name === ADMIN_COOKIE)).toMatchObject({ httpOnly: true });
    expect(await page.evaluate(() => document.cookie)).not.toContain('session_admin');
    // Neither the Admin link nor a "Sign out" that would quietly end it.
    const header = page.locator('header');
    await expect(header.getByRole('link', { name: 'Admin' }).count()).resolves.toBe(0);
    await expect(header.getByRole('button', { name: 'Sign out' }).count()).resolves.toBe(0);

    // The banner is on every page, the admin pages' 403 included.
    for (const path of ['/sessions', '/password']) {
      await page.goto(path);
      await banner.waitFor();
    }
    for (const path of ['/admin/users', '/admin/audit', `/admin/users/${userId}`]) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(403);
      await page.getByTestId('forbidden').waitFor();
      await banner.waitFor();
    }
    // The routes behind the pages refuse too, with the CSRF header and all: an admin action,
    // and a second impersonation from this one.
    const action = await post(page, `/admin/users/${idOf(LATE)}/disable`);
    expect(action).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    const chained = await post(page, `/api/auth/admin/users/${idOf(LATE)}/impersonate`);
    expect(chained).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    await expect(example.auth.users.get(idOf(LATE))).resolves.toMatchObject({ email: LATE });

    // A password change is refused, with the right current password too; nothing changes.
    const before = (await storage.storage.users.getById(userId))?.passwordHash;
    await page.goto('/password');
    await page.getByLabel('Current password', { exact: true }).fill(PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill('an admin picked this one 2026');
    await page.getByRole('button', { name: 'Change password', exact: true }).click();
    const refusal = page.locator('form[data-api="POST /password/change"] [data-role="error"]');
    await refusal.waitFor();
    expect(await textOf(refusal)).toContain('You do not have permission to do this.');
    expect(new URL(page.url()).pathname).toBe('/password');
    expect((await storage.storage.users.getById(userId))?.passwordHash).toBe(before);

    // Stop: the admin again, on the user's admin page, and the admin area works.
    await banner.getByRole('button', { name: 'Stop', exact: true }).click();
    await page.waitForURL(`**/admin/users/${userId}?notice=admin-impersonation-stopped`);
    expect(await textOf(page.getByRole('status'))).toContain('you are signed in as yourself again');
    await page.getByTestId('admin-user').waitFor();
    await expect(banner.count()).resolves.toBe(0);
    await expect(page.locator('[data-role="impersonation"]').count()).resolves.toBe(0);
    await expect(header.getByRole('link', { name: 'Admin' }).count()).resolves.toBe(1);
    expect((await context.cookies()).map((c) => c.name)).not.toContain(ADMIN_COOKIE);
    await expect(
      example.auth.sessions.list(userId).then((all) => all.filter((s) => s.impersonatedBy)),
    ).resolves.toEqual([]);

    // The user's trail: the start and the stop, each naming the admin.
    await page.getByRole('link', { name: 'Security events of this user' }).click();
    await page.waitForURL(`**/admin/audit?userId=${userId}`);
    const actions = page.locator(`tr[data-type="admin.action"][data-user-id="${userId}"]`);
    const lines = await actions.evaluateAll((rows) =>
      rows.map((row) => (row.textContent ?? '').replace(/\s+/g, ' ')),
    );
    const stop = lines.findIndex((l) => l.includes('impersonation.stop'));
    const start = lines.findIndex((l) => l.includes('impersonation.start'));
    // Newest first: the stop above the start.
    expect(stop).toBeGreaterThanOrEqual(0);
    expect(start).toBeGreaterThan(stop);
    for (const line of [lines[start], lines[stop]]) expect(line).toContain(`by ${ADMIN}`);
    expect(problems).toEqual([]);
  });

  test('a refusal that comes anyway (the user was disabled meanwhile) shows on the page', {
    timeout: 60_000,
  }, async () => {
    const { page, context } = await signedInAdmin();
    await openUser(page, LATE);
    // Disabled in another tab, after this page offered the button.
    await example.auth.admin.users.update({ userId: idOf(ADMIN) }, idOf(LATE), { disabled: true });
    await impersonateButton(page).click();
    const box = page.locator('form[data-api$="/impersonate"] [data-role="error"]');
    await box.waitFor();
    expect(await textOf(box)).toContain('A disabled user cannot be impersonated');
    await page.reload();
    await expect(page.getByTestId('impersonation').count()).resolves.toBe(0);
    await expect(impersonateButton(page).count()).resolves.toBe(0);
    expect((await context.cookies()).map((c) => c.name)).not.toContain(ADMIN_COOKIE);
    expect(problems).toEqual([]);
  });
});
