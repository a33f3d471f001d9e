import { describe, expect, it } from 'vitest';
import { CTX, PASSWORD, setup, T0 } from '../flows/helpers.js';
import { attempt, codeOf, type Refusal, WRONG, wrongTimes } from './helpers.js';

const LOCK_MS = 900_000;

describe('account lockout (loginPerAccount: 5 failures in 15 min lock for 15 min)', () => {
  it('5 wrong passwords, then the right one: 429 RATE_LIMITED with Retry-After 900', async () => {
    const { auth, signUp } = await setup();
    await signUp('ada@example.com');
    const wrong = await wrongTimes(auth, 'ada@example.com', 5);
    expect(wrong.map(codeOf)).toEqual(Array(5).fill('INVALID_CREDENTIALS'));
    const right = await attempt(auth, 'ada@example.com', PASSWORD);
    expect(right).toMatchObject({ code: 'RATE_LIMITED', status: 429, retryAfterSeconds: 900 });
  });

  it('4 wrong passwords do not lock: the limit is exact', async () => {
    const { auth, signUp } = await setup();
    await signUp('ada@example.com');
    await wrongTimes(auth, 'ada@example.com', 4);
    expect(await attempt(auth, 'ada@example.com', PASSWORD)).toBe('signed_in');
  });

  it('the lock lifts by itself: Retry-After counts down, the right password works at 15 min', async () => {
    const { auth, signUp, clock } = await setup();
    await signUp('ada@example.com');
    await wrongTimes(auth, 'ada@example.com', 5);
    clock.advance(600_000);
    expect(await attempt(auth, 'ada@example.com', PASSWORD)).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: 300,
    });
    clock.advance(300_000 - 1);
    expect(await attempt(auth, 'ada@example.com', PASSWORD)).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: 1,
    });
    clock.advance(1);
    expect(await attempt(auth, 'ada@example.com', PASSWORD)).toBe('signed_in');
  });

  it('attempts during the lock do not extend it, nor reach the password check', async () => {
    const { auth, signUp, clock, events } = await setup();
    await signUp('ada@example.com');
    await wrongTimes(auth, 'ada@example.com', 5);
    const failedBefore = events.filter((e) => e.type === 'login.failed').length;
    const during = await wrongTimes(auth, 'ada@example.com', 20);
    expect(new Set(during.map(codeOf))).toEqual(new Set(['RATE_LIMITED']));
    expect(events.filter((e) => e.type === 'login.failed')).toHaveLength(failedBefore);
    clock.advance(LOCK_MS);
    expect(await attempt(auth, 'ada@example.com', PASSWORD)).toBe('signed_in');
  });

  it('an unknown identifier locks after the same count, with identical errors', async () => {
    const { auth, signUp } = await setup();
    await signUp('ada@example.com');
    const known = await wrongTimes(auth, 'ada@example.com', 7);
    const unknown = await wrongTimes(auth, 'nobody@example.com', 7);
    expect(known.map(codeOf)).toEqual([
      ...Array(5).fill('INVALID_CREDENTIALS'),
      'RATE_LIMITED',
      'RATE_LIMITED',
    ]);
    for (let i = 0; i < 7; i++) {
      const [k, u] = [known[i] as Refusal, unknown[i] as Refusal];
      for (const field of ['name', 'code', 'status', 'message', 'retryAfterSeconds', 'json']) {
        expect(u[field as keyof Refusal], `attempt ${i + 1}: ${field}`).toEqual(
          k[field as keyof Refusal],
        );
      }
    }
  });

  it('spelling variants of one address share one counter', async () => {
    const { auth, signUp } = await setup();
    await signUp('ada@example.com');
    for (const identifier of ['ada@example.com', 'ADA@example.com', ' Ada@Example.COM ']) {
      await attempt(auth, identifier, WRONG);
    }
    await wrongTimes(auth, 'ada@EXAMPLE.com', 2);
    expect(await attempt(auth, 'ada@example.com', PASSWORD)).toMatchObject({
      code: 'RATE_LIMITED',
    });
  });

  it('email and username are counted apart: the budgets do not tell which email a username has', async () => {
    const { auth, signUp } = await setup();
    await signUp('ada@example.com', { username: 'ada_l' });
    await signUp('bob@example.com');
    await wrongTimes(auth, 'ADA_L', 4);
    // The account's email and an unrelated one answer alike: neither is locked by ada_l's 4.
    for (const email of ['ada@example.com', 'bob@example.com']) {
      expect((await wrongTimes(auth, email, 2)).map(codeOf)).toEqual([
        'INVALID_CREDENTIALS',
        'INVALID_CREDENTIALS',
      ]);
    }
    expect(codeOf(await attempt(auth, 'ada_l', WRONG))).toBe('INVALID_CREDENTIALS');
    expect(codeOf(await attempt(auth, 'ada_l', PASSWORD))).toBe('RATE_LIMITED');
    expect(await attempt(auth, 'ada@example.com', PASSWORD)).toBe('signed_in');
  });

  it('a lock through the email does not lock the username (each identifier has its own)', async () => {
    const { auth, signUp } = await setup();
    await signUp('ada@example.com', { username: 'ada_l' });
    await wrongTimes(auth, 'ada@example.com', 5);
    expect(await attempt(auth, 'ada@example.com', PASSWORD)).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: 900,
    });
    expect(await attempt(auth, 'ada_l', PASSWORD)).toBe('signed_in');
  });
});

describe('the lock is announced once', () => {
  it('10 parallel wrong logins lock exactly once: one login.locked event, one mail', async () => {
    const { auth, signUp, events, mailer } = await setup();
    const userId = await signUp('ada@example.com');
    mailer.clear();
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => attempt(auth, 'ada@example.com', WRONG)),
    );
    expect(outcomes.every((o) => ['INVALID_CREDENTIALS', 'RATE_LIMITED'].includes(codeOf(o)))).toBe(
      true,
    );
    const locked = events.filter((e) => e.type === 'login.locked');
    expect(locked).toHaveLength(1);
    expect(locked[0]).toMatchObject({
      userId,
      ip: CTX.ip,
      data: { lockedUntil: T0 + LOCK_MS, failedAttempts: 5 },
    });
    expect(mailer.messages.map((m) => [m.to, m.kind])).toEqual([
      ['ada@example.com', 'account-locked'],
    ]);
    expect(await attempt(auth, 'ada@example.com', PASSWORD)).toMatchObject({
      code: 'RATE_LIMITED',
    });
  });

  it('the mail says when the lock lifts and to reset the password; it holds no secret', async () => {
    const { auth, signUp, mailer, events, logs } = await setup();
    await signUp('ada@example.com');
    await auth.login({ identifier: 'ada@example.com', password: PASSWORD }, CTX);
    const guesses = ['zq guess one', 'zq guess two', 'zq guess three', 'zq guess 4', 'zq guess 5'];
    for (const guess of guesses) await attempt(auth, 'ada@example.com', guess);
    const mail = mailer.find('ada@example.com', 'account-locked');
    expect(mail?.subject).toContain('paused');
    expect(mail?.text).toContain('until 2026-01-01 00:15 UTC');
    expect(mail?.text).toContain('reset your password');
    expect(mail?.text).toContain('https://app.example.com/reset-password');
    expect(mail?.text).not.toMatch(/token=/);
    const everything = JSON.stringify({ mail, events, logs });
    for (const secret of [PASSWORD, ...guesses]) expect(everything).not.toContain(secret);
  });

  it('an unknown identifier locks silently: an event without a user, no mail', async () => {
    const { auth, events, mailer } = await setup();
    await wrongTimes(auth, 'nobody@example.com', 5);
    const locked = events.filter((e) => e.type === 'login.locked');
    expect(locked).toHaveLength(1);
    expect(locked[0]?.userId).toBeUndefined();
    expect(JSON.stringify(locked[0])).not.toContain('nobody');
    expect(mailer.messages).toHaveLength(0);
  });

  it('one mail per lock: a second lock after the first lifted mails again', async () => {
    const { auth, signUp, clock, mailer } = await setup();
    await signUp('ada@example.com');
    await wrongTimes(auth, 'ada@example.com', 12);
    expect(mailer.messages.filter((m) => m.kind === 'account-locked')).toHaveLength(1);
    clock.advance(LOCK_MS);
    await wrongTimes(auth, 'ada@example.com', 5);
    expect(mailer.messages.filter((m) => m.kind === 'account-locked')).toHaveLength(2);
  });

  it('a failed lock mail does not change the answer', async () => {
    const { auth, signUp, mailer, events } = await setup();
    await signUp('ada@example.com');
    await wrongTimes(auth, 'ada@example.com', 4);
    mailer.failNext();
    expect(codeOf(await attempt(auth, 'ada@example.com', WRONG))).toBe('INVALID_CREDENTIALS');
    // The mail went out in the background: let its failure be reported (microtasks, no timers).
    for (let i = 0; i < 20; i++) await Promise.resolve();
    expect(events.some((e) => e.type === 'mail.failed')).toBe(true);
  });
});
