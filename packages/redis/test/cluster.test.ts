import { createHash } from 'node:crypto';
import { memoryStorage } from '@portcullis/core';
import { describeStorageConformance } from '@portcullis/core/testing';
import { type ThrowawayRedis, throwawayRedis } from '@portcullis-tests/support';
import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedSessions, cachedStorage, failFastOptions, redisStorage } from '../src/index.js';
import { SCRIPTS } from '../src/scripts.js';
import { testPrefix } from './helpers.js';

// A single-node Redis Cluster of this file's own (it owns all 16384 slots, so it refuses any
// multi-key command across slots with CROSSSLOT), driven through ioredis's Cluster client. MONITOR
// records every command, including those each Lua script runs, to check that every atomic step
// touches its one declared key and nothing else.
const prefix = testPrefix('cluster');
let server: ThrowawayRedis;
let cluster: Cluster;
let watcher: Redis;
const log: { args: string[]; source: string }[] = [];

beforeAll(async () => {
  server = await throwawayRedis({ cluster: true });
  watcher = new Redis(server.port, '127.0.0.1');
  const monitor = await watcher.monitor();
  monitor.on('monitor', (_time: string, args: string[], source: string) => {
    log.push({ args, source });
  });
  cluster = new Cluster([{ host: '127.0.0.1', port: server.port }], {
    enableOfflineQueue: false,
    redisOptions: failFastOptions(),
  });
  await new Promise((resolve, reject) => {
    cluster.once('ready', resolve);
    cluster.once('error', reject);
  });
});
afterAll(async () => {
  cluster?.disconnect();
  watcher?.disconnect();
  await server?.dispose();
});

describeStorageConformance(
  'redisStorage on Redis Cluster',
  () => ({ ...memoryStorage(), ...redisStorage(cluster, { prefix }) }),
  { stores: ['sessions', 'tokens', 'rateLimits'] },
);

describeStorageConformance(
  'cachedSessions on Redis Cluster',
  () => ({
    ...memoryStorage(),
    sessions: cachedSessions(cluster, memoryStorage().sessions, { prefix }),
  }),
  { stores: ['sessions'] },
);

describeStorageConformance('cachedStorage on Redis Cluster', () =>
  cachedStorage(cluster, memoryStorage(), { prefix }),
);

describe('keys on Redis Cluster', () => {
  const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

  it('every atomic step touches exactly one key: the one it declares', async () => {
    // Let MONITOR deliver the last commands of the suites above.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const steps: { sha: string; key: string; inner: string[][] }[] = [];
    const plain: string[][] = [];
    for (const { args, source } of log) {
      const name = (args[0] ?? '').toLowerCase();
      // A script's own commands follow its EVAL at once: scripts run atomically.
      if (source === 'lua') {
        const step = steps.at(-1);
        expect(step, `a script command outside a script: ${args.join(' ')}`).toBeDefined();
        step?.inner.push(args);
      } else if (name === 'evalsha' || name === 'eval') {
        expect(args[2], `${name} with several keys`).toBe('1');
        const sha = name === 'eval' ? sha1(args[1] ?? '') : (args[1] ?? '');
        steps.push({ sha, key: args[3] ?? '', inner: [] });
      } else if (args.some((arg) => arg.startsWith(prefix))) {
        plain.push(args);
      }
    }

    // Every script of the package ran at least once, each with its key under the prefix.
    const ran = new Set(steps.map((s) => s.sha));
    for (const [name, lua] of Object.entries(SCRIPTS)) {
      expect(ran.has(sha1(lua)), `script ${name} never ran`).toBe(true);
    }
    for (const step of steps) expect(step.key.startsWith(prefix)).toBe(true);

    // The server names the keys of each command; scripts may touch only their declared key.
    const keysOf = async (commands: string[][]) => {
      const pipeline = watcher.pipeline();
      for (const args of commands) pipeline.call('COMMAND', 'GETKEYS', ...args);
      const replies = (await pipeline.exec()) ?? [];
      // A keyless command (TIME) answers an error: no keys.
      return replies.map(([error, keys]) => (error === null ? (keys as string[]) : []));
    };
    for (const step of steps) {
      for (const keys of await keysOf(step.inner)) {
        for (const key of keys) expect(key).toBe(step.key);
      }
    }
    for (const keys of await keysOf(plain)) expect(keys.length).toBeLessThanOrEqual(1);
    expect(steps.length).toBeGreaterThan(100);
    expect(plain.length).toBeGreaterThan(10);
  });
});
