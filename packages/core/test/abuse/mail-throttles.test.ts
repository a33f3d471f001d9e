/**
 * Throttles on every route that sends mail or costs a hash (issue 15): registration per IP and
 * per address (counted before hashing), email change per account and per new address, and
 * one budget per recipient that every kind of mail shares. Names a stranger typed never reach
 * an address that is not verified.
 */
import { describe, expect, it } from 'vitest';
import { CTX, countingHasher, PASSWORD, setup } from '../flows/helpers.js';

const outcome = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: { code?: string }) => e.code ?? String(e),
  );

describe('registration', () => {
  it('per address: the 4th in an hour is RATE_LIMITED, known and unknown alike, and costs no hash', async () => {
    const { hasher, hashed } = await countingHasher();
    const { auth } = await setup({ password: { hasher } });
    const from = (i: number) => ({ ip: `198.51.100.${i}` });
    const register = (email: string, i: number) =>
      outcome(auth.register({ email, password: PASSWORD }, from(i)));
    for (let i = 0; i < 3; i++) expect(await register('new@example.com', i)).toBe('ok');
    // The address has an account now (the first registration); unknown ones count alike.
    for (const address of ['new@example.com', 'other@example.com']) {
      if (address === 'other@example.com') {
        for (let i = 0; i < 3; i++) expect(await register(address, i)).toBe('ok');
      }
      const before = hashed();
      expect(await register(address, 9)).toBe('RATE_LIMITED');
      expect(hashed()).toBe(before);
    }
  });

  it('per IP: the 21st registration from one IP in an hour is RATE_LIMITED', async () => {
    const { auth } = await setup();
    for (let i = 0; i < 20; i++) {
      await auth.register({ email: `user${i}@example.com`, password: PASSWORD }, CTX);
    }
    const next = auth.register({ email: 'one-more@example.com', password: PASSWORD }, CTX);
    expect(await outcome(next)).toBe('RATE_LIMITED');
  });
});

describe('email change', () => {
  it('per account: the 6th request in an hour is RATE_LIMITED; per new address: the 4th', async () => {
    const { auth, signUp } = await setup();
    const userId = await signUp('ada@example.com');
    const bob = await signUp('bob@example.com');
    const ask = (who: string, newEmail: string) =>
      outcome(auth.users.requestEmailChange({ userId: who, newEmail, password: PASSWORD }, CTX));
    for (let i = 0; i < 5; i++) expect(await ask(userId, `ada${i}@example.com`)).toBe('ok');
    expect(await ask(userId, 'ada9@example.com')).toBe('RATE_LIMITED');
    // One new address, asked for by several accounts: 3 an hour.
    expect(await ask(bob, 'target@example.com')).toBe('ok');
    const carol = await signUp('carol@example.com');
    expect(await ask(carol, 'target@example.com')).toBe('ok');
    const dave = await signUp('dave@example.com');
    expect(await ask(dave, 'target@example.com')).toBe('ok');
    const frank = await signUp('frank@example.com');
    expect(await ask(frank, 'target@example.com')).toBe('RATE_LIMITED');
  });

  it('a wrong password is not counted (it sends nothing)', async () => {
    const { auth, signUp } = await setup();
    const userId = await signUp('ada@example.com');
    for (let i = 0; i < 4; i++) {
      await outcome(
        auth.users.requestEmailChange({ userId, newEmail: 'x@example.com', password: 'wrong pw!' }),
      );
    }
    expect(
      await outcome(
        auth.users.requestEmailChange({ userId, newEmail: 'x@example.com', password: PASSWORD }),
      ),
    ).toBe('ok');
  });
});

describe('one mail budget per recipient (mailPerRecipient)', () => {
  it('requests spread over every route that mails one address deliver at most the budget; the rest are dropped and reported', async () => {
    const { auth, mailer, events, clock } = await setup({
      rateLimits: { mailPerRecipient: { limit: 5, windowSeconds: 3600 } },
    });
    const ip = (i: number) => ({ ip: `203.0.113.${i}` });
    const target = 'target@example.com';
    // 9 mails asked for: a verification, 2 "someone registered" notices, 3 resends, 3 resets.
    for (let i = 0; i < 3; i++) {
      await auth.register({ email: target, password: PASSWORD }, ip(i));
      await auth.resendVerification(target, ip(i));
      await auth.passwords.requestReset(target, ip(i));
    }
    await new Promise((r) => setTimeout(r, 20));
    expect(mailer.messages.filter((m) => m.to === target)).toHaveLength(5);
    const dropped = events.filter(
      (e) => e.type === 'mail.failed' && e.data?.reason === 'recipient_budget',
    );
    expect(dropped).toHaveLength(4);
    // An hour later the budget is back.
    clock.advance(3_600_000);
    await auth.passwords.requestReset(target, ip(9));
    await new Promise((r) => setTimeout(r, 20));
    expect(mailer.messages.filter((m) => m.to === target)).toHaveLength(6);
  });

  it('defaults to 10 an hour', async () => {
    const { auth } = await setup();
    expect(auth.options.rateLimits.mailPerRecipient).toEqual({ limit: 10, windowSeconds: 3600 });
  });
});

describe('names typed by a stranger never reach an unverified address', () => {
  it('a URL as firstName is not in the verification mail, nor in the email-change confirmation', async () => {
    const { auth, signUp, mailer } = await setup();
    const phishing = 'https://evil.example/login';
    await auth.register(
      { email: 'victim@example.com', password: PASSWORD, firstName: phishing },
      CTX,
    );
    const userId = await signUp('attacker@example.com');
    await auth.users.update(userId, { firstName: phishing });
    await auth.users.requestEmailChange(
      { userId, newEmail: 'victim2@example.com', password: PASSWORD },
      CTX,
    );
    await new Promise((r) => setTimeout(r, 20));
    for (const to of ['victim@example.com', 'victim2@example.com']) {
      const mails = mailer.messages.filter((m) => m.to === to);
      expect(mails.length, to).toBeGreaterThan(0);
      for (const m of mails) {
        expect(m.text).not.toContain('evil.example');
        expect(m.html).not.toContain('evil.example');
      }
    }
  });
});
