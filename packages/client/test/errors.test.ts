import { afterEach, beforeEach, describe, expect, expectTypeOf, it } from 'vitest';
import {
  type AuthClient,
  AuthClientError,
  type AuthClientErrorCode,
  createAuthClient,
  isAuthClientError,
  type LoginResult,
  type SessionResult,
} from '../src/index.js';
import { clientFor, PASSWORD, signUp, startServer, type TestServer } from './helpers.js';

let server: TestServer;
beforeEach(async () => {
  server = await startServer('jwt');
});
afterEach(async () => {
  await server.close();
});

async function failure(work: Promise<unknown>): Promise<AuthClientError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AuthClientError)) throw new Error(`expected an AuthClientError: ${error}`);
  return error;
}

describe('AuthClientError', () => {
  it('carries code, status and details of VALIDATION_FAILED and WEAK_PASSWORD', async () => {
    const { client } = clientFor(server, 'jwt');
    const invalid = await failure(client.register({ email: 'not an email', password: PASSWORD }));
    expect(invalid).toMatchObject({
      name: 'AuthClientError',
      code: 'VALIDATION_FAILED',
      status: 400,
    });
    expect(invalid.details).toEqual([{ path: 'email', message: expect.any(String) }]);
    expect(invalid.retryAfter).toBeUndefined();
    expect(invalid).toBeInstanceOf(Error);
    const weak = await failure(client.register({ email: 'ada@example.com', password: 'password' }));
    expect(weak).toMatchObject({ code: 'WEAK_PASSWORD', status: 400 });
    expect(weak.details?.[0]?.path).toBe('password');
  });

  it('429 RATE_LIMITED after 5 wrong passwords, with retryAfter from Retry-After', async () => {
    const { client } = clientFor(server, 'jwt');
    const account = await signUp(server, client, 'ada@example.com');
    const codes: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      codes.push((await failure(client.login({ ...account, password: 'wrong password!' }))).code);
    }
    expect(codes.slice(0, 5)).toEqual(Array(5).fill('INVALID_CREDENTIALS'));
    const locked = await failure(client.login(account));
    expect(locked).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    expect(locked.retryAfter).toBeGreaterThan(0);
    expect(locked.retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(isAuthClientError(locked, 'RATE_LIMITED')).toBe(true);
    expect(isAuthClientError(locked, 'UNAUTHENTICATED')).toBe(false);
  });

  it('TOKEN_INVALID, UNAUTHENTICATED, NOT_FOUND come back with their status', async () => {
    const { client } = clientFor(server, 'jwt');
    const token = `${'A'.repeat(22)}.${'A'.repeat(43)}`;
    expect(await failure(client.verifyEmail({ token }))).toMatchObject({
      code: 'TOKEN_INVALID',
      status: 400,
    });
    expect(await failure(client.user.get())).toMatchObject({
      code: 'UNAUTHENTICATED',
      status: 401,
    });
    await client.login(await signUp(server, client, 'ada@example.com'));
    expect(await failure(client.sessions.revoke('nope', { password: PASSWORD }))).toMatchObject({
      code: 'NOT_FOUND',
      status: 404,
    });
  });

  it('a network failure is NETWORK_ERROR with status 0 and the cause', async () => {
    const client = createAuthClient({
      baseUrl: 'http://127.0.0.1:9/api/auth',
      strategy: 'cookie',
      fetch: () => Promise.reject(new TypeError('fetch failed')),
    });
    const error = await failure(client.login({ identifier: 'a', password: 'b' }));
    expect(error).toMatchObject({ code: 'NETWORK_ERROR', status: 0 });
    expect(error.cause).toBeInstanceOf(TypeError);
  });

  it('an answer that is not the contract is INVALID_RESPONSE; aborts stay AbortError', async () => {
    const client = createAuthClient({
      baseUrl: 'http://127.0.0.1:9/api/auth',
      strategy: 'jwt',
      fetch: async () =>
        new Response('<html>Bad gateway</html>', {
          status: 502,
          headers: { 'content-type': 'text/html', 'retry-after': '7' },
        }),
    });
    expect(await failure(client.session())).toMatchObject({
      code: 'INVALID_RESPONSE',
      status: 502,
      retryAfter: 7,
    });
    const aborting = createAuthClient({
      baseUrl: 'http://127.0.0.1:9/api/auth',
      strategy: 'jwt',
      fetch: () => Promise.reject(new DOMException('aborted', 'AbortError')),
    });
    await expect(aborting.session()).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('options are checked', () => {
    expect(() => createAuthClient({ baseUrl: '', strategy: 'jwt' })).toThrow(TypeError);
    expect(() => createAuthClient({ baseUrl: '/api/auth', strategy: 'session' as 'jwt' })).toThrow(
      TypeError,
    );
    expect(() =>
      createAuthClient({ baseUrl: '/api/auth', strategy: 'jwt', refreshLeewaySeconds: -1 }),
    ).toThrow(TypeError);
  });
});

describe('types', () => {
  it('login is a discriminated union and error codes are a closed union', () => {
    expectTypeOf<LoginResult>().not.toBeAny();
    expectTypeOf<Extract<LoginResult, { status: 'two_factor_required' }>>().toHaveProperty(
      'challenge',
    );
    expectTypeOf<Extract<LoginResult, { status: 'signed_in' }>>().toHaveProperty('user');
    expectTypeOf<AuthClientError['code']>().not.toBeAny();
    expectTypeOf<'NETWORK_ERROR'>().toExtend<AuthClientErrorCode>();
    expectTypeOf<'SOMETHING_ELSE'>().not.toExtend<AuthClientErrorCode>();
    expectTypeOf<ReturnType<AuthClient['session']>>().toEqualTypeOf<Promise<SessionResult>>();
  });
});
