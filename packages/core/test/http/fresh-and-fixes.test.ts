import { describe, expect, it } from 'vitest';
import { clientIp } from '../../src/http/client-ip.js';
import { createHttpHandler } from '../../src/http/index.js';
import { createAuth, memoryMailer, memoryStorage, silentLogger } from '../../src/index.js';
import { createPasswordHasher } from '../../src/password/index.js';
import { fakeClock } from '../../src/testing/index.js';

const ORIGIN = 'http://localhost:3000';
const PASSWORD = 'violet tangerine orbit';

async function signedIn(strategy: 'cookie' | 'jwt' = 'cookie') {
  const clock = fakeClock(Date.UTC(2026, 0, 1));
  const auth = createAuth({
    storage: memoryStorage(),
    mailer: memoryMailer(),
    appUrl: ORIGIN,
    secret: 's'.repeat(32),
    logger: silentLogger,
    clock,
    session: { strategy },
    emailVerification: { required: false },
    password: {
      hasher: await createPasswordHasher({
        backend: 'inline',
        params: { memoryKiB: 1024, iterations: 1 },
      }),
    },
  });
  const handler = createHttpHandler(auth);
  const call = async (
    method: string,
    path: string,
    init: { body?: unknown; headers?: Record<string, string> } = {},
  ) =>
    handler(
      new Request(`${ORIGIN}/api/auth${path}`, {
        method,
        headers: { origin: ORIGIN, 'content-type': 'application/json', ...init.headers },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      }),
      { remoteAddress: '127.0.0.1' },
    );
  await call('POST', '/register', { body: { email: 'ada@example.com', password: PASSWORD } });
  const login = async () => {
    const res = await call('POST', '/login', {
      body: { identifier: 'ada@example.com', password: PASSWORD },
    });
    const get = (name: string) =>
      res.headers
        .getSetCookie()
        .find((c) => c.startsWith(`${name}=`))
        ?.split(';')[0] ?? '';
    return {
      res,
      body: await res.json(),
      session: get('__Host-portcullis.session'),
      csrf: get('__Host-portcullis.csrf'),
      refresh: get('__Secure-portcullis.refresh'),
    };
  };
  return { auth, clock, call, login };
}

const cookieHeaders = (s: { session: string; csrf: string }) => ({
  cookie: `${s.session}; ${s.csrf}`,
  'x-csrf-token': s.csrf.split('=')[1] ?? '',
});

describe('fresh-session rule over HTTP', () => {
  it('log out everywhere needs a fresh session, the password, or a reauthentication', async () => {
    const { call, clock, login } = await signedIn();
    const a = await login();
    clock.advance(11 * 60 * 1000);
    const stale = await call('POST', '/logout/all', { headers: cookieHeaders(a) });
    expect(stale.status).toBe(403);
    expect((await stale.json()).error.code).toBe('REAUTH_REQUIRED');
    const wrong = await call('POST', '/logout/all', {
      headers: cookieHeaders(a),
      body: { password: 'nope nope nope' },
    });
    expect((await wrong.json()).error.code).toBe('PASSWORD_INCORRECT');
    const reauth = await call('POST', '/reauthenticate', {
      headers: cookieHeaders(a),
      body: { password: PASSWORD },
    });
    expect(reauth.status).toBe(200);
    // A new session cookie (and CSRF token) replaces the old, which opens nothing now.
    const pair = (name: string) =>
      reauth.headers
        .getSetCookie()
        .find((c) => c.startsWith(`${name}=`))
        ?.split(';')[0] ?? '';
    const b = { session: pair('__Host-portcullis.session'), csrf: pair('__Host-portcullis.csrf') };
    expect(b.session).not.toBe(a.session);
    expect((await call('GET', '/session', { headers: cookieHeaders(a) })).status).toBe(401);
    expect((await call('POST', '/logout/all', { headers: cookieHeaders(b) })).status).toBe(204);
  });

  it('a session that has just signed in is fresh; ending another session when stale needs the password', async () => {
    const { call, clock, login } = await signedIn();
    const a = await login();
    const b = await login();
    clock.advance(11 * 60 * 1000);
    const other = b.body.session.id as string;
    expect((await call('DELETE', `/sessions/${other}`, { headers: cookieHeaders(a) })).status).toBe(
      403,
    );
    expect(
      (
        await call('DELETE', `/sessions/${other}`, {
          headers: cookieHeaders(a),
          body: { password: PASSWORD },
        })
      ).status,
    ).toBe(204);
    // Its own session is a logout, allowed whenever.
    expect(
      (await call('DELETE', `/sessions/${a.body.session.id}`, { headers: cookieHeaders(a) }))
        .status,
    ).toBe(204);
  });
});

describe('refresh transport', () => {
  it('a refresh token sent in the body gets its replacement in the body, whatever the default', async () => {
    const { call, login } = await signedIn('jwt');
    const { refresh } = await login();
    const token = decodeURIComponent(refresh.split('=')[1] ?? '');
    const res = await call('POST', '/token/refresh', { body: { refreshToken: token } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(typeof body.refreshToken).toBe('string');
    expect(res.headers.getSetCookie()).toEqual([]);
  });
});

describe('client IP', () => {
  it('matches listed IPv6 proxies whatever their spelling', () => {
    const request = new Request('http://x/', { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(clientIp(request, '2001:db8:0:0:0:0:0:1', ['2001:DB8::1'])).toBe('203.0.113.9');
    expect(clientIp(request, '2001:db8::2', ['2001:DB8::1'])).toBe('2001:db8::2');
    expect(clientIp(request, '::ffff:10.0.0.1', false)).toBe('10.0.0.1');
  });
});
