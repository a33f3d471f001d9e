import { request as httpRequest, type Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { AUTH_ERROR_MESSAGES, type Auth } from '@portcullis/core';
import { Hono } from 'hono';
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
  SESSION_COOKIE,
  signIn,
} from './helpers.js';

let stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.map((stop) => stop()));
  stops = [];
});

/** Serves `setup(app)` through @hono/node-server; the app's own `/hello` is always there. */
async function serve(
  setup: (app: Hono, auth: Auth) => void,
  auth?: Auth,
): Promise<{ url: string; auth: Auth }> {
  const a = auth ?? (await makeAuth());
  const app = new Hono();
  setup(app, a);
  app.get('/hello', (c) => c.json({ hello: 'world' }));
  const server = await listen(createAdaptorServer({ fetch: app.fetch }) as Server);
  stops.push(async () => {
    await server.close();
    await a.close();
  });
  return { url: server.baseUrl, auth: a };
}

const routed = (app: Hono, auth: Auth) => app.route(BASE, portcullis(auth));

describe('mounting', () => {
  it('serves the contract at the base path with app.route, trailing slash included', async () => {
    const { url } = await serve(routed);
    for (const path of ['/csrf', '/csrf/']) {
      const res = await call(`${url}${BASE}${path}`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ csrfToken: expect.any(String) });
      expect(cookiesOf(res).has(CSRF_COOKIE)).toBe(true);
    }
  });

  it('answers unknown routes below the base path with the contract 404', async () => {
    const { url } = await serve(routed);
    for (const path of [BASE, `${BASE}/`, `${BASE}/nope`]) {
      const res = await call(`${url}${path}`);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({
        error: { code: 'NOT_FOUND', message: AUTH_ERROR_MESSAGES.NOT_FOUND },
      });
    }
  });

  it('leaves the app’s own routes alone, even when routed at /', async () => {
    const { url } = await serve((app, auth) => app.route('/', portcullis(auth)));
    expect(await (await call(`${url}/hello`)).json()).toEqual({ hello: 'world' });
    expect((await call(`${url}/api/authx`)).status).toBe(404);
    expect((await call(`${url}${BASE}/csrf`)).status).toBe(200);
  });

  it('does not work through app.mount, which strips the base path (hence app.route)', async () => {
    const { url } = await serve((app, auth) => {
      const sub = portcullis(auth);
      app.mount(BASE, sub.fetch);
    });
    expect((await call(`${url}${BASE}/csrf`)).status).toBe(404);
  });

  it('forwards Cache-Control and each Set-Cookie as its own header line', async () => {
    const { url } = await serve(routed);
    const { login } = await signIn(url);
    expect(login.headers.get('cache-control')).toBe('no-store');
    const lines = login.headers.getSetCookie();
    expect(lines.map((line) => line.split('=')[0]).sort()).toEqual([CSRF_COOKIE, SESSION_COOKIE]);
  });
});

describe('bodies', () => {
  it('refuses a 100 KiB body with 413 PAYLOAD_TOO_LARGE, with or without Content-Length', async () => {
    const { url } = await serve(routed);
    const declared = await postJson(`${url}${BASE}/login`, {
      identifier: 'a'.repeat(100 * 1024),
      password: 'x',
    });
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
    expect((await call(`${url}${BASE}/csrf`)).status).toBe(200);
  });

  it('answers malformed JSON with 400 BAD_REQUEST and an unknown content type with 415', async () => {
    const { url } = await serve(routed);
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
    const { url } = await serve(routed);
    await signIn(url);
    const res = await call(`${url}${BASE}/login`, {
      method: 'POST',
      body: new URLSearchParams({ identifier: EMAIL, password: PASSWORD }),
    });
    expect(res.status).toBe(200);
  });

  it('answers TRACE, which fetch cannot even send, with 405 instead of a 500', async () => {
    const { url } = await serve(routed);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = httpRequest(`${url}${BASE}/session`, { method: 'TRACE' });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(405);
  });

  it('still reads a body that an earlier middleware already parsed (c.req.json())', async () => {
    const { url } = await serve((app, auth) => {
      app.use('*', async (c, next) => {
        if (c.req.method === 'POST') await c.req.json().catch(() => undefined);
        await next();
      });
      routed(app, auth);
    });
    const { body } = await signIn(url);
    expect(body.user.email).toBe(EMAIL);
    const malformed = await call(`${url}${BASE}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"identifier": ',
    });
    expect(malformed.status).toBe(400);
  });
});

describe('client IP', () => {
  it('reads the socket address from @hono/node-server: the session records 127.0.0.1', async () => {
    const { url, auth } = await serve(routed);
    const { userId } = await signIn(url, { 'x-forwarded-for': '203.0.113.9' });
    const [session] = await auth.sessions.list(userId);
    // X-Forwarded-For is ignored: trustProxy is off by default.
    expect(session?.ip).toBe('127.0.0.1');
  });

  it('lets trustProxy of createAuth read X-Forwarded-For', async () => {
    const auth = await makeAuth({ trustProxy: 1 });
    const { url } = await serve(routed, auth);
    const { userId } = await signIn(url, { 'x-forwarded-for': '203.0.113.9' });
    expect((await auth.sessions.list(userId))[0]?.ip).toBe('203.0.113.9');
  });

  it('takes the runtime’s getConnInfo when given one', async () => {
    const { url, auth } = await serve((app, a) => app.route(BASE, portcullis(a, { getConnInfo })));
    const { userId } = await signIn(url);
    expect((await auth.sessions.list(userId))[0]?.ip).toBe('127.0.0.1');
  });

  it('treats a getConnInfo that throws (another runtime’s) as an unknown address', async () => {
    const failing = () => {
      throw new Error('not this runtime');
    };
    const { url, auth } = await serve((app, a) =>
      app.route(BASE, portcullis(a, { getConnInfo: failing })),
    );
    const { userId } = await signIn(url);
    expect((await auth.sessions.list(userId))[0]?.ip).toBeNull();
  });
});
