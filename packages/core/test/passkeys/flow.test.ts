/**
 * Passkeys through `createAuth`: registration, sign-in, management, with `@simplewebauthn/server`
 * verifying responses that a software authenticator (`@portcullis/core/testing`) signs.
 */
import { describe, expect, it } from 'vitest';
import { type AuthConfig, memoryStorage } from '../../src/index.js';
import { softwareAuthenticator } from '../../src/testing/index.js';
import {
  APP_URL,
  CTX,
  expectCode,
  fail,
  MINUTE,
  ofType,
  PASSWORD,
  setup,
} from '../account/helpers.js';

type World = Awaited<ReturnType<typeof setup>>;

/** The first detail of an AuthError (`{path: 'reason', message}` for PASSKEY_INVALID). */
const detail = (error: unknown) =>
  (error as { details?: readonly { path: string; message: string }[] }).details?.[0];

async function world(over: Partial<AuthConfig> = {}) {
  const w = await setup(over);
  const ada = await w.signUp('ada@example.com', { username: 'ada' });
  const session = await w.signIn('ada@example.com');
  const key = softwareAuthenticator({ origin: APP_URL });
  return { ...w, ada, session, key };
}

/** Registers a passkey of `key` for the user of `session`; resolves to the view. */
async function addPasskey(
  w: World,
  userId: string,
  sessionId: string,
  key: ReturnType<typeof softwareAuthenticator>,
  name?: string,
) {
  const options = await w.auth.passkeys.registrationOptions({ userId, sessionId }, CTX);
  const response = await key.register(options);
  return w.auth.passkeys.register(
    { userId, sessionId, response, ...(name === undefined ? {} : { name }) },
    CTX,
  );
}

/** A passkey sign-in with `key`; resolves to the result. */
async function passkeySignIn(
  w: World,
  key: ReturnType<typeof softwareAuthenticator>,
  input: { identifier?: string } = {},
  overrides: Parameters<ReturnType<typeof softwareAuthenticator>['authenticate']>[1] = {},
) {
  const { challengeId, options } = await w.auth.passkeys.loginOptions(input, CTX);
  const response = await key.authenticate(options, overrides);
  return w.auth.passkeys.signIn({ challengeId, response }, CTX);
}

describe('registering a passkey', () => {
  it.each(['ES256', 'EdDSA'] as const)('registers a %s passkey and lists it', async (alg) => {
    const w = await world();
    const key = softwareAuthenticator({ origin: APP_URL, algorithm: alg });
    const view = await addPasskey(w, w.ada, w.session.sessionId, key, 'Laptop');
    expect(view).toEqual({
      id: expect.any(String),
      name: 'Laptop',
      createdAt: w.clock.now(),
      lastUsedAt: null,
      backedUp: false,
      deviceType: 'singleDevice',
    });
    expect(await w.auth.passkeys.list(w.ada)).toEqual([view]);
    expect(ofType(w.events, 'passkey.registered')).toHaveLength(1);
  });

  it('gives options that exclude the passkeys the user has, prefer resident keys and UV', async () => {
    const w = await world();
    await addPasskey(w, w.ada, w.session.sessionId, w.key);
    const options = await w.auth.passkeys.registrationOptions(
      { userId: w.ada, sessionId: w.session.sessionId },
      CTX,
    );
    expect(options.rp).toEqual({ name: 'Portcullis', id: 'app.example.com' });
    expect(options.excludeCredentials?.map((c) => c.id)).toEqual([w.key.credentials[0]?.id]);
    expect(options.authenticatorSelection).toMatchObject({
      residentKey: 'preferred',
      userVerification: 'preferred',
    });
    expect(options.user.name).toBe('ada@example.com');
    // The same authenticator cannot register twice (the browser refuses, as real ones do).
    await expect(w.key.register(options)).rejects.toMatchObject({ name: 'InvalidStateError' });
  });

  it('needs a fresh session, or the password in the request', async () => {
    const w = await world();
    w.clock.advance(11 * MINUTE);
    await expectCode(
      w.auth.passkeys.registrationOptions({ userId: w.ada, sessionId: w.session.sessionId }, CTX),
      'REAUTH_REQUIRED',
    );
    await expectCode(
      w.auth.passkeys.registrationOptions(
        { userId: w.ada, sessionId: w.session.sessionId, password: 'wrong password!' },
        CTX,
      ),
      'PASSWORD_INCORRECT',
    );
    const options = await w.auth.passkeys.registrationOptions(
      { userId: w.ada, sessionId: w.session.sessionId, password: PASSWORD },
      CTX,
    );
    const response = await w.key.register(options);
    const view = await w.auth.passkeys.register(
      { userId: w.ada, sessionId: w.session.sessionId, response },
      CTX,
    );
    expect(view.name).toBe('Passkey');
  });

  it('uses the challenge once: a replayed response is refused', async () => {
    const w = await world();
    const options = await w.auth.passkeys.registrationOptions(
      { userId: w.ada, sessionId: w.session.sessionId },
      CTX,
    );
    const response = await w.key.register(options);
    const input = { userId: w.ada, sessionId: w.session.sessionId, response };
    // Two racing verifications of one response: one passkey.
    const results = await Promise.allSettled([
      w.auth.passkeys.register(input, CTX),
      w.auth.passkeys.register(input, CTX),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected');
    expect(refused?.status === 'rejected' && refused.reason).toMatchObject({
      code: 'PASSKEY_INVALID',
      details: [{ path: 'reason', message: 'challenge' }],
    });
    expect(await w.auth.passkeys.list(w.ada)).toHaveLength(1);
  });

  it("refuses another session's challenge, an expired one, a wrong origin or RP ID", async () => {
    const w = await world();
    const other = await w.signIn('ada@example.com');
    const options = () =>
      w.auth.passkeys.registrationOptions({ userId: w.ada, sessionId: w.session.sessionId }, CTX);
    const register = (response: unknown, sessionId = w.session.sessionId) =>
      w.auth.passkeys.register({ userId: w.ada, sessionId, response }, CTX);
    const reason = async (p: Promise<unknown>) => detail(await expectCode(p, 'PASSKEY_INVALID'));
    expect(await reason(register(await w.key.register(await options()), other.sessionId))).toEqual({
      path: 'reason',
      message: 'challenge',
    });
    const late = await w.key.register(await options());
    w.clock.advance(5 * MINUTE + 1);
    expect(await reason(register(late))).toEqual({ path: 'reason', message: 'challenge' });
    expect(
      await reason(
        register(await w.key.register(await options(), { origin: 'https://evil.example' })),
      ),
    ).toEqual({ path: 'reason', message: 'verification' });
    expect(
      await reason(register(await w.key.register(await options(), { rpId: 'evil.example' }))),
    ).toEqual({ path: 'reason', message: 'verification' });
    expect(await w.auth.passkeys.list(w.ada)).toEqual([]);
  });

  it('ends a registration in flight when the credentials change (a password reset)', async () => {
    const w = await world();
    const options = await w.auth.passkeys.registrationOptions(
      { userId: w.ada, sessionId: w.session.sessionId },
      CTX,
    );
    const response = await w.key.register(options);
    await w.auth.passwords.change(
      {
        userId: w.ada,
        sessionId: w.session.sessionId,
        currentPassword: PASSWORD,
        newPassword: 'copper lantern meadow',
      },
      CTX,
    );
    await expectCode(
      w.auth.passkeys.register({ userId: w.ada, sessionId: w.session.sessionId, response }, CTX),
      'UNAUTHENTICATED',
    );
    expect(await w.auth.passkeys.list(w.ada)).toEqual([]);
  });

  it('is refused with malformed input, never a crash', async () => {
    const w = await world();
    for (const response of [
      undefined,
      'x',
      { id: 1 },
      {
        id: 'AA',
        rawId: 'AA',
        type: 'public-key',
        response: { clientDataJSON: '!!', attestationObject: 'AA' },
      },
    ]) {
      await expectCode(
        w.auth.passkeys.register({ userId: w.ada, sessionId: w.session.sessionId, response }, CTX),
        'VALIDATION_FAILED',
      );
    }
    const garbage = {
      id: 'AAAA',
      rawId: 'AAAA',
      type: 'public-key',
      response: { clientDataJSON: 'e30', attestationObject: 'oA' },
      clientExtensionResults: {},
    };
    await expectCode(
      w.auth.passkeys.register(
        { userId: w.ada, sessionId: w.session.sessionId, response: garbage },
        CTX,
      ),
      'PASSKEY_INVALID',
    );
  });
});

describe('signing in with a passkey', () => {
  it('signs in without a password or second-factor challenge, amr hwk + user', async () => {
    const w = await world();
    await addPasskey(w, w.ada, w.session.sessionId, w.key);
    // With TOTP on, the passkey still needs no challenge: it is two factors in one.
    await w.auth.storage.users.update(w.ada, {
      totp: { secretEncrypted: 'x', enabledAt: w.clock.now(), lastUsedStep: 0 } as never,
      updatedAt: w.clock.now(),
    });
    const result = await passkeySignIn(w, w.key);
    if (result.status !== 'signed_in') return fail('expected signed_in');
    expect(result.user.id).toBe(w.ada);
    const session = await w.auth.storage.sessions.get(result.session.id, w.clock.now());
    expect(session?.amr).toEqual(['hwk', 'user']);
    expect(session?.secondFactorAt).toBe(w.clock.now());
    const [passkey] = await w.auth.passkeys.list(w.ada);
    expect(passkey?.lastUsedAt).toBe(w.clock.now());
    expect(ofType(w.events, 'login.succeeded').at(-1)?.data).toMatchObject({
      amr: ['hwk', 'user'],
      passkeyId: passkey?.id,
    });
  });

  it('works with an identifier, listing only that user’s passkeys', async () => {
    const w = await world();
    await addPasskey(w, w.ada, w.session.sessionId, w.key);
    const { options } = await w.auth.passkeys.loginOptions({ identifier: 'ADA@example.com' }, CTX);
    expect(options.allowCredentials?.map((c) => c.id)).toEqual([w.key.credentials[0]?.id]);
    const result = await passkeySignIn(w, w.key, { identifier: 'ada' });
    expect(result.status).toBe('signed_in');
  });

  it('answers an unknown identifier like a known one (a stable stand-in credential)', async () => {
    const w = await world();
    const shape = async (identifier: string) => {
      const { challengeId, options } = await w.auth.passkeys.loginOptions({ identifier }, CTX);
      expect(challengeId).toMatch(/^[\w-]+\.[\w-]+$/);
      return options.allowCredentials;
    };
    const unknown = await shape('nobody@example.com');
    expect(unknown).toHaveLength(1);
    expect(await shape('nobody@example.com')).toEqual(unknown);
    const ada = await shape('ada@example.com'); // no passkey yet: a stand-in too
    expect(ada).toHaveLength(1);
    expect(ada?.[0]?.id).not.toBe(unknown?.[0]?.id);
    expect(Object.keys(ada?.[0] ?? {})).toEqual(Object.keys(unknown?.[0] ?? {}));
  });

  it('refuses a replayed challenge, an unknown credential, a wrong origin or RP ID', async () => {
    const w = await world();
    await addPasskey(w, w.ada, w.session.sessionId, w.key);
    const reason = async (p: Promise<unknown>) =>
      detail(await expectCode(p, 'PASSKEY_INVALID'))?.message;
    const { challengeId, options } = await w.auth.passkeys.loginOptions({}, CTX);
    const response = await w.key.authenticate(options);
    const first = await Promise.allSettled([
      w.auth.passkeys.signIn({ challengeId, response }, CTX),
      w.auth.passkeys.signIn({ challengeId, response }, CTX),
    ]);
    expect(first.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await reason(w.auth.passkeys.signIn({ challengeId, response }, CTX))).toBe('challenge');
    const stranger = softwareAuthenticator({ origin: APP_URL });
    const bob = await w.signUp('bob@example.com');
    const bobSession = await w.signIn('bob@example.com');
    await addPasskey(w, bob, bobSession.sessionId, stranger);
    await w.auth.passkeys.remove(
      {
        userId: bob,
        passkeyId: (await w.auth.passkeys.list(bob))[0]?.id ?? '',
        sessionId: bobSession.sessionId,
      },
      CTX,
    );
    expect(await reason(passkeySignIn(w, stranger))).toBe('unknown_credential');
    expect(await reason(passkeySignIn(w, w.key, {}, { origin: 'https://evil.example' }))).toBe(
      'verification',
    );
    expect(await reason(passkeySignIn(w, w.key, {}, { rpId: 'evil.example' }))).toBe(
      'verification',
    );
    const expired = await w.auth.passkeys.loginOptions({}, CTX);
    const late = await w.key.authenticate(expired.options);
    w.clock.advance(5 * MINUTE + 1);
    expect(
      await reason(
        w.auth.passkeys.signIn({ challengeId: expired.challengeId, response: late }, CTX),
      ),
    ).toBe('challenge');
  });

  it("refuses another user's passkey for an identifier's challenge, and a forged user handle", async () => {
    const w = await world();
    await addPasskey(w, w.ada, w.session.sessionId, w.key);
    const bob = await w.signUp('bob@example.com');
    const bobKey = softwareAuthenticator({ origin: APP_URL });
    await addPasskey(w, bob, (await w.signIn('bob@example.com')).sessionId, bobKey);
    // Bob's challenge (it lists Bob's passkeys) answered by Ada's passkey.
    const { challengeId, options } = await w.auth.passkeys.loginOptions(
      { identifier: 'bob@example.com' },
      CTX,
    );
    const response = await w.key.authenticate({ ...options, allowCredentials: [] });
    expect(
      (await expectCode(w.auth.passkeys.signIn({ challengeId, response }, CTX), 'PASSKEY_INVALID'))
        .details?.[0],
    ).toEqual({ path: 'reason', message: 'user' });
    const discoverable = await w.auth.passkeys.loginOptions({}, CTX);
    const forged = await w.key.authenticate(discoverable.options);
    forged.response.userHandle = bobKey.credentials[0]?.userHandle ?? '';
    await expectCode(
      w.auth.passkeys.signIn({ challengeId: discoverable.challengeId, response: forged }, CTX),
      'PASSKEY_INVALID',
    );
    // A stand-in challenge (an identifier without passkeys) is answered by no passkey at all:
    // else answering it with one's own passkey would tell a stand-in from a real list.
    for (const identifier of ['nobody@example.com', 'carol@example.com']) {
      if (identifier.startsWith('carol')) await w.signUp(identifier);
      const stand = await w.auth.passkeys.loginOptions({ identifier }, CTX);
      const own = await w.key.authenticate({ ...stand.options, allowCredentials: [] });
      expect(
        detail(
          await expectCode(
            w.auth.passkeys.signIn({ challengeId: stand.challengeId, response: own }, CTX),
            'PASSKEY_INVALID',
          ),
        ),
      ).toEqual({ path: 'reason', message: 'user' });
    }
    expect(ofType(w.events, 'login.succeeded').filter((e) => e.data?.passkeyId)).toEqual([]);
  });

  it('refuses a passkey that did not verify the user (a second factor at most)', async () => {
    const w = await world();
    await addPasskey(w, w.ada, w.session.sessionId, w.key);
    const error = await expectCode(
      passkeySignIn(w, w.key, {}, { userVerified: false }),
      'PASSKEY_INVALID',
    );
    expect(detail(error)).toEqual({ path: 'reason', message: 'user_verification_required' });
  });

  it('reports a counter that went backwards; refuses a device-bound passkey, not a synced one', async () => {
    const w = await world();
    await addPasskey(w, w.ada, w.session.sessionId, w.key);
    expect((await passkeySignIn(w, w.key)).status).toBe('signed_in');
    expect((await passkeySignIn(w, w.key)).status).toBe('signed_in');
    const clone = w.key.clone();
    const id = w.key.credentials[0]?.id ?? '';
    clone.setCounter(id, 0);
    const error = await expectCode(passkeySignIn(w, clone), 'PASSKEY_INVALID');
    expect(detail(error)?.message).toBe('counter');
    expect(ofType(w.events, 'passkey.counter_regressed').at(-1)?.data).toEqual({
      passkeyId: expect.any(String),
      stored: 2,
      presented: 1,
      deviceType: 'singleDevice',
    });
    // A synced passkey (backup eligible) whose counter goes back still signs in.
    const synced = softwareAuthenticator({ origin: APP_URL, backupEligible: true, backedUp: true });
    const bob = await w.signUp('bob@example.com');
    await addPasskey(w, bob, (await w.signIn('bob@example.com')).sessionId, synced);
    expect((await passkeySignIn(w, synced)).status).toBe('signed_in');
    expect((await passkeySignIn(w, synced)).status).toBe('signed_in');
    synced.setCounter(synced.credentials[0]?.id ?? '', 0);
    expect((await passkeySignIn(w, synced)).status).toBe('signed_in');
    expect(ofType(w.events, 'passkey.counter_regressed')).toHaveLength(2);
    expect((await w.auth.passkeys.list(bob))[0]).toMatchObject({
      deviceType: 'multiDevice',
      backedUp: true,
    });
  });

  it('refuses a disabled account, after the signature checked out', async () => {
    const w = await world();
    await addPasskey(w, w.ada, w.session.sessionId, w.key);
    await w.auth.storage.users.update(w.ada, { disabled: true, updatedAt: w.clock.now() });
    await expectCode(passkeySignIn(w, w.key), 'ACCOUNT_DISABLED');
  });

  it('is not stopped by a password lockout (a guesser cannot lock the owner out of it)', async () => {
    const w = await world();
    await addPasskey(w, w.ada, w.session.sessionId, w.key);
    for (let i = 0; i < 6; i++) {
      await w.auth
        .login({ identifier: 'ada@example.com', password: `wrong ${i} guess!` }, CTX)
        .catch(() => {});
    }
    await expectCode(
      w.auth.login({ identifier: 'ada@example.com', password: PASSWORD }, CTX),
      'RATE_LIMITED',
    );
    expect((await passkeySignIn(w, w.key)).status).toBe('signed_in');
  });

  it('throttles options and verification per client IP (passkeyPerIp)', async () => {
    const w = await world({ rateLimits: { passkeyPerIp: { limit: 3, windowSeconds: 60 } } });
    for (let i = 0; i < 3; i++) await w.auth.passkeys.loginOptions({}, CTX);
    await expectCode(w.auth.passkeys.loginOptions({}, CTX), 'RATE_LIMITED');
    expect(
      (await w.auth.passkeys.loginOptions({}, { ip: '198.51.100.2' })).challengeId,
    ).toBeTruthy();
  });
});

describe('managing passkeys', () => {
  it("renames one; another user's is not found", async () => {
    const w = await world();
    const view = await addPasskey(w, w.ada, w.session.sessionId, w.key);
    expect(
      await w.auth.passkeys.rename({ userId: w.ada, passkeyId: view.id, name: 'Phone' }, CTX),
    ).toMatchObject({ id: view.id, name: 'Phone' });
    const bob = await w.signUp('bob@example.com');
    await expectCode(
      w.auth.passkeys.rename({ userId: bob, passkeyId: view.id, name: 'Mine' }, CTX),
      'NOT_FOUND',
    );
    await expectCode(
      w.auth.passkeys.rename({ userId: w.ada, passkeyId: view.id, name: '' }, CTX),
      'VALIDATION_FAILED',
    );
  });

  it('removes one with a fresh session; not the last way to sign in', async () => {
    const w = await world();
    const view = await addPasskey(w, w.ada, w.session.sessionId, w.key);
    const second = await addPasskey(
      w,
      w.ada,
      w.session.sessionId,
      softwareAuthenticator({ origin: APP_URL }),
    );
    // No password: the passkeys are the only ways in.
    await w.auth.storage.users.update(w.ada, { passwordHash: null, updatedAt: w.clock.now() });
    const remove = (passkeyId: string) =>
      w.auth.passkeys.remove({ userId: w.ada, passkeyId, sessionId: w.session.sessionId }, CTX);
    // Two removals at once of the last two: one stays.
    const results = await Promise.allSettled([remove(view.id), remove(second.id)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await w.auth.passkeys.list(w.ada)).toHaveLength(1);
    const [left] = await w.auth.passkeys.list(w.ada);
    const error = await expectCode(remove(left?.id ?? ''), 'VALIDATION_FAILED');
    expect(error.details?.[0]?.path).toBe('id');
    w.clock.advance(11 * MINUTE);
    await expectCode(remove(left?.id ?? ''), 'REAUTH_REQUIRED');
  });

  it('keeps one way in when the last passkey and the last linked account go at once', async () => {
    const w = await world();
    const view = await addPasskey(w, w.ada, w.session.sessionId, w.key);
    await w.auth.storage.accounts.create({
      id: 'acct1',
      userId: w.ada,
      provider: 'github',
      subject: '42',
      createdAt: w.clock.now(),
      lastUsedAt: w.clock.now(),
    });
    await w.auth.storage.users.update(w.ada, { passwordHash: null, updatedAt: w.clock.now() });
    const results = await Promise.allSettled([
      w.auth.passkeys.remove(
        { userId: w.ada, passkeyId: view.id, sessionId: w.session.sessionId },
        CTX,
      ),
      w.auth.oauth.unlink({ userId: w.ada, accountId: 'acct1' }, CTX),
    ]);
    expect(results.some((r) => r.status === 'rejected')).toBe(true);
    const left =
      (await w.auth.passkeys.list(w.ada)).length + (await w.auth.oauth.accounts(w.ada)).length;
    expect(left).toBeGreaterThanOrEqual(1);
  });

  it('does not put a passkey back for an account deleted during its removal', async () => {
    // The account is deleted (its links with it) while the removal's delete runs: armed below.
    const storage = memoryStorage();
    const remove = storage.passkeys.delete.bind(storage.passkeys);
    let during: (() => Promise<void>) | undefined;
    storage.passkeys.delete = async (id, options) => {
      const result = await remove(id, options);
      await during?.();
      return result;
    };
    const w = await world({ storage });
    const view = await addPasskey(w, w.ada, w.session.sessionId, w.key);
    // No password, one passkey and one linked account: removing the passkey looks again after
    // its delete, and would put it back if no way in were left.
    await w.auth.storage.accounts.create({
      id: 'acct1',
      userId: w.ada,
      provider: 'github',
      subject: '42',
      createdAt: w.clock.now(),
      lastUsedAt: w.clock.now(),
    });
    await w.auth.storage.users.update(w.ada, { passwordHash: null, updatedAt: w.clock.now() });
    during = async () => {
      await storage.accounts.deleteByUser(w.ada);
      await storage.users.delete(w.ada);
    };
    await w.auth.passkeys
      .remove({ userId: w.ada, passkeyId: view.id, sessionId: w.session.sessionId }, CTX)
      .catch(() => undefined);
    expect(await storage.users.getById(w.ada)).toBeUndefined();
    expect(
      await storage.passkeys.getByCredentialId(w.key.credentials[0]?.id ?? ''),
    ).toBeUndefined();
  });

  it('a user with a password may remove every passkey', async () => {
    const w = await world();
    const view = await addPasskey(w, w.ada, w.session.sessionId, w.key);
    await w.auth.passkeys.remove(
      { userId: w.ada, passkeyId: view.id, sessionId: w.session.sessionId },
      CTX,
    );
    expect(await w.auth.passkeys.list(w.ada)).toEqual([]);
    expect(ofType(w.events, 'passkey.removed')).toHaveLength(1);
  });

  it('is all NOT_FOUND with passkeys off', async () => {
    const w = await world({ passkeys: false });
    await expectCode(w.auth.passkeys.loginOptions({}, CTX), 'NOT_FOUND');
    await expectCode(w.auth.passkeys.list(w.ada), 'NOT_FOUND');
    await expectCode(
      w.auth.passkeys.registrationOptions({ userId: w.ada, sessionId: w.session.sessionId }, CTX),
      'NOT_FOUND',
    );
  });

  it('leaks no challenge secret into events or logs', async () => {
    const w = await world();
    await addPasskey(w, w.ada, w.session.sessionId, w.key);
    const { challengeId, options } = await w.auth.passkeys.loginOptions({}, CTX);
    w.secrets.add(challengeId.split('.')[1] ?? fail('no secret'));
    await w.auth.passkeys.signIn({ challengeId, response: await w.key.authenticate(options) }, CTX);
    w.assertNoSecrets([...w.events, ...w.logs]);
  });
});

describe('a passkey as the second factor', () => {
  /** Ada with TOTP on (a stand-in secret: only the passkey answers here) and a passkey. */
  async function twoFactorWorld() {
    const w = await world();
    const key = softwareAuthenticator({ origin: APP_URL, userVerification: false });
    await addPasskey(w, w.ada, w.session.sessionId, key);
    await w.auth.storage.users.update(w.ada, {
      totp: { secretEncrypted: 'x', enabledAt: w.clock.now(), lastUsedStep: 0 } as never,
      updatedAt: w.clock.now(),
    });
    const login = await w.auth.login({ identifier: 'ada@example.com', password: PASSWORD }, CTX);
    if (login.status !== 'two_factor_required') return fail('expected a challenge');
    return { ...w, key, login };
  }

  it('is offered to a 2FA user with a passkey, and answers the challenge without user verification', async () => {
    const w = await twoFactorWorld();
    expect(w.login.methods).toContain('passkey');
    const { options } = await w.auth.passkeys.secondFactorOptions(w.login.challenge, CTX);
    expect(options.allowCredentials?.map((c) => c.id)).toEqual([w.key.credentials[0]?.id]);
    const response = await w.key.authenticate(options);
    const result = await w.auth.verifySecondFactor(
      { challenge: w.login.challenge, method: 'passkey', response },
      CTX,
    );
    const session = await w.auth.storage.sessions.get(result.session.id, w.clock.now());
    expect(session?.amr).toEqual(['pwd', 'hwk']);
    expect(session?.secondFactorAt).toBe(w.clock.now());
    // The challenge is used up: the same answer again is refused.
    await expectCode(
      w.auth.verifySecondFactor({ challenge: w.login.challenge, method: 'passkey', response }, CTX),
      'TOKEN_INVALID',
    );
  });

  it("refuses an assertion for another challenge, another user's passkey, or none", async () => {
    const w = await twoFactorWorld();
    const { options } = await w.auth.passkeys.secondFactorOptions(w.login.challenge, CTX);
    const stale = await w.key.authenticate(options);
    const again = await w.auth.login({ identifier: 'ada@example.com', password: PASSWORD }, CTX);
    if (again.status !== 'two_factor_required') return fail('expected a challenge');
    // An assertion made for the first challenge does not answer the second.
    await expectCode(
      w.auth.verifySecondFactor(
        { challenge: again.challenge, method: 'passkey', response: stale },
        CTX,
      ),
      'CODE_INVALID',
    );
    const bob = await w.signUp('bob@example.com');
    const bobKey = softwareAuthenticator({ origin: APP_URL });
    await addPasskey(w, bob, (await w.signIn('bob@example.com')).sessionId, bobKey);
    const next = await w.auth.passkeys.secondFactorOptions(again.challenge, CTX);
    const foreign = await bobKey.authenticate({ ...next.options, allowCredentials: [] });
    await expectCode(
      w.auth.verifySecondFactor(
        { challenge: again.challenge, method: 'passkey', response: foreign },
        CTX,
      ),
      'CODE_INVALID',
    );
    const error = await expectCode(
      w.auth.verifySecondFactor({ challenge: again.challenge, method: 'passkey' }, CTX),
      'VALIDATION_FAILED',
    );
    expect(error.details?.[0]?.path).toBe('response');
    // The right passkey still works on that challenge.
    const ok = await w.auth.verifySecondFactor(
      {
        challenge: again.challenge,
        method: 'passkey',
        response: await w.key.authenticate(next.options),
      },
      CTX,
    );
    expect(ok.status).toBe('signed_in');
  });

  it('is not offered to a 2FA user without a passkey', async () => {
    const w = await world();
    await w.auth.storage.users.update(w.ada, {
      totp: { secretEncrypted: 'x', enabledAt: w.clock.now(), lastUsedStep: 0 } as never,
      updatedAt: w.clock.now(),
    });
    const login = await w.auth.login({ identifier: 'ada@example.com', password: PASSWORD }, CTX);
    if (login.status !== 'two_factor_required') return fail('expected a challenge');
    expect(login.methods).not.toContain('passkey');
    await expectCode(
      w.auth.passkeys.secondFactorOptions(login.challenge, CTX),
      'VALIDATION_FAILED',
    );
  });
});
