import { randomBytes } from 'node:crypto';
import type { SessionRecord, UserRecord } from '@portcullis/core/storage';
import { type ThrowawayRedis, throwawayRedis } from '@portcullis-tests/support';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { type CreateRedisOptions, createRedis } from '../src/index.js';

/** The shared Redis server of this machine. Tests never stop it. */
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * A client of the shared server. Rejects when it cannot be reached, so the suite that calls it
 * fails loudly instead of skipping.
 */
export function connect(): Promise<Redis> {
  return createRedis(REDIS_URL, { connectTimeoutMs: 3000, commandTimeoutMs: 5000 });
}

/** A key prefix of its own for one test file: no file sees another's keys. */
export function testPrefix(file: string): string {
  return `portcullis-test:${file}:${randomBytes(6).toString('hex')}:`;
}

/** Deletes every key under `prefix` (SCAN + DEL). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) deleted += await redis.del(key);
  } while (cursor !== '0');
  return deleted;
}

/** Every key under `prefix`. */
export async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found;
}

/** A throwaway redis-server for one test file, and the clients it made of it. */
export interface ServerOfFile {
  /** The file's server; available from its `beforeAll` on. */
  readonly server: ThrowawayRedis;
  /**
   * A `createRedis` client of the server, disconnected after the file. Its connection errors
   * are expected, so `onError` ignores them unless `options` gives one.
   */
  client(options?: CreateRedisOptions): Promise<Redis>;
}

/**
 * Starts a throwaway redis-server (never the shared one) in the calling file's `beforeAll`,
 * and disconnects the file's clients and disposes of the server in its `afterAll`.
 */
export function throwawayServerOfFile(): ServerOfFile {
  let server: ThrowawayRedis | undefined;
  const clients: Redis[] = [];
  beforeAll(async () => {
    server = await throwawayRedis();
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await server?.dispose();
  });
  const started = (): ThrowawayRedis => {
    if (server === undefined) throw new Error('the throwaway server starts in beforeAll');
    return server;
  };
  return {
    get server() {
      return started();
    },
    async client(options = {}) {
      const redis = await createRedis(started().url, { onError: () => undefined, ...options });
      clients.push(redis);
      return redis;
    },
  };
}

/**
 * The credential generation of test records: the largest core can draw (2^53 - 1), so an
 * encoding that loses precision (Lua's number formatting, cjson) fails the tests.
 */
export const GENERATION = 2 ** 53 - 1;

/** A live session of `userId` (idle expiry in one hour, absolute in ten), with a random id. */
export function newSession(
  userId: string,
  now: number,
  overrides: Partial<SessionRecord> = {},
): SessionRecord {
  return {
    id: `sess-${randomBytes(12).toString('base64url')}`,
    userId,
    secretHash: randomBytes(32).toString('base64url'),
    refreshHash: randomBytes(32).toString('base64url'),
    previousRefreshHashes: [],
    createdAt: now,
    lastSeenAt: now,
    idleExpiresAt: now + HOUR,
    absoluteExpiresAt: now + 10 * HOUR,
    freshUntil: now + 5 * 60_000,
    ip: '203.0.113.7',
    userAgent: 'RedisTest/1.0',
    amr: ['pwd'],
    credentialGeneration: GENERATION,
    ...overrides,
  };
}

/** A user with a random id, email and username. */
export function newUser(now: number, overrides: Partial<UserRecord> = {}): UserRecord {
  const id = `user-${randomBytes(9).toString('base64url')}`;
  const name = id.toLowerCase();
  return {
    id,
    email: `${name}@example.test`,
    emailNormalized: `${name}@example.test`,
    username: name,
    usernameNormalized: name,
    passwordHash: 'hash',
    metadata: { plan: 'pro', seats: [1, 2] },
    disabled: false,
    credentialGeneration: GENERATION,
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

/** A unique id for a user, token selector or rate-limit key. */
export const uid = (what: string): string => `${what}-${randomBytes(9).toString('base64url')}`;

/** One hour in milliseconds. */
export const HOUR = 3_600_000;

/** Real time, rounded to the second: records then live (by TTL) while a test runs. */
export const startTime = (): number => Math.floor(Date.now() / 1000) * 1000;

/** A promise and its resolver. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * Records every command `redis` sends from now on (name and arguments, as `MONITOR` would show
 * them, scripts as `evalsha`), by wrapping its `sendCommand`. Use a client of its own.
 */
export function recordCommands(redis: Redis): { readonly log: string[][]; clear(): void } {
  const send = redis.sendCommand.bind(redis);
  const log: string[][] = [];
  const record: typeof send = (command, stream) => {
    log.push([command.name.toLowerCase(), ...command.args.map(String)]);
    return send(command, stream);
  };
  Reflect.set(redis, 'sendCommand', record);
  return {
    log,
    clear: () => {
      log.length = 0;
    },
  };
}
