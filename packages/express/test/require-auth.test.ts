import { createServer } from 'node:http';
import { AUTH_ERROR_MESSAGES, type Auth } from '@portcullis/core';
import express from 'express';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { portcullis, requireAuth } from '../src/index.js';
import {
  APP_ORIGIN,
  BASE,
  CSRF_COOKIE,
  call,
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

/** An app with Portcullis at the base path and two guarded routes of its own. */
async function serve(auth?: Auth): Promise<string> {
  const a = auth ?? (await makeAuth());
  const app = express();
  app.use(BASE, portcullis(a));
  app.get('/me', requireAuth(a), async (req, res) => {
    if (req.auth === undefined) throw new Error('requireAuth sets req.auth');
    const { claims, via, user, session } = req.auth;
    res.json({ claims, via, user: await user(), session: await session() });
  });
  // The guard reads no body, so a parser after it still gets the request's body.
  app.post('/notes', requireAuth(a), express.json(), async (req, res) => {
    res.json({ owner: (await req.auth?.user())?.id, note: req.body as unknown });
  });
  app.get('/boom', requireAuth(a), () => {
    throw new Error('route failure');
  });
  app.use(
    (_error: unknown, _req: express.Request, res: express.Response, _n: express.NextFunction) => {
      res.status(418).json({ from: 'app error handler' });
    },
  );
  const server = await listen(createServer(app));
  stops.push(async () => {
    await server.close();
    await a.close();
  });
  return server.baseUrl;
}

const UNAUTHENTICATED = {
  error: { code: 'UNAUTHENTICATED', message: AUTH_ERROR_MESSAGES.UNAUTHENTICATED },
};

describe('requireAuth refuses', () => {
  it('a request without a session with the contract’s 401 body, as GET /session answers', async () => {
    const url = await serve();
    const guarded = await call(`${url}/me`);
    const contract = await call(`${url}${BASE}/session`);
    expect(guarded.status).toBe(401);
    expect(guarded.headers.get('content-type')).toMatch(/^application\/json/);
    const body = await guarded.json();
    expect(body).toEqual(UNAUTHENTICATED);
    expect(body).toEqual(await contract.json());
  });

  it('a forged or unknown session cookie with 401', async () => {
    const url = await serve();
    const res = await call(`${url}/me`, { headers: { cookie: `${SESSION_COOKIE}=abc.def` } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(UNAUTHENTICATED);
  });

  it('a malformed Bearer token with 401', async () => {
    const url = await serve();
    const res = await call(`${url}/me`, { headers: { authorization: 'Bearer not a token' } });
    expect(res.status).toBe(401);
  });

  it('a cookie-authenticated POST without the CSRF header with 403 CSRF_FAILED', async () => {
    const url = await serve();
    const { cookie } = await signIn(url);
    const res = await postJson(`${url}/notes`, { text: 'hi' }, { cookie });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: { code: 'CSRF_FAILED', message: AUTH_ERROR_MESSAGES.CSRF_FAILED },
    });
  });

  it('a cookie-authenticated POST from an untrusted origin even with the token', async () => {
    const url = await serve();
    const { cookie, csrf } = await signIn(url);
    const res = await postJson(
      `${url}/notes`,
      { text: 'hi' },
      { cookie, 'x-csrf-token': csrf, origin: 'https://evil.example' },
    );
    expect(res.status).toBe(403);
  });

  it('a session after logout', async () => {
    const url = await serve();
    const { cookie, csrf } = await signIn(url);
    const out = await call(`${url}${BASE}/logout`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrf },
    });
    expect(out.status).toBe(204);
    expect((await call(`${url}/me`, { headers: { cookie } })).status).toBe(401);
  });
});

describe('requireAuth lets through', () => {
  it('a signed-in browser, with req.auth from the real session', async () => {
    const url = await serve();
    const { cookie, userId, sessionId } = await signIn(url);
    const res = await call(`${url}/me`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const auth = (await res.json()) as Record<string, Record<string, unknown>>;
    expect(auth.user).toMatchObject({ id: userId, email: EMAIL });
    expect(auth.session).toMatchObject({ id: sessionId });
    expect(auth.claims).toEqual({ sub: userId, sid: sessionId, amr: ['pwd'], roles: [] });
    expect(auth.via).toBe('cookie');
  });

  it('a cookie-authenticated POST with Origin and x-csrf-token, body intact for the route', async () => {
    const url = await serve();
    const { cookie, csrf, userId } = await signIn(url);
    const res = await postJson(`${url}/notes`, { text: 'hi' }, { cookie, 'x-csrf-token': csrf });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ owner: userId, note: { text: 'hi' } });
  });

  it('a Bearer access token (jwt strategy), with via: bearer', async () => {
    const url = await serve(await makeAuth({ session: { strategy: 'jwt' } }));
    await postJson(`${url}${BASE}/register`, { email: EMAIL, password: PASSWORD });
    const login = await postJson(`${url}${BASE}/login`, { identifier: EMAIL, password: PASSWORD });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const res = await call(`${url}/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { via: string }).via).toBe('bearer');
  });

  it('cookies sent on separate Cookie lines (as HTTP/2 splits them)', async () => {
    const url = await serve();
    const { cookie } = await signIn(url);
    const [session = '', csrf = ''] = cookie.split('; ');
    const res = await rawRequest(`${url}/me`, {
      method: 'GET',
      rawHeaders: ['cookie', csrf, 'cookie', session, 'origin', APP_ORIGIN],
    });
    expect(res.status).toBe(200);
    expect(csrf.startsWith(CSRF_COOKIE)).toBe(true);
  });

  it('and leaves errors of the route itself to the app', async () => {
    const url = await serve();
    const { cookie } = await signIn(url);
    const res = await call(`${url}/boom`, { headers: { cookie } });
    expect(res.status).toBe(418);
  });
});

describe('types', () => {
  it('augments Express’s Request with an optional auth', () => {
    expectTypeOf<express.Request['auth']>().not.toBeAny();
    expectTypeOf<NonNullable<express.Request['auth']>['via']>().toEqualTypeOf<
      'cookie' | 'bearer'
    >();
  });
});

describe('requireAuth with a role or a permission', () => {
  /** An app whose routes need the admin role, and the `reports:read` permission. */
  async function serveGuarded() {
    const auth = await makeAuth({ roles: { analyst: ['reports:read'] } });
    const app = express();
    app.use(BASE, portcullis(auth));
    app.get('/staff', requireAuth(auth, { role: 'admin' }), (req, res) => {
      res.json({ roles: req.auth?.claims.roles });
    });
    app.get('/reports', requireAuth(auth, { permission: 'reports:read' }), (_req, res) => {
      res.json({ ok: true });
    });
    const server = await listen(createServer(app));
    stops.push(async () => {
      await server.close();
      await auth.close();
    });
    return { url: server.baseUrl, auth };
  }

  it('answers 401 without a session, 403 FORBIDDEN without the role or permission', async () => {
    const { url } = await serveGuarded();
    expect((await call(`${url}/staff`)).status).toBe(401);
    const { cookie } = await signIn(url);
    for (const path of ['/staff', '/reports']) {
      const res = await call(`${url}${path}`, { headers: { cookie } });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({
        error: { code: 'FORBIDDEN', message: AUTH_ERROR_MESSAGES.FORBIDDEN },
      });
    }
  });

  it('lets the role or permission through, re-reading roles on the next request', async () => {
    const { url, auth } = await serveGuarded();
    const { cookie, userId } = await signIn(url);
    await auth.storage.users.update(userId, { roles: ['analyst'], updatedAt: Date.now() });
    expect((await call(`${url}/reports`, { headers: { cookie } })).status).toBe(200);
    expect((await call(`${url}/staff`, { headers: { cookie } })).status).toBe(403);
    await auth.storage.users.update(userId, { roles: ['admin'], updatedAt: Date.now() });
    const staff = await call(`${url}/staff`, { headers: { cookie } });
    expect(await staff.json()).toEqual({ roles: ['admin'] });
    // The role taken away: refused at once (the session's user is read on every request).
    await auth.storage.users.update(userId, { roles: [], updatedAt: Date.now() });
    expect((await call(`${url}/staff`, { headers: { cookie } })).status).toBe(403);
    expect((await call(`${url}/reports`, { headers: { cookie } })).status).toBe(403);
  });
});
