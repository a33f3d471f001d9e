/**
 * No input gets a 5xx (issue 15): a NUL or another control character, or an unpaired UTF-16
 * surrogate, in any string field is `400 VALIDATION_FAILED` naming the field, before any store
 * is touched (PostgreSQL refuses `\u0000` in text; a lone surrogate becomes U+FFFD in UTF-8).
 */
import { describe, expect, it } from 'vitest';
import { createHttpHandler } from '../../src/http/index.js';
import type { Storage } from '../../src/storage/index.js';
import { setup } from '../flows/helpers.js';

const ORIGIN = 'https://app.example.com';
const BAD = {
  NUL: 'a\u0000b@example.com',
  'a line feed': 'a\nb@example.com',
  'a lone high surrogate': 'a\uD800b@example.com',
  'a lone low surrogate': 'a\uDC00b@example.com',
};

/** Public routes and the string fields of their bodies (a valid value for each). */
const ROUTES: [path: string, body: Record<string, string>][] = [
  ['/register', { email: 'new@example.com', password: 'violet tangerine orbit', firstName: 'Ada' }],
  ['/login', { identifier: 'ada@example.com', password: 'violet tangerine orbit' }],
  ['/email/verify/resend', { email: 'ada@example.com' }],
  ['/email/verify', { token: 'A'.repeat(22) }],
  ['/password/reset', { email: 'ada@example.com' }],
  ['/password/reset/confirm', { token: 'A'.repeat(22), newPassword: 'violet tangerine orbit' }],
];

/** Storage that records whether any store method ran. */
function watched(storage: Storage) {
  const touched: string[] = [];
  const wrap = <T extends object>(name: string, store: T): T =>
    new Proxy(store, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          touched.push(`${name}.${String(key)}`);
          return Reflect.apply(value, target, args);
        };
      },
    });
  const out: Storage = {
    ...storage,
    users: wrap('users', storage.users),
    sessions: wrap('sessions', storage.sessions),
    tokens: wrap('tokens', storage.tokens),
  };
  return { storage: out, touched };
}

describe('control characters and unpaired surrogates are 400 VALIDATION_FAILED, before any store', () => {
  for (const [path, body] of ROUTES) {
    for (const field of Object.keys(body)) {
      for (const [what, value] of Object.entries(BAD)) {
        // Passwords may hold line feeds (any character but NUL and lone surrogates).
        if (/password/i.test(field) && what === 'a line feed') continue;
        it(`${path} with ${what} in ${field}`, async () => {
          const { storage: memory } = await setup();
          const { storage, touched } = watched(memory);
          const { auth } = await setup({ storage, appUrl: ORIGIN });
          const handler = createHttpHandler(auth);
          touched.length = 0;
          const res = await handler(
            new Request(`${ORIGIN}/api/auth${path}`, {
              method: 'POST',
              headers: { origin: ORIGIN, 'content-type': 'application/json' },
              body: JSON.stringify({ ...body, [field]: value }),
            }),
          );
          const json = (await res.json()) as {
            error: { code: string; details?: { path: string }[] };
          };
          expect(res.status).toBe(400);
          expect(json.error.code).toBe('VALIDATION_FAILED');
          expect(json.error.details?.map((d) => d.path)).toContain(field);
          expect(touched.filter((t) => !t.startsWith('rateLimits'))).toEqual([]);
        });
      }
    }
  }
});

describe('the wrong shape is a bad request, not a wrong secret', () => {
  async function signedIn() {
    const { auth, signUp, events } = await setup({
      appUrl: ORIGIN,
      session: { strategy: 'jwt' },
      http: { refreshTokenTransport: 'body' },
    });
    await signUp('ada@example.com');
    const handler = createHttpHandler(auth);
    const call = async (path: string, body: unknown, bearer?: string) => {
      const res = await handler(
        new Request(`${ORIGIN}/api/auth${path}`, {
          method: 'POST',
          headers: {
            origin: ORIGIN,
            'content-type': 'application/json',
            ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }),
          },
          body: JSON.stringify(body),
        }),
      );
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    const login = await call('/login', {
      identifier: 'ada@example.com',
      password: 'violet tangerine orbit',
    });
    return { call, events, bearer: (login.json as { accessToken: string }).accessToken };
  }

  it('POST /reauthenticate with no password, a number or 2,000 characters: 400, and nothing counted', async () => {
    const { call, bearer, events } = await signedIn();
    for (const body of [{}, { password: 42 }, { password: 'x'.repeat(2000) }]) {
      const res = await call('/reauthenticate', body, bearer);
      expect(res.status).toBe(400);
      expect((res.json as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
    }
    expect(events.filter((e) => e.type === 'login.locked' || e.type === 'login.failed')).toEqual(
      [],
    );
    // Six such requests later, the right password still works: nothing was counted.
    for (let i = 0; i < 3; i++) await call('/reauthenticate', {}, bearer);
    const ok = await call('/reauthenticate', { password: 'violet tangerine orbit' }, bearer);
    expect(ok.status).toBe(200);
  });

  it('POST /token/refresh with a refreshToken that is not a string: 400 naming it', async () => {
    const { call } = await signedIn();
    for (const refreshToken of [42, null, ['a'], { a: 1 }]) {
      const res = await call('/token/refresh', { refreshToken });
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({
        error: { code: 'VALIDATION_FAILED', details: [{ path: 'refreshToken' }] },
      });
    }
  });

  it('POST /logout/all with a password that is not a string of 1 to 1024 characters: 400, nothing counted', async () => {
    const { call, bearer, events } = await signedIn();
    for (const password of [42, '', 'x'.repeat(2000), 'a\u0000b']) {
      const res = await call('/logout/all', { password }, bearer);
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({
        error: { code: 'VALIDATION_FAILED', details: [{ path: 'password' }] },
      });
    }
    expect(events.filter((e) => e.type === 'login.failed' || e.type === 'login.locked')).toEqual(
      [],
    );
  });
});
