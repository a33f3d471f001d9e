import { mkdirSync } from 'node:fs';
import { composeStorage, type Storage } from '@portcullis/core/storage';
import { createPool, migrate, type PostgresStorage, postgresStorage } from '@portcullis/postgres';
import { createRedis, redisStorage } from '@portcullis/redis';

/** Options of {@link openStorage}; `server.ts` fills them from the environment. */
export interface StorageOptions {
  /** A PostgreSQL server (`DATABASE_URL`). Omitted: PGlite, embedded in this process. */
  databaseUrl?: string | undefined;
  /**
   * Where PGlite keeps its files when there is no `databaseUrl` (created if missing).
   * Omitted: PGlite in memory, forgotten when the process ends (the browser test uses that).
   */
  pgliteDir?: string | undefined;
  /** A Redis server (`REDIS_URL`): sessions, one-time tokens and rate limits go there. */
  redisUrl?: string | undefined;
  /** The PostgreSQL schema of Portcullis's tables. Default `portcullis`. */
  schema?: string | undefined;
  /** Prepended to every Redis key. Default `portcullis-hono-app:`. */
  redisPrefix?: string | undefined;
  /** Errors of idle database or Redis connections (they reconnect by themselves). Default: ignored. */
  onConnectionError?: ((backend: 'PostgreSQL' | 'Redis', error: Error) => void) | undefined;
}

/** What {@link openStorage} returns. */
export interface AppStorage {
  /** For `createApp({ storage })`. */
  readonly storage: Storage;
  /** Where each kind of data lives, one line each, for the startup log. Never a password. */
  readonly description: readonly string[];
  /** Closes the database and Redis connections. Call it after `auth.close()`. */
  close(): Promise<void>;
}

/**
 * The example's storage, migrated and ready:
 * - users, two-factor data and the audit trail in PostgreSQL (`databaseUrl`) or else in PGlite,
 *   PostgreSQL compiled to WebAssembly running in this process (in `pgliteDir`, or in memory);
 * - sessions, one-time tokens and rate limits there too, or in Redis when `redisUrl` is set
 *   (`composeStorage`; transactions still cover the PostgreSQL stores).
 *
 * Rejects when a server cannot be reached or the migration fails; whatever it had opened is
 * closed again first.
 */
export async function openStorage(options: StorageOptions = {}): Promise<AppStorage> {
  const closers: (() => Promise<void>)[] = [];
  // Last opened, first closed; each at most once.
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) await closer().catch(() => {});
  };
  try {
    const schema = options.schema ?? 'portcullis';
    const description: string[] = [];
    let pg: PostgresStorage;
    if (options.databaseUrl !== undefined && options.databaseUrl !== '') {
      const pool = await createPool(options.databaseUrl, {
        onError: (error) => options.onConnectionError?.('PostgreSQL', error),
      });
      closers.push(() => pool.end());
      // Every replica may migrate at startup: migrate takes an advisory lock.
      await migrate(pool, { schema });
      pg = postgresStorage(pool, { schema });
      description.push(
        `Portcullis in PostgreSQL at ${redact(options.databaseUrl)}, schema "${schema}"`,
      );
    } else {
      // Loaded only here: with DATABASE_URL set, PGlite is never started.
      const { PGlite } = await import('@electric-sql/pglite');
      let db: InstanceType<typeof PGlite>;
      if (options.pgliteDir === undefined) {
        db = await PGlite.create();
        description.push('Portcullis in PGlite, in memory (lost when the process ends)');
      } else {
        // PGlite creates its own directory, not the ones above it.
        mkdirSync(options.pgliteDir, { recursive: true });
        db = await PGlite.create(options.pgliteDir);
        description.push(
          `Portcullis in PGlite (embedded PostgreSQL), files in ${options.pgliteDir}`,
        );
      }
      closers.push(() => db.close());
      await migrate(db, { schema });
      pg = postgresStorage(db, { schema });
    }

    if (options.redisUrl === undefined || options.redisUrl === '') {
      return { storage: pg, description, close };
    }
    const redis = await createRedis(options.redisUrl, {
      onError: (error) => options.onConnectionError?.('Redis', error),
    });
    closers.push(async () => {
      await redis.quit();
    });
    const prefix = options.redisPrefix ?? 'portcullis-hono-app:';
    const ephemeral = redisStorage(redis, { prefix });
    description.push(
      `sessions, one-time tokens and rate limits in Redis instead, at ${redact(options.redisUrl)}, keys ${prefix}*`,
    );
    const storage = composeStorage({
      users: pg.users,
      accounts: pg.accounts,
      passkeys: pg.passkeys,
      twoFactor: pg.twoFactor,
      audit: pg.audit,
      sessions: ephemeral.sessions,
      tokens: ephemeral.tokens,
      rateLimits: ephemeral.rateLimits,
      // A password reset or an account deletion is one PostgreSQL transaction; the Redis
      // stores run as they are.
      transactionsFrom: pg,
    });
    return { storage, description, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** `url` without its password (and without its query, which may hold one), for logs. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    parsed.search = '';
    return parsed.toString();
  } catch {
    return '(an unparsable URL)';
  }
}
