import { describe, expect, it } from 'vitest';
import { CTX, expectCode, NOBODY, PASSWORD, setupMagic } from './helpers.js';

describe('an address without an account', () => {
  it('createAccounts off (the default): no mail, no account, an event without a user', async () => {
    const s = await setupMagic();
    expect(await s.auth.magicLink.request(NOBODY, CTX)).toEqual({ status: 'link_sent' });
    expect(s.mailer.messages).toEqual([]);
    expect(await s.auth.storage.users.getByEmail(NOBODY)).toBeUndefined();
    const event = s.events.findLast((e) => e.type === 'magic_link.requested');
    expect(event).toMatchObject({ data: { mailed: false } });
    expect(event?.userId).toBeUndefined();
  });

  it('createAccounts on: the link makes the account, verified and without a password', async () => {
    const s = await setupMagic({ magicLink: { createAccounts: true } });
    const { token } = await s.requested(NOBODY);
    // Nothing is made before the link is used.
    expect(await s.auth.storage.users.getByEmail(NOBODY)).toBeUndefined();
    expect(s.events.findLast((e) => e.type === 'magic_link.requested')).toMatchObject({
      data: { mailed: true },
    });
    const result = s.signedIn(await s.auth.magicLink.verify({ token }, CTX));
    expect(result.user).toMatchObject({ email: NOBODY, emailVerified: true });
    const stored = await s.auth.storage.users.getById(result.user.id);
    expect(stored?.passwordHash).toBeUndefined();
    expect(stored?.emailVerifiedAt).toBe(s.clock.now());
    expect(s.events.find((e) => e.type === 'user.registered')).toMatchObject({
      userId: result.user.id,
      data: { method: 'magic_link' },
    });
    // The account has no password to sign in with; the next link finds it.
    await expectCode(
      s.auth.login({ identifier: NOBODY, password: PASSWORD }, CTX),
      'INVALID_CREDENTIALS',
    );
    const again = await s.requested(NOBODY);
    expect(
      s.signedIn(await s.auth.magicLink.verify({ email: NOBODY, code: again.code }, CTX)).user.id,
    ).toBe(result.user.id);
  });

  it('createAccounts on: only the link makes the account (a guessed code must not), with the address as typed', async () => {
    const s = await setupMagic({ magicLink: { createAccounts: true } });
    await s.auth.magicLink.request(' Grace.Hopper@Example.com ', CTX);
    const { code, token, mail } = s.mailed('grace.hopper@example.com');
    expect(mail.to).toBe('Grace.Hopper@Example.com');
    const refused = await s.auth.magicLink
      .verify({ email: 'grace.hopper@example.com', code }, CTX)
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'code' }] });
    expect(await s.auth.storage.users.getByEmail('grace.hopper@example.com')).toBeUndefined();
    const result = s.signedIn(await s.auth.magicLink.verify({ token }, CTX));
    expect(result.user.email).toBe('Grace.Hopper@Example.com');
    expect((await s.auth.storage.users.getById(result.user.id))?.emailNormalized).toBe(
      'grace.hopper@example.com',
    );
  });

  it('createAccounts on: an address registered meanwhile is that account, claimed (its password goes)', async () => {
    const s = await setupMagic({ magicLink: { createAccounts: true } });
    const { token } = await s.requested(NOBODY);
    await s.auth.register({ email: NOBODY, password: PASSWORD }, CTX);
    const registered = await s.auth.storage.users.getByEmail(NOBODY);
    const result = s.signedIn(await s.auth.magicLink.verify({ token }, CTX));
    expect(result.user.id).toBe(registered?.id);
    expect(result.user.emailVerified).toBe(true);
    expect((await s.auth.storage.users.getById(result.user.id))?.passwordHash).toBeUndefined();
    expect(s.events.filter((e) => e.type === 'user.registered')).toHaveLength(1);
  });

  it('createAccounts on: an address that is not well-formed gets no mail, and the same answer', async () => {
    const s = await setupMagic({ magicLink: { createAccounts: true } });
    expect(await s.auth.magicLink.request('not-an-address', CTX)).toEqual({
      status: 'link_sent',
    });
    expect(s.mailer.messages).toEqual([]);
  });

  it('a userless link minted while createAccounts was on makes no account once it is off', async () => {
    const on = await setupMagic({ magicLink: { createAccounts: true } });
    const { token } = await on.requested(NOBODY);
    // The same store, clock and secret under a configuration with account creation off.
    const { createAuth } = await import('../../src/index.js');
    const off = createAuth({
      storage: on.auth.storage,
      mailer: on.mailer,
      appUrl: 'https://app.example.com',
      secret: 'flow-tests-secret-0123456789abcdef',
      clock: on.clock,
      magicLink: {},
      password: { hasher: await (await import('../flows/helpers.js')).cheapHasher() },
    });
    await expectCode(off.magicLink.verify({ token }, CTX), 'TOKEN_INVALID');
    expect(await on.auth.storage.users.getByEmail(NOBODY)).toBeUndefined();
  });
});
