import { CookieJar } from '@portcullis/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuthClientError, type SessionState } from '../src/index.js';
import {
  clientFor,
  jarFetch,
  mailedCode,
  memoryLocks,
  nextTotp,
  signUp,
  startServer,
  type TestServer,
} from './helpers.js';

const REFRESH = 'POST /token/refresh';
const REFRESH_COOKIE = '__Secure-portcullis.refresh';
const ACCESS_TTL_MS = 15 * 60_000;

let server: TestServer;
let channelSeq = 0;
beforeEach(async () => {
  server = await startServer('jwt');
});
afterEach(async () => {
  await server.close();
});

const notesUrl = () => `${server.origin}/api/notes`;

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i += 1) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
}

describe('jwt strategy', () => {
  it('keeps the access token in memory, sends it as Bearer and drops a body refresh token', async () => {
    const { client, jar } = clientFor(server, 'jwt');
    const seen: SessionState[] = [];
    client.onSessionChange((s) => seen.push(s));
    const account = await signUp(server, client, 'ada@example.com');
    const result = await client.login(account);
    expect(result.status).toBe('signed_in');
    if (result.status !== 'signed_in') return;
    expect(typeof result.accessToken).toBe('string');
    expect(result.expiresIn).toBe(900);
    expect(result).not.toHaveProperty('refreshToken');
    expect(jar.get(REFRESH_COOKIE)).toBeTruthy();
    expect(client.isSignedIn()).toBe(true);
    expect(seen).toEqual([{ signedIn: true, user: result.user }]);

    const res = await client.fetch(notesUrl(), { method: 'POST', body: 'hello' });
    expect(await res.json()).toMatchObject({
      owner: 'ada@example.com',
      via: 'bearer',
      body: 'hello',
    });
    // Other origins never see the token.
    const foreign = await client.fetch(`http://localhost:${new URL(server.origin).port}/api/notes`);
    expect(foreign.status).toBe(401);
    expect(server.count(REFRESH)).toBe(0);
  });

  it('on 401 UNAUTHENTICATED refreshes once and retries once', async () => {
    // The client's own clock does not move: it learns of the expiry from the 401.
    const { client } = clientFor(server, 'jwt', { now: Date.now });
    await client.login(await signUp(server, client, 'ada@example.com'));
    server.clock.advance(ACCESS_TTL_MS + 1_000);
    const res = await client.fetch(notesUrl());
    expect(res.status).toBe(200);
    expect(server.count(REFRESH)).toBe(1);
    expect(server.count('GET /api/notes')).toBe(2);
    expect((await client.session()).user.email).toBe('ada@example.com');
    expect(server.count(REFRESH)).toBe(1);
  });

  it('10 concurrent calls after expiry: exactly one refresh reaches the server, all succeed', async () => {
    const { client } = clientFor(server, 'jwt', { now: Date.now });
    await client.login(await signUp(server, client, 'ada@example.com'));
    server.clock.advance(ACCESS_TTL_MS + 1_000);
    const responses = await Promise.all(Array.from({ length: 10 }, () => client.fetch(notesUrl())));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(server.count(REFRESH)).toBe(1);
    expect(server.events.some((e) => e.type === 'refresh.reuse_detected')).toBe(false);
  });

  it('refreshes shortly before expiry (leeway), once for concurrent calls, without a 401', async () => {
    const { client } = clientFor(server, 'jwt', { refreshLeewaySeconds: 60 });
    await client.login(await signUp(server, client, 'ada@example.com'));
    server.clock.advance(ACCESS_TTL_MS - 30_000); // inside the 60 s leeway, still valid
    const responses = await Promise.all(Array.from({ length: 5 }, () => client.fetch(notesUrl())));
    expect(responses.map((r) => r.status)).toEqual(Array(5).fill(200));
    expect(server.count(REFRESH)).toBe(1);
    expect(server.count('GET /api/notes')).toBe(5);
    const { expiresIn } = await client.refresh();
    expect(expiresIn).toBe(900);
  });

  it('a refused refresh signs out and tells listeners; the caller gets the 401', async () => {
    const { client, jar } = clientFor(server, 'jwt', { now: Date.now });
    const user = await client.login(await signUp(server, client, 'ada@example.com'));
    const seen: SessionState[] = [];
    client.onSessionChange((s) => seen.push(s));
    jar.delete(REFRESH_COOKIE);
    server.clock.advance(ACCESS_TTL_MS + 1_000);
    const res = await client.fetch(notesUrl());
    expect(res.status).toBe(401);
    expect(client.isSignedIn()).toBe(false);
    expect(seen).toEqual([{ signedIn: false, user: null }]);
    expect(user.status).toBe('signed_in');
    await expect(client.refresh()).rejects.toMatchObject({
      code: 'REFRESH_TOKEN_INVALID',
      status: 401,
    });
  });

  it('a refused refresh is not presented again: one POST for the request, none after', async () => {
    const { client, jar } = clientFor(server, 'jwt', { now: Date.now });
    await client.login(await signUp(server, client, 'ada@example.com'));
    jar.delete(REFRESH_COOKIE);
    server.clock.advance(ACCESS_TTL_MS + 1_000);
    const before = server.count(REFRESH);
    expect((await client.fetch(notesUrl())).status).toBe(401);
    expect(server.count(REFRESH) - before).toBe(1);
    expect((await client.fetch(notesUrl())).status).toBe(401);
    expect(server.count(REFRESH) - before).toBe(1);
  });

  it('a reused refresh token revokes the session and signs out', async () => {
    const { client, jar } = clientFor(server, 'jwt');
    await client.login(await signUp(server, client, 'ada@example.com'));
    const stale = jar.get(REFRESH_COOKIE) ?? '';
    await client.refresh();
    server.clock.advance(31_000); // past the window in which a lost answer may be retried
    jar.set(REFRESH_COOKIE, stale, '/api/auth/token/refresh');
    await expect(client.refresh()).rejects.toMatchObject({ code: 'REFRESH_TOKEN_REUSED' });
    expect(client.isSignedIn()).toBe(false);
  });

  it('a network failure during refresh does not sign out', async () => {
    let offline = false;
    const jar = new CookieJar(server.clock.now);
    const online = jarFetch(jar);
    const { client } = clientFor(server, 'jwt', {
      jar,
      fetch: (input, init) =>
        offline ? Promise.reject(new TypeError('fetch failed')) : online(input, init),
    });
    await client.login(await signUp(server, client, 'ada@example.com'));
    offline = true;
    const error = await client.refresh().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthClientError);
    expect(error).toMatchObject({ code: 'NETWORK_ERROR', status: 0 });
    expect((error as Error).cause).toBeInstanceOf(TypeError);
    expect(client.isSignedIn()).toBe(true);
    offline = false;
    await expect(client.refresh()).resolves.toMatchObject({ expiresIn: 900 });
  });

  it('restores a session after a page load: refresh, then session()', async () => {
    const first = clientFor(server, 'jwt');
    await first.client.login(await signUp(server, first.client, 'ada@example.com'));
    const reloaded = clientFor(server, 'jwt', { jar: first.jar });
    expect(reloaded.client.isSignedIn()).toBe(false);
    const { user } = await reloaded.client.session(); // 401 → refresh → retry
    expect(user.email).toBe('ada@example.com');
    expect(reloaded.client.isSignedIn()).toBe(true);
    await reloaded.client.logout();
    expect(reloaded.client.isSignedIn()).toBe(false);
    await expect(reloaded.client.session()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('PASSWORD_INCORRECT (403) and INVALID_CREDENTIALS (401) never trigger a refresh', async () => {
    const { client } = clientFor(server, 'jwt');
    const account = await signUp(server, client, 'ada@example.com');
    await expect(client.login({ ...account, password: 'wrong password!' })).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
      status: 401,
    });
    await client.login(account);
    await expect(client.reauthenticate({ password: 'wrong password!' })).rejects.toMatchObject({
      code: 'PASSWORD_INCORRECT',
      status: 403,
    });
    expect(server.count(REFRESH)).toBe(0);
  });

  it('two tabs past expiry refresh once (Web Locks + BroadcastChannel), no reuse detected', async () => {
    const locks = memoryLocks();
    const channelName = `tabs-${++channelSeq}`;
    const tab = (jar?: CookieJar) =>
      clientFor(server, 'jwt', {
        now: Date.now,
        locks,
        broadcastChannel: BroadcastChannel,
        channelName,
        ...(jar === undefined ? {} : { jar }),
      });
    const a = tab();
    const b = tab(a.jar);
    try {
      const seenB: SessionState[] = [];
      b.client.onSessionChange((s) => seenB.push(s));
      const signedIn = await a.client.login(await signUp(server, a.client, 'ada@example.com'));
      if (signedIn.status !== 'signed_in') throw new Error('expected a sign-in');
      await until(() => b.client.isSignedIn());
      expect(seenB).toEqual([{ signedIn: true, user: signedIn.user }]);

      for (let round = 0; round < 3; round += 1) {
        server.clock.advance(ACCESS_TTL_MS + 1_000);
        const [ra, rb] = await Promise.all([
          a.client.fetch(notesUrl()),
          b.client.fetch(notesUrl()),
        ]);
        expect([ra.status, rb.status]).toEqual([200, 200]);
        expect(server.count(REFRESH)).toBe(round + 1);
      }
      // Explicit refreshes of both tabs at once: one after the other, never the same token.
      await Promise.all([a.client.refresh(), b.client.refresh()]);
      expect(server.events.some((e) => e.type === 'refresh.reuse_detected')).toBe(false);

      await a.client.logout();
      await until(() => !b.client.isSignedIn());
      expect(seenB.at(-1)).toEqual({ signedIn: false, user: null });
    } finally {
      a.client.close();
      b.client.close();
    }
  });

  it('two_factor_required, then verifySecondFactor signs in (TOTP, emailed code, trusted device)', async () => {
    const { client } = clientFor(server, 'jwt');
    const account = await signUp(server, client, 'ada@example.com');
    await client.login(account);
    const { secret, otpauthUri } = await client.twoFactor.totp.enroll({
      password: account.password,
    });
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    const { recoveryCodes } = await client.twoFactor.totp.confirm({
      code: await nextTotp(server, secret),
    });
    expect(recoveryCodes).toHaveLength(10);
    await client.logout();

    const first = await client.login(account);
    expect(first).toMatchObject({ status: 'two_factor_required' });
    if (first.status !== 'two_factor_required') return;
    expect(first.methods).toContain('totp');
    expect(client.isSignedIn()).toBe(false);
    const signedIn = await client.verifySecondFactor({
      challenge: first.challenge,
      method: 'totp',
      code: await nextTotp(server, secret),
      rememberDevice: true,
    });
    expect(signedIn.status).toBe('signed_in');
    expect(signedIn.accessToken).toBeTruthy();
    expect(client.isSignedIn()).toBe(true);
    const devices = await client.twoFactor.devices.list();
    expect(devices).toHaveLength(1);
    await client.twoFactor.devices.revoke(devices[0]?.id ?? '');
    expect(await client.twoFactor.devices.list()).toEqual([]);
    await client.logout();

    const second = await client.login(account);
    if (second.status !== 'two_factor_required') throw new Error('expected a challenge');
    expect(await client.sendEmailCode({ challenge: second.challenge })).toEqual({
      status: 'code_sent',
    });
    const code = mailedCode(server, 'ada@example.com');
    const viaEmail = await client.verifySecondFactor({
      challenge: second.challenge,
      method: 'email',
      code,
    });
    expect(viaEmail.user.twoFactorEnabled).toBe(true);
    await expect(
      client.verifySecondFactor({ challenge: second.challenge, method: 'email', code }),
    ).rejects.toBeInstanceOf(AuthClientError);
  });
});
