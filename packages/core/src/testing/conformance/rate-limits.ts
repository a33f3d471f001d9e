import { expect } from 'vitest';
import {
  type AddCheck,
  type ConformanceContext,
  MINUTE,
  RACERS,
  race,
  startTime,
  uid,
} from './fixtures.js';

const HITS = 50;

/** One hit on `key` in a window of a minute; `id` names it (for `release`). */
const hit = (ctx: ConformanceContext, key: string, now: number, limit = 3, id?: string) =>
  ctx.storage().rateLimits.hit(key, { limit, windowMs: MINUTE, now, ...(id ? { id } : {}) });

/** Registers the checks of `rateLimits`. */
export function rateLimitChecks(check: AddCheck): void {
  check('starts a window at the first hit and counts every hit, denied ones too', async (ctx) => {
    const t = startTime();
    const key = uid('rl');
    expect(await hit(ctx, key, t)).toEqual({ count: 1, allowed: true, resetAt: t + MINUTE });
    expect(await hit(ctx, key, t + 10)).toEqual({ count: 2, allowed: true, resetAt: t + MINUTE });
    expect(await hit(ctx, key, t + 20)).toEqual({ count: 3, allowed: true, resetAt: t + MINUTE });
    expect(await hit(ctx, key, t + 30)).toEqual({ count: 4, allowed: false, resetAt: t + MINUTE });
    expect(await hit(ctx, key, t + 40)).toEqual({ count: 5, allowed: false, resetAt: t + MINUTE });
  });

  check('ends the window at resetAt: the hit at now === resetAt starts a new one', async (ctx) => {
    const t = startTime();
    const key = uid('rl');
    await hit(ctx, key, t);
    expect(await hit(ctx, key, t + MINUTE - 1)).toMatchObject({ count: 2, resetAt: t + MINUTE });
    expect(await hit(ctx, key, t + MINUTE)).toEqual({
      count: 1,
      allowed: true,
      resetAt: t + 2 * MINUTE,
    });
  });

  check('peek reads the live window without counting', async (ctx) => {
    const { rateLimits } = ctx.storage();
    const t = startTime();
    const key = uid('rl');
    expect(await rateLimits.peek(key, t)).toBeUndefined();
    await hit(ctx, key, t);
    await hit(ctx, key, t + 1);
    expect(await rateLimits.peek(key, t + 2)).toEqual({ count: 2, resetAt: t + MINUTE });
    expect(await rateLimits.peek(key, t + 2)).toEqual({ count: 2, resetAt: t + MINUTE });
    expect(await rateLimits.peek(key, t + MINUTE)).toBeUndefined();
  });

  check('keeps keys apart, and reset forgets one key', async (ctx) => {
    const { rateLimits } = ctx.storage();
    const t = startTime();
    const [a, b] = [uid('rl'), uid('rl')];
    await hit(ctx, a, t);
    await hit(ctx, a, t);
    await hit(ctx, b, t);
    await rateLimits.reset(a);
    expect(await rateLimits.peek(a, t)).toBeUndefined();
    expect(await hit(ctx, a, t + 1)).toEqual({ count: 1, allowed: true, resetAt: t + 1 + MINUTE });
    expect(await rateLimits.peek(b, t)).toEqual({ count: 1, resetAt: t + MINUTE });
    await rateLimits.reset(uid('never-hit'));
  });

  check(`counts ${HITS} concurrent hits exactly: 1 to ${HITS}, each once`, async (ctx) => {
    const t = startTime();
    const key = uid('rl');
    const results = await race(HITS, () => hit(ctx, key, t, 10));
    const counts = results.map((r) => r.count).sort((x, y) => x - y);
    expect(counts).toEqual(Array.from({ length: HITS }, (_, i) => i + 1));
    expect(results.filter((r) => r.allowed)).toHaveLength(10);
    expect(new Set(results.map((r) => r.resetAt))).toEqual(new Set([t + MINUTE]));
  });

  check(
    'release takes back a named allowed hit once; the next hit counts from there',
    async (ctx) => {
      const { rateLimits } = ctx.storage();
      const t = startTime();
      const key = uid('rl');
      await hit(ctx, key, t, 3, 'first');
      await hit(ctx, key, t + 1, 3, 'second');
      await hit(ctx, key, t + 2); // unnamed
      expect(await rateLimits.release(key, 'second', t + 3)).toBe(true);
      expect(await rateLimits.peek(key, t + 3)).toEqual({ count: 2, resetAt: t + MINUTE });
      // Once only, and only ids that were counted.
      expect(await rateLimits.release(key, 'second', t + 3)).toBe(false);
      expect(await rateLimits.release(key, 'never-hit', t + 3)).toBe(false);
      expect(await rateLimits.release(uid('other-key'), 'first', t + 3)).toBe(false);
      expect(await rateLimits.peek(key, t + 3)).toEqual({ count: 2, resetAt: t + MINUTE });
      // The window is unchanged: the next hit is the 3rd, still allowed, same resetAt.
      expect(await hit(ctx, key, t + 4)).toEqual({ count: 3, allowed: true, resetAt: t + MINUTE });
      expect(await rateLimits.release(key, 'first', t + 5)).toBe(true);
      expect(await rateLimits.peek(key, t + 5)).toEqual({ count: 2, resetAt: t + MINUTE });
    },
  );

  check(
    'release does nothing for a denied hit, a hit of an ended window, or after reset',
    async (ctx) => {
      const { rateLimits } = ctx.storage();
      const t = startTime();
      const key = uid('rl');
      for (let i = 0; i < 3; i++) await hit(ctx, key, t, 3, `allowed-${i}`);
      expect(await hit(ctx, key, t, 3, 'denied')).toMatchObject({ count: 4, allowed: false });
      expect(await rateLimits.release(key, 'denied', t + 1)).toBe(false);
      expect(await rateLimits.peek(key, t + 1)).toEqual({ count: 4, resetAt: t + MINUTE });
      // A hit of the ended window is not taken from the new one.
      expect(await hit(ctx, key, t + MINUTE, 3, 'new-window')).toMatchObject({ count: 1 });
      expect(await rateLimits.release(key, 'allowed-0', t + MINUTE + 1)).toBe(false);
      expect(await rateLimits.peek(key, t + MINUTE + 1)).toMatchObject({ count: 1 });
      // Nor after the window ended, nor after a reset.
      expect(await rateLimits.release(key, 'new-window', t + 2 * MINUTE)).toBe(false);
      await hit(ctx, key, t + 2 * MINUTE, 3, 'then-reset');
      await rateLimits.reset(key);
      expect(await rateLimits.release(key, 'then-reset', t + 2 * MINUTE + 1)).toBe(false);
      expect(await rateLimits.peek(key, t + 2 * MINUTE + 1)).toBeUndefined();
    },
  );

  check('release keeps a lock', async (ctx) => {
    const { rateLimits } = ctx.storage();
    const t = startTime();
    const key = uid('rl');
    await hit(ctx, key, t, 3, 'a');
    await rateLimits.lock(key, { untilMs: t + 15 * MINUTE });
    expect(await rateLimits.release(key, 'a', t + 1)).toBe(true);
    expect(await rateLimits.lockedUntil(key, t + 1)).toBe(t + 15 * MINUTE);
    expect(await rateLimits.peek(key, t + 1)).toEqual({ count: 0, resetAt: t + MINUTE });
  });

  check(`of ${RACERS} concurrent releases of one hit exactly one takes it back`, async (ctx) => {
    const { rateLimits } = ctx.storage();
    const t = startTime();
    const key = uid('rl');
    await hit(ctx, key, t, 10, 'x');
    await hit(ctx, key, t, 10, 'y');
    const results = await race(RACERS, () => rateLimits.release(key, 'x', t + 1));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await rateLimits.peek(key, t + 1)).toEqual({ count: 1, resetAt: t + MINUTE });
  });

  check(
    `${HITS} concurrent named hits and releases of half of them leave the other half counted`,
    async (ctx) => {
      const { rateLimits } = ctx.storage();
      const t = startTime();
      const key = uid('rl');
      await race(HITS, (i) => hit(ctx, key, t, HITS, `h${i}`));
      const released = await race(HITS / 2, (i) => rateLimits.release(key, `h${i * 2}`, t + 1));
      expect(released.every(Boolean)).toBe(true);
      expect(await rateLimits.peek(key, t + 1)).toEqual({ count: HITS / 2, resetAt: t + MINUTE });
    },
  );

  check('locks a key while now < untilMs, apart from its window', async (ctx) => {
    const { rateLimits } = ctx.storage();
    const t = startTime();
    const key = uid('rl');
    expect(await rateLimits.lockedUntil(key, t)).toBeUndefined();
    await hit(ctx, key, t);
    await rateLimits.lock(key, { untilMs: t + 15 * MINUTE });
    expect(await rateLimits.lockedUntil(key, t + 15 * MINUTE - 1)).toBe(t + 15 * MINUTE);
    expect(await rateLimits.lockedUntil(key, t + 15 * MINUTE)).toBeUndefined();
    // The window ended long before the lock: the lock holds, and a lock is not a hit.
    expect(await rateLimits.peek(key, t + 1)).toEqual({ count: 1, resetAt: t + MINUTE });
    expect(await hit(ctx, key, t + 2 * MINUTE)).toMatchObject({ count: 1 });
    expect(await rateLimits.lockedUntil(key, t + 2 * MINUTE)).toBe(t + 15 * MINUTE);
  });

  check('never shortens a lock, and reset lifts it', async (ctx) => {
    const { rateLimits } = ctx.storage();
    const t = startTime();
    const key = uid('rl');
    await rateLimits.lock(key, { untilMs: t + 30 * MINUTE });
    await rateLimits.lock(key, { untilMs: t + MINUTE });
    expect(await rateLimits.lockedUntil(key, t)).toBe(t + 30 * MINUTE);
    await rateLimits.lock(key, { untilMs: t + 60 * MINUTE });
    expect(await rateLimits.lockedUntil(key, t)).toBe(t + 60 * MINUTE);
    await rateLimits.reset(key);
    expect(await rateLimits.lockedUntil(key, t)).toBeUndefined();
  });

  check(`of ${RACERS} concurrent locks of one key, the longest holds`, async (ctx) => {
    const { rateLimits } = ctx.storage();
    const t = startTime();
    const key = uid('rl');
    // A permutation of 1 .. RACERS minutes: the longest lock is neither the first nor the last.
    const untilOf = (i: number) => t + (1 + ((i * 7) % RACERS)) * MINUTE;
    await race(RACERS, (i) => rateLimits.lock(key, { untilMs: untilOf(i) }));
    expect(await rateLimits.lockedUntil(key, t)).toBe(t + RACERS * MINUTE);
    await race(RACERS, (i) => rateLimits.lock(key, { untilMs: t + i }));
    expect(await rateLimits.lockedUntil(key, t)).toBe(t + RACERS * MINUTE);
  });

  check(
    'returns fresh objects: mutating what hit or peek answered changes nothing',
    async (ctx) => {
      const { rateLimits } = ctx.storage();
      const t = startTime();
      const key = uid('rl');
      const first = (await hit(ctx, key, t)) as { count: number; resetAt: number };
      first.count = 100;
      first.resetAt = t;
      const peeked = (await rateLimits.peek(key, t)) as { count: number; resetAt: number };
      expect(peeked).toEqual({ count: 1, resetAt: t + MINUTE });
      peeked.count = 100;
      peeked.resetAt = t + 1;
      expect(await rateLimits.peek(key, t)).toEqual({ count: 1, resetAt: t + MINUTE });
      expect(await hit(ctx, key, t + 1)).toEqual({ count: 2, allowed: true, resetAt: t + MINUTE });
    },
  );
}
