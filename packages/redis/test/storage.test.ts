import { memoryStorage } from '@portcullis/core';
import { describeStorageConformance } from '@portcullis/core/testing';
import type { Redis } from 'ioredis';
import { createRedis, redisStorage } from '../src/index.js';
import { connect, deleteKeys, REDIS_URL, testPrefix } from './helpers.js';

// The contract's checks for the stores this package implements, on the shared Redis server:
// once over RESP3 (ioredis 6's default) and once over RESP2 (ioredis 5's), whose replies differ.
const prefix = testPrefix('storage');

for (const protocol of [3, 2] as const) {
  let redis: Redis | undefined;
  describeStorageConformance(
    `redisStorage (RESP${protocol})`,
    async () => {
      redis =
        protocol === 3 ? await connect() : await createRedis(REDIS_URL, { redis: { protocol } });
      // Users, two-factor and audit are not this package's: memory fills them in.
      return { ...memoryStorage(), ...redisStorage(redis, { prefix: `${prefix}${protocol}:` }) };
    },
    {
      stores: ['sessions', 'tokens', 'rateLimits'],
      cleanup: async () => {
        if (redis === undefined) return;
        await deleteKeys(redis, `${prefix}${protocol}:`);
        redis.disconnect();
      },
    },
  );
}
