// What the orchestrator (run.mjs), the seeding (seed.mjs) and every server (server.mjs) agree
// on: where the data lives, the accounts, and Portcullis's configuration.
import { memoryMailer, silentLogger } from '@portcullis/core';

export const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** The floor's table of `--rows` rows; kept between runs (seeding a million rows takes a while). */
export const FLOOR_SCHEMA = 'pc_bench_http_floor';
/** Portcullis's tables with `--rows` seeded sessions; kept between runs too. */
export const AUTH_SCHEMA = 'pc_bench_http';
/** Every Redis key of the bench starts with this; they are removed at the start and the end. */
export const REDIS_PREFIX = 'portcullis-bench-http:';

export const APP_URL = 'http://localhost:3000';
export const SECRET = 'bench-http-secret-bench-http-secret-0123456789';
export const PASSWORD = 'violet tangerine orbit';
/** Holds the seeded sessions (never signs in). */
export const SEED_EMAIL = 'seed@bench.example';
/** Signs in once per server; role `admin` (for `requireAuth({ role: 'admin' })`). */
export const USER_EMAIL = 'bench@bench.example';
/** Signs in on every request of the `login` row. */
export const LOGIN_EMAIL = 'login@bench.example';

/** argon2id as core's defaults (m = 19456 KiB, t = 2, p = 1), for the bare-verify floor. */
export const ARGON2_PARAMS = { memoryCost: 19456, timeCost: 2, parallelism: 1, outputLen: 32 };

// Rate limits stay on (their bookkeeping is part of a sign-in) but never bite: every server
// signs the same accounts in from the same address, run after run.
const UNLIMITED = { limit: 1_000_000_000, windowSeconds: 900 };

/**
 * `createAuth` options shared by every Portcullis server and the seeding: the same secret,
 * `appUrl`, default argon2id parameters, and no email verification.
 * @param {import('@portcullis/core/storage').Storage} storage
 * @param {{ strategy?: 'cookie' | 'jwt', roles?: boolean, checkSession?: boolean }} [session]
 */
export function authOptions(storage, session = {}) {
  return {
    storage,
    mailer: memoryMailer(),
    appUrl: APP_URL,
    secret: SECRET,
    logger: silentLogger,
    emailVerification: { required: false },
    rateLimits: { loginPerAccount: UNLIMITED, loginPerIp: UNLIMITED },
    session: {
      strategy: session.strategy ?? 'cookie',
      // One token lasts a whole run (the server signs in once when it starts).
      accessToken: {
        ttlSeconds: 3600,
        roles: session.roles ?? false,
        checkSession: session.checkSession ?? false,
      },
    },
  };
}

/**
 * Registers `email` with `PASSWORD` unless it has an account, and resolves to its user id.
 * `register` answers first and stores the account in the background (enumeration-safe), so
 * this waits until the store has it.
 * @param {import('@portcullis/core').Auth} auth
 * @param {import('@portcullis/core/storage').Storage} storage the storage of `auth`
 * @param {string} email
 * @returns {Promise<string>}
 */
export async function ensureAccount(auth, storage, email) {
  let user = await storage.users.getByEmail(email);
  if (user === undefined) await auth.register({ email, password: PASSWORD });
  for (let tries = 0; user === undefined && tries < 100; tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    user = await storage.users.getByEmail(email);
  }
  if (user === undefined) throw new Error(`${email} was not registered`);
  return user.id;
}
