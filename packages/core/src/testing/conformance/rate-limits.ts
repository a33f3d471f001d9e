import { describe, expect, it } from 'vitest';
import { type ConformanceContext, MINUTE, race, startTime, uid } from './fixtures.js';

const HITS = 50;

/** Registers the checks of `rateLimits`. */
export function describeRateLimits(ctx: ConformanceContext): void {
  describe('rateLimits', () => {
    const hit = (key: string, now: number, limit = 3) =>
      ctx.storage().rateLimits.hit(key, { limit, windowMs: MINUTE, now });

    it('starts a window at the first hit and counts every hit, denied ones too', async () => {
      const t = startTime();
      const key = uid('rl');
      expect(await hit(key, t)).toEqual({ count: 1, allowed: true, resetAt: t + MINUTE });
      expect(await hit(key, t + 10)).toEqual({ count: 2, allowed: true, resetAt: t + MINUTE });
      expect(await hit(key, t + 20)).toEqual({ count: 3, allowed: true, resetAt: t + MINUTE });
      expect(await hit(key, t + 30)).toEqual({ count: 4, allowed: false, resetAt: t + MINUTE });
      expect(await hit(key, t + 40)).toEqual({ count: 5, allowed: false, resetAt: t + MINUTE });
    });

    it('ends the window at resetAt: the hit at now === resetAt starts a new one', async () => {
      const t = startTime();
      const key = uid('rl');
      await hit(key, t);
      expect(await hit(key, t + MINUTE - 1)).toMatchObject({ count: 2, resetAt: t + MINUTE });
      expect(await hit(key, t + MINUTE)).toEqual({
        count: 1,
        allowed: true,
        resetAt: t + 2 * MINUTE,
      });
    });

    it('peek reads the live window without counting', async () => {
      const { rateLimits } = ctx.storage();
      const t = startTime();
      const key = uid('rl');
      expect(await rateLimits.peek(key, t)).toBeUndefined();
      await hit(key, t);
      await hit(key, t + 1);
      expect(await rateLimits.peek(key, t + 2)).toEqual({ count: 2, resetAt: t + MINUTE });
      expect(await rateLimits.peek(key, t + 2)).toEqual({ count: 2, resetAt: t + MINUTE });
      expect(await rateLimits.peek(key, t + MINUTE)).toBeUndefined();
    });

    it('keeps keys apart, and reset forgets one key', async () => {
      const { rateLimits } = ctx.storage();
      const t = startTime();
      const [a, b] = [uid('rl'), uid('rl')];
      await hit(a, t);
      await hit(a, t);
      await hit(b, t);
      await rateLimits.reset(a);
      expect(await rateLimits.peek(a, t)).toBeUndefined();
      expect(await hit(a, t + 1)).toEqual({ count: 1, allowed: true, resetAt: t + 1 + MINUTE });
      expect(await rateLimits.peek(b, t)).toEqual({ count: 1, resetAt: t + MINUTE });
      await rateLimits.reset(uid('never-hit'));
    });

    it(`counts ${HITS} concurrent hits exactly: 1 to ${HITS}, each once`, async () => {
      const t = startTime();
      const key = uid('rl');
      const results = await race(HITS, () => hit(key, t, 10));
      const counts = results.map((r) => r.count).sort((x, y) => x - y);
      expect(counts).toEqual(Array.from({ length: HITS }, (_, i) => i + 1));
      expect(results.filter((r) => r.allowed)).toHaveLength(10);
      expect(new Set(results.map((r) => r.resetAt))).toEqual(new Set([t + MINUTE]));
    });

    it('locks a key while now < untilMs, apart from its window', async () => {
      const { rateLimits } = ctx.storage();
      const t = startTime();
      const key = uid('rl');
      expect(await rateLimits.lockedUntil(key, t)).toBeUndefined();
      await hit(key, t);
      await rateLimits.lock(key, { untilMs: t + 15 * MINUTE });
      expect(await rateLimits.lockedUntil(key, t + 15 * MINUTE - 1)).toBe(t + 15 * MINUTE);
      expect(await rateLimits.lockedUntil(key, t + 15 * MINUTE)).toBeUndefined();
      // The window ended long before the lock: the lock holds, and a lock is not a hit.
      expect(await rateLimits.peek(key, t + 1)).toEqual({ count: 1, resetAt: t + MINUTE });
      expect(await hit(key, t + 2 * MINUTE)).toMatchObject({ count: 1 });
      expect(await rateLimits.lockedUntil(key, t + 2 * MINUTE)).toBe(t + 15 * MINUTE);
    });

    it('never shortens a lock, and reset lifts it', async () => {
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
  });
}
