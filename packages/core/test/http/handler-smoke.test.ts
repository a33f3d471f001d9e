import { describe, expect, it } from 'vitest';
import { createHttpHandler } from '../../src/http/index.js';
import { createAuth, memoryMailer, memoryStorage, silentLogger } from '../../src/index.js';
import { createPasswordHasher } from '../../src/password/index.js';

const ORIGIN = 'http://localhost:3000';

async function setup() {
  const mailer = memoryMailer();
  const auth = createAuth({
    storage: memoryStorage(),
    mailer,
    appUrl: ORIGIN,
    secret: 's'.repeat(32),
    logger: silentLogger,
    password: {
      hasher: await createPasswordHasher({
        backend: 'inline',
        params: { memoryKiB: 1024, iterations: 1 },
      }),
    },
  });
  const handler = createHttpHandler(auth);
  const call = (
    method: string,
    path: string,
    init: { body?: unknown; headers?: Record<string, string> } = {},
  ) =>
    handler(
      new Request(`${ORIGIN}/api/auth${path}`, {
        method,
        headers: {
          origin: ORIGIN,
          ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...init.headers,
        },
        ...(init.body === undefined
          ? {}
          : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
      }),
      { remoteAddress: '::ffff:127.0.0.1' },
    );
  return { auth, mailer, call };
}

const cookieValue = (res: Response, name: string) =>
  res.headers
    .getSetCookie()
    .find((c) => c.startsWith(`${name}=`))
    ?.split(';')[0]
    ?.slice(name.length + 1);

describe('HTTP handler (smoke; the full contract suite runs it over real HTTP)', () => {
  it('registers, verifies, signs in with a cookie, reads the session and signs out', async () => {
    const { call, mailer } = await setup();
    const reg = await call('POST', '/register', {
      body: { email: 'ada@example.com', password: 'violet tangerine orbit' },
    });
    expect(reg.status).toBe(202);
    const token = mailer.extractToken(mailer.last() ?? expect.fail());
    expect((await call('POST', '/email/verify/', { body: { token } })).status).toBe(200);
    const login = await call('POST', '/login', {
      body: { identifier: 'ada@example.com', password: 'violet tangerine orbit' },
    });
    expect(login.status).toBe(200);
    const session = cookieValue(login, '__Host-portcullis.session');
    const csrf = cookieValue(login, '__Host-portcullis.csrf');
    expect(session).toBeTruthy();
    const cookie = `__Host-portcullis.session=${session}; __Host-portcullis.csrf=${csrf}`;
    const me = await call('GET', '/session', { headers: { cookie } });
    expect(me.status).toBe(200);
    expect((await me.json()).session.ip).toBe('127.0.0.1');
    expect((await call('POST', '/logout', { headers: { cookie } })).status).toBe(403);
    const out = await call('POST', '/logout', { headers: { cookie, 'x-csrf-token': csrf ?? '' } });
    expect(out.status).toBe(204);
    expect((await call('GET', '/session', { headers: { cookie } })).status).toBe(401);
  });

  it('answers protocol errors with the contract body', async () => {
    const { call } = await setup();
    expect((await call('POST', '/login', { body: '{nope' })).status).toBe(400);
    expect(
      (await call('POST', '/login', { body: 'x', headers: { 'content-type': 'text/plain' } }))
        .status,
    ).toBe(415);
    expect((await call('GET', '/nope')).status).toBe(404);
    const wrong = await call('GET', '/login');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect((await call('POST', '/register', { body: { email: 'a'.repeat(20_000) } })).status).toBe(
      413,
    );
    expect(
      (
        await call('POST', '/register', {
          body: { email: 'ada@example.com', password: 'x' },
          headers: { origin: 'https://evil.example' },
        })
      ).status,
    ).toBe(403);
  });
});
