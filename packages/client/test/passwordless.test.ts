import { softwareAuthenticator } from '@portcullis/core/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isAuthClientError, type WebAuthnCeremonies } from '../src/index.js';
import { APP_URL, clientFor, signUp, startServer, type TestServer } from './helpers.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The ceremonies a browser would run, played by a software authenticator. */
function ceremoniesOf(key: ReturnType<typeof softwareAuthenticator>) {
  const calls: { autofill: boolean }[] = [];
  const webauthn: WebAuthnCeremonies = {
    startRegistration: ({ optionsJSON }) => key.register(optionsJSON as never),
    startAuthentication: ({ optionsJSON, useBrowserAutofill }) => {
      calls.push({ autofill: useBrowserAutofill === true });
      return key.authenticate(optionsJSON as never);
    },
  };
  return { webauthn, calls };
}

describe.each(['cookie', 'jwt'] as const)('passkeys from the client (%s)', (strategy) => {
  it('registers, lists, renames, signs in (also as autofill) and removes', async () => {
    server = await startServer(strategy);
    const key = softwareAuthenticator({ origin: APP_URL });
    const { webauthn, calls } = ceremoniesOf(key);
    const { client } = clientFor(server, strategy, { webauthn });
    await client.login(await signUp(server, client, 'ada@example.com'));
    const passkey = await client.passkeys.register({ name: 'Laptop' });
    expect(passkey).toMatchObject({ name: 'Laptop', deviceType: 'singleDevice' });
    expect(await client.passkeys.list()).toEqual([passkey]);
    expect(await client.passkeys.rename(passkey.id, 'Phone')).toMatchObject({ name: 'Phone' });

    const other = clientFor(server, strategy, { webauthn }).client;
    const result = await other.passkeys.signIn({ autofill: true });
    expect(result.status).toBe('signed_in');
    expect(other.isSignedIn()).toBe(true);
    expect(calls).toEqual([{ autofill: true }]);
    expect((await other.session()).user.email).toBe('ada@example.com');

    await client.passkeys.remove(passkey.id);
    expect(await client.passkeys.list()).toEqual([]);
  });

  it('surfaces PASSKEY_INVALID for a response that does not verify', async () => {
    server = await startServer(strategy);
    const key = softwareAuthenticator({ origin: 'https://evil.example' });
    const { client } = clientFor(server, strategy, { webauthn: ceremoniesOf(key).webauthn });
    await client.login(await signUp(server, client, 'bob@example.com'));
    const error = await client.passkeys.register().catch((e: unknown) => e);
    expect(isAuthClientError(error, 'PASSKEY_INVALID')).toBe(true);
  });
});

describe('magic links from the client', () => {
  it('requests a link and signs in with its token, then with a code', async () => {
    server = await startServer('cookie', { magicLink: {} });
    const { client } = clientFor(server, 'cookie');
    await signUp(server, client, 'cy@example.com');
    expect(await client.magicLink.request('cy@example.com')).toEqual({ status: 'link_sent' });
    const mail = await server.mailer.waitFor('cy@example.com', 'magic-link');
    const token = server.mailer.extractToken(mail) ?? '';
    const result = await client.magicLink.verify({ token });
    expect(result.status).toBe('signed_in');
    expect(client.isSignedIn()).toBe(true);
  });
});

describe('a passkey as the second factor, from the client', () => {
  it('answers a two_factor_required sign-in with passkeys.secondFactor', async () => {
    server = await startServer('cookie');
    const key = softwareAuthenticator({ origin: APP_URL, userVerification: false });
    const { client } = clientFor(server, 'cookie', { webauthn: ceremoniesOf(key).webauthn });
    const credentials = await signUp(server, client, 'dee@example.com');
    await client.login(credentials);
    await client.passkeys.register();
    const { user } = await client.session();
    // TOTP on (a stand-in secret: the passkey answers the challenge here).
    await server.auth.storage.users.update(user.id, {
      totp: { secretEncrypted: 'x', enabledAt: server.clock.now(), lastUsedStep: 0 } as never,
      updatedAt: server.clock.now(),
    });
    const other = clientFor(server, 'cookie', { webauthn: ceremoniesOf(key).webauthn }).client;
    const pending = await other.login(credentials);
    if (pending.status !== 'two_factor_required') throw new Error('expected a challenge');
    expect(pending.methods).toContain('passkey');
    const result = await other.passkeys.secondFactor({ challenge: pending.challenge });
    expect(result.status).toBe('signed_in');
    expect(other.isSignedIn()).toBe(true);
  });
});

describe('stopping a passkey sign-in (signal)', () => {
  it('starts no ceremony after the signal fired, and cancels a pending one', async () => {
    server = await startServer('cookie');
    let started = 0;
    let cancelled = 0;
    const webauthn: WebAuthnCeremonies = {
      startRegistration: () => Promise.reject(new Error('unused')),
      // An autofill request waits until someone picks a passkey: here, never.
      startAuthentication: () => {
        started += 1;
        return new Promise(() => {});
      },
      cancel: () => {
        cancelled += 1;
      },
    };
    const { client } = clientFor(server, 'cookie', { webauthn });
    const early = new AbortController();
    early.abort(new DOMException('left the page', 'AbortError'));
    await expect(
      client.passkeys.signIn({ autofill: true, signal: early.signal }),
    ).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(started).toBe(0);
    const late = new AbortController();
    const pending = client.passkeys.signIn({ autofill: true, signal: late.signal });
    await vi.waitFor(() => expect(started).toBe(1));
    late.abort(new DOMException('chose the button', 'AbortError'));
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(cancelled).toBe(1);
    expect(client.isSignedIn()).toBe(false);
  });
});
