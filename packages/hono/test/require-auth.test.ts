import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { AUTH_ERROR_MESSAGES, type Auth } from '@portcullis/core';
import type { RequestAuth } from '@portcullis/core/http';
import { Hono } from 'hono';
import * as v from 'valibot';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { type PortcullisEnv, portcullis, requireAuth } from '../src/index.js';
import {
  BASE,
  call,
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

/** An app with Portcullis at the base path and guarded routes of its own. */
async function serve(auth?: Auth): Promise<string> {
  const a = auth ?? (await makeAuth());
  const app = new Hono();
  app.route(BASE, portcullis(a));
  app.get('/me', requireAuth(a), async (c) => {
    const { claims, via } = c.get('auth');
    return c.json({
      claims,
      via,
      user: await c.get('auth').user(),
      session: await c.get('auth').session(),
    });
  });
  // The guard reads no body, so the route still can.
  app.post('/notes', requireAuth(a), async (c) =>
    c.json({ owner: (await c.get('auth').user()).id, note: await c.req.json() }),
  );
  app.get('/boom', requireAuth(a), () => {
    throw new Error('route failure');
  });
  app.onError((_error, c) => c.json({ from: 'app error handler' }, 418));
  const server = await listen(createAdaptorServer({ fetch: app.fetch }) as Server);
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
  it('a signed-in browser, with c.get(auth) from the real session', async () => {
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

  it('and leaves errors of the route itself to the app', async () => {
    const url = await serve();
    const { cookie } = await signIn(url);
    const res = await call(`${url}/boom`, { headers: { cookie } });
    expect(res.status).toBe(418);
  });
});

describe('types', () => {
  it('types c.get(auth) in the handlers after requireAuth', async () => {
    const auth = await makeAuth();
    const app = new Hono();
    app.get('/x', requireAuth(auth), (c) => {
      expectTypeOf(c.get('auth')).toEqualTypeOf<RequestAuth>();
      expectTypeOf(c.get('auth').via).toEqualTypeOf<'cookie' | 'bearer'>();
      return c.body(null, 204);
    });
    const typed = new Hono<PortcullisEnv>();
    typed.use(requireAuth(auth));
    typed.get('/y', async (c) => c.json(await c.get('auth').user()));
    await auth.close();
  });
});

describe("the app's own user fields", () => {
  it('c.get(auth).user carries and types them', async () => {
    const fields = {
      bio: { schema: v.optional(v.pipe(v.string(), v.maxLength(500))), input: true },
    } as const;
    const auth = (await makeAuth({ user: { fields } } as never)) as unknown as Auth<typeof fields>;
    const app = new Hono();
    app.route(BASE, portcullis(auth));
    app.get('/bio', requireAuth(auth), async (c) => {
      const user = await c.get('auth').user();
      expectTypeOf(user.bio).toEqualTypeOf<string | null>();
      return c.json({ bio: user.bio });
    });
    const server = await listen(createAdaptorServer({ fetch: app.fetch }) as Server);
    stops.push(async () => {
      await server.close();
      await auth.close();
    });
    const url = server.baseUrl;
    const registered = await postJson(`${url}${BASE}/register`, {
      email: EMAIL,
      password: PASSWORD,
      bio: 'Engine notes',
    });
    expect(registered.status).toBe(202);
    const { cookie } = await signIn(url);
    const res = await call(`${url}/bio`, { headers: { cookie } });
    expect(await res.json()).toEqual({ bio: 'Engine notes' });
  });
});

describe('requireAuth with a role or a permission', () => {
  /** An app whose routes need the admin role, and the `reports:read` permission. */
  async function serveGuarded() {
    const auth = await makeAuth({ roles: { analyst: ['reports:read'] } });
    const app = new Hono<PortcullisEnv>();
    app.route(BASE, portcullis(auth));
    app.get('/staff', requireAuth(auth, { role: 'admin' }), (c) =>
      c.json({ roles: c.get('auth').claims.roles }),
    );
    app.get('/reports', requireAuth(auth, { permission: 'reports:read' }), (c) =>
      c.json({ ok: true }),
    );
    const server = await listen(createAdaptorServer({ fetch: app.fetch }) as Server);
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
    await auth.storage.users.update(userId, { roles: [], updatedAt: Date.now() });
    expect((await call(`${url}/staff`, { headers: { cookie } })).status).toBe(403);
  });
});
