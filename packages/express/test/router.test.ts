import { createServer } from 'node:http';
import { AUTH_ERROR_MESSAGES, type Auth } from '@portcullis/core';
import express, { type Express } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { portcullis } from '../src/index.js';
import {
  BASE,
  CSRF_COOKIE,
  call,
  chunkedBody,
  cookiesOf,
  EMAIL,
  listen,
  makeAuth,
  PASSWORD,
  postJson,
  rawRequest,
  SESSION_COOKIE,
  signIn,
} from './helpers.js';

let stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.map((stop) => stop()));
  stops = [];
});

/** Serves `setup(app)` on a loopback port; the app's own `/hello` route is always there. */
async function serve(
  setup: (app: Express, auth: Auth) => void,
  auth?: Auth,
): Promise<{ url: string; auth: Auth }> {
  const a = auth ?? (await makeAuth());
  const app = express();
  setup(app, a);
  app.get('/hello', (_req, res) => {
    res.json({ hello: 'world' });
  });
  const server = await listen(createServer(app));
  stops.push(async () => {
    await server.close();
    await a.close();
  });
  return { url: server.baseUrl, auth: a };
}

const mounted = (app: Express, auth: Auth) => app.use(BASE, portcullis(auth));

describe('mounting', () => {
  it('serves the contract at the base path, trailing slash included', async () => {
    const { url } = await serve(mounted);
    for (const path of ['/csrf', '/csrf/']) {
      const res = await call(`${url}${BASE}${path}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ csrfToken: expect.any(String) });
      expect(cookiesOf(res).has(CSRF_COOKIE)).toBe(true);
    }
  });

  it('answers unknown routes below the base path with the contract 404, not Express’s', async () => {
    const { url } = await serve(mounted);
    for (const path of [BASE, `${BASE}/`, `${BASE}/nope`]) {
      const res = await call(`${url}${path}`);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({
        error: { code: 'NOT_FOUND', message: AUTH_ERROR_MESSAGES.NOT_FOUND },
      });
    }
  });

  it('leaves the app’s own routes alone, even when mounted at /', async () => {
    const { url } = await serve((app, auth) => app.use(portcullis(auth)));
    expect(await (await call(`${url}/hello`)).json()).toEqual({ hello: 'world' });
    expect((await call(`${url}/api/authx`)).status).toBe(404);
    expect((await call(`${url}${BASE}/csrf`)).status).toBe(200);
  });

  it('forwards Cache-Control and each Set-Cookie as its own header line', async () => {
    const { url } = await serve(mounted);
    const { login } = await signIn(url);
    expect(login.headers.get('cache-control')).toBe('no-store');
    const lines = login.headers.getSetCookie();
    expect(lines.map((line) => line.split('=')[0]).sort()).toEqual([CSRF_COOKIE, SESSION_COOKIE]);
    expect(lines.find((l) => l.startsWith(SESSION_COOKIE))).toMatch(/HttpOnly/i);
  });

  it('keeps cookies that earlier middleware set on the response', async () => {
    const { url } = await serve((app, auth) => {
      app.use((_req, res, next) => {
        res.cookie('app', '1');
        next();
      });
      mounted(app, auth);
    });
    const { login } = await signIn(url);
    expect([...cookiesOf(login).keys()].sort()).toEqual([CSRF_COOKIE, SESSION_COOKIE, 'app']);
  });
});

describe('bodies without a body parser', () => {
  it('refuses a 100 KiB body with 413 PAYLOAD_TOO_LARGE, with or without Content-Length', async () => {
    const { url } = await serve(mounted);
    const big = JSON.stringify({ identifier: 'a'.repeat(100 * 1024), password: 'x' });
    const declared = await postJson(`${url}${BASE}/login`, JSON.parse(big));
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { error: { code: string } }).error.code).toBe(
      'PAYLOAD_TOO_LARGE',
    );
    const chunked = await call(`${url}${BASE}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chunkedBody(100 * 1024),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    // The connection and the server are still fine afterwards.
    expect((await call(`${url}${BASE}/csrf`)).status).toBe(200);
  });

  it('answers malformed JSON with 400 BAD_REQUEST and a form of the wrong type with 415', async () => {
    const { url } = await serve(mounted);
    const malformed = await call(`${url}${BASE}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"identifier": ',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({
      error: { code: 'BAD_REQUEST', message: AUTH_ERROR_MESSAGES.BAD_REQUEST },
    });
    const xml = await call(`${url}${BASE}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: '<login/>',
    });
    expect(xml.status).toBe(415);
  });

  it('accepts a form body', async () => {
    const { url } = await serve(mounted);
    await signIn(url);
    const res = await call(`${url}${BASE}/login`, {
      method: 'POST',
      body: new URLSearchParams({ identifier: EMAIL, password: PASSWORD }),
    });
    expect(res.status).toBe(200);
  });

  it('answers TRACE, which no Web Request can carry, like any other method: 405 with Allow on a route, 404 elsewhere', async () => {
    const { url } = await serve(mounted);
    const res = await rawRequest(`${url}${BASE}/session`, { method: 'TRACE' });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET');
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'METHOD_NOT_ALLOWED' } });
    const unknown = await rawRequest(`${url}${BASE}/no-such-route`, { method: 'TRACE' });
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });
});

describe('after a body parser', () => {
  it('signs in through express.json() and takes its parsed body', async () => {
    const { url } = await serve((app, auth) => {
      app.use(express.json());
      mounted(app, auth);
    });
    const { body } = await signIn(url);
    expect(body.user.email).toBe(EMAIL);
  });

  it('signs in through express.urlencoded() with a form', async () => {
    const { url } = await serve((app, auth) => {
      app.use(express.urlencoded());
      mounted(app, auth);
    });
    await postJson(`${url}${BASE}/register`, { email: EMAIL, password: PASSWORD });
    const res = await call(`${url}${BASE}/login`, {
      method: 'POST',
      body: new URLSearchParams({ identifier: EMAIL, password: PASSWORD }),
    });
    expect(res.status).toBe(200);
  });

  it('passes express.raw() bytes and express.text() strings on with their content type', async () => {
    for (const parser of [
      express.raw({ type: 'application/json' }),
      express.text({ type: '*/*' }),
    ]) {
      const { url } = await serve((app, auth) => {
        app.use(parser);
        mounted(app, auth);
      });
      const { body } = await signIn(url);
      expect(body.user.email).toBe(EMAIL);
    }
  });

  it('reads the raw body when req.body is set but nobody read the stream (body-parser 1)', async () => {
    const { url } = await serve((app, auth) => {
      app.use((req, _res, next) => {
        req.body = {};
        next();
      });
      mounted(app, auth);
    });
    const { body } = await signIn(url);
    expect(body.user.email).toBe(EMAIL);
  });

  it('still applies the 16 KiB limit to what the parser accepted', async () => {
    const { url } = await serve((app, auth) => {
      app.use(express.json());
      mounted(app, auth);
    });
    const res = await postJson(`${url}${BASE}/login`, {
      identifier: 'a'.repeat(50 * 1024),
      password: 'x',
    });
    expect(res.status).toBe(413);
  });

  it('leaves the parser’s own errors to the app (documented in docs/express.md)', async () => {
    const { url } = await serve((app, auth) => {
      app.use(express.json());
      mounted(app, auth);
      app.use(
        (
          _error: unknown,
          _req: express.Request,
          res: express.Response,
          _n: express.NextFunction,
        ) => {
          res.status(418).json({ from: 'app' });
        },
      );
    });
    const res = await call(`${url}${BASE}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"identifier": ',
    });
    expect(res.status).toBe(418);
  });
});

describe('client IP', () => {
  it('passes the socket address to core: the session records 127.0.0.1', async () => {
    const { url, auth } = await serve(mounted);
    const { userId } = await signIn(url, { 'x-forwarded-for': '203.0.113.9' });
    const [session] = await auth.sessions.list(userId);
    // X-Forwarded-For is ignored: trustProxy is off by default.
    expect(session?.ip).toBe('127.0.0.1');
  });

  it('lets trustProxy of createAuth, not Express’s `trust proxy`, read X-Forwarded-For', async () => {
    const auth = await makeAuth({ trustProxy: 1 });
    const { url } = await serve(mounted, auth);
    const { userId } = await signIn(url, { 'x-forwarded-for': '203.0.113.9' });
    const [session] = await auth.sessions.list(userId);
    expect(session?.ip).toBe('203.0.113.9');
  });
});
