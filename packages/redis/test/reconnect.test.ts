/**
 * Issue 16: calls work again soon after Redis returns. The delays are asserted through the
 * configured `retryStrategy` (no timed assertions); the measured recovery time is in
 * docs/redis.md and `tests/outage`.
 */
import type { RedisOptions } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createRedis, failFastOptions, redisStorage } from '../src/index.js';
import { startTime, throwawayServerOfFile, uid } from './helpers.js';

// A redis-server of this file's own, stopped on purpose. Never the shared server.
const file = throwawayServerOfFile();
const { client } = file;

/** The delays a strategy asks for after 1..20 failed attempts. */
function delays(strategy: RedisOptions['retryStrategy']): unknown[] {
  if (typeof strategy !== 'function') throw new Error('no retryStrategy');
  return Array.from({ length: 20 }, (_, i) => strategy(i + 1));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the reconnection backoff of createRedis', () => {
  it('doubles from 50 ms and stays at 250 ms by default', async () => {
    const seen = delays((await client()).options.retryStrategy);
    expect(seen.slice(0, 4)).toEqual([50, 100, 200, 250]);
    expect(seen.slice(3)).toEqual(Array(17).fill(250));
  });

  it('stays at reconnectMaxDelayMs when given', async () => {
    const slow = await client({ reconnectMaxDelayMs: 1000 });
    const seen = delays(slow.options.retryStrategy);
    expect(seen.slice(0, 6)).toEqual([50, 100, 200, 400, 800, 1000]);
    expect(Math.max(...(seen as number[]))).toBe(1000);
    const eager = await client({ reconnectMaxDelayMs: 0 });
    expect(delays(eager.options.retryStrategy)).toEqual(Array(20).fill(0));
  });

  it('always answers a finite number, so ioredis never gives up reconnecting', async () => {
    const strategy = (await client()).options.retryStrategy;
    for (const times of [1, 30, 1_000, 1e9]) {
      expect(Number.isFinite(strategy?.(times))).toBe(true);
    }
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses reconnectMaxDelayMs %s with a RangeError, before connecting',
    async (reconnectMaxDelayMs) => {
      await expect(createRedis(file.server.url, { reconnectMaxDelayMs })).rejects.toThrow(
        RangeError,
      );
    },
  );

  it('yields to a retryStrategy given in options.redis', async () => {
    const mine = () => 1234;
    const redis = await client({ reconnectMaxDelayMs: 10, redis: { retryStrategy: mine } });
    expect(redis.options.retryStrategy).toBe(mine);
  });

  it('is not part of failFastOptions, so a retryStrategy set before spreading them stays', () => {
    expect(failFastOptions()).not.toHaveProperty('retryStrategy');
  });
});

describe('a Redis server that comes back', () => {
  it('is reconnected to with the capped delays, and the stores work again', async () => {
    const redis = await client({ commandTimeoutMs: 1000 });
    const scheduled: number[] = [];
    redis.on('reconnecting', (delayMs: number) => scheduled.push(delayMs));
    const { rateLimits } = redisStorage(redis, { prefix: 'reconnect:' });
    const key = uid('rl');
    const hit = { limit: 5, windowMs: 60_000, now: startTime() };
    expect(await rateLimits.hit(key, hit)).toMatchObject({ count: 1 });

    await file.server.stop();
    await expect(rateLimits.peek(key, hit.now)).rejects.toThrow();
    await sleep(3000);
    await file.server.start();

    // Poll until a store call works; how long that takes is measured by tests/outage, not
    // asserted here. The bound only keeps a broken reconnection from hanging the suite.
    let result: Awaited<ReturnType<typeof rateLimits.hit>> | undefined;
    for (let i = 0; i < 500 && result === undefined; i += 1) {
      result = await rateLimits.hit(key, hit).catch(() => undefined);
      if (result === undefined) await sleep(10);
    }
    // The restarted server is empty (no persistence): the window starts again.
    expect(result).toMatchObject({ count: 1 });
    expect(scheduled.length).toBeGreaterThan(5);
    expect(scheduled.slice(0, 3)).toEqual([50, 100, 200]);
    expect(Math.max(...scheduled)).toBe(250);
  });
});
