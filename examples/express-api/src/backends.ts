import { memoryStorage } from '@portcullis/core';
import { composeStorage, type Storage } from '@portcullis/core/storage';
import { createPool, migrate, postgresStorage } from '@portcullis/postgres';
import { createRedis, redisStorage } from '@portcullis/redis';
import { memoryNoteStore, type NoteStore, postgresNoteStore } from './notes.js';

/** Options of {@link openBackends}; `server.ts` fills them from the environment. */
export interface BackendOptions {
  /** A PostgreSQL server (`DATABASE_URL`) for every store of Portcullis and the notes. */
  databaseUrl?: string | undefined;
  /** A Redis server (`REDIS_URL`) for sessions, one-time tokens and rate limits. */
  redisUrl?: string | undefined;
  /** The PostgreSQL schema of Portcullis's tables. Default `portcullis`. */
  schema?: string | undefined;
  /** The PostgreSQL schema of the `notes` table. Default `public`. */
  notesSchema?: string | undefined;
  /** Prepended to every Redis key. Default `portcullis-express-api:`. */
  redisPrefix?: string | undefined;
  /** Errors of idle database or Redis connections (they reconnect by themselves). Default: ignored. */
  onConnectionError?: ((backend: 'PostgreSQL' | 'Redis', error: Error) => void) | undefined;
}

/** Where the API keeps its data: what {@link openBackends} returns, for `createApp`. */
export interface Backends {
  /** Portcullis's storage. */
  readonly storage: Storage;
  /** The notes. */
  readonly notes: NoteStore;
  /** Where each kind of data lives, one line each, for the startup log. Never a password. */
  readonly description: readonly string[];
  /** Closes the database and Redis connections. Call it after `auth.close()`. */
  close(): Promise<void>;
}

/** Everything in this process's memory: a restart forgets every account and note. */
export function memoryBackends(): Backends {
  return {
    storage: memoryStorage(),
    notes: memoryNoteStore(),
    description: ['Portcullis and the notes in memory (lost on restart)'],
    close: async () => {},
  };
}

/**
 * The API's storage, ready to use:
 * - `databaseUrl`: every store of Portcullis in PostgreSQL (migrated here), and the notes in a
 *   `notes` table whose rows go with their user (`ON DELETE CASCADE`);
 * - `redisUrl`: sessions, one-time tokens and rate limits in Redis instead (`composeStorage`);
 * - neither: {@link memoryBackends}. With only `redisUrl`, users and notes stay in memory.
 *
 * Rejects when a server cannot be reached or the migration fails; whatever it had opened is
 * closed again first.
 */
export async function openBackends(options: BackendOptions = {}): Promise<Backends> {
  const closers: (() => Promise<void>)[] = [];
  // Last opened, first closed; each at most once.
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) await closer().catch(() => {});
  };
  try {
    let storage: Storage;
    let notes: NoteStore;
    const description: string[] = [];
    if (options.databaseUrl !== undefined && options.databaseUrl !== '') {
      const schema = options.schema ?? 'portcullis';
      const notesSchema = options.notesSchema ?? 'public';
      const pool = await createPool(options.databaseUrl, {
        onError: (error) => options.onConnectionError?.('PostgreSQL', error),
      });
      closers.push(() => pool.end());
      // Every replica may migrate at startup: migrate takes an advisory lock.
      await migrate(pool, { schema });
      storage = postgresStorage(pool, { schema });
      notes = await postgresNoteStore(pool, { schema: notesSchema, authSchema: schema });
      description.push(
        `Portcullis in PostgreSQL at ${redact(options.databaseUrl)}, schema "${schema}"`,
        `notes in the same database, table ${notesSchema}.notes (deleted with their user)`,
      );
    } else {
      ({ storage, notes } = memoryBackends());
      description.push('Portcullis and the notes in memory (lost on restart)');
    }

    if (options.redisUrl === undefined || options.redisUrl === '') {
      return { storage, notes, description, close };
    }
    const redis = await createRedis(options.redisUrl, {
      onError: (error) => options.onConnectionError?.('Redis', error),
    });
    closers.push(async () => {
      await redis.quit();
    });
    const prefix = options.redisPrefix ?? 'portcullis-express-api:';
    const ephemeral = redisStorage(redis, { prefix });
    description.push(
      `sessions, one-time tokens and rate limits in Redis instead, at ${redact(options.redisUrl)}, keys ${prefix}*`,
    );
    const composed = composeStorage({
      users: storage.users,
      accounts: storage.accounts,
      passkeys: storage.passkeys,
      twoFactor: storage.twoFactor,
      audit: storage.audit,
      sessions: ephemeral.sessions,
      tokens: ephemeral.tokens,
      rateLimits: ephemeral.rateLimits,
      // PostgreSQL: a password reset or an account deletion is one transaction over its stores
      // (the Redis ones run as they are). The memory storage has no transactions.
      ...(storage.transaction === undefined ? {} : { transactionsFrom: storage }),
    });
    return { storage: composed, notes, description, close };
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
