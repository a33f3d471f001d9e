/**
 * `requireAuth`: routes that need only who is calling are served from the verified access
 * token, with no store read; the user and session load on demand.
 */
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { type Auth, type AuthConfig, memoryStorage } from '@portcullis/core';
import type { Storage } from '@portcullis/core/storage';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { type PortcullisEnv, portcullis, requireAuth } from '../src/index.js';
import { BASE, call, listen, makeAuth, PASSWORD, signIn } from './helpers.js';

let stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.map((stop) => stop()));
  stops = [];
});

/** Memory storage whose reads of sessions and users are counted (patched before createAuth). */
function countedStorage(): { storage: Storage; reads: () => number } {
  const storage = memoryStorage();
  let reads = 0;
  // Round trips: a read made inside another (memory's sessionWithUser reads both) counts once.
  let depth = 0;
  const count = <T extends object>(store: T, names: (keyof T)[]) => {
    for (const name of names) {
      const original = store[name] as unknown as (...args: unknown[]) => Promise<unknown>;
      (store as Record<keyof T, unknown>)[name] = async (...args: unknown[]) => {
        if (depth === 0) reads += 1;
        depth += 1;
        try {
          return await original.apply(store, args);
        } finally {
          depth -= 1;
        }
      };
    }
  };
  count(storage.sessions, ['get', 'listByUser']);
  count(storage.users, ['getById', 'getByEmail', 'getByUsername']);
  if (storage.sessionWithUser) count(storage, ['sessionWithUser']);
  return { storage, reads: () => reads };
}

async function serve(over: Partial<AuthConfig> = {}) {
  const { storage, reads } = countedStorage();
  const auth = await makeAuth({
    storage,
    session: { strategy: 'jwt', accessToken: { roles: true } },
    ...over,
  });
  const app = new Hono();
  app.route(BASE, portcullis(auth));
  const claimsApp = new Hono<PortcullisEnv>();
  claimsApp.get('/who', requireAuth(auth), (c) => c.json({ sub: c.get('auth').claims.sub }));
  claimsApp.get('/admin-only', requireAuth(auth, { role: 'admin' }), (c) =>
    c.json({ roles: c.get('auth').claims.roles }),
  );
  claimsApp.get('/users-read', requireAuth(auth, { permission: 'users:read' }), (c) =>
    c.json({ ok: true }),
  );
  claimsApp.get('/me', requireAuth(auth), async (c) => {
    const user = await c.get('auth').user();
    const again = await c.get('auth').user();
    return c.json({ email: user.email, same: user === again });
  });
  app.route('/', claimsApp);
  const server = await listen(createAdaptorServer({ fetch: app.fetch }) as Server);
  stops.push(async () => {
    await server.close();
    await auth.close();
  });
  return { auth, url: server.baseUrl, reads };
}

/** Signs in over the typed API; resolves to the bearer header and ids. */
async function bearerOf(auth: Auth, email: string, roles: string[] = []) {
  await auth.register({ email, password: PASSWORD });
  const user = await auth.storage.users.getByEmail(email);
  await auth.storage.users.update(user?.id ?? '', { roles, updatedAt: Date.now() });
  const result = await auth.login({ identifier: email, password: PASSWORD });
  if (result.status !== 'signed_in' || result.tokens.strategy !== 'jwt') throw new Error('jwt');
  return {
    headers: { authorization: `Bearer ${result.tokens.accessToken}` },
    userId: result.user.id,
    sessionId: result.session.id,
    accessToken: result.tokens.accessToken,
  };
}

describe('requireAuth with a Bearer token', () => {
  it('serves role and permission rules from the roles claim, with no store read', async () => {
    const { auth, url, reads } = await serve();
    const admin = await bearerOf(auth, 'admin@example.com', ['admin']);
    const plain = await bearerOf(auth, 'eve@example.com');
    const before = reads();
    const ok = await call(`${url}/admin-only`, { headers: admin.headers });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ roles: ['admin'] });
    expect((await call(`${url}/users-read`, { headers: admin.headers })).status).toBe(200);
    expect((await call(`${url}/who`, { headers: plain.headers })).status).toBe(200);
    const denied = await call(`${url}/admin-only`, { headers: plain.headers });
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    expect(reads() - before).toBe(0);
    expect((await call(`${url}/who`)).status).toBe(401);
    const forged = { authorization: `Bearer ${admin.accessToken.slice(0, -2)}xx` };
    expect((await call(`${url}/who`, { headers: forged })).status).toBe(401);
  });

  it('loads the user on demand, once, and refuses a revoked session then', async () => {
    const { auth, url, reads } = await serve();
    const ada = await bearerOf(auth, 'ada@example.com');
    const before = reads();
    const me = await call(`${url}/me`, { headers: ada.headers });
    expect(await me.json()).toEqual({ email: 'ada@example.com', same: true });
    expect(reads() - before).toBe(1);
    await auth.logout(ada.sessionId);
    // The claims alone still stand until the token expires (the documented trade-off)...
    expect((await call(`${url}/who`, { headers: ada.headers })).status).toBe(200);
    // ...a route that loads the user finds the session gone.
    expect((await call(`${url}/me`, { headers: ada.headers })).status).toBe(401);
  });

  it('with checkSession, a revoked session is refused at once', async () => {
    const { auth, url } = await serve({
      session: { strategy: 'jwt', accessToken: { roles: true, checkSession: true } },
    });
    const ada = await bearerOf(auth, 'ada@example.com');
    expect((await call(`${url}/who`, { headers: ada.headers })).status).toBe(200);
    await auth.logout(ada.sessionId);
    expect((await call(`${url}/who`, { headers: ada.headers })).status).toBe(401);
  });

  it('with checkSession, one read a request decides by the stored roles, not the token’s', async () => {
    const { auth, url, reads } = await serve({
      session: { strategy: 'jwt', accessToken: { roles: true, checkSession: true } },
    });
    const admin = await bearerOf(auth, 'admin@example.com', ['admin']);
    let before = reads();
    const ok = await call(`${url}/admin-only`, { headers: admin.headers });
    expect(await ok.json()).toEqual({ roles: ['admin'] });
    expect(reads() - before).toBe(1);
    before = reads();
    // user() awaits nothing more: the request's one read loaded it.
    expect(await (await call(`${url}/me`, { headers: admin.headers })).json()).toEqual({
      email: 'admin@example.com',
      same: true,
    });
    expect(reads() - before).toBe(1);
    // The token still says admin; the stored user no longer is: refused at once.
    await auth.storage.users.update(admin.userId, { roles: [], updatedAt: Date.now() });
    const denied = await call(`${url}/admin-only`, { headers: admin.headers });
    expect(denied.status).toBe(403);
  });

  it('without a roles claim, a role rule reads the user to decide', async () => {
    const { auth, url, reads } = await serve({ session: { strategy: 'jwt' } });
    const admin = await bearerOf(auth, 'admin@example.com', ['admin']);
    const plain = await bearerOf(auth, 'eve@example.com');
    const before = reads();
    expect((await call(`${url}/admin-only`, { headers: admin.headers })).status).toBe(200);
    expect((await call(`${url}/admin-only`, { headers: plain.headers })).status).toBe(403);
    expect(reads() - before).toBe(2);
  });

  it('an impersonation token (act) passes no admin rule, whatever its roles claim', async () => {
    const { auth, url } = await serve({
      session: { strategy: 'jwt', accessToken: { roles: true } },
      roles: { support: ['users:read'] },
    });
    const admin = await bearerOf(auth, 'admin@example.com', ['admin']);
    const target = await bearerOf(auth, 'support@example.com', ['support']);
    // The user's own token passes the admin permission their role grants...
    expect((await call(`${url}/users-read`, { headers: target.headers })).status).toBe(200);
    const started = await auth.admin.users.impersonate(
      { userId: admin.userId, sessionId: admin.sessionId },
      target.userId,
    );
    if (started.tokens.strategy !== 'jwt') throw new Error('jwt');
    const as = { authorization: `Bearer ${started.tokens.accessToken}` };
    expect((await call(`${url}/who`, { headers: as })).status).toBe(200);
    // ...an impersonation's token with the same roles claim does not.
    expect((await call(`${url}/users-read`, { headers: as })).status).toBe(403);
  });
});

describe('requireAuth with a session cookie', () => {
  it('validates the cookie (its read cannot be skipped) and gives the same claims', async () => {
    const { storage } = countedStorage();
    const auth = await makeAuth({ storage, roles: { support: ['users:read'] } });
    const app = new Hono();
    app.route(BASE, portcullis(auth));
    app.get('/claims', requireAuth(auth), (c) => c.json(c.get('auth').claims));
    app.post('/write', requireAuth(auth), (c) => c.json({ ok: true }));
    const server = await listen(createAdaptorServer({ fetch: app.fetch }) as Server);
    stops.push(async () => {
      await server.close();
      await auth.close();
    });
    const signedIn = await signIn(server.baseUrl);
    const res = await call(`${server.baseUrl}/claims`, { headers: { cookie: signedIn.cookie } });
    expect(await res.json()).toEqual({
      sub: signedIn.userId,
      sid: signedIn.sessionId,
      amr: ['pwd'],
      roles: [],
    });
    // Unsafe methods need the CSRF token, as with requireAuth.
    const noCsrf = await call(`${server.baseUrl}/write`, {
      method: 'POST',
      headers: { cookie: signedIn.cookie },
    });
    expect(noCsrf.status).toBe(403);
    const withCsrf = await call(`${server.baseUrl}/write`, {
      method: 'POST',
      headers: { cookie: signedIn.cookie, 'x-csrf-token': signedIn.csrf },
    });
    expect(withCsrf.status).toBe(200);
  });
});
