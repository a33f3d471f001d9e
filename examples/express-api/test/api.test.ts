/**
 * The notes API over real HTTP: a server on an ephemeral loopback port, requests with `fetch`.
 * Register, verify with the mailed token, sign in (access token + refresh cookie), use the
 * notes with `Authorization: Bearer`, keep users apart, refresh with rotation, delete the
 * account with its notes. The same flow runs twice: on the in-memory backends, and on the
 * machine's PostgreSQL and Redis (a fresh schema and key prefix, removed afterwards). The second
 * fails, never skips, when either server is down (`scripts/test-env.sh` starts them).
 */
import { randomBytes } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '@portcullis/core';
import { createPool } from '@portcullis/postgres';
import { createRedis } from '@portcullis/redis';
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApp, type NotesApi } from '../src/app.js';
import { type Backends, memoryBackends, openBackends } from '../src/backends.js';

const PASSWORD = 'correct horse battery staple';
const REFRESH_COOKIE = '__Secure-portcullis.refresh';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** One answer of the app: its status, parsed JSON body and Set-Cookie lines. */
interface Answer {
  status: number;
  body: unknown;
  cookies: string[];
}

/**
 * The flow of the notes API on the backends `open` gives; `extra` adds tests that look inside
 * them once the flow has run.
 */
function describeNotesApi(title: string, open: () => Promise<Backends>, extra?: () => void) {
  describe(title, () => {
    let server: Server | undefined;
    let api: NotesApi | undefined;
    let backends: Backends | undefined;
    let base: string;
    let appUrl: string;

    beforeAll(async () => {
      // Listen first, then build the app: APP_URL names the port the OS picked.
      let app: Express | undefined;
      server = createServer((req, res) => {
        if (app === undefined) res.writeHead(503).end();
        else app(req, res);
      });
      await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      base = `http://127.0.0.1:${port}`;
      appUrl = `http://localhost:${port}`;
      backends = await open();
      api = createApp({
        backends,
        appUrl,
        secret: randomBytes(32).toString('base64url'),
        production: false,
        logger: silentLogger,
        devMailLog: () => {},
      });
      app = api.app;
    });

    afterAll(async () => {
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await api?.close();
      await backends?.close();
    });

    /** The app, once `beforeAll` built it. */
    function current(): NotesApi {
      if (api === undefined) throw new Error('the app did not start (see beforeAll)');
      return api;
    }

    async function call(
      method: string,
      path: string,
      options: {
        token?: string;
        json?: unknown;
        raw?: string;
        cookie?: string;
        origin?: string;
      } = {},
    ): Promise<Answer> {
      const headers: Record<string, string> = {};
      if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
      if (options.cookie !== undefined) headers.cookie = options.cookie;
      if (options.origin !== undefined) headers.origin = options.origin;
      let body: string | undefined;
      if (options.json !== undefined || options.raw !== undefined) {
        headers['content-type'] = 'application/json';
        body = options.raw ?? JSON.stringify(options.json);
      }
      const res = await fetch(`${base}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
      });
      const text = await res.text();
      return {
        status: res.status,
        body: text === '' ? undefined : JSON.parse(text),
        cookies: res.headers.getSetCookie(),
      };
    }

    /** The value of cookie `name` among Set-Cookie lines, as `name=value` for a Cookie header. */
    function cookiePair(cookies: string[], name: string): string {
      const line = cookies.find((c) => c.startsWith(`${name}=`));
      if (line === undefined) throw new Error(`no ${name} cookie in ${JSON.stringify(cookies)}`);
      return line.split(';')[0] as string;
    }

    /** The token of the newest verification mail to `email`, from the dev mailer. */
    function mailedToken(email: string): string {
      const mail = current().devMailer?.messages.findLast(
        (m) => m.to === email && m.kind === 'verify-email',
      );
      const token = mail === undefined ? undefined : /[?&]token=([^&\s]+)/.exec(mail.text)?.[1];
      if (token === undefined) throw new Error(`no verification mail to ${email}`);
      return decodeURIComponent(token);
    }

    /** Registers, verifies and signs in; the access token and the refresh cookie. */
    async function signUp(email: string) {
      const registered = await call('POST', '/api/auth/register', {
        json: { email, password: PASSWORD },
      });
      expect(registered).toMatchObject({ status: 202, body: { status: 'verification_sent' } });
      const verified = await call('POST', '/api/auth/email/verify', {
        json: { token: mailedToken(email) },
      });
      expect(verified).toMatchObject({ status: 200, body: { status: 'verified' } });
      const login = await call('POST', '/api/auth/login', {
        json: { identifier: email, password: PASSWORD },
      });
      expect(login.status).toBe(200);
      const body = login.body as { status: string; accessToken: string; expiresIn: number };
      expect(body).toMatchObject({ status: 'signed_in', expiresIn: 900 });
      expect(body).not.toHaveProperty('refreshToken');
      return {
        accessToken: body.accessToken,
        refreshCookie: cookiePair(login.cookies, REFRESH_COOKIE),
        login,
      };
    }

    let alice: Awaited<ReturnType<typeof signUp>>;
    let bob: Awaited<ReturnType<typeof signUp>>;
    let aliceNoteId: string;

    test('register, verify with the mailed token, sign in: access token and refresh cookie', async () => {
      alice = await signUp('alice@example.com');
      const refresh = alice.login.cookies.find((c) => c.startsWith(`${REFRESH_COOKIE}=`));
      expect(refresh).toMatch(/; Path=\/api\/auth\/token\/refresh/);
      expect(refresh).toMatch(/; Secure/);
      expect(refresh).toMatch(/; HttpOnly/);
      expect(refresh).toMatch(/; SameSite=Strict/);
      // The jwt strategy sets no session cookie.
      expect(alice.login.cookies.some((c) => c.includes('portcullis.session'))).toBe(false);
    });

    test("GET /api/dev/mailbox: the dev mailer's mails, newest first, without HTML", async () => {
      const box = await call('GET', '/api/dev/mailbox');
      expect(box.status).toBe(200);
      const mails = (box.body as { mails: Record<string, unknown>[] }).mails;
      expect(mails[0]).toMatchObject({ to: 'alice@example.com', kind: 'verify-email' });
      expect(mails[0]?.text).toContain(`${appUrl}/verify-email?token=`);
      expect(Object.keys(mails[0] ?? {}).sort()).toEqual(
        ['id', 'kind', 'sentAt', 'subject', 'text', 'to'].sort(),
      );
    });

    test('GET /api/dev/mailbox only to a loopback Host (DNS rebinding): 404 to any other name', async () => {
      const { hostname, port } = new URL(base);
      const get = (host: string) =>
        new Promise<number>((resolve, reject) => {
          const req = request(
            { hostname, port, path: '/api/dev/mailbox', headers: { host } },
            (res) => {
              res.resume();
              resolve(res.statusCode ?? 0);
            },
          );
          req.on('error', reject);
          req.end();
        });
      expect(await get(`evil.example:${port}`)).toBe(404);
      expect(await get('127.0.0.1.nip.io')).toBe(404);
      expect(await get(`localhost:${port}`)).toBe(200);
      expect(await get(`[::1]:${port}`)).toBe(200);
    });

    test('no token, a malformed one or a forged one: 401 with the contract body', async () => {
      const expected = {
        status: 401,
        body: { error: { code: 'UNAUTHENTICATED', message: 'You are not signed in.' } },
      };
      await expect(call('GET', '/api/notes')).resolves.toMatchObject(expected);
      await expect(call('GET', '/api/notes', { token: 'not a token' })).resolves.toMatchObject(
        expected,
      );
      const [header, payload] = alice.accessToken.split('.');
      const forged = `${header}.${payload}.${'A'.repeat(43)}`;
      await expect(
        call('POST', '/api/notes', { token: forged, json: { text: 'x' } }),
      ).resolves.toMatchObject(expected);
    });

    test('create, list and delete notes with Authorization: Bearer', async () => {
      const token = alice.accessToken;
      const first = await call('POST', '/api/notes', { token, json: { text: 'buy milk' } });
      expect(first).toMatchObject({ status: 201, body: { note: { text: 'buy milk' } } });
      const second = await call('POST', '/api/notes', { token, json: { text: 'call Bob' } });
      expect(second.status).toBe(201);
      aliceNoteId = (first.body as { note: { id: string } }).note.id;

      const list = await call('GET', '/api/notes', { token });
      expect(list.status).toBe(200);
      expect((list.body as { notes: { text: string }[] }).notes.map((n) => n.text)).toEqual([
        'call Bob',
        'buy milk',
      ]);

      const secondId = (second.body as { note: { id: string } }).note.id;
      await expect(call('DELETE', `/api/notes/${secondId}`, { token })).resolves.toMatchObject({
        status: 204,
      });
      await expect(call('DELETE', `/api/notes/${secondId}`, { token })).resolves.toMatchObject({
        status: 404,
        body: { error: { code: 'NOT_FOUND' } },
      });
      const after = await call('GET', '/api/notes', { token });
      expect((after.body as { notes: unknown[] }).notes).toHaveLength(1);
    });

    test('bad note bodies get the contract error body, never a 500', async () => {
      const token = alice.accessToken;
      await expect(
        call('POST', '/api/notes', { token, json: { text: '' } }),
      ).resolves.toMatchObject({
        status: 400,
        body: { error: { code: 'VALIDATION_FAILED', details: [{ path: 'text' }] } },
      });
      await expect(
        call('POST', '/api/notes', { token, json: { text: 42 } }),
      ).resolves.toMatchObject({
        status: 400,
        body: { error: { code: 'VALIDATION_FAILED' } },
      });
      await expect(call('POST', '/api/notes', { token, raw: '{"text": ' })).resolves.toMatchObject({
        status: 400,
        body: { error: { code: 'BAD_REQUEST' } },
      });
      await expect(
        call('POST', '/api/notes', { token, raw: JSON.stringify({ text: 'x'.repeat(20_000) }) }),
      ).resolves.toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } });
      await expect(call('GET', '/api/nothing-here')).resolves.toMatchObject({
        status: 404,
        body: { error: { code: 'NOT_FOUND' } },
      });
    });

    test("another user neither sees nor deletes someone's notes (404)", async () => {
      bob = await signUp('bob@example.com');
      const list = await call('GET', '/api/notes', { token: bob.accessToken });
      expect(list).toMatchObject({ status: 200, body: { notes: [] } });
      await expect(
        call('DELETE', `/api/notes/${aliceNoteId}`, { token: bob.accessToken }),
      ).resolves.toMatchObject({ status: 404, body: { error: { code: 'NOT_FOUND' } } });
      const still = await call('GET', '/api/notes', { token: alice.accessToken });
      expect((still.body as { notes: { id: string }[] }).notes.map((n) => n.id)).toEqual([
        aliceNoteId,
      ]);
    });

    test('refresh with the cookie from the app origin rotates it; a retry gets the same token; the old one is reuse once the new one was used', async () => {
      // From another origin the refresh cookie is refused.
      const foreign = await call('POST', '/api/auth/token/refresh', {
        cookie: alice.refreshCookie,
        origin: 'https://evil.example',
      });
      expect(foreign).toMatchObject({ status: 403, body: { error: { code: 'CSRF_FAILED' } } });

      const refreshed = await call('POST', '/api/auth/token/refresh', {
        cookie: alice.refreshCookie,
        origin: appUrl,
      });
      expect(refreshed).toMatchObject({ status: 200, body: { expiresIn: 900 } });
      const { accessToken } = refreshed.body as { accessToken: string };
      expect(accessToken).not.toBe(alice.accessToken);
      const rotated = cookiePair(refreshed.cookies, REFRESH_COOKIE);
      expect(rotated).not.toBe(alice.refreshCookie);
      await expect(call('GET', '/api/notes', { token: accessToken })).resolves.toMatchObject({
        status: 200,
      });

      // The replaced token again, at once (a client whose answer was lost): the same new token.
      const retried = await call('POST', '/api/auth/token/refresh', {
        cookie: alice.refreshCookie,
        origin: appUrl,
      });
      expect(retried).toMatchObject({ status: 200 });
      expect(cookiePair(retried.cookies, REFRESH_COOKIE)).toBe(rotated);

      // Once the new token was used, the replaced one again is treated as stolen: the whole
      // session is revoked.
      const onwards = await call('POST', '/api/auth/token/refresh', {
        cookie: rotated,
        origin: appUrl,
      });
      expect(onwards).toMatchObject({ status: 200 });
      const newest = cookiePair(onwards.cookies, REFRESH_COOKIE);
      const reused = await call('POST', '/api/auth/token/refresh', {
        cookie: alice.refreshCookie,
        origin: appUrl,
      });
      expect(reused).toMatchObject({
        status: 401,
        body: { error: { code: 'REFRESH_TOKEN_REUSED' } },
      });
      await expect(call('GET', '/api/notes', { token: accessToken })).resolves.toMatchObject({
        status: 401,
      });
      await expect(
        call('POST', '/api/auth/token/refresh', { cookie: newest, origin: appUrl }),
      ).resolves.toMatchObject({ status: 401 });
    });

    test('deleting the account deletes its notes', async () => {
      const token = bob.accessToken;
      await call('POST', '/api/notes', { token, json: { text: 'secret plans' } });
      const user = await call('GET', '/api/auth/user', { token });
      const bobId = (user.body as { user: { id: string } }).user.id;
      await expect(current().notes.list(bobId)).resolves.toHaveLength(1);
      await expect(
        call('DELETE', '/api/auth/user', { token, json: { password: PASSWORD } }),
      ).resolves.toMatchObject({ status: 204 });
      await expect(current().notes.list(bobId)).resolves.toEqual([]);
      await expect(call('GET', '/api/notes', { token })).resolves.toMatchObject({ status: 401 });
    });

    extra?.();
  });
}

describeNotesApi('express-api in memory: notes behind requireAuth, jwt strategy', async () =>
  memoryBackends(),
);

// PostgreSQL for users and notes, Redis for sessions, tokens and rate limits, as with
// DATABASE_URL and REDIS_URL set. A fresh schema and key prefix per run, removed afterwards.
const run = randomBytes(6).toString('hex');
const schema = `express_api_test_${run}`;
const redisPrefix = `express-api-test:${run}:`;

describeNotesApi(
  'express-api on PostgreSQL and Redis: notes behind requireAuth, jwt strategy',
  () =>
    openBackends({
      databaseUrl: DATABASE_URL,
      redisUrl: REDIS_URL,
      schema,
      notesSchema: schema,
      redisPrefix,
    }),
  () => {
    test('users and notes are in PostgreSQL; sessions and tokens in Redis', async () => {
      const pool = await createPool(DATABASE_URL);
      const redis = await createRedis(REDIS_URL);
      try {
        const { rows } = await pool.query<{ users: string; notes: string }>(
          `SELECT (SELECT count(*) FROM "${schema}".users) AS users,
                  (SELECT count(*) FROM "${schema}".notes) AS notes`,
        );
        // Alice and her note remain; Bob and his notes went with his account.
        expect(rows[0]).toEqual({ users: '1', notes: '1' });
        // Redis holds the per-user indexes of the sessions and tokens it stored (the records
        // themselves are gone: revoked, consumed, deleted with Bob). Core's flows do not count
        // rate limits yet, so no `rate:` key appears, though that store is Redis's too.
        const keys = await redis.keys(`${redisPrefix}*`);
        for (const kind of ['user-sessions:', 'user-tokens:']) {
          expect(keys.some((key) => key.startsWith(`${redisPrefix}${kind}`))).toBe(true);
        }
        // …and PostgreSQL's tables for them were never written.
        const { rows: unused } = await pool.query(
          `SELECT (SELECT count(*) FROM "${schema}".sessions) AS sessions,
                  (SELECT count(*) FROM "${schema}".tokens) AS tokens,
                  (SELECT count(*) FROM "${schema}".rate_limits) AS rate_limits`,
        );
        expect(unused[0]).toEqual({ sessions: '0', tokens: '0', rate_limits: '0' });
      } finally {
        await pool.end();
        redis.disconnect();
      }
    });
  },
);

test('with SMTP there is no dev mailbox route', async () => {
  const api = createApp({
    appUrl: 'http://localhost:3001',
    secret: randomBytes(32).toString('base64url'),
    // nodemailer connects only to send: nothing listens there, and nothing is sent.
    smtpUrl: 'smtp://127.0.0.1:9',
    production: false,
    logger: silentLogger,
  });
  const server = createServer(api.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/api/dev/mailbox`);
    expect(res.status).toBe(404);
    expect(api.devMailer).toBeUndefined();
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await api.close();
  }
});

afterAll(async () => {
  // Runs after both describes' own afterAll: the app's connections are closed by then.
  const pool = await createPool(DATABASE_URL);
  try {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await pool.end();
  }
  const redis = await createRedis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
});
