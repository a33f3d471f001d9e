// Time from a Redis restart to the first successful store call (a `redisStorage` rate-limit
// peek, tried every 5 ms), without other load: ioredis's own reconnection backoff against
// createRedis's (issue 16). Each trial stops the throwaway server for OUTAGE_DOWN_MS (3000).
//
//   pnpm --filter @portcullis-tests/outage run redis-recovery
import { performance } from 'node:perf_hooks';
import { createRedis, redisStorage } from '@portcullis/redis';
import { throwawayRedis } from '@portcullis-tests/support';
import { Redis } from 'ioredis';

const TRIALS = Number(process.env.OUTAGE_TRIALS ?? 5);
const DOWN_MS = Number(process.env.OUTAGE_DOWN_MS ?? 3000);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const server = await throwawayRedis();
try {
  const variants = [
    ["ioredis's default backoff", { redis: { retryStrategy: Redis.defaultOptions.retryStrategy } }],
    ['createRedis (reconnectMaxDelayMs 250)', {}],
  ];
  for (const [name, options] of variants) {
    const redis = await createRedis(server.url, { ...options, onError: () => {} });
    const { rateLimits } = redisStorage(redis, { prefix: 'recovery:' });
    const times = [];
    for (let i = 0; i < TRIALS; i += 1) {
      await server.stop();
      await sleep(DOWN_MS);
      await server.start();
      const back = performance.now();
      for (;;) {
        const ok = await rateLimits.peek('k', Date.now()).then(
          () => true,
          () => false,
        );
        if (ok) break;
        await sleep(5);
      }
      times.push(Math.round(performance.now() - back));
    }
    redis.disconnect();
    const sorted = [...times].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    console.log(`${name}: ${times.join(', ')} ms (median ${median}, max ${sorted.at(-1)})`);
  }
} finally {
  await server.dispose();
}
