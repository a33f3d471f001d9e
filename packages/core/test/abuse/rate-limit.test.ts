import { describe, expect, it } from 'vitest';
import { ipSubject } from '../../src/abuse/ip-subject.js';
import {
  assertNotLocked,
  enforceRule,
  hitRule,
  lockedUntil,
  rateLimited,
  recordFailure,
  resetRule,
  ruleKey,
} from '../../src/abuse/rate-limit.js';
import type { AuthConfig } from '../../src/index.js';
import { setup, T0 } from '../flows/helpers.js';

const MIN = 60_000;

async function runtime(rateLimits: AuthConfig['rateLimits'] = {}) {
  return setup({ rateLimits });
}

async function codeOf(promise: Promise<unknown>) {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error as { code: string; retryAfterSeconds?: number };
  }
}

describe('hitRule and enforceRule', () => {
  it('allow exactly `limit` hits per window, then refuse until the window ends', async () => {
    const { rt, clock } = await runtime({
      passwordResetPerAddress: { limit: 3, windowSeconds: 3600 },
    });
    for (let i = 1; i <= 3; i++) {
      await enforceRule(rt, 'passwordResetPerAddress', 'ada@example.com');
      clock.advance(MIN);
    }
    const refused = await codeOf(enforceRule(rt, 'passwordResetPerAddress', 'ada@example.com'));
    expect(refused).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 3600 - 180 });
    // Another subject has its own counter.
    await enforceRule(rt, 'passwordResetPerAddress', 'bob@example.com');
  });

  it('start a new window after windowMs (the fake clock), and not one millisecond earlier', async () => {
    const { rt, clock } = await runtime({ loginPerIp: { limit: 2, windowSeconds: 60 } });
    await hitRule(rt, 'loginPerIp', '203.0.113.7');
    await hitRule(rt, 'loginPerIp', '203.0.113.7');
    clock.advance(60_000 - 1);
    expect(await hitRule(rt, 'loginPerIp', '203.0.113.7')).toMatchObject({
      count: 3,
      allowed: false,
      resetAt: T0 + 60_000,
    });
    clock.advance(1);
    expect(await hitRule(rt, 'loginPerIp', '203.0.113.7')).toEqual({
      count: 1,
      allowed: true,
      resetAt: T0 + 120_000,
    });
  });

  it('count refused hits too: hammering does not shorten the wait', async () => {
    const { rt, storage } = await runtime({ loginPerIp: { limit: 1, windowSeconds: 60 } });
    for (let i = 0; i < 5; i++) await hitRule(rt, 'loginPerIp', '203.0.113.7');
    expect(await storage.rateLimits.peek(ruleKey('loginPerIp', '203.0.113.7'), T0)).toEqual({
      count: 5,
      resetAt: T0 + 60_000,
    });
  });

  it('a rule set to false always allows and touches no store', async () => {
    const { rt, storage } = await runtime({ passwordResetPerIp: false });
    for (let i = 0; i < 50; i++) await enforceRule(rt, 'passwordResetPerIp', '203.0.113.7');
    expect(await hitRule(rt, 'passwordResetPerIp', '203.0.113.7')).toEqual({
      count: 0,
      allowed: true,
      resetAt: T0,
    });
    expect(
      await storage.rateLimits.peek(ruleKey('passwordResetPerIp', '203.0.113.7'), T0),
    ).toBeUndefined();
  });

  it('rateLimited rounds the wait up and never says less than 1 second', async () => {
    const { rt } = await runtime();
    expect(rateLimited(rt, T0 + 1500).retryAfterSeconds).toBe(2);
    expect(rateLimited(rt, T0).retryAfterSeconds).toBe(1);
    expect(rateLimited(rt, T0 - 5000).retryAfterSeconds).toBe(1);
  });
});

describe('recordFailure and the lock', () => {
  const rule = { loginPerAccount: { limit: 5, windowSeconds: 900, lockSeconds: 900 } };

  it('locks exactly at the limit, not before, for lockSeconds', async () => {
    const { rt } = await runtime(rule);
    for (let i = 1; i <= 4; i++) {
      expect(await recordFailure(rt, 'loginPerAccount', 'ada')).toBeUndefined();
      expect(await lockedUntil(rt, 'loginPerAccount', 'ada')).toBeUndefined();
    }
    expect(await recordFailure(rt, 'loginPerAccount', 'ada')).toBe(T0 + 900_000);
    expect(await lockedUntil(rt, 'loginPerAccount', 'ada')).toBe(T0 + 900_000);
    const error = await codeOf(assertNotLocked(rt, 'loginPerAccount', 'ada'));
    expect(error).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 900 });
    await assertNotLocked(rt, 'loginPerAccount', 'bob');
  });

  it('failures during the lock never lock again; the lock lifts by itself', async () => {
    const { rt, clock } = await runtime(rule);
    for (let i = 0; i < 5; i++) await recordFailure(rt, 'loginPerAccount', 'ada');
    for (let i = 0; i < 10; i++) {
      expect(await recordFailure(rt, 'loginPerAccount', 'ada')).toBeUndefined();
    }
    clock.advance(900_000 - 1);
    expect(await lockedUntil(rt, 'loginPerAccount', 'ada')).toBe(T0 + 900_000);
    clock.advance(1);
    expect(await lockedUntil(rt, 'loginPerAccount', 'ada')).toBeUndefined();
    // The next window starts fresh: 5 more failures lock again.
    for (let i = 1; i <= 4; i++) await recordFailure(rt, 'loginPerAccount', 'ada');
    expect(await recordFailure(rt, 'loginPerAccount', 'ada')).toBe(T0 + 1_800_000);
  });

  it('10 concurrent failures lock exactly once', async () => {
    const { rt } = await runtime(rule);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => recordFailure(rt, 'loginPerAccount', 'ada')),
    );
    expect(results.filter((r) => r !== undefined)).toEqual([T0 + 900_000]);
    expect(await lockedUntil(rt, 'loginPerAccount', 'ada')).toBe(T0 + 900_000);
  });

  it('a window longer than the lock keeps the lock until the window ends', async () => {
    const { rt, clock } = await runtime({
      loginPerAccount: { limit: 3, windowSeconds: 3600, lockSeconds: 60 },
    });
    await recordFailure(rt, 'loginPerAccount', 'ada');
    clock.advance(30 * MIN);
    await recordFailure(rt, 'loginPerAccount', 'ada');
    // Otherwise failures 4, 5, ... of the same window would never lock again.
    expect(await recordFailure(rt, 'loginPerAccount', 'ada')).toBe(T0 + 3_600_000);
  });

  it('a rule without lockSeconds only counts; a rule set to false does nothing', async () => {
    const { rt, storage } = await runtime({
      loginPerAccount: { limit: 2, windowSeconds: 60 },
      secondFactorPerAccount: false,
    });
    for (let i = 0; i < 5; i++) {
      expect(await recordFailure(rt, 'loginPerAccount', 'ada')).toBeUndefined();
      expect(await recordFailure(rt, 'secondFactorPerAccount', 'ada')).toBeUndefined();
    }
    expect(await lockedUntil(rt, 'loginPerAccount', 'ada')).toBeUndefined();
    expect(await storage.rateLimits.peek(ruleKey('loginPerAccount', 'ada'), T0)).toMatchObject({
      count: 5,
    });
    expect(
      await storage.rateLimits.peek(ruleKey('secondFactorPerAccount', 'ada'), T0),
    ).toBeUndefined();
  });

  it('resetRule forgets the count and lifts the lock', async () => {
    const { rt } = await runtime(rule);
    for (let i = 0; i < 5; i++) await recordFailure(rt, 'loginPerAccount', 'ada');
    await resetRule(rt, 'loginPerAccount', 'ada');
    expect(await lockedUntil(rt, 'loginPerAccount', 'ada')).toBeUndefined();
    for (let i = 1; i <= 4; i++) await recordFailure(rt, 'loginPerAccount', 'ada');
    expect(await lockedUntil(rt, 'loginPerAccount', 'ada')).toBeUndefined();
  });
});

describe('per-IP subjects', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:aaaa:bbbb:cccc:dddd', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:DB8:0001:0002::ffff', '2001:db8:1:2::/64'],
    ['::1', '0:0:0:0::/64'],
    ['64:ff9b::192.0.2.1', '64:ff9b:0:0::/64'],
    ['not-an-ip:', 'not-an-ip:'],
    ['1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8:9'],
  ])('%s counts as %s', (ip, subject) => {
    expect(ipSubject(ip)).toBe(subject);
  });

  it('an IPv6 client cannot escape a per-IP rule by rotating addresses inside its /64', async () => {
    const { rt } = await runtime({ passwordResetPerIp: { limit: 3, windowSeconds: 3600 } });
    for (let i = 1; i <= 3; i++) await enforceRule(rt, 'passwordResetPerIp', `2001:db8:1:2::${i}`);
    const error = await codeOf(enforceRule(rt, 'passwordResetPerIp', '2001:db8:1:2::99'));
    expect(error?.code).toBe('RATE_LIMITED');
    await enforceRule(rt, 'passwordResetPerIp', '2001:db8:1:3::1');
  });

  it('account subjects are never rewritten', () => {
    expect(ruleKey('loginPerAccount', 'a:b::c')).toBe('loginPerAccount:a:b::c');
  });
});
