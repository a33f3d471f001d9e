/**
 * Issue 16 over HTTP: an error answer never changes the client's credentials, and a 503 is
 * logged once per request with the store operation that failed, within a budget, and emitted
 * as `storage.unavailable`.
 */
import { describe, expect, it } from 'vitest';
import { createHttpHandler } from '../../src/http/index.js';
import { memoryStorage } from '../../src/index.js';
import { SERVER_ERRORS_PER_MINUTE } from '../../src/runtime/server-error.js';
import type { Storage } from '../../src/storage/types.js';
import { PASSWORD, setup } from '../flows/helpers.js';

const ORIGIN = 'https://app.example.com';
const REFRESH = '__Secure-portcullis.refresh';

/** Memory storage whose `store.method` fails while `down` holds it. */
function switchable(inner: Storage) {
  const down = new Set<string>();
  const storage = new Proxy(inner, {
    get(target, name, receiver) {
      const store = Reflect.get(target, name, receiver);
      if (typeof store === 'function') {
        // `sessionWithUser`: the session check's one-call path.
        return (...args: unknown[]) =>
          down.has(String(name))
            ? Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6379'))
            : Reflect.apply(store, target, args);
      }
      if (typeof store !== 'object' || store === null) return store;
      return new Proxy(store, {
        get(s, method, r) {
          const fn = Reflect.get(s, method, r);
          if (typeof fn !== 'function') return fn;
          return (...args: unknown[]) =>
            down.has(`${String(name)}.${String(method)}`)
              ? Promise.reject(new Error('ECONNREFUSED 127.0.0.1:6379'))
              : Reflect.apply(fn, s, args);
        },
      });
    },
  });
  return { storage, down };
}

async function app(strategy: 'cookie' | 'jwt') {
  const { storage, down } = switchable(memoryStorage());
  const s = await setup({ storage, session: { strategy } });
  await s.signUp('ada@example.com');
  const handler = createHttpHandler(s.auth);
  const call = (
    method: string,
    path: string,
    init: { body?: unknown; cookie?: string; bearer?: string } = {},
  ) =>
    handler(
      new Request(`${ORIGIN}/api/auth${path}`, {
        method,
        headers: {
          origin: ORIGIN,
          'content-type': 'application/json',
          ...(init.cookie === undefined ? {} : { cookie: init.cookie }),
          ...(init.bearer === undefined ? {} : { authorization: `Bearer ${init.bearer}` }),
        },
        ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      }),
      { remoteAddress: '203.0.113.7' },
    );
  const errorLines = () => s.logs.filter((l) => l.startsWith('error '));
  /** Signs in (cookie strategy); resolves to the `Cookie` header of the new session. */
  const signInCookie = async () => {
    const login = await call('POST', '/login', {
      body: { identifier: 'ada@example.com', password: PASSWORD },
    });
    return login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
  };
  return { ...s, handler, call, down, errorLines, signInCookie };
}

describe('store outages over HTTP (issue 16)', () => {
  it('a 503 on /token/refresh keeps the refresh cookie, and the retry after the outage works', async () => {
    const a = await app('jwt');
    const login = await a.call('POST', '/login', {
      body: { identifier: 'ada@example.com', password: PASSWORD },
    });
    const cookie = (
      login.headers.getSetCookie().find((c) => c.startsWith(`${REFRESH}=`)) ?? ''
    ).split(';')[0] as string;
    expect(cookie).toMatch(/=.+\..+/);
    a.down.add('users.getById');
    const failed = await a.call('POST', '/token/refresh', { cookie });
    expect(failed.status).toBe(503);
    expect(failed.headers.getSetCookie()).toEqual([]);
    a.down.clear();
    const retry = await a.call('POST', '/token/refresh', { cookie });
    expect(retry.status).toBe(200);
    expect(a.events.filter((e) => e.type === 'refresh.reuse_detected')).toEqual([]);
  });

  it('a 503 is logged once, naming the store operation and the route, and emitted as storage.unavailable', async () => {
    const a = await app('cookie');
    const cookie = await a.signInCookie();
    const before = a.errorLines().length;
    a.down.add('sessions.get');
    a.down.add('sessionWithUser');
    const res = await a.call('GET', '/session', { cookie });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      error: { code: 'STORAGE_UNAVAILABLE', message: expect.any(String) },
    });
    const lines = a.errorLines().slice(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/request failed/);
    expect(lines[0]).toContain('"operation":"sessionWithUser"');
    expect(lines[0]).toContain('"route":"getSession"');
    expect(lines[0]).toContain('ECONNREFUSED');
    // A 5xx is no reason to sign the browser out: no cookie is cleared.
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(a.events.filter((e) => e.type === 'storage.unavailable').at(-1)).toMatchObject({
      data: { operation: 'sessionWithUser', route: 'getSession' },
      ip: '203.0.113.7',
    });
  });

  it('protected routes of the app (handler.authenticate) log their 503s too', async () => {
    const a = await app('cookie');
    const cookie = await a.signInCookie();
    const before = a.errorLines().length;
    a.down.add('sessions.get');
    a.down.add('sessionWithUser');
    await expect(
      a.handler.authenticate(new Request(`${ORIGIN}/notes`, { headers: { cookie } })),
    ).rejects.toMatchObject({ code: 'STORAGE_UNAVAILABLE' });
    const lines = a.errorLines().slice(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('"route":"authenticate"');
  });

  it('an outage cannot flood the log: 20 lines a minute per operation, then one that counts the rest', async () => {
    const a = await app('cookie');
    const cookie = await a.signInCookie();
    a.down.add('sessions.get');
    a.down.add('sessionWithUser');
    const before = a.errorLines().length;
    for (let i = 0; i < 200; i++) {
      expect((await a.call('GET', '/session', { cookie })).status).toBe(503);
    }
    expect(a.errorLines().length - before).toBe(SERVER_ERRORS_PER_MINUTE);
    a.clock.advance(60_000);
    await a.call('GET', '/session', { cookie });
    expect(a.errorLines().at(-1)).toContain(`"suppressed":${200 - SERVER_ERRORS_PER_MINUTE}`);
    const events = a.events.filter((e) => e.type === 'storage.unavailable');
    expect(events).toHaveLength(SERVER_ERRORS_PER_MINUTE + 1);
  });
});
