import { memoryStorage } from '@portcullis/core';
import { guardStorage } from '@portcullis/core/storage';
import { freePort } from '@portcullis-tests/support';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createRedis, redisStorage } from '../src/index.js';
import { HOUR, newSession, startTime, throwawayServerOfFile, uid } from './helpers.js';

// A redis-server of this file's own, stopped and frozen on purpose. Never the shared server.
const file = throwawayServerOfFile();
/** A fail-fast client of the throwaway server; its connection errors are expected here. */
const client = (commandTimeoutMs = 1000) => file.client({ commandTimeoutMs });

/** Resolves once `redis` has reconnected. */
async function ready(redis: Redis): Promise<void> {
  for (let i = 0; i < 100 && redis.status !== 'ready'; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(redis.status).toBe('ready');
}

const hit = { limit: 5, windowMs: 60_000 };

describe('a dead Redis server', () => {
  it('makes createRedis reject when nothing listens, instead of waiting', async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    await expect(createRedis(url, { connectTimeoutMs: 500 })).rejects.toThrow(/ECONNREFUSED/);
  });

  it('makes createRedis reject when the server accepts but never answers', async () => {
    file.server.freeze();
    try {
      await expect(createRedis(file.server.url, { connectTimeoutMs: 300 })).rejects.toThrow(
        /not ready within 300 ms/,
      );
    } finally {
      file.server.thaw();
    }
  });

  it('makes every store call reject while it is down (no offline queue), and work once it is back', async () => {
    const redis = await client();
    const { sessions, tokens, rateLimits } = redisStorage(redis, { prefix: 'dead:' });
    const t = startTime();
    const key = uid('rl');
    expect(await rateLimits.hit(key, { ...hit, now: t })).toMatchObject({ count: 1 });

    await file.server.stop();
    await expect(rateLimits.hit(key, { ...hit, now: t })).rejects.toThrow();
    await expect(sessions.get(uid('sess'), t)).rejects.toThrow();
    await expect(sessions.create(newSession(uid('user'), t))).rejects.toThrow();
    await expect(tokens.consume('p', uid('sel'), { verifierHash: 'v', now: t })).rejects.toThrow();
    // Core sees a rejection that is not an AuthError and answers STORAGE_UNAVAILABLE.
    const storage = guardStorage({ ...memoryStorage(), sessions, tokens, rateLimits });
    await expect(storage.rateLimits.peek(key, t)).rejects.toMatchObject({
      code: 'STORAGE_UNAVAILABLE',
    });

    await file.server.start();
    await ready(redis);
    // The restarted server is empty (no persistence): the window starts again.
    expect(await rateLimits.hit(key, { ...hit, now: t })).toMatchObject({ count: 1 });
    const s = newSession(uid('user'), t);
    await sessions.create(s);
    expect(await sessions.get(s.id, t + HOUR - 1)).toEqual(s);
  });

  it('makes a call to a frozen server reject after commandTimeoutMs instead of hanging', async () => {
    const redis = await client(300);
    const { rateLimits } = redisStorage(redis, { prefix: 'frozen:' });
    file.server.freeze();
    try {
      await expect(rateLimits.peek(uid('rl'), startTime())).rejects.toThrow(/timed out/i);
    } finally {
      file.server.thaw();
    }
    await ready(redis);
  });

  it('rejects a call in flight when the connection drops, and never replays it', async () => {
    const redis = await client(30_000);
    const { rateLimits } = redisStorage(redis, { prefix: 'drop:' });
    file.server.freeze();
    const inFlight = rateLimits.hit(uid('rl'), { ...hit, now: startTime() });
    // maxRetriesPerRequest 0: flushed on close, not held for a retry (which could run it twice).
    const rejected = expect(inFlight).rejects.toThrow(/max retries/i);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await file.server.stop();
    await rejected;
    await file.server.start();
  });
});
