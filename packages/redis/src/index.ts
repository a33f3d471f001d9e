/**
 * `@portcullis/redis`: sessions, one-time tokens and rate limits for `@portcullis/core` over
 * Redis (`redisStorage`), a Redis cache of another storage's sessions with their users
 * (`cachedStorage`, validation in one `GET`) or of its sessions alone (`cachedSessions`), and
 * an ioredis client with fail-fast options (`createRedis`).
 *
 * @packageDocumentation
 */

export type { CachedSessionsOptions } from './cached-sessions.js';
export { cachedSessions } from './cached-sessions.js';
export { cachedStorage } from './cached-storage.js';
export type { CreateRedisOptions, FailFastOptions, RedisClient } from './client.js';
export { createRedis, failFastOptions } from './client.js';
export type { RedisStorage, RedisStorageOptions } from './storage.js';
export { redisStorage } from './storage.js';
