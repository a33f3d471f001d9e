import { describe, expect, it } from 'vitest';
import { type LoginResult, memoryStorage } from '../../src/index.js';
import type { Storage } from '../../src/storage/index.js';
import { ADA, CTX, codeOf, expectCode, fail, MINUTE, PASSWORD, setupMagic } from './helpers.js';

describe('sign-in by magic link or emailed code', () => {
  it('the mailed link signs in: amr [email], login.succeeded with method magic_link', async () => {
    const s = await setupMagic();
    const userId = await s.signUp(ADA);
    const { token, mail } = await s.requested();
    expect(s.mailer.extractLink(mail)).toMatch(/^https:\/\/app\.example\.com\/magic-link\?token=/);
    expect(mail.subject).toContain('Sign in');
    const result = s.signedIn(await s.auth.magicLink.verify({ token }, CTX));
    expect(result.user.id).toBe(userId);
    expect(result.session.amr).toEqual(['email']);
    expect(s.events.filter((e) => e.type === 'magic_link.requested')).toMatchObject([
      { userId, data: { mailed: true } },
    ]);
    expect(s.events.findLast((e) => e.type === 'login.succeeded')).toMatchObject({
      userId,
      data: { method: 'magic_link', amr: ['email'] },
    });
  });

  it('the code signs in on another device, with the address in any case and the code spaced', async () => {
    const s = await setupMagic();
    const userId = await s.signUp(ADA);
    const { code } = await s.requested();
    const spaced = `${code.slice(0, 3)} ${code.slice(3)}`;
    const result = s.signedIn(
      await s.auth.magicLink.verify({ email: '  Ada@EXAMPLE.com ', code: spaced }, CTX),
    );
    expect(result.user.id).toBe(userId);
    expect(result.session.amr).toEqual(['email']);
  });

  it('is off unless configured: NOT_FOUND for both calls, before any validation', async () => {
    const s = await setupMagic({}, { off: true });
    await expectCode(s.auth.magicLink.request(ADA, CTX), 'NOT_FOUND');
    await expectCode(s.auth.magicLink.request(42 as unknown as string, CTX), 'NOT_FOUND');
    await expectCode(s.auth.magicLink.verify({ token: 'a.b' }, CTX), 'NOT_FOUND');
  });
});

describe('single use: a link or code works once, and ends the other', () => {
  it('replaying the link is TOKEN_INVALID; its code is dead too', async () => {
    const s = await setupMagic();
    await s.signUp(ADA);
    const { token, code } = await s.requested();
    s.signedIn(await s.auth.magicLink.verify({ token }, CTX));
    await expectCode(s.auth.magicLink.verify({ token }, CTX), 'TOKEN_INVALID');
    await expectCode(s.auth.magicLink.verify({ email: ADA, code }, CTX), 'CODE_INVALID');
  });

  it('replaying the code is CODE_INVALID; its link is dead too', async () => {
    const s = await setupMagic();
    await s.signUp(ADA);
    const { token, code } = await s.requested();
    s.signedIn(await s.auth.magicLink.verify({ email: ADA, code }, CTX));
    await expectCode(s.auth.magicLink.verify({ email: ADA, code }, CTX), 'CODE_INVALID');
    await expectCode(s.auth.magicLink.verify({ token }, CTX), 'TOKEN_INVALID');
  });

  it('a new request ends the older link and code', async () => {
    const s = await setupMagic();
    await s.signUp(ADA);
    const first = await s.requested();
    const second = await s.requested();
    await expectCode(s.auth.magicLink.verify({ token: first.token }, CTX), 'TOKEN_INVALID');
    if (first.code !== second.code) {
      await expectCode(
        s.auth.magicLink.verify({ email: ADA, code: first.code }, CTX),
        'CODE_INVALID',
      );
    }
    s.signedIn(await s.auth.magicLink.verify({ email: ADA, code: second.code }, CTX));
  });

  it('five parallel uses of one link give exactly one session', async () => {
    const s = await setupMagic();
    const userId = await s.signUp(ADA);
    const { token } = await s.requested();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, () => s.auth.magicLink.verify({ token }, CTX)),
    );
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(won[0]?.value.status).toBe('signed_in');
    for (const o of outcomes.filter((x) => x.status === 'rejected')) {
      expect(o.reason).toMatchObject({ code: 'TOKEN_INVALID' });
    }
    expect(await s.auth.storage.sessions.listByUser(userId, s.clock.now())).toHaveLength(1);
  });

  it('the link and its code used at once give exactly one session', async () => {
    const s = await setupMagic();
    const userId = await s.signUp(ADA);
    const { token, code } = await s.requested();
    const outcomes = await Promise.allSettled([
      s.auth.magicLink.verify({ token }, CTX),
      s.auth.magicLink.verify({ email: ADA, code }, CTX),
      s.auth.magicLink.verify({ token }, CTX),
      s.auth.magicLink.verify({ email: ADA, code }, CTX),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(await s.auth.storage.sessions.listByUser(userId, s.clock.now())).toHaveLength(1);
  });
});

describe('the code and its link race', () => {
  it('the link used while the code is being checked: one sign-in, the code loses', async () => {
    // Memory storage that runs `between` once, right after a read of a magic link (the code's
    // path reads its link before taking it): the link is used in that gap.
    const inner = memoryStorage();
    let between: (() => Promise<void>) | undefined;
    const tokens = new Proxy(inner.tokens, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver);
        if (key !== 'get' || typeof value !== 'function') return value;
        return async (...args: Parameters<Storage['tokens']['get']>) => {
          const record = await inner.tokens.get(...args);
          const run = between;
          if (args[0] === 'magic-link' && record !== undefined && run !== undefined) {
            between = undefined;
            await run();
          }
          return record;
        };
      },
    });
    const s = await setupMagic({ storage: { ...inner, tokens } });
    const userId = await s.signUp(ADA);
    const { token, code } = await s.requested();
    let byLink: LoginResult | undefined;
    between = async () => {
      byLink = await s.auth.magicLink.verify({ token }, CTX);
    };
    await expectCode(s.auth.magicLink.verify({ email: ADA, code }, CTX), 'CODE_INVALID');
    expect(byLink?.status).toBe('signed_in');
    expect(await s.auth.storage.sessions.listByUser(userId, s.clock.now())).toHaveLength(1);
  });
});

describe('expiry (fake clock)', () => {
  it('the link and the code work until 15 minutes have passed', async () => {
    const s = await setupMagic();
    await s.signUp(ADA);
    const first = await s.requested();
    s.clock.advance(15 * MINUTE - 1);
    s.signedIn(await s.auth.magicLink.verify({ token: first.token }, CTX));
    const second = await s.requested();
    s.clock.advance(15 * MINUTE - 1);
    s.signedIn(await s.auth.magicLink.verify({ email: ADA, code: second.code }, CTX));
  });

  it('after 15 minutes: the link is TOKEN_EXPIRED, the code CODE_INVALID', async () => {
    const s = await setupMagic();
    await s.signUp(ADA);
    const { token, code } = await s.requested();
    s.clock.advance(15 * MINUTE);
    await expectCode(s.auth.magicLink.verify({ email: ADA, code }, CTX), 'CODE_INVALID');
    await expectCode(s.auth.magicLink.verify({ token }, CTX), 'TOKEN_EXPIRED');
    // An expired link is deleted by the attempt: afterwards it is unknown.
    await expectCode(s.auth.magicLink.verify({ token }, CTX), 'TOKEN_INVALID');
  });

  it('tokenTtlSeconds sets the lifetime (and the minutes the mail states)', async () => {
    const s = await setupMagic({ magicLink: { tokenTtlSeconds: 120 } });
    await s.signUp(ADA);
    const { token, mail } = await s.requested();
    expect(mail.text).toContain('2 minutes');
    s.clock.advance(2 * MINUTE);
    await expectCode(s.auth.magicLink.verify({ token }, CTX), 'TOKEN_EXPIRED');
  });
});

describe('guessing the code', () => {
  it('after 5 wrong codes the request is over: the right code and the link fail', async () => {
    const s = await setupMagic();
    const userId = await s.signUp(ADA);
    const { token, code } = await s.requested();
    for (let i = 1; i <= 5; i++) {
      await expectCode(
        s.auth.magicLink.verify({ email: ADA, code: s.otherCode(code) }, CTX),
        'CODE_INVALID',
      );
    }
    await expectCode(s.auth.magicLink.verify({ email: ADA, code }, CTX), 'CODE_INVALID');
    await expectCode(s.auth.magicLink.verify({ token }, CTX), 'TOKEN_INVALID');
    // Each wrong code on a known account is a failed sign-in.
    expect(
      s.events.filter((e) => e.type === 'login.failed' && e.data?.reason === 'code_invalid'),
    ).toHaveLength(5);
    expect(s.events.every((e) => e.type !== 'login.failed' || e.userId === userId)).toBe(true);
  });

  it('4 wrong codes leave the right one working', async () => {
    const s = await setupMagic();
    await s.signUp(ADA);
    const { code } = await s.requested();
    for (let i = 0; i < 4; i++) {
      await expectCode(
        s.auth.magicLink.verify({ email: ADA, code: s.otherCode(code) }, CTX),
        'CODE_INVALID',
      );
    }
    s.signedIn(await s.auth.magicLink.verify({ email: ADA, code }, CTX));
  });

  it('concurrent guesses cannot pass the limit: 20 at once, then the right code fails', async () => {
    // (The per-address budget of code checks is set high here: this is the request's limit.)
    const s = await setupMagic({
      rateLimits: { magicLinkCodePerAddress: { limit: 100, windowSeconds: 86_400 } },
    });
    await s.signUp(ADA);
    const { token, code } = await s.requested();
    const guesses = await Promise.all(
      Array.from({ length: 20 }, () =>
        codeOf(s.auth.magicLink.verify({ email: ADA, code: s.otherCode(code) }, CTX)),
      ),
    );
    expect(new Set(guesses)).toEqual(new Set(['CODE_INVALID']));
    await expectCode(s.auth.magicLink.verify({ email: ADA, code }, CTX), 'CODE_INVALID');
    await expectCode(s.auth.magicLink.verify({ token }, CTX), 'TOKEN_INVALID');
  });

  it('a new request gives no new guesses: 10 code checks per address a day (magicLinkCodePerAddress)', async () => {
    const s = await setupMagic();
    await s.signUp(ADA);
    let checks = 0;
    for (let request = 0; request < 3; request++) {
      // An hour apart: within the requests' own limit (3 an hour), not the checks' (10 a day).
      s.clock.advance(3_600_000);
      const { code } = await s.requested();
      for (let i = 0; i < 4; i++) {
        const outcome = await codeOf(
          s.auth.magicLink.verify({ email: ADA, code: s.otherCode(code) }, CTX),
        );
        checks += 1;
        expect(outcome).toBe(checks <= 10 ? 'CODE_INVALID' : 'RATE_LIMITED');
      }
    }
    // Over the budget even the right code waits; the link still works.
    s.clock.advance(3_600_000);
    const { token, code } = await s.requested();
    await expectCode(s.auth.magicLink.verify({ email: ADA, code }, CTX), 'RATE_LIMITED');
    expect((await s.auth.magicLink.verify({ token }, CTX)).status).toBe('signed_in');
  });

  it('throttles verification per client IP (magicLinkVerifyPerIp)', async () => {
    const s = await setupMagic({
      rateLimits: { magicLinkVerifyPerIp: { limit: 3, windowSeconds: 60 } },
    });
    for (let i = 0; i < 3; i++) {
      await expectCode(s.auth.magicLink.verify({ token: 'a.b' }, CTX), 'TOKEN_INVALID');
    }
    await expectCode(s.auth.magicLink.verify({ token: 'a.b' }, CTX), 'RATE_LIMITED');
  });

  it('maxCodeAttempts sets the limit', async () => {
    const s = await setupMagic({ magicLink: { maxCodeAttempts: 2 } });
    await s.signUp(ADA);
    const { code } = await s.requested();
    for (let i = 0; i < 2; i++) {
      await expectCode(
        s.auth.magicLink.verify({ email: ADA, code: s.otherCode(code) }, CTX),
        'CODE_INVALID',
      );
    }
    await expectCode(s.auth.magicLink.verify({ email: ADA, code }, CTX), 'CODE_INVALID');
  });

  it('a code for another address, or with no request, is CODE_INVALID', async () => {
    const s = await setupMagic();
    await s.signUp(ADA);
    await s.signUp('grace@example.com');
    const { code } = await s.requested();
    await expectCode(
      s.auth.magicLink.verify({ email: 'grace@example.com', code }, CTX),
      'CODE_INVALID',
    );
    s.signedIn(await s.auth.magicLink.verify({ email: ADA, code }, CTX));
  });

  it('a malformed or forged link is TOKEN_INVALID', async () => {
    const s = await setupMagic();
    await s.signUp(ADA);
    const { token } = await s.requested();
    const [selector] = token.split('.');
    for (const forged of ['nonsense', `${selector}.${'A'.repeat(43)}`, `${selector}.`]) {
      await expectCode(s.auth.magicLink.verify({ token: forged }, CTX), 'TOKEN_INVALID');
    }
    // A wrong verifier leaves the owner's link in place.
    s.signedIn(await s.auth.magicLink.verify({ token }, CTX));
  });
});

describe('input', () => {
  it('names the missing or conflicting field (VALIDATION_FAILED)', async () => {
    const s = await setupMagic();
    const verify = (input: object) =>
      s.auth.magicLink.verify(input as { token: string }, CTX).then(
        () => fail('expected a rejection'),
        (e: { code: string; details?: { path: string }[] }) => [
          e.code,
          e.details?.map((d) => d.path),
        ],
      );
    expect(await verify({})).toEqual(['VALIDATION_FAILED', ['token']]);
    expect(await verify({ email: ADA })).toEqual(['VALIDATION_FAILED', ['code']]);
    expect(await verify({ code: '123456' })).toEqual(['VALIDATION_FAILED', ['email']]);
    expect(await verify({ token: 'a.b', email: ADA })).toEqual(['VALIDATION_FAILED', ['token']]);
    expect(await verify({ token: 'a.b', code: '1' })).toEqual(['VALIDATION_FAILED', ['token']]);
    expect(await verify({ token: 5 })).toEqual(['VALIDATION_FAILED', ['token']]);
    expect(await verify({ email: ADA, code: '' })).toEqual(['VALIDATION_FAILED', ['code']]);
    expect(await verify({ email: 'a\u0000@x.io', code: '1' })).toEqual([
      'VALIDATION_FAILED',
      ['email'],
    ]);
    for (const bad of [undefined, 7, '', 'x'.repeat(255), 'a\u0001b@example.com']) {
      const error = await s.auth.magicLink.request(bad as string, CTX).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'email' }] });
    }
  });
});

describe('the account behind the link', () => {
  it('a password change ends an outstanding link and its code', async () => {
    const s = await setupMagic();
    const userId = await s.signUp(ADA);
    const session = await s.auth.login({ identifier: ADA, password: PASSWORD }, CTX);
    if (session.status !== 'signed_in') fail('expected a session');
    const { token, code } = await s.requested();
    await s.auth.passwords.change(
      {
        userId,
        sessionId: session.session.id,
        currentPassword: PASSWORD,
        newPassword: 'amber quartz lighthouse',
      },
      CTX,
    );
    await expectCode(s.auth.magicLink.verify({ email: ADA, code }, CTX), 'CODE_INVALID');
    await expectCode(s.auth.magicLink.verify({ token }, CTX), 'TOKEN_INVALID');
  });

  it('a link whose credential generation moved, or whose address is no longer the account’s, is TOKEN_INVALID', async () => {
    const s = await setupMagic();
    const userId = await s.signUp(ADA);
    const users = s.auth.storage.users;
    // Straight in the store, so the tokens stay: the link's own payload must refuse.
    let { token } = await s.requested();
    await users.update(userId, { credentialGeneration: 77, updatedAt: s.clock.now() });
    await expectCode(s.auth.magicLink.verify({ token }, CTX), 'TOKEN_INVALID');
    ({ token } = await s.requested());
    await users.update(userId, {
      email: 'ada@elsewhere.example',
      emailNormalized: 'ada@elsewhere.example',
      updatedAt: s.clock.now(),
    });
    await expectCode(s.auth.magicLink.verify({ token }, CTX), 'TOKEN_INVALID');
  });

  it('a disabled account gets no mail, and a link issued before is ACCOUNT_DISABLED', async () => {
    const s = await setupMagic();
    const userId = await s.signUp(ADA);
    const { token } = await s.requested();
    await s.auth.storage.users.update(userId, { disabled: true, updatedAt: s.clock.now() });
    await expectCode(s.auth.magicLink.verify({ token }, CTX), 'ACCOUNT_DISABLED');
    expect(s.events.findLast((e) => e.type === 'login.failed')).toMatchObject({
      userId,
      data: { reason: 'disabled' },
    });
    s.mailer.clear();
    expect(await s.auth.magicLink.request(ADA, CTX)).toEqual({ status: 'link_sent' });
    expect(s.mailer.messages).toEqual([]);
    expect(s.events.findLast((e) => e.type === 'magic_link.requested')).toMatchObject({
      userId,
      data: { mailed: false, reason: 'account_disabled' },
    });
  });

  it('an unverified account is claimed: its password and other sessions end, the address is verified', async () => {
    // Verification not required, so the pre-hijacker could sign in with the password they set.
    const s = await setupMagic({ emailVerification: { required: false } });
    await s.auth.register({ email: ADA, password: PASSWORD }, CTX);
    const squatter = await s.auth.login({ identifier: ADA, password: PASSWORD }, CTX);
    if (squatter.status !== 'signed_in' || squatter.tokens.strategy !== 'cookie') {
      return fail('expected a cookie session');
    }
    const { token } = await s.requested();
    const owner = s.signedIn(await s.auth.magicLink.verify({ token }, CTX));
    expect(owner.user.emailVerified).toBe(true);
    const stored = await s.auth.storage.users.getById(owner.user.id);
    expect(stored?.passwordHash).toBeUndefined();
    expect(stored?.emailVerifiedAt).toBe(s.clock.now());
    await expectCode(s.auth.validateSession(squatter.tokens.sessionToken), 'UNAUTHENTICATED');
    await expectCode(
      s.auth.login({ identifier: ADA, password: PASSWORD }, CTX),
      'INVALID_CREDENTIALS',
    );
    expect(s.events.find((e) => e.type === 'session.revoked_all')).toMatchObject({
      userId: owner.user.id,
      data: { reason: 'email_claimed' },
    });
    // The owner's new session is the one left.
    const sessions = await s.auth.storage.sessions.listByUser(owner.user.id, s.clock.now());
    expect(sessions.map((x) => x.id)).toEqual([owner.session.id]);
  });

  it('an unverified account with verification required is claimed the same way', async () => {
    const s = await setupMagic();
    await s.auth.register({ email: ADA, password: PASSWORD }, CTX);
    await expectCode(
      s.auth.login({ identifier: ADA, password: PASSWORD }, CTX),
      'EMAIL_NOT_VERIFIED',
    );
    const { code } = await s.requested();
    const owner = s.signedIn(await s.auth.magicLink.verify({ email: ADA, code }, CTX));
    expect(owner.user.emailVerified).toBe(true);
    expect((await s.auth.storage.users.getById(owner.user.id))?.passwordHash).toBeUndefined();
  });
});
