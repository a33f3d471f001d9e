/**
 * Servers a fault test may break without touching the machine's shared ones: a free port, a
 * TCP proxy in front of PostgreSQL, a throwaway `redis-server`. Used by the adapters' tests,
 * tests/integration and tests/outage.
 */
export { freePort } from './free-port.js';
export type { PgProxy, PgProxyOptions } from './pg-proxy.js';
export { startPgProxy } from './pg-proxy.js';
export type { ThrowawayRedis, ThrowawayRedisOptions } from './throwaway-redis.js';
export { throwawayRedis } from './throwaway-redis.js';
