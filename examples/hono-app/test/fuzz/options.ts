/**
 * Run settings of the fuzz, from the environment: `FUZZ_RUNS` (requests per property),
 * `FUZZ_SEED` and `FUZZ_PATH` (replay a failure fast-check printed); and what the example
 * under fuzz is configured with (`FUZZ_OAUTH_PROVIDER`).
 */
import type { OAuthProvider } from '@portcullis/core';
import type { RateLimitStore } from '@portcullis/core/storage';

/** Requests of the main property when `FUZZ_RUNS` is not set (the invalid-body one runs a quarter). */
export const DEFAULT_RUNS = 2000;

/** The number of runs and fast-check's replay parameters. */
export function fuzzParameters(): { runs: number; parameters: { seed?: number; path?: string } } {
  const runs = Number(process.env.FUZZ_RUNS ?? DEFAULT_RUNS);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`FUZZ_RUNS must be a positive integer`);
  const seed = process.env.FUZZ_SEED;
  const path = process.env.FUZZ_PATH;
  return {
    runs,
    parameters: {
      ...(seed === undefined ? {} : { seed: Number(seed) }),
      ...(path === undefined ? {} : { path }),
    },
  };
}

/**
 * A rate-limit store that starts afresh on `reset()`: each run of the fuzz begins with no
 * counters, so the throttles stay real (a run that repeats itself can still hit them) but one
 * run's attempts never lock the next ones out.
 */
export function resettableLimits(fresh: () => RateLimitStore): {
  store: RateLimitStore;
  reset: () => void;
} {
  let current = fresh();
  const store: RateLimitStore = {
    hit: (key, options) => current.hit(key, options),
    peek: (key, now) => current.peek(key, now),
    release: (key, id, now) => current.release(key, id, now),
    reset: (key) => current.reset(key),
    lock: (key, options) => current.lock(key, options),
    lockedUntil: (key, now) => current.lockedUntil(key, now),
  };
  const reset = () => {
    current = fresh();
  };
  return { store, reset };
}

/**
 * A social sign-in provider for the example under fuzz, with the id the fuzz puts in every path
 * parameter of a broken body (`x`), so the `/oauth/{provider}/...` routes get past their 404
 * and validate what they are sent. Plain OAuth 2 on endpoints that are never fetched:
 * authorize only builds the URL, and no callback gets past the state check.
 */
export const FUZZ_OAUTH_PROVIDER: OAuthProvider = {
  id: 'x',
  name: 'Fuzz',
  kind: 'oauth2',
  endpoints: {
    authorization: 'https://provider.invalid/authorize',
    token: 'https://provider.invalid/token',
  },
  clientId: 'fuzz',
  clientSecret: 'fuzz-client-secret',
  scopes: ['profile'],
  trustEmail: false,
  profile: async () => {
    throw new Error('the fuzz never completes a sign-in');
  },
};
