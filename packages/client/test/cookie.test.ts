import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionState } from '../src/index.js';
import {
  clientFor,
  mailedToken,
  nextTotp,
  PASSWORD,
  signUp,
  startServer,
  type TestServer,
} from './helpers.js';

const CSRF = 'GET /csrf';
const SESSION_COOKIE = '__Host-portcullis.session';
const NEW_PASSWORD = 'saffron lighthouse quartz';

let server: TestServer;
beforeEach(async () => {
  server = await startServer('cookie');
});
afterEach(async () => {
  await server.close();
});

describe('cookie strategy', () => {
  it('identity: register, verify, resend, login, session, reauthenticate, logout', async () => {
    const { client } = clientFor(server, 'cookie');
    const seen: SessionState[] = [];
    client.onSessionChange((s) => seen.push(s));
    expect(
      await client.register({ email: 'ada@example.com', password: PASSWORD, username: 'ada' }),
    ).toEqual({ status: 'verification_sent' });
    expect(await client.resendVerification({ email: 'ada@example.com' })).toEqual({
      status: 'verification_sent',
    });
    const token = mailedToken(server, 'ada@example.com', 'verify-email');
    expect(await client.verifyEmail({ token })).toEqual({ status: 'verified' });
    const result = await client.login({ identifier: 'ada', password: PASSWORD });
    if (result.status !== 'signed_in') throw new Error('expected a sign-in');
    expect(result.session?.id).toBeTruthy();
    expect(result).not.toHaveProperty('accessToken');
    expect(result.user).toEqual({
      id: expect.any(String),
      email: 'ada@example.com',
      emailVerified: true,
      username: 'ada',
      firstName: null,
      lastName: null,
      twoFactorEnabled: false,
      roles: [],
      createdAt: expect.any(String),
    });
    expect(client.isSignedIn()).toBe(true);
    const { user, session } = await client.session();
    expect(user.id).toBe(result.user.id);
    expect(session).toMatchObject({ id: result.session?.id, current: true });
    await client.reauthenticate({ password: PASSWORD });
    await client.logout();
    expect(client.isSignedIn()).toBe(false);
    expect(seen).toEqual([
      { signedIn: true, user: result.user },
      { signedIn: false, user: null },
    ]);
    await expect(client.session()).rejects.toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
    await client.logout(); // already signed out: no error
  });

  it('account: sessions, user, email change, passwords, audit, logoutAll, delete', async () => {
    const a = clientFor(server, 'cookie').client;
    const b = clientFor(server, 'cookie').client;
    const account = await signUp(server, a, 'ada@example.com');
    await a.login(account);
    await b.login(account);
    const sessions = await a.sessions.list();
    expect(sessions).toHaveLength(2);
    const other = sessions.find((s) => !s.current);
    await a.sessions.revoke(other?.id ?? '', { password: PASSWORD });
    await expect(b.session()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(b.isSignedIn()).toBe(false);

    expect((await a.user.get()).email).toBe('ada@example.com');
    expect(await a.user.update({ firstName: 'Ada', lastName: 'Lovelace' })).toMatchObject({
      firstName: 'Ada',
      lastName: 'Lovelace',
    });
    expect(
      await a.user.requestEmailChange({ newEmail: 'ada@new.example', password: PASSWORD }),
    ).toEqual({ status: 'confirmation_sent' });
    const changed = await a.user.confirmEmailChange({
      token: mailedToken(server, 'ada@new.example', 'email-change-confirm'),
    });
    expect(changed.email).toBe('ada@new.example');

    await a.passwords.change({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(await a.passwords.requestReset({ email: 'ada@new.example' })).toEqual({
      status: 'reset_sent',
    });
    const events = await a.audit();
    expect(events.map((e) => e.type)).toContain('password.changed');
    expect(events[0]).toEqual({
      type: expect.any(String),
      at: expect.any(String),
      ip: '127.0.0.1',
      userAgent: 'node',
    });
    const reset = mailedToken(server, 'ada@new.example', 'password-reset');
    expect(await a.passwords.confirmReset({ token: reset, newPassword: PASSWORD })).toEqual({
      status: 'password_reset',
    });
    expect(a.isSignedIn()).toBe(false);

    await a.login({ identifier: 'ada@new.example', password: PASSWORD });
    await b.login({ identifier: 'ada@new.example', password: PASSWORD });
    await a.logoutAll({ password: PASSWORD });
    expect(a.isSignedIn()).toBe(false);
    await expect(b.session()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });

    await a.login({ identifier: 'ada@new.example', password: PASSWORD });
    await a.user.delete({ password: PASSWORD });
    expect(a.isSignedIn()).toBe(false);
    await expect(
      a.login({ identifier: 'ada@new.example', password: PASSWORD }),
    ).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
  });

  it('second factor settings: totp, recovery codes, phone, sms sign-in, disable', async () => {
    const { client } = clientFor(server, 'cookie');
    const account = await signUp(server, client, 'ada@example.com');
    await client.login(account);
    const { secret } = await client.twoFactor.totp.enroll({ password: PASSWORD });
    await client.twoFactor.totp.confirm({ code: await nextTotp(server, secret) });
    const { recoveryCodes } = await client.twoFactor.regenerateRecoveryCodes({
      password: PASSWORD,
    });
    expect(recoveryCodes).toHaveLength(10);
    expect(
      await client.twoFactor.phone.start({ phone: '+15555550123', password: PASSWORD }),
    ).toEqual({ status: 'code_sent' });
    await client.twoFactor.phone.confirm({ code: server.sms.lastCode('+15555550123') ?? '' });
    await client.logout();

    const challenge = await client.login(account);
    if (challenge.status !== 'two_factor_required') throw new Error('expected a challenge');
    expect(challenge.methods).toEqual(expect.arrayContaining(['totp', 'sms', 'recovery']));
    expect(await client.sendSmsCode({ challenge: challenge.challenge })).toEqual({
      status: 'code_sent',
    });
    const signedIn = await client.verifySecondFactor({
      challenge: challenge.challenge,
      method: 'sms',
      code: server.sms.lastCode('+15555550123') ?? '',
    });
    expect(signedIn.session?.id).toBeTruthy();
    await client.twoFactor.disable({ password: PASSWORD, code: await nextTotp(server, secret) });
    expect((await client.user.get()).twoFactorEnabled).toBe(false);
  });

  it('fetches the CSRF token once for many writes, and again after a sign-in', async () => {
    const { client } = clientFor(server, 'cookie');
    const account = await signUp(server, client, 'ada@example.com');
    await client.login(account);
    expect(server.count(CSRF)).toBe(0); // public routes need no CSRF token
    await client.user.update({ firstName: 'A' });
    await client.user.update({ firstName: 'B' });
    expect(server.count(CSRF)).toBe(1);
    // Re-authentication answers like a sign-in: a new session and a new CSRF cookie.
    await client.reauthenticate({ password: PASSWORD });
    const token = await client.csrf();
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(server.count(CSRF)).toBe(2);
    await client.login(account); // the server rotates the CSRF cookie on sign-in
    await client.user.update({ firstName: 'C' });
    expect(server.count(CSRF)).toBe(3);
    expect(await client.csrf()).not.toBe(token);
  });

  it('on 403 CSRF_FAILED fetches a new CSRF token and retries once', async () => {
    const { client, jar } = clientFor(server, 'cookie');
    const credentials = await signUp(server, client, 'ada@example.com');
    await client.login(credentials);
    await client.user.update({ firstName: 'A' });
    // Another tab signed in again: the browser now holds a new session, whose CSRF token (an
    // HMAC of the session id) the cached one is not.
    const tab = clientFor(server, 'cookie');
    await tab.client.login(credentials);
    jar.set(SESSION_COOKIE, tab.jar.get(SESSION_COOKIE) as string);
    expect(await client.user.update({ firstName: 'B' })).toMatchObject({ firstName: 'B' });
    expect(server.count(CSRF)).toBe(2);
    expect(server.count('PATCH /user')).toBe(3);
  });

  it('client.fetch: credentials and the CSRF header on unsafe same-origin calls', async () => {
    const { client } = clientFor(server, 'cookie');
    await client.login(await signUp(server, client, 'ada@example.com'));
    const res = await client.fetch(
      new Request(`${server.origin}/api/notes`, {
        method: 'PUT',
        body: 'note',
      }),
    );
    expect(await res.json()).toMatchObject({ via: 'cookie', method: 'PUT', body: 'note' });
    const get = await client.fetch(`${server.origin}/api/notes`);
    expect(get.status).toBe(200);
    expect(server.count(CSRF)).toBe(1);
  });

  it('jwks and refresh are jwt features', async () => {
    const { client } = clientFor(server, 'cookie');
    await expect(client.jwks()).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
    await expect(client.refresh()).rejects.toBeInstanceOf(TypeError);
  });
});

describe('jwks', () => {
  it('returns the public keys of EdDSA access tokens', async () => {
    const jwt = await startServer('jwt', { session: { accessToken: { algorithm: 'EdDSA' } } });
    try {
      const { client } = clientFor(jwt, 'jwt');
      const { keys } = await client.jwks();
      expect(keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519' });
      expect(keys[0]).not.toHaveProperty('d');
    } finally {
      await jwt.close();
    }
  });
});
