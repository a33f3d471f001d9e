import { describe, expect, it } from 'vitest';
import { CTX, countingHasher, PASSWORD, setup } from '../flows/helpers.js';
import { attempt, codeOf, WRONG, wrongTimes } from './helpers.js';

/** The cheap test hasher, counting every password verification. */

describe('login lockout under parallel attempts (reserve before checking)', () => {
  it('40 parallel wrong passwords on one account: at most 5 passwords are checked', async () => {
    const { hasher, verified } = await countingHasher();
    const { auth, signUp, events } = await setup({ password: { hasher } });
    await signUp('ada@example.com');
    const before = verified();
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, () => attempt(auth, 'ada@example.com', WRONG)),
    );
    expect(verified() - before).toBeLessThanOrEqual(5);
    expect(events.filter((e) => e.type === 'login.failed').length).toBeLessThanOrEqual(5);
    const codes = outcomes.map(codeOf);
    expect(codes.filter((c) => c === 'INVALID_CREDENTIALS').length).toBeLessThanOrEqual(5);
    expect(new Set(codes)).toEqual(new Set(['INVALID_CREDENTIALS', 'RATE_LIMITED']));
    expect(events.filter((e) => e.type === 'login.locked')).toHaveLength(1);
    expect(codeOf(await attempt(auth, 'ada@example.com', PASSWORD))).toBe('RATE_LIMITED');
  });

  it('an unknown identifier is throttled alike: at most 5 (dummy) checks', async () => {
    const { hasher, verified } = await countingHasher();
    const { auth, events } = await setup({ password: { hasher } });
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, () => attempt(auth, 'nobody@example.com', WRONG)),
    );
    expect(verified()).toBeLessThanOrEqual(5);
    expect(events.filter((e) => e.type === 'login.failed').length).toBeLessThanOrEqual(5);
    expect(new Set(outcomes.map(codeOf))).toEqual(new Set(['INVALID_CREDENTIALS', 'RATE_LIMITED']));
  });

  it('sequential: the 5th wrong answer is INVALID_CREDENTIALS, the 6th attempt 429', async () => {
    const { auth, signUp } = await setup();
    await signUp('ada@example.com');
    const outcomes = await wrongTimes(auth, 'ada@example.com', 6);
    expect(outcomes.map(codeOf)).toEqual([...Array(5).fill('INVALID_CREDENTIALS'), 'RATE_LIMITED']);
  });

  it('a correct password resets the count: 4 wrong, right, 4 wrong, right', async () => {
    const { auth, signUp } = await setup();
    await signUp('ada@example.com');
    for (let round = 0; round < 3; round++) {
      await wrongTimes(auth, 'ada@example.com', 4);
      expect(await attempt(auth, 'ada@example.com', PASSWORD)).toBe('signed_in');
    }
  });
});

describe("a signed-in user's password re-checks are throttled like sign-in", () => {
  it('5 wrong passwords at reauthenticate: the 6th is RATE_LIMITED with the right one, /login too', async () => {
    const { auth, signUp, events } = await setup();
    const userId = await signUp('ada@example.com');
    const signedIn = await auth.login({ identifier: 'ada@example.com', password: PASSWORD }, CTX);
    if (signedIn.status !== 'signed_in') throw new Error('expected a session');
    const sessionId = signedIn.session.id;
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      outcomes.push(
        await auth.reauthenticate({ userId, sessionId, password: WRONG }, CTX).then(
          () => 'ok',
          (e: { code: string }) => e.code,
        ),
      );
    }
    expect(outcomes).toEqual(Array(5).fill('PASSWORD_INCORRECT'));
    const sixth = await auth
      .reauthenticate({ userId, sessionId, password: PASSWORD }, CTX)
      .catch((e: { code: string; retryAfterSeconds?: number }) => e);
    expect(sixth).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 900 });
    expect(await attempt(auth, 'ada@example.com', PASSWORD)).toMatchObject({
      code: 'RATE_LIMITED',
    });
    expect(events.filter((e) => e.type === 'login.locked')).toMatchObject([{ userId }]);
  });

  it('a right password re-check resets the count', async () => {
    const { auth, signUp } = await setup();
    const userId = await signUp('ada@example.com');
    const signedIn = await auth.login({ identifier: 'ada@example.com', password: PASSWORD }, CTX);
    if (signedIn.status !== 'signed_in') throw new Error('expected a session');
    let sessionId = signedIn.session.id;
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 4; i++) {
        await auth.reauthenticate({ userId, sessionId, password: WRONG }).catch(() => {});
      }
      // Each re-authentication replaces the session (a new token).
      sessionId = (await auth.reauthenticate({ userId, sessionId, password: PASSWORD })).session.id;
    }
    expect(await attempt(auth, 'ada@example.com', PASSWORD)).toBe('signed_in');
  });

  it('50 parallel wrong re-checks (password change): at most 5 passwords checked', async () => {
    const { hasher, verified } = await countingHasher();
    const { auth, signUp } = await setup({ password: { hasher } });
    const userId = await signUp('ada@example.com');
    const before = verified();
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, () =>
        auth.passwords
          .change({ userId, currentPassword: WRONG, newPassword: 'saffron meridian lantern' }, CTX)
          .then(
            () => 'ok',
            (e: { code: string }) => e.code,
          ),
      ),
    );
    expect(verified() - before).toBeLessThanOrEqual(5);
    expect(new Set(outcomes)).toEqual(new Set(['PASSWORD_INCORRECT', 'RATE_LIMITED']));
  });
});
