/**
 * The admin area of the main example in a real browser (Debian's Chromium through
 * playwright-core), as `browser.test.ts` runs it: the app on 127.0.0.1 on an ephemeral port,
 * browsed at http://localhost:<port> (its APP_URL), one Chromium for the file.
 *
 * The accounts come from the README's way to the first admin: the example's `admin` script
 * (`src/admin-cli.ts`, the `portcullis-postgres` users commands) on a PGlite directory of the
 * test's own, before the app opens it (`openStorage({ pgliteDir })`, as `pnpm start` does).
 * Then an admin, in one browser context, finds a regular user signed in in another, disables
 * them (their session dies, their sign-in is refused), reads the audit, enables them again,
 * grants and takes back the admin role, and deletes a third user; the refusals (403 for a
 * non-admin, the self-lockout rules, a POST without the CSRF header) show as messages.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import { silentLogger } from '@portcullis/core';
import { FIRST_GENERATION } from '@portcullis/core/storage';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runAdminScript } from '../src/admin-cli.js';
import { createApp, type PortcullisExample } from '../src/app.js';
import { USERS_PER_PAGE } from '../src/pages-admin.js';
import { type AppStorage, openStorage } from '../src/storage.js';

const CHROMIUM = '/usr/bin/chromium';
const PASSWORD = 'correct horse battery staple';
const ADMIN = 'ada@example.com';
const USER = 'bob@example.com';

let server: ServerType;
let example: PortcullisExample;
let storage: AppStorage;
let browser: Browser;
let base: string;
let port: number;
let dataDir: string;
const problems: string[] = [];
/** What each run of the admin script printed, by command. */
const script: { argv: string[]; code: number; out: string[]; err: string[] }[] = [];

/** The example's `admin` script on the test's PGlite directory; `stdin` for --password-stdin. */
async function admin(argv: string[], options: { stdin?: string; port?: number } = {}) {
  const run = { argv, code: -1, out: [] as string[], err: [] as string[] };
  run.code = await runAdminScript(
    argv,
    {
      out: (line) => run.out.push(line),
      err: (line) => run.err.push(line),
      env: {},
      stdin: async () => options.stdin ?? '',
    },
    { pgliteDir: dataDir, host: '127.0.0.1', port: options.port ?? 0 },
  );
  script.push(run);
  return run;
}

beforeAll(async () => {
  // Never skip: a machine without Chromium must fail this suite, not silently pass it.
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  }
  const startedAt = performance.now();
  dataDir = mkdtempSync(join(tmpdir(), 'hono-app-admin-'));
  const accounts = async () => {
    // Two verified accounts with a password, then the first admin, as the README says.
    for (const email of [ADMIN, USER]) {
      await admin(['create', email, '--password-stdin', '--verified'], { stdin: `${PASSWORD}\n` });
    }
    await admin(['grant-role', ADMIN, 'admin']);
    const scripted = performance.now();
    storage = await openStorage({ pgliteDir: dataDir });
    console.log(
      `hono-app admin test: admin script ${Math.round(scripted - startedAt)} ms (3 runs), ` +
        `app storage ${Math.round(performance.now() - scripted)} ms`,
    );
  };
  const started = await Promise.allSettled([
    accounts(),
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
  let fetchApp: PortcullisExample['app']['fetch'] | undefined;
  port = await new Promise<number>((resolve) => {
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
  example = createApp({
    storage: storage.storage,
    appUrl: base,
    secret: randomBytes(32).toString('base64url'),
    production: false,
    logger: silentLogger,
  });
  fetchApp = example.app.fetch;
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await example?.close();
  await storage?.close();
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
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

async function signIn(page: Page, email: string) {
  await page.goto('/sign-in');
  await page.getByLabel('Email or username', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** The normalized text of a locator. */
async function textOf(locator: ReturnType<Page['locator']>): Promise<string> {
  return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/** A POST of an admin action from the page's own origin, as its script sends it. */
function postAction(page: Page, path: string, options: { csrf: boolean }) {
  return page.evaluate(
    async ({ path, csrf }) => {
      const token = /(?:^|; )__Host-portcullis\.csrf=([^;]*)/.exec(document.cookie)?.[1];
      const res = await fetch(path, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(csrf && token !== undefined ? { 'x-csrf-token': token } : {}),
        },
        body: '{}',
      });
      return { status: res.status, body: await res.json() };
    },
    { path, csrf: options.csrf },
  );
}

/** The admin opens a user's page from the search. */
async function openUser(page: Page, search: string, email: string) {
  await page.goto('/admin/users');
  await page.getByLabel('Search', { exact: true }).fill(search);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  // The GET form sends its empty filters too: `?query=…&role=&disabled=`.
  await page.waitForURL(
    (url) => url.pathname === '/admin/users' && url.searchParams.get('query') === search,
  );
  await page.locator(`tr[data-user="${email}"]`).getByRole('link', { name: email }).click();
  await page.getByTestId('admin-user').waitFor();
}

/** Clicks an action's button and waits for the page that the action's notice names. */
async function act(page: Page, button: string, notice: string) {
  await page.getByRole('button', { name: button, exact: true }).click();
  await page.waitForURL(`**/admin/users/*?notice=${notice}`);
}

describe('the admin area of hono-app in Chromium', () => {
  test('the admin script made the first admin, and refuses while the app holds its port', async () => {
    expect(script.map((r) => [r.argv[0], r.code, r.err])).toEqual([
      ['create', 0, []],
      ['create', 0, []],
      ['grant-role', 0, []],
    ]);
    const profile = await example.auth.admin.users.list(
      { userId: (await storage.storage.users.getByEmail(ADMIN))?.id ?? '' },
      { query: 'ada' },
    );
    expect(profile.users.map((u) => [u.email, u.roles, u.emailVerified])).toEqual([
      [ADMIN, ['admin'], true],
    ]);
    // PGlite's files take one process: with the app on its port, the script stops at once.
    const refused = await admin(['list'], { port });
    expect(refused.code).toBe(1);
    expect(refused.err.join(' ')).toContain(`Port ${port} is in use`);
    const usage = await admin(['grant-role', ADMIN]);
    expect(usage.code).toBe(2);
  });

  test('anonymous visitors sign in first; a non-admin gets 403 pages and 403 actions', {
    timeout: 60_000,
  }, async () => {
    const anonymous = await newPage('anonymous');
    await anonymous.goto('/admin/users');
    await anonymous.waitForURL('**/sign-in?next=%2Fadmin%2Fusers');

    const user = await newPage('user');
    await signIn(user, USER);
    await user.waitForURL('**/profile');
    await expect(user.locator('header').getByRole('link', { name: 'Admin' }).count()).resolves.toBe(
      0,
    );
    for (const path of ['/admin/users', '/admin/audit', '/admin']) {
      const response = await user.goto(path);
      expect(response?.status()).toBe(403);
      await user.getByTestId('forbidden').waitFor();
    }
    // The routes of the actions refuse them too, with the CSRF header and all.
    const adminId = (await storage.storage.users.getByEmail(ADMIN))?.id ?? '';
    const forbidden = await postAction(user, `/admin/users/${adminId}/disable`, { csrf: true });
    expect(forbidden).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect(problems).toEqual([]);
  });

  test('find a user, disable them (their session dies, sign-in refused), read the audit, enable them', {
    timeout: 120_000,
  }, async () => {
    const user = await newPage('user');
    await signIn(user, USER);
    await user.waitForURL('**/profile');

    const ada = await newPage('admin');
    await signIn(ada, ADMIN);
    await ada.waitForURL('**/profile');
    await ada.locator('header').getByRole('link', { name: 'Admin' }).click();
    await ada.waitForURL('**/admin/users');
    await openUser(ada, 'bo', USER);
    expect(await textOf(ada.getByTestId('admin-user-status'))).toBe('Enabled');
    // Signed in here, and in the test before.
    expect(await ada.getByTestId('admin-sessions').locator('tbody tr').count()).toBeGreaterThan(0);

    // A forged POST (no CSRF header) from the admin's own browser changes nothing.
    const userId = new URL(ada.url()).pathname.split('/').at(-1) as string;
    const forged = await postAction(ada, `/admin/users/${userId}/disable`, { csrf: false });
    expect(forged).toMatchObject({ status: 403, body: { error: { code: 'CSRF_FAILED' } } });

    await act(ada, 'Disable', 'admin-user-disabled');
    expect(await textOf(ada.getByRole('status'))).toContain('The user is disabled');
    expect(await textOf(ada.getByTestId('admin-user-status'))).toContain('Disabled');
    await ada.getByTestId('admin-no-sessions').waitFor();

    // The user's next page load is signed out, and signing in again is refused.
    await user.goto('/profile');
    await user.waitForURL('**/sign-in?next=%2Fprofile');
    await signIn(user, USER);
    await expect(user.getByRole('alert').textContent()).resolves.toContain('disabled');
    expect(new URL(user.url()).pathname).toBe('/sign-in');

    // The audit lists the disabling: the admin's action, and the sessions it ended.
    await ada.getByRole('link', { name: 'Security events', exact: true }).click();
    await ada.waitForURL('**/admin/audit');
    const ended = ada.locator(`tr[data-type="session.revoked_all"][data-user-id="${userId}"]`);
    expect(await textOf(ended.first())).toContain('reason: disabled');
    await ada.getByLabel('Type', { exact: true }).fill('admin.action');
    await ada.getByRole('button', { name: 'Filter', exact: true }).click();
    await ada.waitForURL('**/admin/audit?type=admin.action');
    const action = ada.locator(`tr[data-type="admin.action"][data-user-id="${userId}"]`).first();
    const line = await textOf(action);
    expect(line).toContain(USER);
    expect(line).toContain('user.updated');
    expect(line).toContain('changed disabled');
    expect(line).toContain(`by ${ADMIN}`);
    await expect(
      ada.locator('tr[data-type]:not([data-type="admin.action"])').count(),
    ).resolves.toBe(0);
    // A type that is none: the refusal as a message, not a 500.
    const bad = await ada.goto('/admin/audit?type=Not%20a%20type');
    expect(bad?.status()).toBe(400);
    expect(await textOf(ada.getByTestId('admin-error'))).toContain('type must be an event type');

    // Enable: the user signs in again.
    await openUser(ada, USER, USER);
    await act(ada, 'Enable', 'admin-user-enabled');
    expect(await textOf(ada.getByTestId('admin-user-status'))).toBe('Enabled');
    await signIn(user, USER);
    await user.waitForURL('**/profile');
    expect(problems).toEqual([]);
  });

  test('the self-lockout rules as messages; grant and take back the admin role; delete a user after a confirmation', {
    timeout: 120_000,
  }, async () => {
    const ada = await newPage('admin');
    await signIn(ada, ADMIN);
    await ada.waitForURL('**/profile');

    // Her own page: disabling herself or dropping her own admin role is refused, on the page.
    await openUser(ada, 'ADA', ADMIN);
    await ada.getByRole('button', { name: 'Disable', exact: true }).click();
    const disableForm = ada.locator('form[data-admin$="/disable"]');
    await disableForm.locator('[data-role="error"]').waitFor();
    expect(await textOf(disableForm.locator('[data-role="error"]'))).toContain(
      'You cannot disable yourself',
    );
    await ada.getByRole('button', { name: 'Revoke the admin role', exact: true }).click();
    const revokeForm = ada.locator('form[data-admin$="/roles/revoke"]');
    await revokeForm.locator('[data-role="error"]').waitFor();
    expect(await textOf(revokeForm.locator('[data-role="error"]'))).toContain(
      'You cannot take away your own admin role',
    );
    await ada.reload();
    expect(await textOf(ada.getByTestId('admin-user-status'))).toBe('Enabled');
    expect(await textOf(ada.getByTestId('admin-user-roles'))).toBe('admin');

    // Roles are read again on every request: the user's next page load has the admin area.
    const user = await newPage('user');
    await signIn(user, USER);
    await user.waitForURL('**/profile');
    await openUser(ada, USER, USER);
    await act(ada, 'Grant the admin role', 'admin-role-granted');
    expect(await textOf(ada.getByTestId('admin-user-roles'))).toBe('admin');
    await user.reload();
    await user.locator('header').getByRole('link', { name: 'Admin' }).click();
    await user.waitForURL('**/admin/users');
    await act(ada, 'Revoke the admin role', 'admin-role-revoked');
    expect(await textOf(ada.getByTestId('admin-user-roles'))).toBe('None');
    expect((await user.reload())?.status()).toBe(403);

    // Deleting asks first; the user is gone from the list and their page is a 404.
    await example.auth.register({ email: 'carol@example.com', password: PASSWORD });
    await openUser(ada, 'carol', 'carol@example.com');
    const carolPage = ada.url();
    await ada.getByRole('link', { name: 'Delete this user…' }).click();
    await ada.waitForURL('**/delete');
    await ada.getByRole('button', { name: 'Delete this user for good' }).click();
    await ada.waitForURL('**/admin/users?notice=admin-user-deleted');
    await expect(ada.locator('tr[data-user="carol@example.com"]').count()).resolves.toBe(0);
    expect((await ada.goto(carolPage))?.status()).toBe(404);
    expect(problems).toEqual([]);
  });

  test('the list pages by 20 with "Next page", and filters by role and status', {
    timeout: 60_000,
  }, async () => {
    const now = Date.now();
    for (let i = 0; i < USERS_PER_PAGE + 2; i++) {
      const email = `page-${String(i).padStart(2, '0')}@example.com`;
      await storage.storage.users.create({
        id: `page-user-${String(i).padStart(2, '0')}-${randomBytes(6).toString('base64url')}`,
        email,
        emailNormalized: email,
        metadata: {},
        disabled: i === 3,
        credentialGeneration: FIRST_GENERATION,
        createdAt: now + i,
        updatedAt: now + i,
      });
    }
    const ada = await newPage('admin');
    await signIn(ada, ADMIN);
    await ada.waitForURL('**/profile');
    await ada.goto('/admin/users?query=page-');
    const rows = ada.getByTestId('admin-users').locator('tbody tr');
    await expect(rows.count()).resolves.toBe(USERS_PER_PAGE);
    await ada.getByRole('link', { name: 'Next page' }).click();
    await ada.waitForURL('**/admin/users?query=page-&cursor=*');
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-user')))).toEqual([
      'page-20@example.com',
      'page-21@example.com',
    ]);
    await expect(ada.getByRole('link', { name: 'Next page' }).count()).resolves.toBe(0);
    await ada.getByRole('link', { name: 'First page' }).click();
    await ada.waitForURL('**/admin/users?query=page-');

    await ada.getByLabel('Status', { exact: true }).selectOption('true');
    await ada.getByRole('button', { name: 'Search', exact: true }).click();
    await ada.waitForURL((url) => url.searchParams.get('disabled') === 'true');
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-user')))).toEqual([
      'page-03@example.com',
    ]);
    await ada.goto('/admin/users?role=admin');
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-user')))).toEqual([
      ADMIN,
    ]);
    // A cursor this server did not give: a message and a 400.
    const forged = await ada.goto('/admin/users?cursor=bm90LWEtY3Vyc29y');
    expect(forged?.status()).toBe(400);
    expect(await textOf(ada.getByTestId('admin-error'))).toContain('cursor');
    expect(problems).toEqual([]);
  });
});
